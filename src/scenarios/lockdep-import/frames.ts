/**
 * What the frames of a lockdep stack trace say about how a lock was taken:
 * by which primitive and in which mode, inside a user copy's might_fault or
 * a page fault, by which kernel function, on a directory or a regular file.
 * Function names are the kernel's, from 3.x to 6.x (x86 and arm64 entry
 * code); a stack the tables do not recognise is read as a plain call, and
 * every conclusion says which frame it came from.
 */
import type { SplatFrame } from '../../sim/splat/types.ts';

/** lockdep's own frames at the top of a trace (save_trace runs inside them). */
const LOCKDEP = /^(?:(?:__)?lock_acquire(?:\.part\.\d+)?|lock_acquired|validate_chain|check_prevs?_add|check_noncircular|check_deadlock|print_circular_bug|print_deadlock_bug|__dump_stack|dump_stack(?:_lvl)?|lockdep_\w+|save_trace|mark_lock|__lock_acquire\.\w+)$/;

/** Primitives that take a lock for read. */
const READ_PRIMITIVE = /^(?:down_read\w*|__down_read\w*|percpu_down_read\w*|__percpu_down_read\w*|rwsem_down_read\w*|mmap_read_lock\w*|inode_lock_shared\w*|filemap_invalidate_lock_shared|i_mmap_lock_read|__sb_start_write|sb_start_\w+|lock_mm_and_find_vma|get_mmap_lock_carefully|_raw_read_lock\w*|__might_fault|might_fault|might_lock_read)$/;
/** Primitives that take a lock for write (or a mutex). */
const WRITE_PRIMITIVE = /^(?:down_write\w*|__down_write\w*|percpu_down_write\w*|rwsem_down_write\w*|mmap_write_lock\w*|inode_lock(?:_nested)?|filemap_invalidate_lock(?:_two)?|i_mmap_lock_write|mutex_lock\w*|__mutex_lock\w*|ww_mutex_lock\w*|__ww_mutex_lock\w*|_raw_spin_lock\w*|_raw_write_lock\w*|lock_page\w*|__lock_page\w*|folio_lock\w*|__folio_lock\w*|down_killable|down_interruptible|down)$/;
/** Wrappers around those, still part of "taking the lock". */
const LOCK_WRAPPER = /^(?:__sb_start_write|sb_start_\w+|file_start_write|mnt_want_write\w*|inode_lock\w*|lock_two_nondirectories|lock_rename\w*|fs_reclaim_acquire\w*|__fs_reclaim_acquire)$/;

/** A user copy and its might_fault annotation (include/linux/uaccess.h, mm/memory.c). */
const MIGHT_FAULT = /^(?:__might_fault|might_fault)$/;
const USERCOPY = /^(?:_?_?copy_to_user\w*|_?_?copy_from_user\w*|_inline_copy_\w+|raw_copy_\w+|copy_user_\w+|copy_page_to_iter\w*|copy_page_from_iter\w*|_copy_to_iter|_copy_from_iter\w*|copy_to_iter|copy_from_iter\w*|__get_user\w*|__put_user\w*|get_user\w*|put_user\w*|strncpy_from_user|fault_in_\w+|iov_iter_fault_in_\w+|__clear_user|clear_user|filldir\w*|fillonedir|compat_filldir\w*|fiemap_fill_next_extent|cp_new_stat\w*|cp_statx)$/;
/** Directions: frames that write to user memory (copy_to_user) or read from it. */
const TO_USER = /^(?:_?_?copy_to_user\w*|_inline_copy_to_user|raw_copy_to_user|copy_page_to_iter\w*|_copy_to_iter|copy_to_iter|__put_user\w*|put_user\w*|filldir\w*|fillonedir|compat_filldir\w*|fiemap_fill_next_extent|cp_new_stat\w*|cp_statx|__clear_user|clear_user|fault_in_writeable|fault_in_iov_iter_writeable)$/;

/** Frames of the page-fault path, generic to every filesystem (arch/x86/mm/fault.c, arch/arm64/mm/fault.c, mm/memory.c, mm/filemap.c). */
const FAULT = /^(?:asm_exc_page_fault|exc_page_fault|handle_page_fault|do_user_addr_fault|__do_page_fault|do_page_fault|page_fault|error_code|do_mem_abort|do_translation_fault|el0_da|el1_da|el1_abort|el0_sync\w*|handle_mm_fault|__handle_mm_fault|handle_pte_fault|do_pte_missing|do_fault|__do_fault|do_read_fault|do_cow_fault|do_shared_fault|do_page_mkwrite|wp_page_shared|do_wp_page|wp_page_copy|filemap_fault|do_anonymous_page|faultin_page|fixup_user_fault|__get_user_pages\w*|get_user_pages\w*|gup_fast_fallback|lock_mm_and_find_vma|get_mmap_lock_carefully)$/;
/** A write fault on a shared mapping: ->page_mkwrite runs (mm/memory.c: do_shared_fault, wp_page_shared). */
const SHARED_WRITE_FAULT = /^(?:do_shared_fault|do_page_mkwrite|wp_page_shared|\w+_page_mkwrite)$/;
const PRIVATE_WRITE_FAULT = /^(?:do_cow_fault|wp_page_copy)$/;

