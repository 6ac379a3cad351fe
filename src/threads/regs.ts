/**
 * Registers: the arguments and locals of the kernel function each machine
 * models, one type per machine, and the map from machine id to its type.
 *
 * The map types both ends of a frame: `defineThread` gives a machine's
 * steps the registers its id maps to, so a step cannot read a register its
 * function does not have; and a step that pushes a callee (`call`) must give
 * the callee every register it requires, of the right type. It lives in
 * this leaf module, not beside MACHINES in registry.ts, because the
 * machines import it and registry.ts imports the machines.
 */
import type { BlockId, Ino, PageId } from '../kernel/ids.ts';

/**
 * What a callee leaves in its caller's frame when it returns (sim/step.ts):
 * its return value (a VM_FAULT code, a byte count, pages faulted in, or
 * -errno) and, from a ->fault that returned VM_FAULT_LOCKED, vmf->page, and
 * from a DAX ->fault on a MAP_PRIVATE write, what it put in vmf->cow_page
 * (fs/dax.c copy_user_bh, v4.0). The simulator writes them into whichever
 * frame called, so every machine's registers have them. A machine's own
 * return value goes in `ret` too.
 */
export interface Returned {
  readonly ret?: number;
  readonly vmfPage?: PageId;
  readonly cow?: string;
}

/** What a step on an inode's locks reads: the inode. */
export interface InodeRegs extends Returned {
  readonly ino: Ino;
}

/** The bottom frame of a task: which program entry it is at. */
export interface TaskRegs extends Returned {
  readonly pc: number;
}

/** do_mmap (mm/mmap.c) of mmap(addr, len, …, flags & MAP_SHARED, fd, pgoff), in pages. */
export interface DoMmapRegs extends Returned {
  readonly ino: Ino;
  readonly addr: number;
  readonly len: number;
  readonly pgoff: number;
  readonly shared: boolean;
}

/** A load (`write` false) or store by user code to user page `vpage`. */
export interface UserAccessRegs extends Returned {
  readonly vpage: number;
  readonly write: boolean;
  /** Faults taken on the page so far (copy.ts FAULT_RETRY_BOUND). */
  readonly retries: number;
}

/**
 * do_page_fault / do_user_addr_fault (arch/x86/mm/fault.c): the faulting
 * user page and the error code's bits, then what find_vma found.
 */
export interface DoPageFaultRegs extends Returned {
  readonly vpage: number;
  /** FAULT_FLAG_WRITE. */
  readonly write: boolean;
  /** Taken in kernel mode (a copy or gup), not by a user instruction. */
  readonly kernelMode: boolean;
  /** get_user_pages' fault (faultin_page), not a CPU trap: __get_user_pages_locked handles its VM_FAULT_RETRY. */
  readonly gup?: boolean;
  /** FAULT_FLAG_TRIED: an attempt after VM_FAULT_RETRY. */
  readonly tried?: boolean;
  /** Set by find_vma: the file the VMA maps, the page's offset in it (vmf->pgoff), MAP_SHARED. */
  readonly ino?: Ino;
  readonly index?: number;
  readonly shared?: boolean;
}

/** struct vm_fault as handle_mm_fault gives it to a ->fault or ->page_mkwrite (mm/memory.c). */
export interface VmFaultRegs extends Returned {
  readonly ino: Ino;
  /** vmf->pgoff. */
  readonly index: number;
  /** FAULT_FLAG_WRITE. */
  readonly write: boolean;
  /** The VMA is MAP_SHARED. */
  readonly shared: boolean;
  /** The faulting user page (vmf->address). */
  readonly vpage: number;
  /** FAULT_FLAG_TRIED. */
  readonly tried?: boolean;
}

/**
 * filemap_fault (mm/filemap.c): the vm_fault, of which gfs2_fault passes on
 * only the file, offset and flags; then its locals.
 */
export interface FilemapFaultRegs extends Returned {
  readonly ino: Ino;
  readonly index: number;
  readonly write: boolean;
  readonly shared?: boolean;
  readonly vpage?: number;
  readonly tried?: boolean;
  /** The page find_get_page found, whose reference the fault holds. */
  readonly page?: PageId;
  /** maybe_unlock_mmap_for_io pinned the file and dropped mmap_lock (5.x): the fault owes a VM_FAULT_RETRY. */
  readonly fpin?: boolean;
  /** do_sync_mmap_readahead has read around this miss (ext4/xfs 2015). */
  readonly readAround?: boolean;
}

/** gfs2_page_mkwrite (fs/gfs2/file.c): the vm_fault's file and offset, and vmf->page, which do_page_mkwrite holds a reference on. */
export interface Gfs2PageMkwriteRegs extends Returned {
  readonly ino: Ino;
  readonly index: number;
  readonly page: PageId;
}

/** do_dax_fault (fs/dax.c, v4.0): the vm_fault, then the hole page, the block and whether the exit path has dropped i_mutex. */
export interface DaxFaultRegs extends VmFaultRegs {
  readonly page?: PageId;
  readonly block?: BlockId;
  readonly unlocked?: boolean;
}

