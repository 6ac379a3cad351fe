import { describe, expect, it } from 'vitest';
import { createInterner } from './intern.ts';

describe('interner', () => {
  it('gives equal plain values equal ids, however they were built', () => {
    const interner = createInterner();
    expect(interner.idOf({ a: 1, b: [true, null, 'x'] })).toBe(interner.idOf({ b: [true, null, 'x'], a: 1 }));
    expect(interner.idOf({ a: 1, b: undefined })).toBe(interner.idOf({ a: 1 }));
    expect(interner.idOf([1, 2])).not.toBe(interner.idOf([2, 1]));
  });

  it('does not let a spread copy inherit the id of the object it was copied from', () => {
    const interner = createInterner();
    const lock = { writer: null as number | null, readers: [101], waiters: [] };
    const before = interner.idOf(lock);
    // A step builds its next state as { ...old, changed }: the copy carries the old object's tags.
    const taken = { ...lock, writer: 102 };
    expect(interner.idOf(taken)).not.toBe(before);
    expect(interner.idOf({ ...taken, writer: null })).toBe(before);
    expect(interner.idOf(lock)).toBe(before);
  });

  it('does not trust an id another interner put on an object', () => {
    const shared = { inodes: [{ name: 'F', size: 8192 }], nodes: 1 };
    const first = createInterner();
    first.idOf({ padding: [1, 2, 3] });
    const inFirst = first.idOf(shared);
    const second = createInterner();
    const inSecond = second.idOf(shared);
    expect(inSecond).not.toBe(inFirst);
    expect(second.idOf({ inodes: [{ name: 'F', size: 8192 }], nodes: 1 })).toBe(inSecond);
  });

  it('keeps its tags out of the keys, JSON and structured clones of the state', () => {
    const interner = createInterner();
    const state = { kernel: { nodes: 1 }, tasks: [{ pid: 101 }] };
    interner.idOf(state);
    expect(Object.keys(state)).toEqual(['kernel', 'tasks']);
    expect(JSON.stringify(state)).toBe('{"kernel":{"nodes":1},"tasks":[{"pid":101}]}');
    expect(Object.getOwnPropertySymbols(structuredClone(state))).toEqual([]);
  });

  it('leaves interned values deeply equal to fresh ones: the tag is not enumerable, so toEqual and spread copies never see it', () => {
    const interner = createInterner();
    const returns = [4096];
    interner.idOf({ returns });
    expect(returns).toEqual([4096]);
    expect({ returns }).toEqual({ returns: [4096] });
    const tagged = { a: 1 };
    interner.idOf(tagged);
    expect(Object.getOwnPropertySymbols({ ...tagged })).toEqual([]);
  });
});
