/**
 * One atomic kernel step of one task: pure and deterministic.
 *
 * The task's top frame names a machine and a state; the state's step runs
 * against the kernel and names its result as an event; the machine's
 * transition picks the next state. A step may push a callee frame (a fault
 * inside a copy); reaching a final state pops the frame and hands its `ret`
 * (and, for VM_FAULT_LOCKED, `vmfPage` and a DAX `cow` copy) to the caller's registers.
 */
import { checkInvariants } from '../kernel/invariants.ts';
import type { Pid } from '../kernel/ids.ts';
import { referenceNextState, type CompiledState } from '../threads/define.ts';
import { compiledMachine } from '../threads/registry.ts';
import type { KernelState } from '../kernel/state.ts';
import { textOf, type Frame, type LockdepHint, type StepInput, type StepMark, type StepResult, type StepSpec, type Text, type WaitInfo } from '../threads/types.ts';
import { invariantReads, recordReads, recordingView, unwrap, writtenKeys, type Footprint } from './footprint.ts';
import { localView, runLocal } from './local.ts';
import { taskByPid, type SimTask, type StopOutcome, type SystemState } from './system.ts';

/** Which transition table to use: the compiled one, or XState's own `transition`. */
export type Engine = 'compiled' | 'xstate';

export interface TraceStep {
  readonly pid: Pid;
  /** Frames below the stepping one: 0 is the task itself, 1 a syscall, 2 a fault inside it, … */
  readonly depth: number;
  readonly machine: string;
  readonly from: string;
  readonly to: string;
  readonly event: string;
  readonly label: string;
  /** The step entered a callee (pushed a frame). */
  readonly call: string | null;
  /** The step finished its frame (popped it). */
  readonly returned: boolean;
  /** What the step told lockdep besides its acquisitions (threads/types.ts). */
  readonly lockdep?: LockdepHint;
  /** What the step means to the timeline and the path counts (threads/types.ts StepMark; read by pathevents.ts). */
  readonly marks: readonly StepMark[];
}

const NO_MARKS: readonly StepMark[] = [];

export type StepError =
  | { readonly kind: 'no-such-task'; readonly message: string }
  | { readonly kind: 'finished'; readonly message: string }
  | { readonly kind: 'blocked'; readonly message: string }
  | { readonly kind: 'stopped'; readonly message: string };

export type StepOutput = { readonly ok: true; readonly state: SystemState; readonly trace: TraceStep } | { readonly ok: false; readonly error: StepError };

function stepInput(state: SystemState, task: SimTask, frame: Frame): StepInput {
  return { kernel: state.kernel, task, regs: frame.regs, variant: state.flags };
}

function topState(task: SimTask): { frame: Frame; config: CompiledState } | undefined {
  const frame = task.stack[task.stack.length - 1];
  if (frame === undefined) return undefined;
  const config = compiledMachine(frame.machine)?.states.get(frame.state);
  return config === undefined ? undefined : { frame, config };
}

/** Why the task cannot step now, or null if it can (or has finished). */
export function waitOf(state: SystemState, task: SimTask): WaitInfo | null {
  const top = topState(task);
  if (top === undefined || top.config.step?.wait === undefined) return null;
  return top.config.step.wait(stepInput(state, task, top.frame));
}

export function isFinished(task: SimTask): boolean {
  return task.stack.length === 0;
}

export function isRunnable(state: SystemState, task: SimTask): boolean {
  return state.stopped === null && !isFinished(task) && waitOf(state, task) === null;
}

function nextStateOf(machineId: string, config: CompiledState, event: string, engine: Engine): string | undefined {
  if (engine === 'compiled') return config.on.get(event);
  const machine = compiledMachine(machineId)?.machine;
  return machine === undefined ? undefined : referenceNextState(machine, config.name, event);
}

export function step(state: SystemState, pid: Pid, engine: Engine = 'compiled'): StepOutput {
  return advance(state, pid, engine, runFull);
}

/**
 * `step`, for a caller that has just found `pid` runnable in this very
 * state (waitOf null, as scanWaits does for the explorer): the wait is not
 * asked a second time. Steps are pure, so the answer could not differ.
 */
