/**
 * A set of word vectors (encoded states, or the interner's nodes): the
 * vectors live end to end in one growing Uint32Array arena, indexed by an
 * open-addressing table of (hash, offset, length). Lookups compare whole
 * vectors, so the set is exact: no two distinct vectors are ever merged.
 */
function hashWords(words: Uint32Array, start: number, length: number): number {
  let h = 0x811c9dc5 ^ length;
  for (let i = start; i < start + length; i++) {
    h ^= words[i] ?? 0;
    h = Math.imul(h, 0x01000193);
    h ^= h >>> 15;
  }
  // murmur3's finalizer: the table picks slots by the low bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface StateSet {
  readonly size: () => number;
  /** Bytes held by the arena and the table. */
  readonly bytes: () => number;
  /** The id of `words` if present; else adds it and returns -(id + 1). */
  readonly addOrFind: (words: Uint32Array) => number;
  /** The same for `words[start, start + length)`, without making a view of it. */
  readonly addOrFindRange: (words: Uint32Array, start: number, length: number) => number;
}

export function createStateSet(): StateSet {
  let arena = new Uint32Array(1 << 16);
  let used = 0;
  /** Per slot: hash, offset, length, id + 1 (0 = empty). */
  let table = new Uint32Array(4 * 1024);
  let count = 0;

  const equal = (offset: number, words: Uint32Array, start: number, length: number): boolean => {
    for (let i = 0; i < length; i++) if (arena[offset + i] !== words[start + i]) return false;
    return true;
  };

  const store = (words: Uint32Array, start: number, length: number): number => {
    while (used + length > arena.length) {
      const bigger = new Uint32Array(arena.length * 2);
      bigger.set(arena);
      arena = bigger;
    }
    const offset = used;
    arena.set(start === 0 && length === words.length ? words : words.subarray(start, start + length), offset);
    used += length;
    return offset;
  };

  const grow = (): void => {
    const old = table;
    table = new Uint32Array(old.length * 2);
    const slots = table.length / 4;
    for (let at = 0; at < old.length; at += 4) {
      if ((old[at + 3] ?? 0) === 0) continue;
      // The table's slot count is a power of two, so a mask picks the slot.
      let slot = (old[at] ?? 0) & (slots - 1);
      while ((table[slot * 4 + 3] ?? 0) !== 0) slot = (slot + 1) & (slots - 1);
      table.set(old.subarray(at, at + 4), slot * 4);
    }
  };

  const addOrFindRange = (words: Uint32Array, start: number, length: number): number => {
    if ((count + 1) * 2 > table.length / 4) grow();
    const hash = hashWords(words, start, length);
    const mask = table.length / 4 - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot * 4;
      const id = table[at + 3] ?? 0;
      if (id === 0) {
        const offset = store(words, start, length);
        table[at] = hash;
        table[at + 1] = offset;
        table[at + 2] = length;
        table[at + 3] = count + 1;
        count++;
        return -count;
      }
      if (table[at] === hash && table[at + 2] === length && equal(table[at + 1] ?? 0, words, start, length)) return id - 1;
    }
  };

  return {
    size: () => count,
    bytes: () => arena.byteLength + table.byteLength,
    addOrFind: (words) => addOrFindRange(words, 0, words.length),
    addOrFindRange,
  };
}
