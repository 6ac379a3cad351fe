/**
 * gfs2 write_iter (fs/gfs2/file.c) under the four gfs2 variants, and the
 * buffered write loop they call (fs/iomap/buffered-io.c: iomap_write_iter).
 *
 * All variants take i_rwsem first (inode_lock), the glock inside it: EX for
 * buffered writes, DF for O_DIRECT. An O_DIRECT write to a hole falls back to
 * a buffered write (-ENOTBLK from gfs2_iomap_begin).
 * - 5.15: the copy from the user buffer faults with the glock held (the
 *   prefault in iomap_write_iter, and get_user_pages for O_DIRECT). A
 *   buffered write takes EX in each iomap iteration: iomap_iter →
 *   gfs2_iomap_begin → gfs2_write_lock, released in gfs2_iomap_end →
 *   gfs2_write_unlock (fs/gfs2/bmap.c, v5.15).
 * - RFC 2021 (on 5.13: iomap_apply, iomap_write_actor): the same per
 *   iteration EX, now with LM_FLAG_OUTER (RFC part 2: gfs2_write_lock);
 *   O_DIRECT takes DF|LM_FLAG_OUTER in gfs2_file_direct_write. After the
 *   glock is dropped, a fault that asked for a retry is retried after
 *   iov_iter_fault_in_readable(PAGE_SIZE): for a buffered write in the
 *   RFC's gfs2_file_buffered_write, around iomap_file_buffered_write.
 * - 5.16: copy with page faults disabled; on -EFAULT or partial progress
 *   mark the holder may-demote, fault in, retry (buffered: short write if
 *   the glock was lost after bytes were written).
 * - 5.18: buffered writes fault the source in before taking the glock; on a
 *   short copy drop the glock and go round again; O_DIRECT drops the glock,
 *   faults in and retries; give up when fault-in makes no progress.
 * 5.16 and 5.18 take the buffered write's EX in gfs2_file_buffered_write
 * (b924bdab7445, "Move the inode glock locking to gfs2_file_buffered_write");
 * their O_DIRECT writes set only from->nofault: "For writes, iomap_dio_rw
 * only triggers manual page faults, so we don't need to disable physical
 * ones" (b01b2d72da25).
 *
 * Simplified: writeback is not modelled; write_end writes the page cache and
 * its block together, so a later O_DIRECT read sees the data.
 */
import { PAGE_SIZE } from '../kernel/ids.ts';
import { allocateBlock, lookupBlock, writeBlock } from '../kernel/blocks.ts';
import type { HolderMode } from '../kernel/glock.ts';
import { addLockedPage, findGetPage, writePage } from '../kernel/pagecache.ts';
import { inodeName } from '../kernel/state.ts';
import { EFAULT, errnoName, readUser, userAccessOk } from '../kernel/uaccess.ts';
import { copyStates, FAULT_RETRY_BOUND } from './copy.ts';
import { FINAL, defineThread, stepState, type StepStateConfig } from './define.ts';
import { allowDemote, disallowDemote, dqIfQueued, faultInRemaining, remaining, returnDone, rfcCheckRetry, rfcFaultedIn } from './gfs2-retry.ts';
import { bytesOr, diskContent } from './filemap.ts';
import { unlockPage } from './pagelock.ts';
import { faultInName, faultInUaccess } from './iomap.ts';
import { dropGlock, inodeLockName, inodeUnlockName, ioDone, takeGlock, takeLock, unlockStep, type LockOf } from './steps.ts';
import { calleeRet, local, type IoRegs, type RwIterRegs } from './regs.ts';
import { textOf, type StepInput, type StepResult } from './types.ts';

/** A step of iomap_file_buffered_write. */
type IoIn = StepInput<IoRegs>;
/** A step of gfs2_file_write_iter. */
type In = StepInput<RwIterRegs>;

const iRwsem: LockOf<RwIterRegs> = (input) => ({ kind: 'i_rwsem', ino: input.regs.ino });
const pageLock: LockOf<IoRegs> = (input) => ({ kind: 'page', page: local(input.regs.page, 'the page in hand') });