export function stepRunnable(state: SystemState, pid: Pid, engine: Engine = 'compiled'): StepOutput {
  return advance(state, pid, engine, runKnownRunnable);
}

/**
 * The step of `pid` if it is local: it reads and writes nothing but its
 * task, its registers and its own process's mm (see local.ts), waits on
 * nothing else, and ends no run. Null if it is not local, or cannot run.
 */
export function stepLocal(state: SystemState, pid: Pid, engine: Engine = 'compiled'): (StepOutput & { readonly ok: true }) | null {
  const out = advance(state, pid, engine, runOnOwnMm);
  return out?.ok === true && out.state.stopped === null && out.state.signals === state.signals ? out : null;
}

/**
 * `stepRunnable`, noting what the step read (its wait and its run) and
 * wrote (footprint.ts). Same result as `stepRunnable`; slower.
 */
export function stepRecorded(state: SystemState, pid: Pid, engine: Engine = 'compiled'): { readonly out: StepOutput; readonly footprint: Footprint } {
  let footprint: Footprint = { reads: [], writes: [] };
  const runRecorded: Runner<StepOutput> = (spec, s, task, frame) => {
    const input: StepInput = { kernel: recordingView(s.kernel), task, regs: frame.regs, variant: s.flags };
    const { value, reads } = recordReads(() => {
      const wait = spec.wait?.(input) ?? null;
      return wait === null ? spec.run(input) : wait;
    });
    if (!('event' in value)) return { ok: false, error: { kind: 'blocked', message: `pid ${task.pid} is blocked: ${value.reason}` } };
    const kernel = value.kernel === undefined ? s.kernel : unwrap(value.kernel);
    const writes = writtenKeys(s.kernel, kernel);
    footprint = { reads: writes.length === 0 ? reads : [...reads, ...invariantReads(s.kernel, kernel, writes)], writes };
    return { result: kernel === value.kernel ? value : { ...value, kernel }, kernel };
  };
  const out = advance(state, pid, engine, runRecorded);
  return { out, footprint };
}

/** A step's result and the kernel after it. */
interface Ran {
  readonly result: StepResult;
  readonly kernel: KernelState;
}

/** Runs a task's step spec, or says why it did not (`R`). */
type Runner<R> = (spec: StepSpec, state: SystemState, task: SimTask, frame: Frame) => Ran | R;

const runFull: Runner<StepOutput> = (spec, state, task, frame) => {
  const input = stepInput(state, task, frame);
  const wait = spec.wait?.(input) ?? null;
  if (wait !== null) return { ok: false, error: { kind: 'blocked', message: `pid ${task.pid} is blocked: ${wait.reason}` } };
  const result = spec.run(input);
  return { result, kernel: result.kernel ?? state.kernel };
};

const runKnownRunnable: Runner<StepOutput> = (spec, state, task, frame) => {
  const result = spec.run(stepInput(state, task, frame));
  return { result, kernel: result.kernel ?? state.kernel };
};

const runOnOwnMm: Runner<null> = (spec, state, task, frame) => {
  const view = localView(state.kernel, task.mm);
  const input: StepInput = { kernel: view.kernel, task, regs: frame.regs, variant: state.flags };
  const result = runLocal(() => ((spec.wait?.(input) ?? null) === null ? spec.run(input) : null));
  if (result === null || result.outcome !== undefined) return null;
  const kernel = view.merge(result.kernel);
  return kernel === null ? null : { result, kernel };
};

