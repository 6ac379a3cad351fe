import { describe, expect, it } from 'vitest';
import type { VariantId } from '../../kernel/variants.ts';
import { buildSetup } from '../../scenarios/build.ts';
import { findPreset } from '../../scenarios/index.ts';
import { replay } from '../../sim/replay.ts';
import type { SystemState } from '../../sim/system.ts';
import { inspect, markChanged, type InspectorModel } from './model.ts';

/** A preset's run: its named schedule (or the given pids), finished round-robin, as the page opens it. */
function run(id: string, variant: VariantId, schedule?: readonly number[] | string) {
  const scenario = findPreset(id);
  if (scenario === undefined) throw new Error(`no preset ${id}`);
  const named = typeof schedule === 'string' ? scenario.schedules.find((s) => s.name === schedule) : scenario.schedules.find((s) => s.expect[variant] !== undefined);
  const steps = Array.isArray(schedule) ? schedule : (named?.steps ?? []);
  return replay(buildSetup(scenario), variant, steps, { finish: true });
}

function at(states: readonly SystemState[], i: number): SystemState {
  const state = states[i];
  if (state === undefined) throw new Error(`no state ${i}`);
  return state;
}

/** The model of step `i` against step `i - 1`. */
function stepModel(states: readonly SystemState[], i: number): InspectorModel {
  return inspect(at(states, i), i > 0 ? states[i - 1] : undefined);
}

/** Every row key the model marks changed, across all sections. */
function changedKeys(model: InspectorModel): string[] {
  return [
    ...model.locks,
    ...model.pageCache.flatMap((f) => f.pages),
    ...model.removedPages,
    ...model.blocks,
    ...model.processes.flatMap((p) => [...p.vmas, ...p.ptes]),
    ...model.inodes,
  ]
    .filter((r) => r.changed)
    .map((r) => r.key);
}

/** The state right after the first step `machine` took from state `from`. */
function stepWhere(trace: readonly { machine: string; from: string }[], machine: string, from: string): number {
  const i = trace.findIndex((t) => t.machine === machine && t.from === from);
  if (i < 0) throw new Error(`no step of ${machine} from ${from}`);
  return i + 1;
}

describe('inspect: gfs2-abba-dio under gfs2-5.15 at the deadlock', () => {
  const { states } = run('gfs2-abba-dio', 'gfs2-5.15');
  const model = stepModel(states, states.length - 1);

  it('shows glock 2/F1 held DF by pid 101 with pid 102 waiting SH, and the mirror image on 2/F2', () => {
    const f1 = model.locks.find((l) => l.name === 'glock 2/F1');
    expect(f1?.type).toBe('glock');
    expect(f1?.glock).toEqual({ node: 0, state: 'DF', demote: null });
    expect(f1?.holders.map((h) => [h.pid, h.mode])).toEqual([[101, 'DF']]);
    expect(f1?.waiters.map((h) => [h.pid, h.mode, h.caller])).toEqual([[102, 'SH', 'gfs2_fault']]);
    expect(f1?.summary).toBe('held DF by pid 101; waiting: pid 102 (SH)');
    const f2 = model.locks.find((l) => l.name === 'glock 2/F2');
    expect(f2?.holders.map((h) => [h.pid, h.mode])).toEqual([[102, 'DF']]);
    expect(f2?.waiters.map((h) => [h.pid, h.mode])).toEqual([[101, 'SH']]);
  });

  it('marks exactly the glock the last step queued on as changed', () => {
    expect(changedKeys(model)).toEqual(['glock:0:0']);
    expect(model.changes).toEqual(['glock 2/F1']);
  });

  it('names every lock in the 5.x words and lists each mm’s mmap_lock with its reader', () => {
    expect(model.era).toBe('5.x');
    expect(model.locks.map((l) => l.name)).toEqual([
      'i_rwsem of F1',
      'i_rwsem of F2',
      'glock 2/F1',
      'glock 2/F2',
      'mmap_lock of mm 0',
      'mmap_lock of mm 1',
      'i_mmap_rwsem of F1',
      'i_mmap_rwsem of F2',
    ]);
    expect(model.locks.find((l) => l.name === 'mmap_lock of mm 0')?.holders).toEqual([{ pid: 101, mode: 'read', caller: null, detail: null }]);
  });

  it('marks nothing at step 0, where there is no step before', () => {
    expect(changedKeys(stepModel(states, 0))).toEqual([]);
    expect(stepModel(states, 0).changes).toEqual([]);
  });
});