/** The RFC's tree is 5.13: iomap_apply and its actor; 5.15 has iomap_iter (fs/iomap/iter.c) and iomap_write_iter. */
const actorName = (input: StepInput<unknown>) => (input.variant.gfs2Fix === 'rfc' ? 'iomap_write_actor' : 'iomap_write_iter');
const iterName = (input: StepInput<unknown>) => (input.variant.gfs2Fix === 'rfc' ? 'iomap_apply' : 'iomap_iter');
/** copy_page_from_iter_atomic arrived in 5.14; 5.13 has iov_iter_copy_from_user_atomic. */
const atomicCopyName = (input: StepInput<unknown>) => (input.variant.gfs2Fix === 'rfc' ? 'iov_iter_copy_from_user_atomic' : 'copy_page_from_iter_atomic');
/** The buffered write's EX holder when gfs2_iomap_begin takes it (5.15, RFC). */
export const WRITE_LOCK_CALLER = 'gfs2_write_lock';

/**
 * One page of the write actor (iomap_write_actor in 5.13, iomap_write_iter
 * from 5.15): prefault the source, write_begin, atomic copy, write_end.
 * `endOfPass` is where the pass goes when the request is done or the
 * prefault fails.
 */
function writeActorStates<const EndOfPass extends string>(endOfPass: EndOfPass) {
  return {
    next_page: stepState({
      step: {
        run: (input: IoIn) => {
          const end = ioDone(input, 'write.done', actorName(input));
          if (end !== null) return end;
          const done = input.regs.done;
          return { event: 'write.page', label: () => `${actorName(input)}: ${inodeName(input.kernel, input.regs.ino)}:${input.regs.pos + done}`, regs: { index: input.regs.pos + done } };
        },
      },
      on: { 'write.done': endOfPass, 'write.page': 'fault_in_iov_iter_readable' },
    }),
    ...copyStates('fault_in_iov_iter_readable', {
      call: (input) => `${faultInName({ ...input, regs: { write: false } })} (prefault)`,
      userWrite: false,
      transfer: (_input: IoIn, vpage: number) => ({ label: () => `prefault: user page ${vpage} is present` }),
      probe: true,
      next: 'write_begin',
      short: 'short',
      mightFault: false,
      uaccess: (input) => faultInUaccess({ ...input, regs: { write: false } }),
    }),
    write_begin: stepState({
      step: {
        run: (input: IoIn) => {
          const ino = input.regs.ino;
          const index = local(input.regs.index, 'the page index');
          // iomap_write_begin grabs the page with a reference (new pages come with one), dropped after write_end.
          const cached = findGetPage(input.kernel, ino, index);
          if (cached.page !== null) return { event: 'page.cached', label: () => `iomap_write_begin → grab page ${inodeName(input.kernel, ino)}:${index}`, kernel: cached.kernel, regs: { page: cached.page } };
          const added = addLockedPage(input.kernel, ino, index, input.task.pid, diskContent(input.kernel, ino, index), true);
          return { event: 'page.locked', label: () => `iomap_write_begin → new page ${inodeName(input.kernel, ino)}:${index}, locked`, kernel: added.kernel, regs: { page: added.page } };
        },
      },
      on: { 'page.cached': 'lock_page', 'page.locked': 'copy_page_from_iter_atomic' },
    }),
    ...takeLock('lock_page', 'lock_page', pageLock, true, 'copy_page_from_iter_atomic'),
    copy_page_from_iter_atomic: stepState({
      step: {
        run: (input: IoIn) => {
          const vpage = input.regs.buf + input.regs.done;
          const page = local(input.regs.page, 'the page in hand');
          if (userAccessOk(input.kernel, input.task.mm, vpage, false)) {
            const content = readUser(input.kernel, input.task.mm, vpage);
            return { event: 'copy.done', label: () => `${atomicCopyName(input)} ← user page ${vpage} (${content})`, marks: ['copy-done'], kernel: writePage(input.kernel, page, content), regs: { retries: 0 } };
          }
          // The atomic copy never faults: copied == 0, unlock, go round and prefault again.
          const unlocked = unlockPage(input.kernel, page, input.task.pid, true);
          const retries = input.regs.retries + 1;
          const livelock = retries > FAULT_RETRY_BOUND ? { outcome: { kind: 'livelock' as const, message: `${actorName(input)} copied 0 bytes ${retries} times` } } : {};
          return { event: 'copy.zero', label: () => `${atomicCopyName(input)}: user page ${vpage} not present → copied 0 → unlock_page, retry`, kernel: unlocked.kernel, regs: { retries }, ...livelock };
        },
      },
      on: { 'copy.done': 'write_end', 'copy.zero': 'next_page' },
    }),
    write_end: stepState({
      step: {
        run: (input: IoIn) => {
          const ino = input.regs.ino;
          const index = local(input.regs.index, 'the page index');
          const page = local(input.regs.page, 'the page in hand');
          const content = input.kernel.pages[page]?.content ?? '0';
          let kernel = input.kernel;
          let block = lookupBlock(kernel, ino, index);
          let allocated = '';
          if (block.kind !== 'mapped') {
            const a = allocateBlock(kernel, ino, index);
            if (a !== null) {
              kernel = a.kernel;
              block = { kind: 'mapped', block: a.block };
              allocated = `, allocates block ${a.block}`;
            }
          }
          if (block.kind === 'mapped') kernel = writeBlock(kernel, block.block, content);
          const unlocked = unlockPage(kernel, page, input.task.pid, true);
          return { event: 'step.done', label: () => `iomap_write_end${allocated} → unlock_page, put_page`, kernel: unlocked.kernel, outcome: unlocked.violation, regs: { done: input.regs.done + 1, page: undefined } };
        },
      },
      on: { 'step.done': 'next_page' },
    }),
  };
}

