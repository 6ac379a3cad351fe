/**
 * A scenario is data: files, mappings, cluster nodes, tasks and their
 * programs, the variants it applies to, its story, the schedules that show
 * the bug, and the outcome each variant must reach. Presets, custom
 * scenarios and share links all use this one format.
 */
import type { Pid } from '../kernel/ids.ts';
import type { Filesystem, VariantId } from '../kernel/variants.ts';
import type { OutcomeKind } from '../sim/outcome.ts';

/**
 * A file page at the start: a hole; on disk (a block, not cached); cached
 * (a block and an uptodate page-cache page); or a hole with a zeroed page in
 * the page cache (a DAX hole page left by an earlier read fault).
 */
export type PageState = 'hole' | 'disk' | 'cached' | 'hole-cached';

export interface FileSpec {
  readonly name: string;
  /** One entry per page: i_size is pages.length pages. */
  readonly pages: readonly PageState[];
  /** Page indexes whose block map entry is corrupted to an extent shorter than a page. */
  readonly shortExtents?: readonly number[];
}

export interface MappingSpec {
  readonly process: number;
  readonly file: string;
  /** First user page of the mapping. */
  readonly at: number;
  readonly pages: number;
  /** File page mapped at `at`. */
  readonly pgoff?: number;
  readonly shared: boolean;
  /**
   * User pages of the mapping already in the page tables at the start, as an
   * earlier read fault leaves them: read-only, mapping the page-cache page
   * (or, on DAX, the block). An access to any other page of the mapping faults.
   */
  readonly faulted?: readonly number[];
  /**
   * The mapping's ->fault / ->page_mkwrite is one the model does not have (a
   * lockdep report's filesystem or driver): it takes these locks in order
   * around mapping the page-cache page. Its file pages must be `cached`.
   */
  readonly fault?: FaultSpec;
}

/**
 * A lock a `lock` entry or a reported fault handler takes: a named lock
 * (`Scenario.locks`), an inode's i_rwsem / i_mmap_rwsem / invalidate_lock,
 * or the task's own mmap_lock.
 */
export type LockTargetSpec =
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'i_rwsem' | 'i_mmap' | 'invalidate_lock'; readonly file: string }
  | { readonly kind: 'mmap_lock' };

export interface FaultLockSpec {
  readonly lock: LockTargetSpec;
  readonly write: boolean;
  /** The function that takes it, for labels (`ocfs2_page_mkwrite`). */
  readonly at?: string;
}

export interface FaultSpec {
  /** The handler as the kernel names it: `ocfs2_page_mkwrite`. */
  readonly handler: string;
  readonly locks: readonly FaultLockSpec[];
}

/**
 * A sleeping lock the model has no object for, named after a lockdep class:
 * a mutex (taken for write only) or an rwsem.
 */
export interface LockSpec {
  /** `ip_alloc_sem`: what `lock` entries and fault locks name it by. */
  readonly name: string;
  readonly kind: 'mutex' | 'rwsem';
  /** The lockdep class as a report prints it (`&oi->ip_alloc_sem`); defaults to the name. */
  readonly class?: string;
}

export type SyscallSpec =
  | { readonly call: 'pread' | 'pwrite'; readonly file: string; readonly pos: number; readonly len: number; readonly buf: number; readonly direct?: boolean }
  | { readonly call: 'truncate'; readonly file: string; readonly size: number }
  | { readonly call: 'punch'; readonly file: string; readonly pos: number; readonly len: number }
  | { readonly call: 'mmap'; readonly file: string; readonly pgoff: number; readonly len: number; readonly at: number; readonly shared: boolean }
  | { readonly call: 'touch'; readonly vpage: number; readonly write: boolean }
  /** Take `lock` (for write, or read), run `body`, release it; `at` names the kernel function that takes it. */
  | { readonly call: 'lock'; readonly lock: LockTargetSpec; readonly write: boolean; readonly at?: string; readonly body: readonly SyscallSpec[] }
  /** copy_to_user (`write`) or copy_from_user of user page `buf` inside a kernel path: it may fault. */
  | { readonly call: 'copy'; readonly buf: number; readonly write: boolean; readonly at?: string };

export interface TaskSpec {
  readonly pid: Pid;
  /** Tasks with the same process share an mm (threads of one process). */
  readonly process: number;
  readonly node?: number;
  readonly program: readonly SyscallSpec[];
}

export type { OutcomeKind };

export interface Expectation {
  readonly kind: OutcomeKind;
  /** What the user should see, in kernel words. */
  readonly summary: string;
  /** Each task's syscall returns, when the outcome is completed or sigbus. */
  readonly returns?: Readonly<Record<string, readonly number[]>>;
  /** What user pages hold at the end: '<process>:<user page>' → content tag (`F:1`, `0` for zeroes). */
  readonly userPages?: Readonly<Record<string, string>>;
  /** What file pages hold at the end (page cache, else disk): '<file>:<index>' → content tag. */
  readonly filePages?: Readonly<Record<string, string>>;
  /** Verified in the sources, or inferred from the code with no report found. */
  readonly basis: 'verified' | 'inferred';
}

export interface NamedSchedule {
  readonly name: string;
  readonly description: string;
  /** Pids in order; the replay finishes round-robin after them. */
  readonly steps: readonly Pid[];
  /** The outcome under each variant the schedule applies to. */
  readonly expect: Readonly<Partial<Record<VariantId, Expectation>>>;
}

export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly story: string;
  readonly fs: Filesystem;
  readonly variants: readonly VariantId[];
  readonly nodes?: number;
  /** Filesystem block size in bytes; only PAGE_SIZE (4096) is modelled, and DAX requires it. */
  readonly blockSize?: number;
  /** Free blocks on the device beyond those the files use. */
  readonly freeBlocks?: number;
  readonly files: readonly FileSpec[];
  /** Named sleeping locks, for `lock` entries and reported fault handlers. */
  readonly locks?: readonly LockSpec[];
  readonly mappings: readonly MappingSpec[];
  readonly tasks: readonly TaskSpec[];
  /** The first schedule is the one that shows the bug. */
  readonly schedules: readonly NamedSchedule[];
  readonly sources: readonly string[];
}
