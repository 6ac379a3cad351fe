/**
 * Fewer task switches for a schedule the reduced search found.
 *
 * The reduction takes a local step as soon as it is enabled, which can
 * interrupt another task for a step that could as well have come earlier or
 * later. A local step commutes with every step of every other task
 * (reduce.ts), so it may move anywhere between its own task's previous and
 * next steps without changing anything the schedule reaches; here it moves
 * up to the previous one. The result is replayed and kept only if it
 * reaches the same outcome in no more steps and no more switches.
 */
import type { Pid } from '../../kernel/ids.ts';
import { outcomeOf, describeOutcome } from '../outcome.ts';
import { replaying, runFrom, startAt } from '../schedulers.ts';
import { stepLocal, type Engine } from '../step.ts';
import type { SystemState } from '../system.ts';

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

export function regroupLocalSteps(initial: SystemState, schedule: readonly Pid[], reducible: ReadonlySet<Pid>, engine: Engine): readonly Pid[] {
  if (reducible.size === 0) return schedule;
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
    const local = before !== undefined && reducible.has(pid) && stepLocal(before, pid, engine) !== null;
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
