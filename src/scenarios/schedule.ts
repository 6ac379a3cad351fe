/** Schedules written as runs: `runs([101, 10], [102, 14])` is ten steps of pid 101, then fourteen of 102. */
import type { Pid } from '../kernel/ids.ts';

export function runs(...parts: readonly (readonly [Pid, number])[]): Pid[] {
  return parts.flatMap(([pid, count]) => Array.from({ length: count }, () => pid));
}

/** The inverse, for display and for compact links. */
export function toRuns(schedule: readonly Pid[]): [Pid, number][] {
  const out: [Pid, number][] = [];
  for (const pid of schedule) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === pid) last[1]++;
    else out.push([pid, 1]);
  }
  return out;
}