/** System-call entry: the stack below is a syscall, not a user instruction. */
const SYSCALL = /^(?:entry_SYSCALL\w*|system_call\w*|do_syscall_\w+|__x64_sys_\w+|__ia32_sys_\w+|__arm64_sys_\w+|__se_sys_\w+|__do_sys_\w+|ksys_\w+|sys_\w+|SyS_\w+|el0_svc\w*|ret_fast_syscall|sysenter_do_call|invoke_syscall|tracesys)$/;
/** Frames that run a mmap or munmap (mmap_lock held for write: mm/util.c vm_mmap_pgoff, mm/mmap.c). */
const MMAP_WRITE = /^(?:vm_mmap_pgoff|do_mmap\w*|mmap_region|__mmap_region|sys_mmap\w*|ksys_mmap_pgoff|__vm_munmap|vm_munmap|do_munmap|__do_munmap|do_vmi_munmap|do_vmi_align_munmap|do_brk\w*|do_mprotect_pkey|mprotect_fixup|sys_mremap|__do_sys_mremap|vma_expand|setup_arg_pages|shift_arg_pages)$/;

/** Directory operations: the inode whose lock they hold is a directory (fs/readdir.c, fs/namei.c). */
const DIR_OP = /^(?:iterate_dir|vfs_readdir|dcache_readdir|\w+_readdir|filldir\w*|sys_getdents\w*|__x64_sys_getdents\w*|lookup_\w+|__lookup_\w+|walk_component|path_openat|open_last_lookups|lookup_open|filename_create|do_mkdirat|do_rmdir|do_unlinkat|vfs_rename|do_renameat2|lock_rename\w*|d_alloc_parallel|vfs_mkdir|vfs_rmdir|vfs_unlink|vfs_create|\w+_mkdir|\w+_rmdir|\w+_unlink|\w+_lookup)$/;
/** Regular-file operations: mmap, read, write, faults, fiemap, fallocate, truncate. */
const FILE_OP = /^(?:\w+_file_mmap|\w+_mmap|mmap_region|\w+_file_write_iter|\w+_file_read_iter|\w+_write_iter|\w+_read_iter|generic_perform_write|generic_file_\w+|\w+_fiemap|ioctl_fiemap|\w+_fallocate|vfs_fallocate|do_truncate|vfs_truncate|do_sys_ftruncate|\w+_page_mkwrite|\w+_fault|\w+_readpage\w*|\w+_read_folio|\w+_writepage\w*|\w+_dio_\w+|\w+_direct_IO|vfs_write|vfs_read|new_sync_write|new_sync_read)$/;

export type Mode = 'read' | 'write';

function fnOf(frame: SplatFrame): string {
  return frame.fn ?? '';
}

/** Frames from the top down to the first that is neither lockdep nor a locking primitive nor a user copy. */
function takerIndex(stack: readonly SplatFrame[]): number {
  const i = stack.findIndex((f) => {
    const fn = fnOf(f);
    return fn !== '' && !LOCKDEP.test(fn) && !READ_PRIMITIVE.test(fn) && !WRITE_PRIMITIVE.test(fn) && !LOCK_WRAPPER.test(fn) && !MIGHT_FAULT.test(fn) && !USERCOPY.test(fn) && !FAULT.test(fn);
  });
  return i < 0 ? stack.length : i;
}

