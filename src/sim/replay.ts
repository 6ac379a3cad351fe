/**
 * Replaying a schedule: the list of pids chosen, one per step. A schedule
 * that names a task which cannot run is refused at that position, keeping the
 * valid prefix. After the schedule, the run may continue round-robin until
 * it ends, so every replay has an outcome.
 */
import type { Pid } from '../kernel/ids.ts';
import type { VariantId } from '../kernel/variants.ts';
import { outcomeOf, runnablePids, type Outcome } from './outcome.ts';
import { step, type Engine, type StepError, type TraceStep } from './step.ts';
import { initialSystem, type SystemSetup, type SystemState } from './system.ts';

/** Steps a replay may take in all before we call it a livelock of the model. */
export const MAX_STEPS = 10_000;

export interface ReplayOptions {
  /** Keep going round-robin after the schedule until the run ends. */
  readonly finish?: boolean;
  readonly engine?: Engine;
}

export interface Replay {
  readonly states: readonly SystemState[];
  readonly trace: readonly TraceStep[];
  /** The pids actually stepped (the schedule's valid prefix, then round-robin). */
  readonly schedule: readonly Pid[];
  readonly outcome: Outcome | null;
  /** Where and why the given schedule was refused. */
  readonly refused: { readonly at: number; readonly error: StepError } | null;
}

/** The next pid round-robin after `last`: the first runnable task after it in task order. */
export function roundRobinNext(state: SystemState, last: Pid | undefined): Pid | undefined {
  const runnable = runnablePids(state);
  if (runnable.length === 0) return undefined;
  const order = state.tasks.map((t) => t.pid);
  const from = last === undefined ? -1 : order.indexOf(last);
  for (let i = 1; i <= order.length; i++) {
    const pid = order[(from + i) % order.length];
    if (pid !== undefined && runnable.includes(pid)) return pid;
  }
  return runnable[0];
}

export function replay(setup: SystemSetup, variant: VariantId, schedule: readonly Pid[], options: ReplayOptions = {}): Replay {
  let state = initialSystem(setup, variant);
  const states: SystemState[] = [state];
  const trace: TraceStep[] = [];
  const taken: Pid[] = [];
  let refused: Replay['refused'] = null;
  for (const [at, pid] of schedule.entries()) {
    const out = step(state, pid, options.engine);
    if (!out.ok) {
      refused = { at, error: out.error };
      break;
    }
    state = out.state;
    states.push(state);
    trace.push(out.trace);
    taken.push(pid);
  }
  if (options.finish === true && refused === null) {
    while (taken.length < MAX_STEPS && outcomeOf(state) === null) {
      const pid = roundRobinNext(state, taken[taken.length - 1]);
      if (pid === undefined) break;
      const out = step(state, pid, options.engine);
      if (!out.ok) break;
      state = out.state;
      states.push(state);
      trace.push(out.trace);
      taken.push(pid);
    }
  }
  let outcome = outcomeOf(state);
  if (outcome === null && taken.length >= MAX_STEPS) outcome = { kind: 'livelock', pid: taken[taken.length - 1] ?? 0, message: `no outcome after ${MAX_STEPS} steps` };
  return { states, trace, schedule: taken, outcome, refused };
}
