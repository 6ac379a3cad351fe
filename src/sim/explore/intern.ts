/**
 * Hash-consing of system states: every distinct object or array in a state
 * gets a small integer id, equal values equal ids, so a whole state is
 * named by the id of its root and the explorer's visited set is a set of
 * integers. This is SPIN's COLLAPSE compression taken to every level.
 *
 * Why it is fast: a step builds a new state by sharing every sub-object it
 * did not change (system.ts, kernel/state.ts: "nothing here is mutated after
 * construction"), so the ids of shared sub-objects are found by identity and
 * only the few new objects along the changed path are encoded, each as a
 * short vector of its children's ids. The id is kept on the object itself
 * (see ID below): a WeakMap did the same job at several times the cost, most
 * of it in the garbage collector.
 *
 * Why it is exact: a node's vector holds the tag of its kind, its keys (by
 * interned key id, in ascending key-id order, so insertion order does not
 * matter) and each child as (tag, payload); vectors are compared whole in
 * the node set, never by hash alone. Absent and undefined fields are the
 * same state, as in the reference encoder (encode.ts), which a test checks
 * this against state for state.
 *
 * It relies on states being immutable: an object mutated after it was
 * interned would keep its old id. The explorer test that compares this with
 * the reference encoder over every preset would see the difference.
 */
import { createStateSet } from './stateset.ts';

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_INT = 4;
const T_FLOAT = 5;
const T_STRING = 6;
const T_NODE = 7;

const K_ARRAY = 1;
const K_OBJECT = 2;

/**
 * Where an object keeps its id: `ID` holds `interner * 2^32 + id` (exact in
 * a double for 2^21 interners, numbered from 1 so a tag from an earlier
 * exploration never matches). The property is not enumerable, so nothing
 * that copies or compares a state sees it: object spread and
 * `Object.assign` do not copy it (a copy `{ ...x, field }` starts untagged,
 * as it must), nor do `slice()`, JSON or structured clone, and deep
 * equality (Vitest's `toEqual`) ignores it. An enumerable tag was copied by
 * spread and made equal states unequal to `toEqual`.
 */
const ID = Symbol('faultline.internId');
const ID_SCALE = 2 ** 32;
let interners = 0;

type Tagged = { [ID]?: number };

export interface Interner {
  /** The id of `value`'s canonical form: equal plain values get equal ids, different ones different ids. */
  readonly idOf: (value: object) => number;
  /** Distinct nodes interned so far. */
  readonly nodes: () => number;
  /** Bytes held by the node set. */
  readonly bytes: () => number;
}

export function createInterner(): Interner {
  const nodes = createStateSet();
  interners = (interners % (2 ** 21 - 1)) + 1;
  const self = interners * ID_SCALE;
  const strings = new Map<string, number>();
  const floats = new Map<number, number>();
  // One scratch stack for every level of the walk: a node reserves its
  // slots, its children fill them (growing the stack above), then the
  // node's range is looked up in place.
  let scratch = new Uint32Array(1 << 12);
  let top = 0;
  // Tag and payload of the last child visited, passed without allocating.
  let tag = 0;
  let payload = 0;

  const reserve = (words: number): number => {
    const base = top;
    top += words;
    if (top > scratch.length) {
      const bigger = new Uint32Array(Math.max(scratch.length * 2, top));
      bigger.set(scratch);
      scratch = bigger;
    }
    return base;
  };

  const stringId = (s: string): number => {
    let id = strings.get(s);
    if (id === undefined) {
      id = strings.size;
      strings.set(s, id);
    }
    return id;
  };

  const child = (value: unknown): void => {
    if (value === undefined) {
      tag = T_UNDEFINED;
      payload = 0;
    } else if (value === null) {
      tag = T_NULL;
      payload = 0;
    } else if (value === true) {
      tag = T_TRUE;
      payload = 0;
    } else if (value === false) {
      tag = T_FALSE;
      payload = 0;
    } else if (typeof value === 'number') {
      if ((value | 0) === value) {
        tag = T_INT;
        payload = value >>> 0;
      } else {
        let id = floats.get(value);
        if (id === undefined) {
          id = floats.size;
          floats.set(value, id);
        }
        tag = T_FLOAT;
        payload = id;
      }
    } else if (typeof value === 'string') {
      tag = T_STRING;
      payload = stringId(value);
    } else if (typeof value === 'object') {
      const id = node(value);
      tag = T_NODE;
      payload = id;
    } else {
      // Functions, symbols and bigints never appear in a system state.
      throw new Error(`cannot intern a ${typeof value}`);
    }
  };

  const node = (value: object): number => {
    const tagged = value as Tagged;
    const known = (tagged[ID] ?? 0) - self;
    if (known >= 0 && known < ID_SCALE) return known;
    const base = top;
    let length: number;
    if (Array.isArray(value)) {
      const items = value as readonly unknown[];
      length = 2 + 2 * items.length;
      reserve(length);
      scratch[base] = K_ARRAY;
      scratch[base + 1] = items.length;
      for (let i = 0; i < items.length; i++) {
        child(items[i]);
        scratch[base + 2 + 2 * i] = tag;
        scratch[base + 3 + 2 * i] = payload;
      }
    } else {
      const record = value as Readonly<Record<string, unknown>>;
      const keys = Object.keys(record);
      reserve(2 + 3 * keys.length);
      scratch[base] = K_OBJECT;
      let count = 0;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k] ?? '';
        const v = record[key];
        if (v === undefined) continue;
        const keyId = stringId(key);
        child(v);
        // Insertion sort by key id: objects have a handful of keys.
        let at = base + 2 + 3 * count;
        while (at > base + 2 && (scratch[at - 3] ?? 0) > keyId) {
          scratch[at] = scratch[at - 3] ?? 0;
          scratch[at + 1] = scratch[at - 2] ?? 0;
          scratch[at + 2] = scratch[at - 1] ?? 0;
          at -= 3;
        }
        scratch[at] = keyId;
        scratch[at + 1] = tag;
        scratch[at + 2] = payload;
        count++;
      }
      scratch[base + 1] = count;
      length = 2 + 3 * count;
    }
    const found = nodes.addOrFindRange(scratch, base, length);
    top = base;
    const id = found < 0 ? -found - 1 : found;
    // Defined once, not enumerable (see ID); an interner after that only rewrites the value.
    if (tagged[ID] === undefined) Object.defineProperty(tagged, ID, { value: self + id, writable: true });
    else tagged[ID] = self + id;
    return id;
  };

  return {
    idOf: (value) => {
      top = 0;
      return node(value);
    },
    nodes: () => nodes.size(),
    bytes: () => nodes.bytes(),
  };
}