/** The prefault failed: what the pass wrote, else -EFAULT. */
function prefaultFailed<const Next extends string>(next: Next) {
  return stepState({
    step: { run: (input: IoIn) => ({ event: 'write.done', label: () => `prefault failed → ${bytesOr(input, EFAULT) > 0 ? `${bytesOr(input, EFAULT)} bytes` : '-EFAULT'}`, marks: ['copy-short'], regs: { ret: bytesOr(input, EFAULT) } }) },
    on: { 'write.done': next },
  });
}

/** iomap_file_buffered_write with the glock already held by the caller (5.16, 5.18): the actor over the request. */
export const iomapBufferedWrite = defineThread({
  id: 'iomap_file_buffered_write',
  role: 'rw',
  initial: 'next_page',
  states: {
    ...writeActorStates('done'),
    short: prefaultFailed('done'),
    done: FINAL,
  },
});

/**
 * iomap_file_buffered_write when gfs2_iomap_begin takes the glock (5.15, and
 * the RFC with LM_FLAG_OUTER): each iteration (iomap_iter in 5.15,
 * iomap_apply in 5.13) calls gfs2_iomap_begin → gfs2_write_lock, which
 * queues an EX holder (ip->i_gh), runs the actor, and gfs2_iomap_end →
 * gfs2_write_unlock dequeues it. An iteration covers the rest of the
 * request (extents are not modelled); one that wrote something and stopped
 * short is followed by another; one that wrote nothing ends the write with
 * what was written, else its error (5.13 iomap_file_buffered_write:
 * "if (ret <= 0) break; … return written ? written : ret").
 */
export const iomapBufferedWriteLocked = defineThread({
  id: 'iomap_file_buffered_write (gfs2_iomap_begin locks)',
  role: 'rw',
  initial: 'write_lock',
  states: {
    ...takeGlock(
      'write_lock',
      {
        caller: WRITE_LOCK_CALLER,
        mode: () => 'EX',
        outer: (input) => input.variant.gfs2Fix === 'rfc',
        via: (input: IoIn) => `${iterName(input)} → ->iomap_begin = gfs2_iomap_begin(${inodeName(input.kernel, input.regs.ino)}:${input.regs.pos + input.regs.done}) → gfs2_write_lock: `,
      },
      'next_page',
    ),
    ...writeActorStates('iomap_end'),
    short: prefaultFailed('iomap_end'),
    iomap_end: {
      step: {
        run: (input: IoIn) => {
          const dq = dropGlock(WRITE_LOCK_CALLER, 'glock.released', input.variant.gfs2Fix === 'rfc').run(input);
          const done = input.regs.done;
          const wrote = done - local(input.regs.lastDone, 'the pages done when the iteration began');
          const label = () => `->iomap_end = gfs2_iomap_end → gfs2_write_unlock: ${textOf(dq.label)}`;
          if (wrote > 0 && done < input.regs.len) return { ...dq, event: 'iter.next', label: () => `${label()}; the iteration wrote ${wrote} page(s): next iteration`, regs: { lastDone: done } };
          const ret = done > 0 ? done * PAGE_SIZE : Math.min(calleeRet(input.regs), 0);
          return { ...dq, event: 'iter.end', label: () => `${label()} → ${ret >= 0 ? `${ret} bytes` : errnoName(ret)}`, regs: { ret } };
        },
      },
      on: { 'iter.next': 'write_lock', 'iter.end': 'done' },
    },
    done: FINAL,
    bug: FINAL,
  },
});