function advance<R extends StepOutput | null>(state: SystemState, pid: Pid, engine: Engine, run: Runner<R>): StepOutput | R {
  const task = taskByPid(state, pid);
  if (task === undefined) return { ok: false, error: { kind: 'no-such-task', message: `no task with pid ${pid}` } };
  if (state.stopped !== null) return { ok: false, error: { kind: 'stopped', message: `the run has ended (${state.stopped.kind})` } };
  const top = topState(task);
  if (top === undefined) return { ok: false, error: { kind: 'finished', message: `pid ${pid} has exited` } };
  const { frame, config } = top;
  const spec = config.step;
  if (spec === undefined) return { ok: false, error: { kind: 'finished', message: `pid ${pid} is in final state ${config.name}` } };
  const ran = run(spec, state, task, frame);
  if (ran === null || !('result' in ran)) return ran;
  const { result, kernel } = ran;
  const target = nextStateOf(frame.machine, config, result.event, engine);
  const machine = compiledMachine(frame.machine);
  let stopped: StopOutcome | null = state.stopped;
  let to = target ?? config.name;
  if (target === undefined) {
    stopped = { kind: 'invariant-violation', message: `model error: ${frame.machine} has no transition for ${result.event} in state ${config.name}` };
  }
  // A BUG oopses the task where it stands: its frames stay, the faulting one at the step that hit it.
  const oops = result.outcome?.kind === 'bug';
  if (oops) to = config.name;
  const finalTarget = !oops && machine?.states.get(to)?.final === true;

  // The frame after its own transition; pushed callee above it, or popped into its caller.
  let stack = task.stack.slice(0, -1);
  // A step returns the registers it changes; the rest of its frame's stay.
  const regs = result.regs === undefined ? frame.regs : { ...frame.regs, ...result.regs };
  let call: string | null = null;
  let returned = false;
  if (finalTarget) {
    returned = true;
    const caller = stack[stack.length - 1];
    if (caller !== undefined) {
      stack = [...stack.slice(0, -1), { ...caller, regs: { ...caller.regs, ret: regs.ret, ...(regs.vmfPage !== undefined ? { vmfPage: regs.vmfPage } : {}), ...(regs.cow !== undefined ? { cow: regs.cow } : {}) } }];
    }
  } else {
    stack = [...stack, { machine: frame.machine, state: to, regs }];
  }
  if (result.call !== undefined) {
    const callee = compiledMachine(result.call.machine);
    if (callee === undefined) {
      stopped = { kind: 'invariant-violation', message: `model error: no machine ${result.call.machine}` };
    } else {
      stack = [...stack, { machine: callee.id, state: callee.initial, regs: result.call.regs }];
      call = callee.id;
    }
  }

  const updatedTask: SimTask = { ...task, ...result.task, stack };
  const tasks = state.tasks.map((t) => (t.pid === pid ? updatedTask : t));
  let signals = state.signals;
  const outcome = result.outcome;
  if (outcome !== undefined && stopped === null) {
    switch (outcome.kind) {
      case 'bug':
        stopped = { kind: 'bug', pid, message: outcome.message, log: outcome.log };
        break;
      case 'sigbus':
        signals = [...signals, { pid, message: outcome.message }];
        break;
      case 'livelock':
        stopped = { kind: 'livelock', pid, message: outcome.message };
        break;
      case 'invariant-violation':
        stopped = { kind: 'invariant-violation', message: outcome.message };
        break;
      case 'use-after-free':
        stopped = { kind: 'use-after-free', message: outcome.message };
        break;
    }
  }
  // The invariants are of the kernel alone, and held before this step (or
  // the run would have stopped): a step that left the kernel as it was
  // cannot break one.
  if (stopped === null && kernel !== state.kernel) {
    const broken = checkInvariants(kernel);
    if (broken !== null) stopped = broken;
  }
  if (finalTarget) to = `${to} (return)`;
  if (oops) to = `${to} (BUG)`;
  return {
    ok: true,
    state: { ...state, kernel, tasks, stopped, signals },
    trace: new Traced(pid, task.stack.length - 1, frame.machine, config.name, to, result.event, result.label, call, returned, result.marks ?? NO_MARKS, result.lockdep),
  };
}

/**
 * A trace step whose label is formatted the first time someone reads it (a
 * page, an export), never by the explorer, which steps millions of times and
 * reads none. A class, so the getter lives on the prototype and building a
 * step stays as cheap as building a plain object.
 */
class Traced implements TraceStep {
  #text: Text;
  #label: string | undefined;
  readonly lockdep?: LockdepHint;
  constructor(
    readonly pid: Pid,
    readonly depth: number,
    readonly machine: string,
    readonly from: string,
    readonly to: string,
    readonly event: string,
    text: Text,
    readonly call: string | null,
    readonly returned: boolean,
    readonly marks: readonly StepMark[],
    lockdep: LockdepHint | undefined,
  ) {
    this.#text = text;
    if (lockdep !== undefined) this.lockdep = lockdep;
  }

  get label(): string {
    return (this.#label ??= textOf(this.#text));
  }
}
