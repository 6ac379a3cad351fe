/**
 * The whole simulated system: the kernel state plus every task's stack of
 * frames. Plain data; `step.ts` computes the next one.
 */
import type { Pid } from '../kernel/ids.ts';
import type { KernelState } from '../kernel/state.ts';
import { findVariant, type VariantFlags, type VariantId } from '../kernel/variants.ts';
import { compiledMachine } from '../threads/registry.ts';
import type { Frame, Syscall, TaskFields } from '../threads/types.ts';

export interface SimTask extends TaskFields {
  /** Frames, bottom first; empty once the task has exited. */
  readonly stack: readonly Frame[];
}

/** Something that ended the run at the step that caused it. */
export type StopOutcome =
  | { readonly kind: 'bug'; readonly pid: Pid; readonly message: string; readonly log: readonly string[] }
  | { readonly kind: 'use-after-free'; readonly message: string }
  | { readonly kind: 'invariant-violation'; readonly message: string }
  | { readonly kind: 'livelock'; readonly pid: Pid; readonly message: string };

export interface Signal {
  readonly pid: Pid;
  readonly message: string;
}

export interface SystemState {
  readonly variant: VariantId;
  readonly flags: VariantFlags;
  readonly kernel: KernelState;
  readonly tasks: readonly SimTask[];
  /** Set by the step that BUGs, breaks an invariant or livelocks; no step runs after it. */
  readonly stopped: StopOutcome | null;
  /** SIGBUS deliveries so far. */
  readonly signals: readonly Signal[];
}

export interface TaskSetup {
  readonly pid: Pid;
  readonly mm: number;
  readonly node: number;
  readonly program: readonly Syscall[];
}

export interface SystemSetup {
  readonly kernel: KernelState;
  readonly tasks: readonly TaskSetup[];
}

export function initialSystem(setup: SystemSetup, variant: VariantId): SystemState {
  const v = findVariant(variant);
  if (v === undefined) throw new Error(`unknown variant ${variant}`);
  const task = compiledMachine('task');
  if (task === undefined) throw new Error('no task machine');
  return {
    variant,
    flags: v.flags,
    kernel: setup.kernel,
    stopped: null,
    signals: [],
    tasks: setup.tasks.map((t) => ({
      pid: t.pid,
      mm: t.mm,
      node: t.node,
      program: t.program,
      pagefaultDisabled: 0,
      outerGlock: false,
      needsRetry: false,
      returns: [],
      killed: false,
      stack: [{ machine: 'task', state: task.initial, regs: { pc: 0 } }],
    })),
  };
}

export function taskByPid(state: SystemState, pid: Pid): SimTask | undefined {
  return state.tasks.find((t) => t.pid === pid);
}