const writeMode = (input: In): HolderMode => (input.regs.direct ? 'DF' : 'EX');
/** gh_ip of the write holder: gfs2_file_direct_write, or the buffered write (5.16+; before, gfs2_write_lock takes it per iomap iteration). */
const writeCaller = (input: In) => (input.regs.direct ? 'gfs2_file_direct_write' : 'gfs2_file_buffered_write');

/**
 * Call the write on what is left of the request. `faultsOff` (5.16, 5.18):
 * a buffered write runs under pagefault_disable(); an O_DIRECT write sets
 * only from->nofault, which makes get_user_pages fail instead of faulting
 * (FOLL_NOFAULT) and leaves CPU faults alone.
 */
function writeCall(input: In, faultsOff: boolean): StepResult<'write.call', RwIterRegs> {
  const done = input.regs.done;
  const direct = input.regs.direct === true;
  const args: IoRegs = { ino: input.regs.ino, pos: input.regs.pos + done, len: remaining(input), buf: input.regs.buf + done, write: true, done: 0, ...(faultsOff && direct ? { nofault: true } : {}), retries: 0 };
  if (direct) return { event: 'write.call', label: () => `${faultsOff ? 'from->nofault = true; ' : ''}iomap_dio_rw (WRITE)`, call: { machine: 'iomap_dio_rw', regs: args } };
  return {
    event: 'write.call',
    label: () => `${faultsOff ? 'pagefault_disable(); ' : ''}iomap_file_buffered_write`,
    call: { machine: 'iomap_file_buffered_write', regs: args },
    ...(faultsOff ? { task: { pagefaultDisabled: input.task.pagefaultDisabled + 1 } } : {}),
  };
}

/** 5.15 and RFC: the buffered write, whose iomap iterations take the glock themselves. */
function lockedBufferedCall(input: In): StepResult<'write.buffered', RwIterRegs> {
  const done = input.regs.done;
  const args: IoRegs = { ino: input.regs.ino, pos: input.regs.pos + done, len: remaining(input), buf: input.regs.buf + done, write: true, done: 0, lastDone: 0, retries: 0 };
  const label = input.variant.gfs2Fix === 'rfc' ? 'gfs2_file_buffered_write → iomap_file_buffered_write' : 'iomap_file_buffered_write';
  return { event: 'write.buffered', label, call: { machine: 'iomap_file_buffered_write (gfs2_iomap_begin locks)', regs: args } };
}

/** Add what the callee wrote to `done`, keeping its return in `ret`. */
/** The transition table of writeReturned: with `more`, a short write faults in and goes round. */
type WriteReturnedOn<More extends string, Finished extends string> = { readonly 'write.finished': Finished } & { readonly [E in [More] extends [never] ? never : 'write.faultin']: More };

