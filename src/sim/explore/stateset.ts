/**
 * A set of encoded states: the encodings live end to end in one growing
 * Uint32Array arena, indexed by an open-addressing table of (hash, offset,
 * length). Lookups compare whole encodings, so the set is exact: no two
 * distinct states are ever merged.
 */
function hashWords(words: Uint32Array): number {
  let h = 0x811c9dc5 ^ words.length;
  for (let i = 0; i < words.length; i++) {
    h ^= words[i] ?? 0;
    h = Math.imul(h, 0x01000193);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

export interface StateSet {
  readonly size: () => number;
  /** Bytes held by the arena and the table. */
  readonly bytes: () => number;
  /** The id of `words` if present; else adds it and returns -(id + 1). */
  readonly addOrFind: (words: Uint32Array) => number;
}

export function createStateSet(): StateSet {
  let arena = new Uint32Array(1 << 16);
  let used = 0;
  /** Per slot: hash, offset, length, id + 1 (0 = empty). */
  let table = new Uint32Array(4 * 1024);
  let count = 0;

  const equal = (offset: number, words: Uint32Array): boolean => {
    for (let i = 0; i < words.length; i++) if (arena[offset + i] !== words[i]) return false;
    return true;
  };

  const store = (words: Uint32Array): number => {
    while (used + words.length > arena.length) {
      const bigger = new Uint32Array(arena.length * 2);
      bigger.set(arena);
      arena = bigger;
    }
    const offset = used;
    arena.set(words, offset);
    used += words.length;
    return offset;
  };

  const grow = (): void => {
    const old = table;
    table = new Uint32Array(old.length * 2);
    const slots = table.length / 4;
    for (let at = 0; at < old.length; at += 4) {
      if ((old[at + 3] ?? 0) === 0) continue;
      let slot = (old[at] ?? 0) % slots;
      while ((table[slot * 4 + 3] ?? 0) !== 0) slot = (slot + 1) % slots;
      table.set(old.subarray(at, at + 4), slot * 4);
    }
  };

  return {
    size: () => count,
    bytes: () => arena.byteLength + table.byteLength,
    addOrFind: (words) => {
      if ((count + 1) * 2 > table.length / 4) grow();
      const hash = hashWords(words);
      const slots = table.length / 4;
      for (let slot = hash % slots; ; slot = (slot + 1) % slots) {
        const at = slot * 4;
        const id = table[at + 3] ?? 0;
        if (id === 0) {
          const offset = store(words);
          table[at] = hash;
          table[at + 1] = offset;
          table[at + 2] = words.length;
          table[at + 3] = count + 1;
          count++;
          return -count;
        }
        if (table[at] === hash && table[at + 2] === words.length && equal(table[at + 1] ?? 0, words)) return id - 1;
      }
    },
  };
}
