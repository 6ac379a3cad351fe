/**
 * Identifiers of kernel objects. Every object lives in an array of the
 * kernel state and is named by its index, so a state is plain, comparable
 * data with no pointers.
 */

/** A task (thread): its pid, as the kernel prints it in a BUG report. */
export type Pid = number;
/** Index of an inode in `KernelState.inodes`. */
export type Ino = number;
/** Index of a page frame in `KernelState.pages`. */
export type PageId = number;
/** Index of a storage block (DAX memory or disk) in `KernelState.blocks`. */
export type BlockId = number;
/** Index of a process address space in `KernelState.mms`. */
export type MmId = number;
/** Index of a cluster node; single-node scenarios have node 0 only. */
export type NodeId = number;

/** 4 KiB pages; one page is one block (kernel-semantics.md, section 6). */
export const PAGE_SIZE = 4096;

/** Copy-on-write update of one array slot; the input is never mutated. */
export function setAt<T>(items: readonly T[], index: number, value: T): readonly T[] {
  const copy = items.slice();
  copy[index] = value;
  return copy;
}