describe('inspect: dax-truncate under dax-2015 (caught by the re-check)', () => {
  const { states, trace } = run('dax-truncate', 'dax-2015', 'caught-by-recheck');
  const setsize = stepWhere(trace, 'do_truncate', 'i_size_write');
  const frees = stepWhere(trace, 'do_truncate', 'free_blocks');

  it('marks the i_size change on the inode row, and nothing else', () => {
    const model = stepModel(states, setsize);
    expect(model.inodes[0]).toMatchObject({ file: 'F', sizeBytes: 4096, sizePages: 1, changed: true });
    expect(stepModel(states, setsize - 1).inodes[0]?.sizeBytes).toBe(8192);
    expect(changedKeys(model)).toEqual(['inode:0']);
  });

  it('marks the freed block, and the block map that lost it', () => {
    const model = stepModel(states, frees);
    const block = model.blocks.find((b) => b.block === 1);
    expect(block).toMatchObject({ owner: null, changed: true });
    expect(stepModel(states, frees - 1).blocks.find((b) => b.block === 1)?.owner).toBe('F:1');
    expect(model.inodes[0]?.map).toEqual([0, null]);
    expect(changedKeys(model)).toEqual(['block:1', 'inode:0']);
  });

  it('compared across the whole truncate, marks both the freed block and the i_size change', () => {
    const model = inspect(at(states, frees), at(states, setsize - 1));
    expect(changedKeys(model)).toEqual(expect.arrayContaining(['block:1', 'inode:0']));
    expect(model.blocks.filter((b) => b.changed).map((b) => b.block)).toEqual([1]);
  });

  it('names i_mutex as a mutex and mmap_sem as an rwsem (2015)', () => {
    const model = stepModel(states, setsize);
    expect(model.locks.find((l) => l.key === 'i_rwsem:0')).toMatchObject({ name: 'i_mutex of F', type: 'mutex', summary: 'held by pid 102' });
    expect(model.locks.find((l) => l.key === 'mmap_sem:0')).toMatchObject({ name: 'mmap_sem of mm 0', type: 'rwsem' });
    // invalidate_lock does not exist before 5.15.
    expect(model.locks.some((l) => l.ref.kind === 'invalidate_lock')).toBe(false);
  });

  it('shows invalidate_lock under the 5.15 variant', () => {
    const later = run('dax-truncate', 'dax-invalidate-lock', 'invalidate-lock-serializes');
    const names = stepModel(later.states, 1).locks.map((l) => l.name);
    expect(names).toContain('invalidate_lock of F');
    expect(names).toContain('i_rwsem of F');
  });
});

describe('inspect: the use-after-free without the re-check', () => {
  const { states, outcome } = run('dax-truncate', 'dax-2015-norecheck', 'caught-by-recheck');
  const model = stepModel(states, states.length - 1);

  it('shows the PTE that maps a free block, and the free block mapped by it', () => {
    expect(outcome?.kind).toBe('use-after-free');
    const pte = model.processes[0]?.ptes.find((p) => p.vpage === 1);
    expect(pte).toMatchObject({ target: 'dax', maps: 'block 1 (free)', writable: true, stale: true, changed: true });
    expect(model.blocks.find((b) => b.block === 1)).toMatchObject({ owner: null, mappedBy: ['mm 0 user page 1'] });
  });
});

describe('inspect: sleeping-lock queues are FIFO, readers behind a waiting writer', () => {
  const { states } = run('imutex-mmapsem', 'dax-imutex-fault', [101, 101, 102, 102, 102, 103, 103, 101, 101, 101, 102, 102, 102, 102]);
  const model = stepModel(states, states.length - 1);

  it('lists mmap_sem’s reader, then its sleepers in queue order with their modes', () => {
    const mmapSem = model.locks.find((l) => l.key === 'mmap_sem:0');
    expect(mmapSem?.holders.map((h) => [h.pid, h.mode])).toEqual([[102, 'read']]);
    expect(mmapSem?.waiters.map((h) => [h.pid, h.mode])).toEqual([
      [103, 'write'],
      [101, 'read'],
    ]);
    expect(mmapSem?.summary).toBe('held for read by pid 102; waiting: pid 103 (write), pid 101 (read)');
  });

  it('lists i_mutex held by pid 101 with pid 102 asleep on it, the last step’s change', () => {
    const iMutex = model.locks.find((l) => l.key === 'i_rwsem:0');
    expect(iMutex?.summary).toBe('held by pid 101; waiting: pid 102');
    expect(model.changes).toEqual(['i_mutex of F']);
  });
});

describe('inspect: a page truncate removed while a fault still references it', () => {
  const { states } = run('truncate-mapping-repeat', 'dax-2015', 'truncate-after-find-get-page');
  const removedAt = states.findIndex((s, i) => i > 0 && s.kernel.pages.some((p) => p.mapping === null && p.refs > 0));

  it('shows the page with mapping NULL and its reference, and the emptied cache slot, as changed', () => {
    expect(removedAt).toBeGreaterThan(0);
    const model = stepModel(states, removedAt);
    expect(model.removedPages).toEqual([expect.objectContaining({ index: 1, mapping: null, refs: 1, changed: true })]);
    expect(model.pageCache[0]?.pages).toEqual([expect.objectContaining({ index: 1, page: null, changed: true })]);
  });
});

describe('markChanged', () => {
  it('marks new rows and rows that read differently, not equal ones', () => {
    const before = [
      { key: 'a', v: 1 },
      { key: 'b', v: 2 },
    ];
    const after = [
      { key: 'a', v: 1 },
      { key: 'b', v: 3 },
      { key: 'c', v: 1 },
    ];
    expect(markChanged(after, before).map((r) => [r.key, r.changed])).toEqual([
      ['a', false],
      ['b', true],
      ['c', true],
    ]);
    expect(markChanged(after, undefined).every((r) => !r.changed)).toBe(true);
  });
});
