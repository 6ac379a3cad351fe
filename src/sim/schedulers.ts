/**
 * Who runs next, and the one loop that runs a system by it.
 *
 * A scheduler answers one question, as Shuttle's `Scheduler::next_task`
 * does: given the tasks that can run and the one that ran last, which one
 * steps now (undefined: stop). The page, the CLI, the presets' checks and the
 * property tests all run schedules through `runFrom`; the explorer is the
 * one thing that does not, as it steps every runnable task from every state.
 *
 * - `roundRobin()`: the first runnable task after the last one, in task
 *   order. Its choice depends on nothing but the state and the last task, so
 *   a repeated (state, last task) is a cycle it would go round forever: a
 *   livelock under a fair scheduler, which ends the run as the outcome
 *   `livelock` on the state that closes the cycle (whether any other
 *   scheduler could get out is the explorer's question: explore/livelock.ts).
 * - `randomScheduler(seed)`: a runnable task drawn by a seeded generator, so a
 *   "random" run is replayable from its seed.
 * - `replaying(schedule)`: the given pids in order, whether or not they can
 *   run; a step the kernel would not take refuses the schedule at that
 *   position, keeping the valid prefix.
 * - `choosing(choices)`: the i-th runnable task by a list of numbers, for
 *   property tests that let fast-check pick (and shrink) the schedule.
 * - `steppingUntil(pid, done)`: one task, as given, until the state is
 *   where a test wants it (a lock held, a waiter queued).
 */
import type { Pid } from '../kernel/ids.ts';
import { seededRandom } from './seeded.ts';
import { createInterner } from './explore/intern.ts';
import { outcomeOf, runnablePids, type Outcome } from './outcome.ts';
import { step, type Engine, type StepError, type TraceStep } from './step.ts';
import type { SystemState } from './system.ts';

/** Steps a scheduler may choose in all; a run still going then has no outcome (`limited`). */
export const MAX_STEPS = 10_000;

export interface Scheduler {
  /** The pid to step from `state`, or undefined to stop. `runnable` is in task order. */
  nextTask(runnable: readonly Pid[], current: Pid | undefined, state: SystemState): Pid | undefined;
  /**
   * The choice depends only on the state and the last task: a repeated
   * (state, last task) is a cycle the scheduler never leaves.
   */
  readonly memoryless: boolean;
  /**
   * The pids come from the caller (a link, a preset, the user's clicks), not
   * from the scheduler: they are taken as given, without the MAX_STEPS bound,
   * and stepping on past an outcome refuses the schedule there.
   */
  readonly given: boolean;
}

/** The first runnable task after `last` in task order. */
function nextInOrder(state: SystemState, runnable: readonly Pid[], last: Pid | undefined): Pid | undefined {
  if (runnable.length === 0) return undefined;
  const order = state.tasks.map((t) => t.pid);
  const from = last === undefined ? -1 : order.indexOf(last);
  for (let i = 1; i <= order.length; i++) {
    const pid = order[(from + i) % order.length];
    if (pid !== undefined && runnable.includes(pid)) return pid;
  }
  return runnable[0];
}

export function roundRobin(): Scheduler {
  return { memoryless: true, given: false, nextTask: (runnable, current, state) => nextInOrder(state, runnable, current) };
}

export function randomScheduler(seed: number): Scheduler {
  const random = seededRandom(seed);
  return { memoryless: false, given: false, nextTask: (runnable) => (runnable.length === 0 ? undefined : runnable[Math.floor(random() * runnable.length)]) };
}

export function replaying(schedule: readonly Pid[]): Scheduler {
  let at = 0;
  return { memoryless: false, given: true, nextTask: () => schedule[at++] };
}

export function choosing(choices: readonly number[]): Scheduler {
  let at = 0;
  return {
    memoryless: false,
    given: false,
    nextTask: (runnable) => (runnable.length === 0 || choices.length === 0 ? undefined : runnable[(choices[at++ % choices.length] ?? 0) % runnable.length]),
  };
}

export function steppingUntil(pid: Pid, done: (state: SystemState) => boolean): Scheduler {
  return { memoryless: false, given: true, nextTask: (_runnable, _current, state) => (done(state) ? undefined : pid) };
}

/** A run so far: states[i] is the system after i steps; states.length === schedule.length + 1. */
export interface Run {
  readonly schedule: readonly Pid[];
  readonly states: readonly SystemState[];
  readonly trace: readonly TraceStep[];
}

export interface RunResult extends Run {
  readonly outcome: Outcome | null;
  /** Where (index into the whole schedule) and why a step was refused. */
  readonly refused: { readonly at: number; readonly error: StepError } | null;
  /** The scheduler was still choosing at the step bound, with no outcome and no cycle. */
  readonly limited: boolean;
}

export interface RunOptions {
  readonly engine?: Engine;
  /** Bound on the whole schedule's length for a scheduler that chooses; MAX_STEPS unless given. */
  readonly maxSteps?: number;
}

/** A run of no steps from `state`. */
export function startAt(state: SystemState): Run {
  return { schedule: [], states: [state], trace: [] };
}

/** The state that closes a round-robin cycle, marked as the livelock it is. */
function livelocked(state: SystemState, pid: Pid, from: number, to: number): SystemState {
  const message = `round-robin scheduling brings the run back to the state after step ${from} every ${to - from} steps; the tasks still running never return`;
  return { ...state, stopped: { kind: 'livelock', pid, message } };
}

/**
 * Watches a memoryless scheduler for a repeated (state, last task) pair.
 * States are compared by value (hash-consed: explore/intern.ts).
 */
function createCycleWatch(): (state: SystemState, last: Pid | undefined, at: number) => number | null {
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

/**
 * Step on from the end of `from` as `scheduler` chooses, until it stops, a
 * step is refused, the run reaches an outcome or (for a scheduler that
 * chooses) the step bound.
 */
export function runFrom(from: Run, scheduler: Scheduler, options: RunOptions = {}): RunResult {
  const schedule = from.schedule.slice();
  const states = from.states.slice();
  const trace = from.trace.slice();
  const maxSteps = options.maxSteps ?? MAX_STEPS;
  let state = states[states.length - 1];
  if (state === undefined) throw new Error('runFrom: a run has at least its initial state');
  let refused: RunResult['refused'] = null;
  const watch = scheduler.memoryless ? createCycleWatch() : null;
  watch?.(state, schedule[schedule.length - 1], schedule.length);
  for (;;) {
    // A given schedule is stepped as written: past an outcome, step() refuses it.
    if (!scheduler.given && (schedule.length >= maxSteps || outcomeOf(state) !== null)) break;
    const pid = scheduler.nextTask(runnablePids(state), schedule[schedule.length - 1], state);
    if (pid === undefined) break;
    const out = step(state, pid, options.engine);
    if (!out.ok) {
      refused = { at: schedule.length, error: out.error };
      break;
    }
    state = out.state;
    schedule.push(pid);
    trace.push(out.trace);
    const cycleFrom = watch?.(state, pid, schedule.length) ?? null;
    if (cycleFrom !== null) state = livelocked(state, pid, cycleFrom, schedule.length);
    states.push(state);
  }
  const outcome = outcomeOf(state);
  return { schedule, states, trace, outcome, refused, limited: !scheduler.given && outcome === null && schedule.length >= maxSteps };
}
