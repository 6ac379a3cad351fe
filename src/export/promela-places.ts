/**
 * Where each state of each thread machine the gfs2 export translates lives in
 * the Promela model: a place (`//@fl PLACE` in a template of
 * src/export/promela/, named FILE.NAME after its .pml file), checked by hand
 * against the machine (src/threads) and the kernel function it models.
 * promela-places.test.ts fails when a machine state has no entry, when an
 * entry names a place no template marks (or one the machine's variants never
 * emit, or one missing from the model of a scenario whose replay passes
 * through the state), and when a template marks a place no state names.
 *
 * A counterpart is
 * - a place, or several when the state's step spans them (a release step that
 *   drops the glock and then i_rwsem, as two atomic blocks);
 * - states the model folds into one atomic block share its place: a step
 *   that reads and writes only the task's own registers (a route, a return
 *   value) merges into the block that makes the same decision, as the
 *   explorer's local reduction does (promela.ts, ABSTRACTIONS);
 * - `{ none: why }` for a state with no counterpart on purpose.
 *
 * A machine's `fixes` are the gfs2 variants it runs under (all when absent):
 * its places must be in the model of at least one of them, and those of a
 * variant's own machine in that variant's model.
 */
import type { Gfs2Fix } from '../kernel/variants.ts';

export type Counterpart = string | readonly string[] | { readonly none: string };

export interface MachinePlaces {
  readonly fixes?: readonly Gfs2Fix[];
  readonly states: Readonly<Record<string, Counterpart>>;
}

/** Reached by a BUG in trap_recursive (glock_nq's `glock.recursive`): the model's assertion, which stops the run. */
const BUG = 'glocks.BUG';
/** A syscall machine's final state: run_syscall's S_END, which leaves the do loop. */
const SYSCALL_END = 'kernel-paths.S_END';
/** A callee's final state: c_st = 0, and state CALL hands its c_ret back to the syscall machine. */
const CALLEE_END = 'call-site.returned';
/** After a fault taken inside a copy (copyStates' `_faulted`): COPY_RETRY tries the page again, COPY_FAILED makes the copy short. */
const AFTER_FAULT = 'user-copy.after_fault';

/** The states of gfs2_file_read_iter that every variant has. */
const READ_COMMON = {
  noio_pass: 'read-iter.R_NOIO',
  noio_returned: 'read-iter.R_NOIO_RET',
  glock_nq: 'read-iter.R_NQ',
  glock_nq_wait: 'read-iter.R_NQ_WAIT',
  read: 'read-iter.R_READ',
  return: 'read-iter.R_RETURN',
  done: SYSCALL_END,
  bug: BUG,
} as const;

/** The states of gfs2_file_write_iter that every variant has (commonStates, takeGlock). */
const WRITE_COMMON = {
  inode_lock: 'write-iter.W_ILOCK',
  inode_lock_wait: 'write-iter.W_ILOCK_WAIT',
  glock_nq: 'write-iter.W_NQ',
  glock_nq_wait: 'write-iter.W_NQ_WAIT',
  write: 'write-iter.W_WRITE',
  write_returned: 'write-iter.W_WRITE_RET',
  after_dq: 'write-iter.W_AFTER_DQ',
  // returnDone only computes the return value: folded into inode_unlock's block.
  return: 'write-iter.W_RETURN',
  inode_unlock: 'write-iter.W_RETURN',
  done: SYSCALL_END,
  bug: BUG,
} as const;

/**
 * 5.15 and the RFC: the buffered write's EX glock is taken per iomap
 * iteration in the simulator (gfs2_iomap_begin → gfs2_write_lock), around the
 * whole write in the model (W_NQ ... W_DQ): for one iteration, the same locks
 * in the same order (write-iter.pml says so in the model's comment).
 */
const WRITE_LOCKED_BUFFERED = {
  // The route is local (O_DIRECT or not): both ways the model's next block is W_NQ (DF, or the buffered write's EX).
  route: 'write-iter.W_NQ',
  buffered_returned: 'write-iter.W_WRITE_RET',
  glock_dq: 'write-iter.W_DQ',
} as const;

/** 5.18 and 6.4 read alike (fa58cc888d67 changed only the O_DIRECT write). */
const READ_LATE = {
  ...READ_COMMON,
  read_returned: 'read-iter.nofault.R_READ_RET',
  glock_dq_faultin: 'read-iter.R_DQ_FAULTIN',
  // faultInRemaining only sets up the call: folded into the dq's block, which makes it.
  fault_in: 'read-iter.R_DQ_FAULTIN',
  faulted_in: 'read-iter.late.R_FAULTED_IN',
  glock_dq: 'read-iter.nofault.R_DQ',
} as const;

