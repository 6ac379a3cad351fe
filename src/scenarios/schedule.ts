/** Schedules written as runs: `runs([101, 10], [102, 14])` is ten steps of pid 101, then fourteen of 102. */
import type { Pid } from '../kernel/ids.ts';

export function runs(...parts: readonly (readonly [Pid, number])[]): Pid[] {
  return parts.flatMap(([pid, count]) => Array.from({ length: count }, () => pid));
}