function writeReturned(faultsOff: boolean): StepStateConfig<WriteReturnedOn<never, 'glock_dq'>, RwIterRegs>;
function writeReturned<const More extends string, const Finished extends string>(faultsOff: boolean, more: More, finished: Finished): StepStateConfig<WriteReturnedOn<More, Finished>, RwIterRegs>;
function writeReturned<const More extends string, const Finished extends string>(faultsOff: boolean, more?: More, finished?: Finished): unknown {
  return {
    step: {
      run: (input: In) => {
        const ret = calleeRet(input.regs);
        const regs: RwIterRegs = { ...input.regs, done: input.regs.done + (ret > 0 ? ret / PAGE_SIZE : 0) };
        const buffered = faultsOff && input.regs.direct !== true;
        const task = buffered ? { task: { pagefaultDisabled: input.task.pagefaultDisabled - 1 } } : {};
        const what = ret >= 0 ? `${ret} bytes` : errnoName(ret);
        const label = `${buffered ? 'pagefault_enable(); ' : faultsOff ? 'from->nofault = false; ' : ''}write returned ${what}`;
        if (more !== undefined && moreToWrite({ ...input, regs })) return { event: 'write.faultin', label: () => `${label}: should_fault_in_pages → yes`, marks: ['efault-retry'], regs, ...task };
        return { event: 'write.finished', label, regs, ...task };
      },
    },
    on: (more !== undefined && finished !== undefined ? { 'write.faultin': more, 'write.finished': finished } : { 'write.finished': finished ?? 'glock_dq' }) as StepStateConfig<WriteReturnedOn<More, Finished>>['on'],
  } as StepStateConfig<WriteReturnedOn<More, Finished>>;
}

/** Is there more to write after a short copy (should_fault_in_pages)? */
function moreToWrite(input: In): boolean {
  const ret = calleeRet(input.regs);
  return remaining(input) > 0 && (ret === EFAULT || ret > 0);
}

/**
 * After the glock is dropped: an O_DIRECT write that stopped short at a hole
 * goes on as a buffered write (gfs2_file_write_iter's fallback); otherwise
 * return.
 */
function afterDq<const Fallback extends string>(fallback: Fallback) {
  return stepState({
    step: {
      run: (input: In) =>
        input.regs.direct && remaining(input) > 0 && calleeRet(input.regs) >= 0
          ? {
              event: 'write.fallback',
              label: () => `O_DIRECT write ${lookupBlock(input.kernel, input.regs.ino, input.regs.pos + input.regs.done).kind === 'mapped' ? 'gave up retrying (ret = 0)' : 'stopped at a hole'} → buffered write for the rest`,
              regs: { direct: false },
            }
          : { event: 'write.finished', label: 'gfs2_file_write_iter: write done' },
    },
    on: { 'write.fallback': fallback, 'write.finished': 'return' },
  });
}

const writeReturn = returnDone('write', 'inode_unlock');

function commonStates() {
  return {
    ...takeLock('inode_lock', inodeLockName, iRwsem, true, 'route'),
    return: writeReturn,
    inode_unlock: stepState({ step: { run: (input: In) => unlockStep(inodeUnlockName(input), iRwsem).run(input) }, on: { 'lock.released': 'done' } }),
    glock_dq: stepState({ step: { run: (input: In) => dropGlock(writeCaller).run(input) }, on: { 'glock.released': 'after_dq' } }),
    done: FINAL,
    bug: FINAL,
  };
}

const toGlock = stepState({
  step: { run: (input: In) => ({ event: 'step.done', label: input.regs.direct ? 'gfs2_file_direct_write' : 'gfs2_file_buffered_write' }) },
  on: { 'step.done': 'glock_nq' },
});

/**
 * 5.15 and RFC: O_DIRECT takes DF here; a buffered write calls
 * iomap_file_buffered_write, whose iterations take EX (5.15 has no
 * gfs2_file_buffered_write; the RFC adds it as a wrapper).
 */
const routeLocked = stepState({
  step: { run: (input: In) => (input.regs.direct ? { event: 'write.direct', label: 'gfs2_file_direct_write' } : lockedBufferedCall(input)) },
  on: { 'write.direct': 'glock_nq', 'write.buffered': 'buffered_returned' },
});

/** What iomap_file_buffered_write returned: the bytes written, else its error. */
const bufferedReturned = <const Next extends string>(next: Next) => (stepState({
  step: {
    run: (input: In) => {
      const ret = calleeRet(input.regs);
      return { event: 'write.finished', label: () => `iomap_file_buffered_write returned ${ret >= 0 ? `${ret} bytes` : errnoName(ret)}`, regs: { done: input.regs.done + (ret > 0 ? ret / PAGE_SIZE : 0) } };
    },
  },
  on: { 'write.finished': next },
}));