/** The states of the 5.18 and 6.4 writes that do not differ: the buffered write faults the source in before the glock. */
const WRITE_LATE = {
  ...WRITE_COMMON,
  // O_DIRECT → the glock, buffered → prefault: the choice W_ILOCK_WAIT makes.
  route: 'write-iter.W_ILOCK_WAIT',
  glock_dq: 'write-iter.W_DQ',
  prefault: 'write-iter.late.W_PREFAULT',
  prefaulted: 'write-iter.late.W_FAULTED_IN',
  glock_dq_retry: 'write-iter.late.W_DQ_RETRY',
} as const;

/** The write actor (iomap_write_iter; iomap_write_actor in 5.13), as iomap-buffered-write.pml's c_st states. */
const WRITE_ACTOR = {
  next_page: 'iomap-buffered-write.c1',
  fault_in_iov_iter_readable: 'iomap-buffered-write.c7',
  fault_in_iov_iter_readable_faulted: AFTER_FAULT,
  write_begin: 'iomap-buffered-write.c2',
  lock_page: 'iomap-buffered-write.c3',
  lock_page_wait: 'iomap-buffered-write.c4',
  copy_page_from_iter_atomic: 'iomap-buffered-write.c5',
  write_end: 'iomap-buffered-write.c6',
  // prefaultFailed: the COPY_SHORT branch of the prefault's block.
  short: 'iomap-buffered-write.c7',
  done: CALLEE_END,
} as const;

/** gfs2_setattr_size and gfs2_punch_hole share truncateLike's states (src/threads/truncate.ts). */
const TRUNCATE_LIKE = {
  // do_truncate → notify_change / vfs_fallocate: a label only, folded into inode_lock's block.
  inode_lock: 'truncate.41',
  take_i_rwsem: 'truncate.41',
  take_i_rwsem_wait: 'truncate.42',
  // route.gfs2 under every gfs2 variant: local, folded into the glock request.
  route: 'truncate.43',
  glock_ex: 'truncate.43',
  glock_ex_wait: 'truncate.44',
  filemap_invalidate_lock: { none: 'ext2 DAX with invalidate_lock only (route.invalidate): gfs2 takes the glock instead' },
  filemap_invalidate_lock_wait: { none: 'ext2 DAX with invalidate_lock only (route.invalidate): gfs2 takes the glock instead' },
  i_size_write: 'truncate.45',
  i_mmap_lock_write: { none: 'i_mmap_rwsem is abstracted: in gfs2 only truncate and hole punch take it, under i_rwsem, so it is never contended (promela.ts, ABSTRACTIONS)' },
  i_mmap_lock_write_wait: { none: 'i_mmap_rwsem is abstracted: never contended under i_rwsem (promela.ts, ABSTRACTIONS)' },
  unmap_mapping_range: 'truncate.46',
  i_mmap_unlock_write: { none: 'i_mmap_rwsem is abstracted: never contended under i_rwsem (promela.ts, ABSTRACTIONS)' },
  truncate_inode_pages: 'truncate.47',
  lock_page: 'truncate.48',
  lock_page_wait: 'truncate.49',
  delete_from_page_cache: 'truncate.50',
  free_blocks: 'truncate.51',
  // `out` releases one lock per step: the glock (gfs2_glock_dq), then i_rwsem (inode_unlock).
  out: ['truncate.52', 'truncate.53'],
  done: SYSCALL_END,
  bug: BUG,
} as const;

