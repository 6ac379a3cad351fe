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

/** Registers of one frame: arguments and locals of the kernel function it models. */
export interface Regs {
  /** The file the path works on. */
  readonly ino?: Ino;
  /** File position in pages. */
  readonly pos?: number;
  /** Length in pages. */
  readonly len?: number;
  /** Pages done so far (copied, read, written). */
  readonly done?: number;
  /** User buffer: first user page number. */
  readonly buf?: number;
  /** The user page being accessed or faulted on. */
  readonly vpage?: number;
  /** Write access (fault) or write direction (copy). */
  readonly write?: boolean;
  /** O_DIRECT. */
  readonly direct?: boolean;
  /** Fault taken from kernel mode (a copy or gup), not by a user instruction. */
  readonly kernelMode?: boolean;
  /** FAULT_FLAG_TRIED: an attempt after VM_FAULT_RETRY (the second in 4.x; any later one in 5.x). */
  readonly tried?: boolean;
  /**
   * filemap_fault (5.x) pinned the file and dropped mmap_lock to wait for I/O or
   * a page lock (maybe_unlock_mmap_for_io): it must return VM_FAULT_RETRY.
   */
  readonly fpin?: boolean;
  /** The fault is get_user_pages' (faultin_page), not a CPU trap: its VM_FAULT_RETRY is handled by __get_user_pages_locked. */
  readonly gup?: boolean;
  /** A page reference the frame holds (find_get_page). */
  readonly page?: number;
  /** vmf->page: the locked page a ->fault or ->page_mkwrite returns with VM_FAULT_LOCKED. */
  readonly vmfPage?: number;
  /** What the handler put in vmf->cow_page (DAX copies the block there: fs/dax.c copy_user_bh, v4.0). */
  readonly cow?: string;
  /** A block the frame looked up or allocated. */
  readonly block?: number;
  /** New i_size in pages (truncate), or the punched range's end. */
  readonly size?: number;
  /** What the last callee returned: a VM_FAULT code, a byte count or -errno. */
  readonly ret?: number;
  /** How many times this frame went round its retry loop. */
  readonly retries?: number;
  /** Pages done when the retry loop last went round (progress check). */
  readonly lastDone?: number;
  /** The page index a loop is at. */
  readonly index?: number;
  /** Which program entry the task frame is at. */
  readonly pc?: number;
  /** The mapping is MAP_SHARED (mmap, fault dispatch). */
  readonly shared?: boolean;
  /** IOCB_NOIO: read only what is cached, never start I/O. */
  readonly noio?: boolean;
  /** Pages the last fault-in brought in (window_size after fault_in_iov_iter_readable, gfs2 6.4). */
  readonly window?: number;
  /**
   * The direct write has invalidated the page cache over its range: iomap_dio_rw
   * (WRITE), or 2015's generic_file_direct_write before ->direct_IO (or it had
   * nothing cached to drop).
   */
  readonly invalidated?: boolean;
  /** The exit path has already dropped the lock the function took on entry. */
  readonly unlocked?: boolean;
  /**
   * iov_iter->nofault (5.16+): get_user_pages on this iterator fails instead
   * of faulting (FOLL_NOFAULT); CPU accesses still fault unless page faults
   * are disabled too.
   */
  readonly nofault?: boolean;
  /** invalidate_inode_pages2_range's did_range_unmap: the rest of the range is already unmapped. */
  readonly rangeUnmapped?: boolean;
  /** ext4_punch_hole's second truncate_pagecache_range, after the blocks are freed. */
  readonly again?: boolean;
  /** filemap_fault has run do_sync_mmap_readahead for this miss (ext4/xfs 2015). */
  readonly readAround?: boolean;
  /** mpage_readpages' map_bh: the extent the last get_block returned (first file page, length, first block). */
  readonly mapFirst?: number;
  readonly mapLen?: number;
  readonly mapBlock?: number;
  /** The program entry this frame runs, by its pre-order index in the task's program (threads/program.ts). */
  readonly entry?: number;
  /** How many of its listed locks the frame holds now (a reported fault handler's locks). */
  readonly held?: number;
}

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

export interface StepInput {
  readonly kernel: KernelState;
  readonly task: TaskFields;
  readonly regs: Regs;
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

export interface StepResult<E extends string = string> {
  /** The machine event this step produced: one its state's transition table handles (threads/define.ts StateConfig). */
  readonly event: E;
  /** What the step did, naming the kernel function: `gfs2_glock_nq(SH) → granted`. */
  readonly label: Text;
  readonly kernel?: KernelState;
  readonly regs?: Regs;
  readonly task?: Partial<Pick<TaskFields, 'pagefaultDisabled' | 'outerGlock' | 'needsRetry' | 'returns' | 'killed'>>;
  /** Push a frame for a callee after this step's transition. */
  readonly call?: { readonly machine: string; readonly regs: Regs };
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

export interface StepSpec<E extends string = string> {
  /** Performs the step. Called only when `wait` says the task may run. */
  readonly run: (input: StepInput) => StepResult<E>;
  /** For sleeping steps: why the task cannot run yet, or null. */
  readonly wait?: (input: StepInput) => WaitInfo | null;
}

export interface Frame {
  readonly machine: string;
  readonly state: string;
  readonly regs: Regs;
}
