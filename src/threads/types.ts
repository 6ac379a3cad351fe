/**
 * The contract between thread machines and the scheduler.
 *
 * A kernel path is an XState machine whose states are its atomic steps. Each
 * state carries, in `meta.step`, the pure function that performs that step
 * on the kernel state and names the result as an event (`lock.granted`,
 * `copy.fault`, ...); the machine's transitions decide where that result
 * leads. So control flow lives in the statechart, and what each step does to
 * the kernel lives in small functions the statechart names.
 *
 * A task runs a stack of frames, one per machine instance: a fault taken by a
 * user copy is a frame pushed above the copy, so the timeline shows it nested
 * inside the copy that took it.
 */
import type { Ino, Pid } from '../kernel/ids.ts';
import type { LockRef } from '../kernel/locks.ts';
import type { KernelState } from '../kernel/state.ts';
import type { VariantFlags } from '../kernel/variants.ts';
import type { AnyRegs, Call, MachineId, MachineRegs } from './regs.ts';

/**
 * What a task does, in order: syscalls and plain user accesses. Positions
 * and lengths are in pages (I/O is whole pages: kernel-semantics.md §6);
 * `buf` is the first user page of the buffer.
 */
export type Syscall =
  | { readonly call: 'pread' | 'pwrite'; readonly ino: Ino; readonly pos: number; readonly len: number; readonly buf: number; readonly direct: boolean }
  | { readonly call: 'truncate'; readonly ino: Ino; readonly size: number }
  | { readonly call: 'punch'; readonly ino: Ino; readonly pos: number; readonly len: number }
  | { readonly call: 'mmap'; readonly ino: Ino; readonly pgoff: number; readonly len: number; readonly at: number; readonly shared: boolean }
  | { readonly call: 'touch'; readonly vpage: number; readonly write: boolean }
  /**
   * A kernel path that takes `lock` (mutex_lock, down_read, down_write),
   * runs `body`, and releases it: the shape of a lockdep report's stack.
   * `at` names the function that takes it, for labels.
   */
  | { readonly call: 'lock'; readonly lock: LockRef; readonly write: boolean; readonly at: string; readonly body: readonly Syscall[] }
  /** A user copy in a kernel path (copy_to_user when `write`, else copy_from_user) of one user page, which may fault. */
  | { readonly call: 'copy'; readonly buf: number; readonly write: boolean; readonly at: string };

/** What the task itself carries (task_struct fields that paths read or set). */
export interface TaskFields {
  readonly pid: Pid;
  /** Index of its address space: threads of one process share it. */
  readonly mm: number;
  readonly node: number;
  /** pagefault_disable() depth. */
  readonly pagefaultDisabled: number;
  /**
   * gfs2 RFC (2021) bits kept in current->journal_info: the task holds an
   * "outer" glock, and a fault asked the syscall to drop it and retry.
   */
  readonly outerGlock: boolean;
  readonly needsRetry: boolean;
  readonly program: readonly Syscall[];
  /** Each finished syscall's return: bytes, 0, or -errno. */
  readonly returns: readonly number[];
  /** Killed by a signal delivered to a user access (SIGBUS). */
  readonly killed: boolean;
}

/** What a step reads: the kernel, its task, and the registers of its frame (`R`: its machine's, threads/regs.ts). */
export interface StepInput<R = AnyRegs> {
  readonly kernel: KernelState;
  readonly task: TaskFields;
  readonly regs: R;
  readonly variant: VariantFlags;
}

/**
 * What a step tells lockdep beyond the locks it takes (sim/lockdep.ts):
 * `might_fault` — a user copy with page faults enabled, which lockdep
 * treats as a read of mmap_sem whether or not it faults (mm/memory.c:
 * __might_fault → might_lock_read); `trylock` — the lock this step took was
 * a trylock, into which lockdep records no dependency
 * (kernel/locking/lockdep.c: validate_chain skips trylocks); `asks` — the
 * step asked for a glock and BUGged before it was queued (trap_recursive),
 * so no kernel state shows the request lockdep would have seen.
 */
export type LockdepHint = 'might_fault' | 'trylock' | { readonly asks: LockRef; readonly mode: 'SH' | 'DF' | 'EX' };