export const PLACES: Readonly<Record<string, MachinePlaces>> = {
  task: {
    states: {
      next_syscall: 'model.next_syscall',
      returned: 'model.returned',
      exited: 'model.exited',
    },
  },
  do_mmap: {
    states: {
      down_write: 'mmap.61',
      down_write_wait: 'mmap.62',
      // ->mmap = gfs2_mmap: local, folded into the glock request.
      f_op_mmap: 'mmap.63',
      gfs2_mmap_glock: 'mmap.63',
      gfs2_mmap_glock_wait: 'mmap.64',
      gfs2_mmap_dq: 'mmap.65',
      // vma_link and mmap_write_unlock: one block (66); the simulator's add_vma touches only this process's mm.
      add_vma: 'mmap.66',
      up_write: 'mmap.66',
      done: SYSCALL_END,
      bug: BUG,
    },
  },
  user_access: {
    states: {
      access: 'user-access.access',
      // fault.done → the access again; VM_FAULT_SIGBUS → the copy fails, and user_access kills the task.
      faulted: AFTER_FAULT,
      done: CALLEE_END,
      killed: 'user-access.killed',
    },
  },
  do_page_fault: {
    states: {
      down_read_mmap_sem: 'do-page-fault.f1',
      down_read_mmap_sem_wait: 'do-page-fault.f2',
      // find_vma reads only this process's mm: folded into the block that wakes with mmap_lock.
      find_vma: 'do-page-fault.f2',
      handle_mm_fault: 'do-page-fault.f3',
      do_wp_page: ['do-page-fault.f10', 'do-page-fault.nonshared.f10'],
      // ->fault = gfs2_fault is run inline from f4, and f4 reads what it returned.
      fault_returned: 'do-page-fault.f4',
      // FAULT_FLAG_TRIED, round again: local, in the VM_FAULT_RETRY branch of f4 (and of f12, fault_dirty_shared_page).
      retry: ['do-page-fault.f4', 'do-page-fault.f12'],
      do_read_fault: 'do-page-fault.f5',
      do_cow_fault: 'do-page-fault.f6',
      do_shared_fault: 'do-page-fault.f7',
      // What ->page_mkwrite returned (f11), then set_pte writable and fault_dirty_shared_page (f12).
      page_mkwrite_returned: ['do-page-fault.f11', 'do-page-fault.f12'],
      wp_page_mkwrite_returned: ['do-page-fault.f11', 'do-page-fault.f12'],
      up_read: 'do-page-fault.f30',
      up_read_sigbus: 'do-page-fault.f31',
      done: 'do-page-fault.return',
      sigbus: 'do-page-fault.return',
      bug: BUG,
    },
  },
  filemap_fault: {
    states: {
      size_check: 'filemap-fault.m1',
      find_get_page: 'filemap-fault.m2',
      do_sync_mmap_readahead: 'filemap-fault.m9',
      page_cache_read: 'filemap-fault.m3',
      lock_page_or_retry: { none: 'the 4.0 path (lock_page_or_retry, 2015 variants): 5.x, and so every gfs2 variant, takes lock_page_maybe_drop_mmap' },
      wait_on_page_locked: { none: 'the 4.0 path (lock_page_or_retry dropped mmap_sem and waits for the page, 2015 variants): not taken under gfs2' },
      lock_page_maybe_drop_mmap: 'filemap-fault.m4',
      lock_page_wait: 'filemap-fault.m6',
      check_mapping: 'filemap-fault.m7',
      size_recheck: 'filemap-fault.m8',
      done: 'filemap-fault.return',
    },
  },
  filemap_read: {
    states: {
      find_page: 'filemap-read.c1',
      page_cache_read: 'filemap-read.c2',
      copy_page_to_iter: 'filemap-read.c3',
      copy_page_to_iter_faulted: AFTER_FAULT,
      // The COPY_SHORT branch of the copy's block.
      short_copy: 'filemap-read.c3',
      done: CALLEE_END,
    },
  },
  iomap_dio_rw: {
    states: {
      next_page: 'iomap-dio-rw.c1',
      invalidate_lock_page: 'iomap-dio-rw.c3',
      invalidate_lock_page_wait: 'iomap-dio-rw.c4',
      invalidate_page: 'iomap-dio-rw.c5',
      bio_iov_iter_get_pages: 'iomap-dio-rw.c2',
      bio_iov_iter_get_pages_faulted: AFTER_FAULT,
      // A hole read zeroes the user page: the same user copy (c2), writing user memory.
      iov_iter_zero: 'iomap-dio-rw.c2',
      iov_iter_zero_faulted: AFTER_FAULT,
      short: 'iomap-dio-rw.c2',
      zero_short: 'iomap-dio-rw.c2',
      done: CALLEE_END,
    },
  },
  fault_in_iov_iter: {
    states: {
      next_page: 'fault-in-iov-iter.c1',
      touch: 'fault-in-iov-iter.c2',
      touch_faulted: AFTER_FAULT,
      // The COPY_SHORT branch of the touch's block.
      stopped: 'fault-in-iov-iter.c2',
      done: CALLEE_END,
    },
  },
  gfs2_fault: {
    states: {
      // rfcRoute: under the RFC its own block (gfs2_glock_is_locked_by_me); otherwise it only says "lock", folded into the entry.
      gfs2_fault: ['gfs2-fault.gfs2_fault.start', 'gfs2-fault.gfs2_fault.rfc_route'],
      glock_nq: 'gfs2-fault.gfs2_fault.g1',
      glock_nq_wait: 'gfs2-fault.gfs2_fault.g2',
      // GLR_TRYFAILED → VM_FAULT_SIGBUS: the NQ_TRYFAILED branch of the request's block.
      tryfailed: 'gfs2-fault.gfs2_fault.g1',
      filemap_fault: 'gfs2-fault.gfs2_fault.g3',
      glock_dq: 'gfs2-fault.gfs2_fault.g4',
      filemap_fault_covered: 'gfs2-fault.gfs2_fault.g20',
      done: 'gfs2-fault.gfs2_fault.g99',
      bug: BUG,
    },
  },
  gfs2_page_mkwrite: {
    states: {
      gfs2_page_mkwrite: ['gfs2-fault.page_mkwrite.start', 'gfs2-fault.page_mkwrite.rfc_route'],
      glock_nq: 'gfs2-fault.page_mkwrite.g1',
      glock_nq_wait: 'gfs2-fault.page_mkwrite.g2',
      tryfailed: 'gfs2-fault.page_mkwrite.g1',
      size_check: 'gfs2-fault.page_mkwrite.g20',
      lock_page: 'gfs2-fault.page_mkwrite.g21',
      lock_page_wait: 'gfs2-fault.page_mkwrite.g22',
      check_mapping: 'gfs2-fault.page_mkwrite.g23',
      release: 'gfs2-fault.page_mkwrite.g25',
      done: 'gfs2-fault.page_mkwrite.g99',
      bug: BUG,
    },
  },
  gfs2_file_read_iter: {
    fixes: ['none'],
    states: { ...READ_COMMON, read_returned: 'read-iter.R_READ_RET', glock_dq: 'read-iter.R_DQ' },
  },
  'gfs2_file_read_iter (RFC)': {
    fixes: ['rfc'],
    states: {
      ...READ_COMMON,
      read_returned: 'read-iter.R_READ_RET',
      glock_dq: 'read-iter.R_DQ',
      check_retry: 'read-iter.rfc.R_CHECK_RETRY',
      faulted_in: 'read-iter.rfc.R_FAULTED_IN',
    },
  },
  'gfs2_file_read_iter (5.16)': {
    fixes: ['5.16'],
    states: {
      ...READ_COMMON,
      read_returned: 'read-iter.nofault.R_READ_RET',
      allow_demote: 'read-iter.R_ALLOW',
      disallow_demote: 'read-iter.R_DISALLOW',
      glock_dq: 'read-iter.nofault.R_DQ',
    },
  },
  'gfs2_file_read_iter (5.18)': { fixes: ['5.18'], states: READ_LATE },
  'gfs2_file_read_iter (6.4)': { fixes: ['6.4'], states: READ_LATE },
  iomap_file_buffered_write: {
    fixes: ['5.16', '5.18', '6.4'],
    states: WRITE_ACTOR,
  },
  'iomap_file_buffered_write (gfs2_iomap_begin locks)': {
    fixes: ['none', 'rfc'],
    states: {
      ...WRITE_ACTOR,
      // gfs2_iomap_begin → gfs2_write_lock and gfs2_iomap_end → gfs2_write_unlock: the model's EX around the whole write.
      write_lock: 'write-iter.W_NQ',
      write_lock_wait: 'write-iter.W_NQ_WAIT',
      short: 'iomap-buffered-write.c7',
      iomap_end: 'write-iter.W_DQ',
      bug: BUG,
    },
  },
  gfs2_file_write_iter: {
    fixes: ['none'],
    states: { ...WRITE_COMMON, ...WRITE_LOCKED_BUFFERED },
  },
  'gfs2_file_write_iter (RFC)': {
    fixes: ['rfc'],
    states: {
      ...WRITE_COMMON,
      ...WRITE_LOCKED_BUFFERED,
      // gfs2_file_buffered_write's retry: in the model the buffered write, too, drops its EX at W_DQ and checks there.
      check_retry_buffered: 'write-iter.rfc.W_CHECK_RETRY',
      faulted_in_buffered: 'write-iter.rfc.W_FAULTED_IN',
      check_retry: 'write-iter.rfc.W_CHECK_RETRY',
      faulted_in: 'write-iter.rfc.W_FAULTED_IN',
    },
  },
  'gfs2_file_write_iter (5.16)': {
    fixes: ['5.16'],
    states: {
      ...WRITE_COMMON,
      // toGlock: a label only; W_ILOCK_WAIT goes on to W_NQ.
      route: 'write-iter.W_NQ',
      glock_dq: 'write-iter.W_DQ',
      allow_demote: 'write-iter.W_ALLOW',
      disallow_demote: 'write-iter.W_DISALLOW',
      dq_if_queued: 'write-iter.W_DQ_IF_QUEUED',
    },
  },
  'gfs2_file_write_iter (5.18)': {
    fixes: ['5.18'],
    states: {
      ...WRITE_LATE,
      // Both ways go to the fault-in of the rest in 5.18: folded into the dq's block.
      retry_route: 'write-iter.late.W_DQ_RETRY',
      direct_fault_in: 'write-iter.late.W_PREFAULT',
    },
  },
  'gfs2_file_write_iter (6.4)': {
    fixes: ['6.4'],
    states: {
      ...WRITE_LATE,
      // O_DIRECT → W_DFAULTIN, buffered → W_PREFAULT: the choice the dq's block makes under 6.4.
      retry_route: 'write-iter.late.W_DQ_RETRY',
      direct_fault_in: 'write-iter.W_DFAULTIN',
      direct_faulted_in: 'write-iter.W_DFAULTED',
      direct_faulted_in_enough: 'write-iter.W_DFAULTED',
    },
  },
  do_truncate: { states: TRUNCATE_LIKE },
  punch_hole: { states: TRUNCATE_LIKE },
};