/** A reported ->fault (threads/lockregion.ts): the vm_fault, and how many of its listed locks it holds. */
export interface VmOpsFaultRegs extends VmFaultRegs {
  readonly held: number;
}

/**
 * A read_iter or write_iter (gfs2_file_read_iter, gfs2_file_write_iter,
 * the DAX ones): the file, position and length in pages, the user buffer's
 * first page, O_DIRECT, and the pages done so far.
 */
export interface RwIterRegs extends Returned {
  readonly ino: Ino;
  readonly pos: number;
  readonly len: number;
  readonly buf: number;
  readonly direct: boolean;
  readonly done: number;
  /** Pages done when the retry loop last went round (progress checks). */
  readonly lastDone?: number;
  /** window_size after the last fault_in_iov_iter_readable (gfs2 6.4). */
  readonly window?: number;
  /** DAX: the page index and block of the page in hand; the pages invalidate_inode_pages2_range is at. */
  readonly index?: number;
  readonly block?: BlockId;
  readonly page?: PageId;
  /** 2015's generic_file_direct_write invalidated the page cache before ->direct_IO (or had nothing to drop). */
  readonly invalidated?: boolean;
  /** invalidate_inode_pages2_range's did_range_unmap. */
  readonly rangeUnmapped?: boolean;
  /** Faults taken by the copy on one page (copy.ts). */
  readonly retries: number;
}

/**
 * The I/O a read_iter or write_iter calls on the rest of its request
 * (filemap_read, iomap_dio_rw, iomap_file_buffered_write): the file range and
 * user buffer, the pages done, and the iterator's flags.
 */
export interface IoRegs extends Returned {
  readonly ino: Ino;
  readonly pos: number;
  readonly len: number;
  readonly buf: number;
  readonly done: number;
  /** The direction: a write to the file (absent: a read). */
  readonly write?: boolean;
  /** IOCB_NOIO: read only what is cached. */
  readonly noio?: boolean;
  /** iov_iter->nofault (5.16+): get_user_pages fails instead of faulting. */
  readonly nofault?: boolean;
  /** The page index the loop is at, and the page in hand. */
  readonly index?: number;
  readonly page?: PageId;
  /** iomap_dio_rw (WRITE) has invalidated the page cache over the range. */
  readonly invalidated?: boolean;
  /** iomap_file_buffered_write under gfs2_iomap_begin: pages done when the iteration began. */
  readonly lastDone?: number;
  readonly retries: number;
}

/** fault_in_iov_iter_writeable / _readable (and the older iov_iter_fault_in_*): the window of the user buffer, and the pages touched so far. */
export interface FaultInRegs extends Returned {
  readonly buf: number;
  readonly len: number;
  /** Writeable (the buffer of a read) rather than readable. */
  readonly write: boolean;
  readonly done: number;
  readonly retries: number;
}

/** do_truncate → truncate_setsize (new size in pages) and the hole punch's range; their page cache walk. */
export type TruncateRegs = (TruncateSize | PunchRange) & {
  /** The page in hand and where invalidate_inode_pages2_range is. */
  readonly page?: PageId;
  readonly index?: number;
  readonly rangeUnmapped?: boolean;
  /** ext4_punch_hole's second truncate_pagecache_range, after the blocks are freed. */
  readonly again?: boolean;
};

export interface TruncateSize extends Returned {
  readonly ino: Ino;
  readonly size: number;
}

export interface PunchRange extends Returned {
  readonly ino: Ino;
  readonly pos: number;
  readonly len: number;
}

/**
 * do_sync_mmap_readahead (mm/filemap.c, v4.0) for the page filemap_fault
 * missed, then mpage_readpages over the window ra_submit chose.
 */
export interface ReadaheadRegs extends Returned {
  readonly ino: Ino;
  readonly index: number;
  /** The window (ra->start, ra->size) and the pages of it read so far; set by ra_submit. */
  readonly start?: number;
  readonly size?: number;
  readonly done?: number;
  /** map_bh: the extent the last get_block returned (first file page, length, first block). */
  readonly mapFirst?: number;
  readonly mapLen?: number;
  readonly mapBlock?: BlockId;
}

/** A `lock` program entry (threads/lockregion.ts): its entry in the program, and the body entry it is at. */
export interface LockRegionRegs extends Returned {
  readonly entry: number;
  readonly pc: number;
}

/** A `copy` program entry: copy_to_user (`write`) or copy_from_user of one user page. */
export interface CopyUserRegs extends Returned {
  readonly entry: number;
  readonly buf: number;
  readonly len: number;
  readonly done: number;
  readonly write: boolean;
  readonly retries: number;
}