/**
 * What a step means to the tools that draw or count a run (the timeline, the
 * trace export, the compare view's path counts), said as a type so none of
 * them reads it out of label text (sim/pathevents.ts is the one classifier):
 * - `copy-short`: a user copy came up short or failed (-EFAULT, a partial
 *   count): where a fix's retry path starts;
 * - `copy-done`: a user copy went through: where the retry path ends;
 * - `glock-dq`: gfs2_glock_dq; `glock-granted`: a glock holder granted at once
 *   by gfs2_glock_nq (not a woken waiter);
 * - `glock-tryfailed`: LM_FLAG_TRY came back GLR_TRYFAILED;
 * - `efault-retry`: the syscall decided to fault the user buffer in and go
 *   round again (RFC 2021 current_needs_retry and -EFAULT; 5.16 and 5.18
 *   should_fault_in_pages, fs/gfs2/file.c);
 * - `vm-fault-retry`: do_page_fault acted on a VM_FAULT_RETRY (once per retry,
 *   where the fault path receives it, not at each frame it is returned through).
 */
export type StepMark = 'copy-short' | 'copy-done' | 'glock-dq' | 'glock-granted' | 'glock-tryfailed' | 'efault-retry' | 'vm-fault-retry';

/** An outcome that a single step can cause. */
export type StepOutcome =
  | { readonly kind: 'bug'; readonly message: string; readonly log: readonly string[] }
  | { readonly kind: 'sigbus'; readonly message: string }
  /** The step read storage that is no longer the file's (a page read through a block map looked up before the block was freed). */
  | { readonly kind: 'use-after-free'; readonly message: string }
  | { readonly kind: 'invariant-violation'; readonly message: string }
  | { readonly kind: 'livelock'; readonly message: string };

/**
 * Text for people (a step's label, a wait's reason), built only when shown:
 * the explorer steps millions of times and reads neither, so a label that
 * needs formatting is a function that formats it. `textOf` builds it.
 */
export type Text = string | (() => string);

export function textOf(text: Text): string {
  return typeof text === 'string' ? text : text();
}

export interface StepResult<E extends string = string, R = AnyRegs> {
  /** The machine event this step produced: one its state's transition table handles (threads/define.ts StateConfig). */
  readonly event: E;
  /** What the step did, naming the kernel function: `gfs2_glock_nq(SH) → granted`. */
  readonly label: Text;
  readonly kernel?: KernelState;
  /** The registers the step changes (the rest stay as they were); undefined clears one. */
  readonly regs?: Partial<R>;
  readonly task?: Partial<Pick<TaskFields, 'pagefaultDisabled' | 'outerGlock' | 'needsRetry' | 'returns' | 'killed'>>;
  /** Push a frame for a callee after this step's transition, with the registers its machine declares (threads/regs.ts). */
  readonly call?: Call;
  readonly outcome?: StepOutcome;
  readonly lockdep?: LockdepHint;
  readonly marks?: readonly StepMark[];
}

/** Why a task cannot take its next step. */
export interface WaitInfo {
  readonly lock: LockRef;
  /** Kernel words: "waiting for glock 2/F1 in SH: held DF by pid 101". Built when first read (waitInfo). */
  readonly reason: string;
  /** Tasks whose progress would release it (the wait-for edges). */
  readonly holders: readonly Pid[];
}

/** A wait whose reason is formatted only if someone reads it: the explorer asks every task's wait in every state, and reads none. */
export function waitInfo(lock: LockRef, holders: readonly Pid[], reason: () => string): WaitInfo {
  return new LazyWait(lock, holders, reason);
}

/** A class, so the getter lives on the prototype and a wait costs what a plain object does. */
class LazyWait implements WaitInfo {
  #reason: (() => string) | string;
  constructor(
    readonly lock: LockRef,
    readonly holders: readonly Pid[],
    reason: () => string,
  ) {
    this.#reason = reason;
  }

  get reason(): string {
    if (typeof this.#reason !== 'string') this.#reason = this.#reason();
    return this.#reason;
  }
}

/**
 * One step of a machine whose frames hold registers `R`. A step written for
 * fewer registers (a shared builder's `R`: the ones it reads) fits any
 * machine whose registers include them.
 */
export interface StepSpec<E extends string = string, R = AnyRegs> {
  /** Performs the step. Called only when `wait` says the task may run. */
  readonly run: (input: StepInput<R>) => StepResult<E, R>;
  /** For sleeping steps: why the task cannot run yet, or null. */
  readonly wait?: (input: StepInput<R>) => WaitInfo | null;
}

/** A frame as the simulator handles it: any machine's, so its registers are any machine's (a frame is pushed with its machine's, regs.ts Call). */
export interface Frame {
  readonly machine: string;
  readonly state: string;
  readonly regs: AnyRegs;
}

/** A frame's registers as its machine declares them, or undefined when the frame runs another machine. */
export function regsOf<M extends MachineId>(frame: Frame | undefined, machine: M): MachineRegs[M] | undefined {
  return frame?.machine === machine ? (frame.regs as MachineRegs[M]) : undefined;
}