/**
 * The lock rules, function by function: every function of the simulator's
 * glocks (src/kernel/glock.ts) and sleeping locks (src/kernel/sleeplock.ts)
 * and its place in glocks.pml / sleep-locks.pml, or why it has none.
 * promela-drift.test.ts runs COMPAT, MAY_GRANT and LOCAL_SHARE against the
 * simulator's answers; this table says where the rest lives.
 */
export const RULES: Readonly<Record<'kernel/glock.ts' | 'kernel/sleeplock.ts', Readonly<Record<string, Counterpart>>>> = {
  'kernel/glock.ts': {
    // The glocks start zeroed (UN, NO_DEMOTE, no holder), one per (node, inode) at node * NI + ino.
    newGlock: 'glocks.state',
    glockAt: 'glocks.state',
    isGranted: 'glocks.state',
    nodesCompatible: 'glocks.COMPAT',
    demoteTarget: 'glocks.DEMOTE_TARGET',
    firstStrongHolder: 'glocks.gl_first_strong',
    // Against a mock holder (gfs2_glock_cb), may_grant is LOCAL_SHARE.
    mayGrant: ['glocks.MAY_GRANT', 'glocks.LOCAL_SHARE'],
    demoteIncompatHolders: 'glocks.gl_drop_weak',
    withGlock: { none: 'writes a glock back into the immutable kernel state; the model assigns its arrays in place' },
    otherNodes: 'glocks.gl_run_queue',
    runGlockQueues: 'glocks.gl_run_queues',
    runQueue: ['glocks.gl_run_queue', 'glocks.gl_count_granted'],
    remoteCallback: 'glocks.gfs2_glock_cb',
    sameGlock: { none: 'keeps an unchanged glock shared in the immutable state; the model notes a change in rq_changed as it goes' },
    glockNq: ['glocks.glock_nq', 'glocks.GM_NQ'],
    findHolder: { none: 'a lookup by (pid, caller): the model numbers each task\'s two holders (SYS_HOLDER, FAULT_HOLDER)' },
    glockDq: ['glocks.glock_dq', 'glocks.GM_DQ'],
    setMayDemote: ['glocks.set_may_demote', 'glocks.GM_MAYDEMOTE'],
    glockBlockers: { none: 'the wait-for edges the simulator names a deadlock with; Spin reports one as an invalid end state without them' },
    holdersOf: { none: 'what a task holds, for the task panels and lockdep: no effect on a run' },
    describeHolder: { none: 'words for the panels and the BUG report' },
    recursionLog: { none: 'what trap_recursive prints before BUG(); the model asserts !trap_recursive (glocks.BUG)' },
  },
  'kernel/sleeplock.ts': {
    holdOf: 'sleep-locks.state',
    isWaiting: 'sleep-locks.state',
    isLocked: 'sleep-locks.UNLOCKED',
    canGrantNow: 'sleep-locks.CAN_GRANT',
    grant: 'sleep-locks.down',
    acquire: 'sleep-locks.down',
    // The one trylock of the gfs2 paths: lock_page_maybe_drop_mmap's trylock_page.
    tryAcquire: 'filemap-fault.m4',
    handOff: 'sleep-locks.lock_release',
    release: ['sleep-locks.up', 'sleep-locks.lock_release'],
    ownersOf: { none: 'who holds a lock, for the panels and the wait-for graph: no effect on a run' },
    blockersOf: { none: 'the wait-for edges the simulator names a deadlock with; Spin reports one as an invalid end state without them' },
  },
};
