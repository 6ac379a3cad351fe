/**
 * The simulated kernel: every object of kernel-semantics.md section 2 as
 * plain immutable data. Operations in the sibling modules take a state and
 * return a new one; nothing here is mutated after construction.
 *
 * Owns: inodes with their page cache and block map, page frames, storage
 * blocks, process address spaces, glocks. Must not know about tasks' control
 * flow (that is `src/threads`) or about scheduling (`src/sim`).
 */
import type { BlockId, Ino, MmId, NodeId, PageId, Pid } from './ids.ts';
import type { SleepLock } from './sleeplock.ts';

/**
 * What a page or block holds, as a tag the tests can compare: `0` for zeroes,
 * else a name like `F1:1` (file F1, page 1, as written on disk).
 */
export type Content = string;
export const ZEROES: Content = '0';

export interface Inode {
  /** The file's name in the scenario (F, F1, F2). */
  readonly name: string;
  /** i_size in bytes. */
  readonly size: number;
  /** Block map, one entry per page index: the block, or null for a hole. */
  readonly map: readonly (BlockId | null)[];
  /**
   * A corrupted block map that returns an extent shorter than a page for
   * these indexes (the seed's "programming defensively" case).
   */
  readonly shortExtents: readonly number[];
  /** Page cache: the page at each index, or null. */
  readonly cache: readonly (PageId | null)[];
  /** i_mutex (2015) / i_rwsem (5.x): held for write by write, truncate and punch, never by faults. */
  readonly i_rwsem: SleepLock;
  /** i_mmap_rwsem: unmap_mapping_range takes it for write, the DAX fault for read. */
  readonly i_mmap: SleepLock;
  /** mapping->invalidate_lock (5.15+): shared for faults, exclusive for truncate and punch. */
  readonly invalidate_lock: SleepLock;
}

export interface Page {
  /** page->mapping: the inode, or null once truncate removed the page. */
  readonly mapping: Ino | null;
  readonly index: number;
  /** PG_locked, with its sleepers. */
  readonly lock: SleepLock;
  readonly uptodate: boolean;
  /** References taken by find_get_page and friends, beyond the page cache's own. */
  readonly refs: number;
  readonly content: Content;
}

export interface Block {
  /** The file block it is allocated to, or null when free. */
  readonly owner: { readonly ino: Ino; readonly index: number } | null;
  /** Freshly allocated and not yet zeroed (buffer_new): must not be exposed as is. */
  readonly fresh: boolean;
  readonly content: Content;
}

/** A MAP_PRIVATE or MAP_SHARED mapping of a file in a process. */
export interface Vma {
  /** First user page number of the mapping. */
  readonly start: number;
  readonly pages: number;
  readonly ino: Ino;
  /** File page index mapped at `start`. */
  readonly pgoff: number;
  readonly shared: boolean;
  /**
   * The mapping's ->fault / ->page_mkwrite is one the model does not have
   * (a lockdep report's filesystem or driver): it takes these locks, in
   * order, around mapping the page-cache page. Absent: the filesystem's own
   * handler (gfs2_fault, do_dax_fault).
   */
  readonly fault?: VmFault;
}

/** One lock a reported fault handler takes, and the call that takes it, for labels. */
export interface VmFaultLock {
  readonly lock: LockRef;
  readonly write: boolean;
  /** The function that takes it, for labels: `ocfs2_page_mkwrite`. */
  readonly at: string;
}

export interface VmFault {
  /** The handler as the report names it: `ocfs2_page_mkwrite`. */
  readonly handler: string;
  readonly locks: readonly VmFaultLock[];
}

/**
 * A sleeping lock the model has no object for, named by its lockdep class:
 * `&oi->ip_alloc_sem`, `sb_pagefaults`. A lockdep report's class the model
 * does not know becomes one of these, so its cycle still runs.
 */
export interface NamedLock {
  /** Short name for labels: `ip_alloc_sem`. */
  readonly name: string;
  /** The lockdep class as a report prints it. */
  readonly lockClass: string;
  /** An rwsem (read and write), or a mutex (write only). */
  readonly rwsem: boolean;
  readonly lock: SleepLock;
}

/** A user page table entry. */
export type Pte =
  | { readonly kind: 'page'; readonly page: PageId; readonly writable: boolean }
  | { readonly kind: 'anon'; readonly content: Content }
  | { readonly kind: 'dax'; readonly block: BlockId; readonly writable: boolean };

export interface Mm {
  /** mmap_sem (2015) / mmap_lock (5.x). */
  readonly mmap_sem: SleepLock;
  readonly vmas: readonly Vma[];
  /** Page table: one slot per user page number. */
  readonly ptes: readonly (Pte | null)[];
}

/** A gfs2 glock's state on one node, and a holder's mode (fs/gfs2/glock.h); operations are in glock.ts. */
export type GlockMode = 'UN' | 'SH' | 'DF' | 'EX';
export type HolderMode = Exclude<GlockMode, 'UN'>;

export interface GlockHolder {
  readonly pid: Pid;
  readonly mode: HolderMode;
  /** LM_FLAG_TRY: fail with GLR_TRYFAILED instead of waiting. */
  readonly try: boolean;
  /** HIF_MAY_DEMOTE (5.16): the holder may be dequeued for a conflicting request. */
  readonly mayDemote: boolean;
  /** The function that queued it (gh_ip), as the BUG report names it. */
  readonly caller: string;
  /** HIF_HOLDER: granted. */
  readonly granted: boolean;
}

export interface Glock {
  readonly node: NodeId;
  readonly ino: Ino;
  readonly state: GlockMode;
  readonly holders: readonly GlockHolder[];
  /** gl_demote_state, set by a callback from another node (GLF_DEMOTE), or null. */
  readonly demote: GlockMode | null;
}

/** Every lock in the kernel state, by reference; naming and lookup are in locks.ts. */
export type LockRef =
  | { readonly kind: 'i_rwsem'; readonly ino: Ino }
  | { readonly kind: 'i_mmap'; readonly ino: Ino }
  | { readonly kind: 'invalidate_lock'; readonly ino: Ino }
  | { readonly kind: 'mmap_sem'; readonly mm: MmId }
  | { readonly kind: 'page'; readonly page: PageId }
  | { readonly kind: 'glock'; readonly node: NodeId; readonly ino: Ino }
  /** A named lock (`KernelState.named`): a lockdep class the model has no object for. */
  | { readonly kind: 'named'; readonly index: number };

export interface KernelState {
  readonly inodes: readonly Inode[];
  readonly pages: readonly Page[];
  readonly blocks: readonly Block[];
  readonly mms: readonly Mm[];
  /** One glock per (node, inode): index `node * inodes.length + ino`. Empty for DAX. */
  readonly glocks: readonly Glock[];
  readonly nodes: number;
  /** Named sleeping locks (scenario `locks`); absent when the scenario has none. */
  readonly named?: readonly NamedLock[];
}

export function glockIndex(kernel: KernelState, node: NodeId, ino: Ino): number {
  return node * kernel.inodes.length + ino;
}

/** The owner of a task's locks in a report: "pid 101". */
export function pidName(pid: Pid): string {
  return `pid ${pid}`;
}

export function inodeName(kernel: KernelState, ino: Ino): string {
  return kernel.inodes[ino]?.name ?? `ino ${ino}`;
}

/** Pages of a file: ceil(i_size / PAGE_SIZE), the bound faults check pgoff against. */
export function sizeInPages(inode: Inode, pageSize: number): number {
  return Math.ceil(inode.size / pageSize);
}

