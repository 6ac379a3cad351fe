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
import type { Ino } from '../kernel/ids.ts';

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


/** Each machine's registers, by machine id. */
export interface MachineRegs {
  readonly task: Regs;
  readonly do_mmap: Regs;
  readonly user_access: Regs;
  readonly do_page_fault: Regs;
  readonly filemap_fault: Regs;
  readonly filemap_read: Regs;
  readonly iomap_dio_rw: Regs;
  readonly fault_in_iov_iter: Regs;
  readonly gfs2_fault: Regs;
  readonly gfs2_page_mkwrite: Regs;
  readonly gfs2_file_read_iter: Regs;
  readonly 'gfs2_file_read_iter (RFC)': Regs;
  readonly 'gfs2_file_read_iter (5.16)': Regs;
  readonly 'gfs2_file_read_iter (5.18)': Regs;
  readonly 'gfs2_file_read_iter (6.4)': Regs;
  readonly iomap_file_buffered_write: Regs;
  readonly 'iomap_file_buffered_write (gfs2_iomap_begin locks)': Regs;
  readonly gfs2_file_write_iter: Regs;
  readonly 'gfs2_file_write_iter (RFC)': Regs;
  readonly 'gfs2_file_write_iter (5.16)': Regs;
  readonly 'gfs2_file_write_iter (5.18)': Regs;
  readonly 'gfs2_file_write_iter (6.4)': Regs;
  readonly do_dax_fault: Regs;
  readonly dax_read_iter: Regs;
  readonly dax_write_iter: Regs;
  readonly do_truncate: Regs;
  readonly punch_hole: Regs;
  readonly do_sync_mmap_readahead: Regs;
  readonly xfs_filemap_fault: Regs;
  readonly lock_region: Regs;
  readonly copy_user: Regs;
  readonly vm_ops_fault: Regs;
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