export const gfs2WriteIter515 = defineThread({
  id: 'gfs2_file_write_iter',
  role: 'rw',
  initial: 'inode_lock',
  states: {
    ...commonStates(),
    route: routeLocked,
    buffered_returned: bufferedReturned('return'),
    ...takeGlock('glock_nq', { caller: writeCaller, mode: writeMode }, 'write'),
    write: { step: { run: (input: In) => writeCall(input, false) }, on: { 'write.call': 'write_returned' } },
    write_returned: writeReturned(false),
    after_dq: afterDq('route'),
  },
});

export const gfs2WriteIterRfc = defineThread({
  id: 'gfs2_file_write_iter (RFC)',
  role: 'rw',
  initial: 'inode_lock',
  states: {
    ...commonStates(),
    route: routeLocked,
    // gfs2_file_buffered_write (RFC part 2): retry: iomap_file_buffered_write; current_needs_retry → fault in, goto retry.
    buffered_returned: bufferedReturned('check_retry_buffered'),
    check_retry_buffered: rfcCheckRetry('write', 'return', 'faulted_in_buffered'),
    faulted_in_buffered: rfcFaultedIn('route'),
    // gfs2_file_direct_write (RFC part 2): DF|LM_FLAG_OUTER; after gfs2_glock_dq the same retry.
    ...takeGlock('glock_nq', { caller: writeCaller, mode: writeMode, outer: () => true }, 'write'),
    write: { step: { run: (input: In) => writeCall(input, false) }, on: { 'write.call': 'write_returned' } },
    write_returned: writeReturned(false),
    glock_dq: { step: { run: (input: In) => dropGlock(writeCaller, 'glock.released', true).run(input) }, on: { 'glock.released': 'check_retry' } },
    check_retry: rfcCheckRetry('write', 'after_dq', 'faulted_in'),
    faulted_in: rfcFaultedIn('glock_nq'),
    after_dq: afterDq('route'),
  },
});

export const gfs2WriteIter516 = defineThread({
  id: 'gfs2_file_write_iter (5.16)',
  role: 'rw',
  initial: 'inode_lock',
  states: {
    ...commonStates(),
    route: toGlock,
    ...takeGlock('glock_nq', { caller: writeCaller, mode: writeMode }, 'write'),
    write: { step: { run: (input: In) => writeCall(input, true) }, on: { 'write.call': 'write_returned' } },
    write_returned: writeReturned(true, 'allow_demote', 'glock_dq'),
    allow_demote: allowDemote('write', writeCaller),
    disallow_demote: disallowDemote('write', writeCaller, 'dq_if_queued', 'write'),
    dq_if_queued: dqIfQueued(writeCaller),
    after_dq: afterDq('glock_nq'),
  },
});

/**
 * 5.18 (e1fa9ea85ce8) and 6.4. 6.4 adds fa58cc888d67 ("gfs2: Don't get stuck
 * writing page onto itself under direct I/O", v6.4-rc6) to
 * gfs2_file_direct_write: `enough_retries = prev_count ==
 * iov_iter_count(from) && window_size <= PAGE_SIZE;` is taken before
 * should_fault_in_pages, which now faults in a single page when the last
 * round made no progress; if the fault-in then succeeds but enough_retries
 * holds, the write stops retrying ("fall back to buffered I/O": ret = 0) and
 * gfs2_file_write_iter writes the rest through gfs2_file_buffered_write.
 * Before it, iomap_dio_rw's page-cache invalidation undid every fault-in of a
 * buffer that maps the page being written, and the loop never ended
 * (xfstests generic/729).
 */
