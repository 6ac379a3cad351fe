/**
 * Program entries nest (a `lock` entry runs a body of entries), so a frame
 * names the entry it runs by its pre-order index in the task's program:
 * entry 0 is the first top-level entry, then its body, depth first. The
 * index is a number in the frame's registers, so frames stay plain data.
 */
import type { Syscall } from './types.ts';

/** The entry and everything nested in it. */
function sizeOf(sys: Syscall): number {
  return sys.call === 'lock' ? 1 + sys.body.reduce((n, s) => n + sizeOf(s), 0) : 1;
}

/** The pre-order index of top-level entry `pc`. */
export function topEntryId(program: readonly Syscall[], pc: number): number {
  return program.slice(0, pc).reduce((n, s) => n + sizeOf(s), 0);
}

/** The entry at a pre-order index, or undefined. */
export function entryAt(program: readonly Syscall[], id: number): Syscall | undefined {
  let at = id;
  let list = program;
  for (;;) {
    let next: readonly Syscall[] | null = null;
    for (const sys of list) {
      const size = sizeOf(sys);
      if (at === 0) return sys;
      if (at < size && sys.call === 'lock') {
        at -= 1;
        next = sys.body;
        break;
      }
      at -= size;
    }
    if (next === null) return undefined;
    list = next;
  }
}

/** The pre-order index of body entry `j` of the `lock` entry at `id`. */
export function bodyEntryId(program: readonly Syscall[], id: number, j: number): number {
  const sys = entryAt(program, id);
  if (sys?.call !== 'lock') return -1;
  return id + 1 + sys.body.slice(0, j).reduce((n, s) => n + sizeOf(s), 0);
}
