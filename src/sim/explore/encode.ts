/**
 * Canonical encoding of a system state as 32-bit tokens, for the explorer's
 * visited set. Every plain value becomes a tag and its content; object keys
 * are visited in sorted order so two equal states encode equally however
 * their objects were built; strings are interned to small integers per
 * exploration. Equal encodings mean equal states, and the reverse.
 */
const TAG_NULL = 1;
const TAG_FALSE = 2;
const TAG_TRUE = 3;
const TAG_INT = 4;
const TAG_FLOAT = 5;
const TAG_STRING = 6;
const TAG_ARRAY = 7;
const TAG_OBJECT = 8;
const TAG_UNDEFINED = 9;

export interface Encoder {
  encode(value: unknown): Uint32Array;
}

export function createEncoder(): Encoder {
  const strings = new Map<string, number>();
  const sortedKeys = new Map<string, readonly string[]>();
  const out: number[] = [];
  const floats = new Float64Array(1);
  const floatWords = new Uint32Array(floats.buffer);

  const intern = (s: string): number => {
    let id = strings.get(s);
    if (id === undefined) {
      id = strings.size;
      strings.set(s, id);
    }
    return id;
  };

  const keysOf = (obj: object): readonly string[] => {
    const keys = Object.keys(obj);
    const shape = keys.join('\u0000');
    let sorted = sortedKeys.get(shape);
    if (sorted === undefined) {
      sorted = [...keys].sort();
      sortedKeys.set(shape, sorted);
    }
    return sorted;
  };

  const walk = (value: unknown): void => {
    if (value === null) out.push(TAG_NULL);
    else if (value === undefined) out.push(TAG_UNDEFINED);
    else if (value === true) out.push(TAG_TRUE);
    else if (value === false) out.push(TAG_FALSE);
    else if (typeof value === 'number') {
      if (Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) out.push(TAG_INT, value >>> 0);
      else {
        floats[0] = value;
        out.push(TAG_FLOAT, floatWords[0] ?? 0, floatWords[1] ?? 0);
      }
    } else if (typeof value === 'string') out.push(TAG_STRING, intern(value));
    else if (Array.isArray(value)) {
      out.push(TAG_ARRAY, value.length);
      for (const item of value) walk(item);
    } else if (typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const keys = keysOf(record);
      // Absent and undefined fields are the same state: skip undefined values.
      let count = 0;
      for (const key of keys) if (record[key] !== undefined) count++;
      out.push(TAG_OBJECT, count);
      for (const key of keys) {
        const v = record[key];
        if (v === undefined) continue;
        out.push(intern(key));
        walk(v);
      }
    }
    // Functions and symbols never appear in a system state.
  };

  return {
    encode(value) {
      out.length = 0;
      walk(value);
      return Uint32Array.from(out);
    },
  };
}
