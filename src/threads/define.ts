/**
 * Thread machines are XState v5 machines built with `setup().createMachine`.
 * The simulator does not interpret XState snapshots in its hot loop: it
 * compiles each machine once into a table (state → step, event → next state)
 * and `compiled.test.ts` proves the table agrees with XState's own
 * `transition` for every state and event.
 */
import { setup, transition, type AnyStateMachine } from 'xstate';
import type { Filesystem } from '../kernel/variants.ts';
import type { StepSpec } from './types.ts';

/** Events are step results; their names are `domain.verb` (`lock.granted`). */
export interface ThreadEvent {
  readonly type: string;
}

export interface StepStateConfig {
  readonly step: StepSpec;
  /** Where each result of the step leads. */
  readonly on: Readonly<Record<string, string>>;
  /** Kernel pseudo-code for the task panel, when the state name is not enough. */
  readonly code?: string;
  /** A step only this filesystem's code takes (gfs2_mmap's glock in do_mmap): the task panel lists it only under that filesystem. */
  readonly fs?: Filesystem;
}

export interface FinalStateConfig {
  readonly final: true;
}

export type ThreadStateConfig = StepStateConfig | FinalStateConfig;

/**
 * What a machine is to the tools that draw a run (sim/pathevents.ts): `rw`, a
 * read or write path where a fix's retry loop lives; `fault`, a fault
 * handler, drawn as a frame nested in what took it; `fault-in`, the
 * fault-in of a user buffer (fault_in_iov_iter) between a short copy and
 * the retry.
 */
export type MachineRole = 'rw' | 'fault' | 'fault-in';

export interface ThreadConfig {
  /** The kernel function the machine models: `gfs2_file_read_iter`. */
  readonly id: string;
  readonly role?: MachineRole;
  readonly initial: string;
  readonly states: Readonly<Record<string, ThreadStateConfig>>;
}

export interface StateMeta {
  readonly step?: StepSpec;
  readonly code?: string;
  readonly fs?: Filesystem;
}

function isFinal(config: ThreadStateConfig): config is FinalStateConfig {
  return 'final' in config;
}

export function defineThread(config: ThreadConfig) {
  const states = Object.fromEntries(
    Object.entries(config.states).map(([name, state]) => [
      name,
      isFinal(state)
        ? { type: 'final' as const }
        : { meta: { step: state.step, code: state.code, fs: state.fs } satisfies StateMeta, on: { ...state.on } },
    ]),
  );
  return setup({ types: { events: {} as ThreadEvent } }).createMachine({ id: config.id, initial: config.initial, states, ...(config.role !== undefined ? { meta: { role: config.role } } : {}) });
}

export type ThreadMachine = ReturnType<typeof defineThread>;

/** One state of a compiled machine. */
export interface CompiledState {
  readonly name: string;
  readonly final: boolean;
  readonly step: StepSpec | undefined;
  readonly code: string | undefined;
  readonly fs: Filesystem | undefined;
  readonly on: ReadonlyMap<string, string>;
}

export interface CompiledMachine {
  readonly id: string;
  readonly initial: string;
  readonly states: ReadonlyMap<string, CompiledState>;
  readonly role: MachineRole | undefined;
  readonly machine: ThreadMachine;
}

/** Read the transition table out of the machine's own state nodes. */
export function compile(machine: ThreadMachine): CompiledMachine {
  const states = new Map<string, CompiledState>();
  for (const [name, node] of Object.entries(machine.root.states)) {
    const meta = (node.meta ?? {}) as StateMeta;
    const on = new Map<string, string>();
    for (const [event, transitions] of node.transitions) {
      const target = transitions[0]?.target?.[0]?.key;
      if (target !== undefined) on.set(event, target);
    }
    states.set(name, { name, final: node.type === 'final', step: meta.step, code: meta.code, fs: meta.fs, on });
  }
  const initial = machine.root.initial?.target[0]?.key;
  if (initial === undefined) throw new Error(`machine ${machine.id} has no initial state`);
  const role = (machine.root.meta as { role?: MachineRole } | undefined)?.role;
  return { id: machine.id, initial, states, role, machine };
}

/** The reference path: ask XState where `event` leads from `state` (undefined: nowhere). */
export function referenceNextState(machine: AnyStateMachine, state: string, event: string): string | undefined {
  const snapshot = machine.resolveState({ value: state, context: {} });
  if (!snapshot.can({ type: event })) return undefined;
  const [next] = transition(machine, snapshot, { type: event });
  return typeof next.value === 'string' ? next.value : undefined;
}
