/**
 * Fewer task switches for a schedule the reduced search found.
 *
 * The reduction takes a step alone as soon as it may (reduce.ts: a local
 * step, or one whose footprint no other task's claim touches), which can
 * interrupt another task for a step that could as well have come earlier or
 * later. Such a step commutes with the other tasks' steps around it, so it
 * may move between its own task's previous and next steps without changing
 * what the schedule reaches; here it moves up to the previous one. The
 * result is replayed and kept only if it reaches the same outcome in no
 * more steps and no more switches: the replay, not the argument, is what
 * makes the move safe.
 */
import type { Pid } from '../../kernel/ids.ts';
import { outcomeOf, describeOutcome } from '../outcome.ts';
import { replaying, runFrom, startAt } from '../schedulers.ts';
import type { Engine } from '../step.ts';
import type { SystemState } from '../system.ts';

/** Whether the step of `pid` at `state` is one the reduction would take alone. */
export type Movable = (state: SystemState, pid: Pid) => boolean;

export function switchesOf(schedule: readonly Pid[]): number {
  let switches = 0;
  for (let i = 1; i < schedule.length; i++) if (schedule[i] !== schedule[i - 1]) switches++;
  return switches;
}

/** The end of `schedule` from `initial`, or null if some step cannot run. */
function endOf(initial: SystemState, schedule: readonly Pid[], engine: Engine): SystemState | null {
  const run = runFrom(startAt(initial), replaying(schedule), { engine });
  return run.refused === null ? (run.states[run.states.length - 1] ?? null) : null;
}

function sameEnd(a: SystemState, b: SystemState): boolean {
  const x = outcomeOf(a);
  const y = outcomeOf(b);
  if (x === null || y === null) return x === y;
  return x.kind === y.kind && describeOutcome(x) === describeOutcome(y);
}

export function regroupLocalSteps(initial: SystemState, schedule: readonly Pid[], movable: Movable, engine: Engine): readonly Pid[] {
  // Each step that is not local, with the local steps of its task glued on:
  // those after it up to the task's next such step, and, for a task's first
  // one, those before it.
  const runs: { pid: Pid; before: number; after: number }[] = [];
  const lastRun = new Map<Pid, number>();
  const leading = new Map<Pid, number>();
  const replayed = runFrom(startAt(initial), replaying(schedule), { engine });
  const state = replayed.states[replayed.states.length - 1];
  if (replayed.refused !== null || state === undefined) return schedule;
  for (const [i, pid] of schedule.entries()) {
    const before = replayed.states[i];
    const local = before !== undefined && movable(before, pid);
    const at = lastRun.get(pid);
    if (local && at !== undefined) {
      const run = runs[at];
      if (run !== undefined) run.after++;
    } else if (local) {
      leading.set(pid, (leading.get(pid) ?? 0) + 1);
    } else {
      runs.push({ pid, before: leading.get(pid) ?? 0, after: 0 });
      leading.delete(pid);
      lastRun.set(pid, runs.length - 1);
    }
  }
  const regrouped: Pid[] = [];
  for (const run of runs) for (let i = run.before + 1 + run.after; i > 0; i--) regrouped.push(run.pid);
  // Tasks that took only local steps: after everything, unless the run
  // stopped, where they had no part in how it stopped.
  if (state.stopped === null) for (const [pid, n] of leading) for (let i = 0; i < n; i++) regrouped.push(pid);
  const end = endOf(initial, regrouped, engine);
  const better = end !== null && sameEnd(end, state) && regrouped.length <= schedule.length && switchesOf(regrouped) <= switchesOf(schedule);
  return better ? regrouped : schedule;
}
