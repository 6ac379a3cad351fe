/**
 * Thread machines are XState v5 machines built with `setup().createMachine`.
 * The simulator does not interpret XState snapshots in its hot loop: it
 * compiles each machine once into a table (state → step, event → next state)
 * and `compiled.test.ts` proves the table agrees with XState's own
 * `transition` for every state and event.
 */
import { setup, transition, type AnyStateMachine } from 'xstate';
import type { Filesystem } from '../kernel/variants.ts';
import type { AnyRegs, MachineId, MachineRegs } from './regs.ts';
import type { StepSpec } from './types.ts';

/** Events are step results; their names are `domain.verb` (`lock.granted`). */
export interface ThreadEvent {
  readonly type: string;
}

/**
 * One state of a machine. `O` is its transition table, event → target:
 * the step may return only an event the table handles (StepSpec<keyof O>),
 * and every target must be a state of the machine (`S`). So a misspelt
 * event, an event with nowhere to go and a target that is not a state are
 * compile errors (typed.test.ts shows each). `R` is the machine's registers
 * (regs.ts): the step reads and writes only those. A final state has no
 * step and an empty table (FINAL).
 */
export interface StateConfig<O, S extends string, R = AnyRegs> {
  readonly step?: StepSpec<Extract<keyof O, string>, R>;
  /** Where each result of the step leads. */
  readonly on: O & { readonly [E in keyof O]: S };
  /** Kernel pseudo-code for the task panel, when the state name is not enough. */
  readonly code?: string;
  /** A step only this filesystem's code takes (gfs2_mmap's glock in do_mmap): the task panel lists it only under that filesystem. */
  readonly fs?: Filesystem;
  readonly final?: true;
}

/** A state whose step leads to any of `Targets` by the events in `O`: what the shared builders (takeLock, copyStates, ...) return. */
export type StepStateConfig<O = Readonly<Record<string, string>>, R = AnyRegs> = StateConfig<O, O[keyof O] & string, R>;

/** Any state: what builders assemble under computed names (`${name}_wait`) before they give the result its precise type. */
export type AnyStateConfig<R = AnyRegs> = StateConfig<Readonly<Record<string, string>>, string, R>;

/**
 * A state written outside its machine (shared by several), typed by its own
 * transition table as if written inline, and by the registers its step
 * reads (`R`, from its input's annotation): it fits any machine that has them.
 */
export function stepState<const O extends Readonly<Record<string, string>>, R = unknown>(config: StepStateConfig<O, R>): StepStateConfig<O, NoInfer<R>> {
  return config;
}

/** A final state: reaching it returns from the machine. */
export const FINAL = { final: true, on: {} } as const satisfies StateConfig<object, never>;

/**
 * What a machine is to the tools that draw a run (sim/pathevents.ts): `rw`, a
 * read or write path where a fix's retry loop lives; `fault`, a fault
 * handler, drawn as a frame nested in what took it; `fault-in`, the
 * fault-in of a user buffer (fault_in_iov_iter) between a short copy and
 * the retry.
 */
export type MachineRole = 'rw' | 'fault' | 'fault-in';

/** Transition tables of a machine's states, by state name. */
export type Tables = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface ThreadConfig<Id extends MachineId, T extends Tables> {
  /** The kernel function the machine models: `gfs2_file_read_iter`. Its registers are MachineRegs[id] (regs.ts). */
  readonly id: Id;
  readonly role?: MachineRole;
  readonly initial: NoInfer<Extract<keyof T, string>>;
  readonly states: { readonly [K in keyof T]: StateConfig<T[K], NoInfer<Extract<keyof T, string>>, MachineRegs[NoInfer<Id>]> };
}

export interface StateMeta {
  readonly step?: StepSpec;
  readonly code?: string;
  readonly fs?: Filesystem;
}

/**
 * A thread machine. The states' transition tables are inferred from the
 * config itself (each state's `on`), and the step of each state is checked
 * against its table and against the registers its id maps to: see
 * StateConfig.
 */
export function defineThread<const Id extends MachineId, const T extends Tables>(config: ThreadConfig<Id, T>) {
  // From here on a step is any machine's: the simulator gives it only frames of its own machine (a frame's machine and registers are pushed together, regs.ts Call).
  const states = Object.fromEntries(
    Object.entries(config.states as unknown as Readonly<Record<string, AnyStateConfig<never>>>).map(([name, state]) => [
      name,
      state.final === true ? { type: 'final' as const } : { meta: { step: state.step as unknown as StepSpec | undefined, code: state.code, fs: state.fs } satisfies StateMeta, on: { ...state.on } },
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
