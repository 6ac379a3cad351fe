/**
 * Replaying a schedule: the list of pids chosen, one per step. A schedule
 * that names a task which cannot run is refused at that position, keeping the
 * valid prefix. After the schedule, the run may continue round-robin until
 * it ends. Round-robin is deterministic, so if it brings the run back to a
 * state it was in, after the same task, it would go round that cycle
 * forever: a livelock under a fair scheduler, which ends the replay as the
 * outcome `livelock` on the state that closes the cycle (whether any other
 * scheduler could get out is the explorer's question: livelock.ts).
 */
import type { Pid } from '../kernel/ids.ts';
import type { VariantId } from '../kernel/variants.ts';
import { outcomeOf, runnablePids, type Outcome } from './outcome.ts';
import { step, type Engine, type StepError, type TraceStep } from './step.ts';
import { initialSystem, type SystemSetup, type SystemState } from './system.ts';
import { createInterner } from './explore/intern.ts';

/** Steps a replay may take in all; a run still going then has no outcome (`limited`). */
export const MAX_STEPS = 10_000;

/**
 * Watches a round-robin continuation for a repeated (state, last task)
 * pair, which round-robin would repeat forever. States are compared by
 * value (hash-consed: explore/intern.ts).
 */
export function createCycleWatch(): (state: SystemState, last: Pid | undefined, at: number) => number | null {
  const interner = createInterner();
  const seen = new Map<string, number>();
  return (state, last, at) => {
    const key = `${interner.idOf(state)}/${last ?? -1}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) return earlier;
    seen.set(key, at);
    return null;
  };
}

/** The state that closes a round-robin cycle, marked as the livelock it is. */
export function livelocked(state: SystemState, pid: Pid, from: number, to: number): SystemState {
  const message = `round-robin scheduling brings the run back to the state after step ${from} every ${to - from} steps; the tasks still running never return`;
  return { ...state, stopped: { kind: 'livelock', pid, message } };
}

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
  /** The round-robin continuation stopped at MAX_STEPS without an outcome or a cycle. */
  readonly limited: boolean;
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
    const watch = createCycleWatch();
    watch(state, taken[taken.length - 1], taken.length);
    while (taken.length < MAX_STEPS && outcomeOf(state) === null) {
      const pid = roundRobinNext(state, taken[taken.length - 1]);
      if (pid === undefined) break;
      const out = step(state, pid, options.engine);
      if (!out.ok) break;
      state = out.state;
      trace.push(out.trace);
      taken.push(pid);
      const from = watch(state, pid, taken.length);
      if (from !== null) state = livelocked(state, pid, from, taken.length);
      states.push(state);
    }
  }
  const outcome = outcomeOf(state);
  return { states, trace, schedule: taken, outcome, refused, limited: outcome === null && taken.length >= MAX_STEPS };
}