/** Each machine's registers, by machine id. */
export interface MachineRegs {
  readonly task: TaskRegs;
  readonly do_mmap: DoMmapRegs;
  readonly user_access: UserAccessRegs;
  readonly do_page_fault: DoPageFaultRegs;
  readonly filemap_fault: FilemapFaultRegs;
  readonly filemap_read: IoRegs;
  readonly iomap_dio_rw: IoRegs;
  readonly fault_in_iov_iter: FaultInRegs;
  readonly gfs2_fault: VmFaultRegs;
  readonly gfs2_page_mkwrite: Gfs2PageMkwriteRegs;
  readonly gfs2_file_read_iter: RwIterRegs;
  readonly 'gfs2_file_read_iter (RFC)': RwIterRegs;
  readonly 'gfs2_file_read_iter (5.16)': RwIterRegs;
  readonly 'gfs2_file_read_iter (5.18)': RwIterRegs;
  readonly 'gfs2_file_read_iter (6.4)': RwIterRegs;
  readonly iomap_file_buffered_write: IoRegs;
  readonly 'iomap_file_buffered_write (gfs2_iomap_begin locks)': IoRegs;
  readonly gfs2_file_write_iter: RwIterRegs;
  readonly 'gfs2_file_write_iter (RFC)': RwIterRegs;
  readonly 'gfs2_file_write_iter (5.16)': RwIterRegs;
  readonly 'gfs2_file_write_iter (5.18)': RwIterRegs;
  readonly 'gfs2_file_write_iter (6.4)': RwIterRegs;
  readonly do_dax_fault: DaxFaultRegs;
  readonly dax_read_iter: RwIterRegs;
  readonly dax_write_iter: RwIterRegs;
  readonly do_truncate: TruncateRegs;
  readonly punch_hole: TruncateRegs;
  readonly do_sync_mmap_readahead: ReadaheadRegs;
  readonly xfs_filemap_fault: VmFaultRegs;
  readonly lock_region: LockRegionRegs;
  readonly copy_user: CopyUserRegs;
  readonly vm_ops_fault: VmOpsFaultRegs;
}

export type MachineId = keyof MachineRegs;

/** Any machine's registers: what the simulator sees in a frame it handles without knowing its machine. */
export type AnyRegs = MachineRegs[MachineId];

/**
 * A read or write on a filesystem whose read_iter/write_iter the model does
 * not have (the validator refuses it): pushing it stops the run with a model
 * error, as any unknown machine would.
 */
export type NotModelled = `generic_file_${'read' | 'write'}_iter on ${'ext4' | 'xfs'} (not modelled)`;

/** A callee frame to push: a machine and the registers it declares. */
export type Call = { readonly [M in MachineId]: { readonly machine: M; readonly regs: MachineRegs[M] } }[MachineId] | { readonly machine: NotModelled; readonly regs: MachineRegs['gfs2_file_read_iter'] };

/**
 * What the number (or string) in a register names, for a tool that rewrites
 * values inside frames (a symmetry reduction relabelling inodes, pages or
 * blocks): `ino` an inode, `page` a page frame, `block` a storage block,
 * `content` a content tag (fs/dax.c's COW copy), `user-page` a user virtual
 * page, `file-page` a page offset or length in a file, `count` a count of
 * pages or attempts, `entry` a place in the task's program, `ret` a return
 * value (VM_FAULT code, bytes, pages or -errno), `flag` a boolean.
 */
export type RegisterKind = 'ino' | 'page' | 'block' | 'content' | 'user-page' | 'file-page' | 'count' | 'entry' | 'ret' | 'flag';

/** Every register name any machine has (a union type's members each give theirs). */
export type RegisterName = { [M in MachineId]: MachineRegs[M] extends infer R ? (R extends unknown ? keyof R : never) : never }[MachineId];

/**
 * The kind of every register, by name: a name means the same thing in every
 * machine that has it. Adding a register to any machine's type without a
 * kind here does not compile.
 */
export const REGISTER_KINDS: { readonly [K in RegisterName]: RegisterKind } = {
  ret: 'ret',
  vmfPage: 'page',
  cow: 'content',
  pc: 'entry',
  entry: 'entry',
  ino: 'ino',
  addr: 'user-page',
  vpage: 'user-page',
  buf: 'user-page',
  len: 'file-page',
  pgoff: 'file-page',
  pos: 'file-page',
  index: 'file-page',
  size: 'file-page',
  start: 'file-page',
  mapFirst: 'file-page',
  mapLen: 'file-page',
  mapBlock: 'block',
  block: 'block',
  page: 'page',
  done: 'count',
  lastDone: 'count',
  window: 'count',
  retries: 'count',
  held: 'count',
  write: 'flag',
  shared: 'flag',
  kernelMode: 'flag',
  gup: 'flag',
  tried: 'flag',
  fpin: 'flag',
  readAround: 'flag',
  direct: 'flag',
  noio: 'flag',
  nofault: 'flag',
  invalidated: 'flag',
  rangeUnmapped: 'flag',
  again: 'flag',
  unlocked: 'flag',
};

/**
 * What the last callee returned, read after the call: sim/step.ts puts it
 * in the caller's frame when the callee's frame pops. Reading it before any
 * callee returned is a model error, not a 0.
 */
export function calleeRet(regs: Returned): number {
  if (regs.ret === undefined) throw new Error('model error: ret read before a callee returned');
  return regs.ret;
}

/**
 * A local an earlier step of the machine set (find_vma's file and offset,
 * ra_submit's window, the page in hand): reading it before that step ran
 * is a model error, not a 0.
 */
export function local<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`model error: ${what} read before it was set`);
  return value;
}