function writeIter518(id: 'gfs2_file_write_iter (5.18)' | 'gfs2_file_write_iter (6.4)', directRetryLimit: boolean) {
  const directFaultedIn = (enough: boolean) => (stepState({
    step: {
      run: (input: In) => {
        const faulted = calleeRet(input.regs);
        if (faulted <= 0) return { event: 'retry.giveup', label: 'fault-in made no progress (window_size == 0) → -EFAULT', regs: { ret: EFAULT } };
        if (enough) return { event: 'retry.fallback', label: () => `faulted in ${faulted} page(s), but enough_retries → ret = 0: fall back to buffered I/O`, regs: { ret: 0, window: faulted } };
        return { event: 'retry.relock', label: () => `faulted in ${faulted} page(s) → goto retry`, regs: { window: faulted } };
      },
    },
    on: { 'retry.giveup': 'return', 'retry.fallback': 'after_dq', 'retry.relock': 'glock_nq' },
  }));
  return defineThread({
    id,
    role: 'rw',
    initial: 'inode_lock',
    states: {
      ...commonStates(),
      route: {
        step: { run: (input: In) => (input.regs.direct ? { event: 'write.direct', label: 'gfs2_file_direct_write' } : { event: 'write.buffered', label: 'gfs2_file_buffered_write' }) },
        on: { 'write.direct': 'glock_nq', 'write.buffered': 'prefault' },
      },
      // Buffered: fault the source in before the glock is taken (should_fault_in_pages, then fault_in_iov_iter_readable).
      prefault: faultInRemaining('write', 'prefaulted', ', no glock held'),
      prefaulted: {
        step: {
          run: (input: In) =>
            calleeRet(input.regs) > 0
              ? { event: 'step.done', label: () => `faulted in ${calleeRet(input.regs)} page(s)` }
              : { event: 'retry.giveup', label: 'nothing could be faulted in → -EFAULT', regs: { ret: EFAULT } },
        },
        on: { 'step.done': 'glock_nq', 'retry.giveup': 'return' },
      },
      ...takeGlock('glock_nq', { caller: writeCaller, mode: writeMode }, 'write'),
      write: { step: { run: (input: In) => writeCall(input, true) }, on: { 'write.call': 'write_returned' } },
      write_returned: writeReturned(true, 'glock_dq_retry', 'glock_dq'),
      glock_dq_retry: {
        step: { run: (input: In) => dropGlock(writeCaller).run(input) },
        on: { 'glock.released': 'retry_route' },
      },
      retry_route: {
        step: { run: (input: In) => (input.regs.direct ? { event: 'write.direct', label: 'gfs2_file_direct_write: fault the source in, then goto retry' } : { event: 'write.buffered', label: 'goto retry' }) },
        on: { 'write.direct': 'direct_fault_in', 'write.buffered': 'prefault' },
      },
      // 6.4 counts retries (enough_retries), 5.18 does not: one state, two tables, typed as their union.
      direct_fault_in: (directRetryLimit
        ? stepState({
            step: {
              run: (input: In) => {
                const done = input.regs.done;
                const noProgress = input.regs.lastDone === done;
                const enough = noProgress && (input.regs.window ?? Number.POSITIVE_INFINITY) <= 1;
                const window = noProgress ? 1 : remaining(input);
                return {
                  event: enough ? ('faultin.enough' as const) : ('faultin.call' as const),
                  label: () => `enough_retries = ${enough ? 'true (no progress, window ≤ PAGE_SIZE)' : 'false'}; fault_in_iov_iter_readable(${window} page(s))`,
                  regs: { lastDone: done },
                  call: { machine: 'fault_in_iov_iter', regs: { buf: input.regs.buf + done, len: window, write: false, done: 0, retries: 0 } },
                };
              },
            },
            on: { 'faultin.call': 'direct_faulted_in', 'faultin.enough': 'direct_faulted_in_enough' },
          })
        : stepState({
            step: { run: (input: In) => ({ event: 'faultin.call' as const, label: 'fault_in_iov_iter_readable', call: { machine: 'fault_in_iov_iter', regs: { buf: input.regs.buf + input.regs.done, len: remaining(input), write: false, done: 0, retries: 0 } } }) },
            on: { 'faultin.call': 'prefaulted' },
          })) as unknown as StepStateConfig<{ readonly 'faultin.call': 'direct_faulted_in' | 'prefaulted'; readonly 'faultin.enough': 'direct_faulted_in_enough' }>,
      ...(directRetryLimit ? { direct_faulted_in: directFaultedIn(false), direct_faulted_in_enough: directFaultedIn(true) } : {}),
      after_dq: afterDq('prefault'),
    },
  });
}

export const gfs2WriteIter518 = writeIter518('gfs2_file_write_iter (5.18)', false);
export const gfs2WriteIter64 = writeIter518('gfs2_file_write_iter (6.4)', true);