export interface StackReading {
  /** How the lock was asked for: a user copy's might_fault annotation, a page fault (from user mode or inside a kernel copy), or a plain call. */
  readonly how: 'might_fault' | 'user-fault' | 'kernel-fault' | 'call';
  /** The mode the primitive shows, and the frame that shows it; null when no primitive is recognised. */
  readonly mode: { readonly mode: Mode; readonly frame: SplatFrame } | null;
  /** The function that took the lock (the first frame below the primitives): `ocfs2_page_mkwrite`. */
  readonly taker: SplatFrame | null;
  /** Function names from the taker down: what the call path was. */
  readonly path: readonly string[];
  /** For a copy (might_fault or a fault inside one): copy_to_user (true) or copy_from_user, and the copying function nearest the taker (`fiemap_fill_next_extent`). */
  readonly toUser: { readonly toUser: boolean; readonly frame: SplatFrame } | null;
  /** For a fault: the kind of fault the frames show. */
  readonly fault: { readonly shared: boolean; readonly write: boolean; readonly frame: SplatFrame | null } | null;
  /** The inode the stack works on, when its frames say: a directory or a regular file. */
  readonly role: { readonly role: 'dir' | 'file'; readonly frame: SplatFrame } | null;
  /** A frame that runs mmap or munmap (mmap_lock held for write), if any. */
  readonly mmapWrite: SplatFrame | null;
}

/** Read one stack trace of a report. */
export function readStack(stack: readonly SplatFrame[]): StackReading {
  const fns = stack.map(fnOf);
  const primitive = stack.find((f) => READ_PRIMITIVE.test(fnOf(f)) || WRITE_PRIMITIVE.test(fnOf(f)));
  const mode = primitive === undefined ? null : { mode: READ_PRIMITIVE.test(fnOf(primitive)) ? ('read' as const) : ('write' as const), frame: primitive };
  const at = takerIndex(stack);
  const taker = stack[at] ?? null;
  const faultAt = fns.findIndex((fn) => FAULT.test(fn) && fn !== 'lock_mm_and_find_vma' && fn !== 'get_mmap_lock_carefully');
  const mightFault = fns.some((fn) => MIGHT_FAULT.test(fn));
  const below = faultAt < 0 ? [] : stack.slice(faultAt);
  // Below the fault: a syscall or a user copy means the fault came from kernel mode, inside a copy.
  const fromKernel = below.some((f) => SYSCALL.test(fnOf(f)) || USERCOPY.test(fnOf(f)));
  const how = mightFault ? 'might_fault' : faultAt >= 0 ? (fromKernel ? 'kernel-fault' : 'user-fault') : 'call';
  const copies = stack.slice(0, at).filter((f) => USERCOPY.test(fnOf(f)));
  const copier = copies[copies.length - 1];
  const toUser = copier === undefined ? null : { toUser: copies.some((f) => TO_USER.test(fnOf(f))), frame: copier };
  const sharedFrame = stack.find((f) => SHARED_WRITE_FAULT.test(fnOf(f)));
  const privateFrame = stack.find((f) => PRIVATE_WRITE_FAULT.test(fnOf(f)));
  const fault =
    how === 'user-fault' || how === 'kernel-fault' ? { shared: sharedFrame !== undefined, write: sharedFrame !== undefined || privateFrame !== undefined, frame: sharedFrame ?? privateFrame ?? null } : null;
  const dir = stack.find((f) => DIR_OP.test(fnOf(f)));
  const file = stack.find((f) => FILE_OP.test(fnOf(f)) && !DIR_OP.test(fnOf(f)));
  const role = dir !== undefined ? { role: 'dir' as const, frame: dir } : file !== undefined ? { role: 'file' as const, frame: file } : null;
  return {
    how,
    mode,
    taker,
    path: fns.slice(at).filter((fn) => fn !== ''),
    toUser,
    fault,
    role,
    mmapWrite: stack.find((f) => MMAP_WRITE.test(fnOf(f))) ?? null,
  };
}

/** The mode an `at:` function implies for the lock it took, where the name says (inode_lock_shared, mmap_read_lock, vm_mmap_pgoff). */
export function modeOfAt(fn: string): Mode | null {
  if (READ_PRIMITIVE.test(fn) && !MIGHT_FAULT.test(fn)) return 'read';
  if (MIGHT_FAULT.test(fn)) return 'read';
  if (WRITE_PRIMITIVE.test(fn) || MMAP_WRITE.test(fn)) return 'write';
  if (FAULT.test(fn)) return 'read';
  return null;
}

/** Is `fn` a frame of a directory operation / of a mmap? Exposed for the roles of `at:` functions. */
export function roleOfFunction(fn: string): 'dir' | 'file' | null {
  if (DIR_OP.test(fn)) return 'dir';
  if (FILE_OP.test(fn)) return 'file';
  return null;
}

/** Is `path` (a call path from the taker down) the tail of `longer`: the same call chain, further in? */
export function samePath(outer: readonly string[], inner: readonly string[]): boolean {
  if (outer.length === 0 || outer.length > inner.length) return false;
  const offset = inner.length - outer.length;
  return outer.every((fn, i) => inner[offset + i] === fn);
}
