/**
 * The retry steps gfs2_file_read_iter and gfs2_file_write_iter share, once
 * for both directions: they differ only in which way the user buffer is
 * faulted in (a read copies *to* the user, so its buffer must be writeable:
 * fault_in_iov_iter_writeable; a write copies *from* it: _readable) and in
 * the words of a short result.
 *
 * - RFC 2021 (Andreas Gruenbacher's "gfs2: Fix mmap + page fault deadlocks"
 *   series, part 2, 20 May 2021; read from the mails, not a release):
 *   after dropping the outer glock, current_needs_retry and -EFAULT → fault
 *   one page in and go round.
 * - 5.16 (fs/gfs2/file.c, v5.16: gfs2_file_read_iter / gfs2_file_direct_write,
 *   gfs2_holder_allow_demote / gfs2_holder_disallow_demote): fault in with
 *   the holder marked may-demote, then see whether the glock survived.
 */
import { findHolder, setMayDemote } from '../kernel/glock.ts';
import { PAGE_SIZE } from '../kernel/ids.ts';
import { EFAULT, errnoName } from '../kernel/uaccess.ts';
import { stepState } from './define.ts';
import { dropGlock } from './steps.ts';
import { calleeRet, type RwIterRegs } from './regs.ts';
import type { StepInput } from './types.ts';

/** The read_iter or write_iter the steps belong to. */
type In = StepInput<RwIterRegs>;

export type Direction = 'read' | 'write';

/** The fault-in a direction needs: a read's buffer is written to (writeable), a write's is read from (readable). */
function faultsInForWrite(dir: Direction): boolean {
  return dir === 'read';
}

/** The holder `caller` queued is still there (gfs2_holder_queued). */
export function holderQueued(input: In, caller: (input: In) => string): boolean {
  return findHolder(input.kernel, input.task.node, input.regs.ino, input.task.pid, caller(input)) !== undefined;
}

/** RFC: after the glock is dropped, current_needs_retry and -EFAULT → fault one page in and go again. */
export function rfcCheckRetry<const NoRetry extends string, const FaultedIn extends string>(dir: Direction, noRetry: NoRetry, faultedIn: FaultedIn) {
  const helper = faultsInForWrite(dir) ? 'iov_iter_fault_in_writeable' : 'iov_iter_fault_in_readable';
  return stepState({
    step: {
      run: (input: In) => {
        if (!input.task.needsRetry) return { event: 'retry.no', label: 'current_needs_retry → no' };
        if (input.regs.ret !== EFAULT) return { event: 'retry.no', label: () => `current_needs_retry → yes, but the ${dir} did not fail with -EFAULT`, task: { needsRetry: false } };
        return {
          event: 'retry.faultin',
          marks: ['efault-retry'],
          label: () => `current_needs_retry and -EFAULT → set_current_needs_retry(false); ${helper}(PAGE_SIZE)`,
          task: { needsRetry: false },
          call: { machine: 'fault_in_iov_iter', regs: { buf: input.regs.buf + input.regs.done, len: 1, write: faultsInForWrite(dir), done: 0, retries: 0 } },
        };
      },
    },
    on: { 'retry.no': noRetry, 'retry.faultin': faultedIn },
  });
}

/** RFC: the page faulted in → go round; nothing faulted in → -EFAULT. */
export function rfcFaultedIn<const Again extends string>(again: Again) {
  return stepState({
    step: { run: (input: In) => (calleeRet(input.regs) > 0 ? { event: 'retry.again', label: 'page faulted in → retry' } : { event: 'retry.giveup', label: 'fault-in failed → return', regs: { ret: EFAULT } }) },
    on: { 'retry.again': again, 'retry.giveup': 'return' },
  });
}

/**
 * 5.16: gfs2_holder_allow_demote, then fault one page in. The read also notes
 * how far it had got (lastDone), which its progress check reads.
 */
export function allowDemote(dir: Direction, caller: (input: In) => string) {
  const helper = faultsInForWrite(dir) ? 'fault_in_iov_iter_writeable' : 'fault_in_iov_iter_readable';
  return stepState({
    step: {
      run: (input: In) => ({
        event: 'faultin.call',
        label: () => `gfs2_holder_allow_demote; ${helper}(1 page)`,
        kernel: setMayDemote(input.kernel, input.task.node, input.regs.ino, input.task.pid, caller(input), true),
        ...(dir === 'read' ? { regs: { lastDone: input.regs.done } } : {}),
        call: { machine: 'fault_in_iov_iter', regs: { buf: input.regs.buf + input.regs.done, len: 1, write: faultsInForWrite(dir), done: 0, retries: 0 } },
      }),
    },
    on: { 'faultin.call': 'disallow_demote' },
  });
}

/**
 * 5.16: gfs2_holder_disallow_demote after the fault-in: no progress → give
 * up; the glock survived → retry under it; lost with bytes already done → a
 * short result; lost → re-acquire.
 */
export function disallowDemote<const GiveUp extends string, const Again extends string>(dir: Direction, caller: (input: In) => string, giveUp: GiveUp, again: Again) {
  const done = dir === 'read' ? 'read → short read' : 'written → short write';
  return stepState({
    step: {
      run: (input: In) => {
        const kernel = setMayDemote(input.kernel, input.task.node, input.regs.ino, input.task.pid, caller(input), false);
        const progress = calleeRet(input.regs) > 0;
        const queued = holderQueued({ ...input, kernel }, caller);
        const base = `gfs2_holder_disallow_demote: fault-in ${progress ? 'made progress' : 'made no progress'}`;
        if (!progress) return { event: 'retry.giveup', label: () => `${base} → give up`, kernel, regs: { ret: EFAULT } };
        if (queued) return { event: 'retry.under_glock', label: () => `${base}, glock still held → retry under the glock`, kernel };
        if (!input.regs.direct && input.regs.done > 0) return { event: 'retry.short', label: () => `${base}, glock lost with bytes already ${done}`, kernel };
        return { event: 'retry.relock', label: () => `${base}, glock lost → re-acquire it`, kernel };
      },
    },
    on: { 'retry.giveup': giveUp, 'retry.under_glock': again, 'retry.short': 'return', 'retry.relock': 'glock_nq' },
  });
}

/** gfs2_glock_dq of the holder `caller` queued, if it is still queued. */
export function dqIfQueued(caller: (input: In) => string) {
  return stepState({
    step: { run: (input: In) => (holderQueued(input, caller) ? dropGlock(caller).run(input) : { event: 'glock.released', label: 'holder no longer queued' }) },
    on: { 'glock.released': 'return' },
  });
}

/** The syscall's return: the bytes done, else the last error (the read's and the write's are the same). */
export function returnDone<const D extends Direction, const Next extends string>(dir: D, next: Next) {
  const event: `${D}.return` = `${dir}.return`;
  return stepState<{ readonly [E in `${D}.return`]: Next }, RwIterRegs>({
    step: {
      run: (input: In) => {
        const done = input.regs.done;
        const ret = done > 0 ? done * PAGE_SIZE : Math.min(calleeRet(input.regs), 0);
        return { event, label: () => `return ${ret >= 0 ? `${ret} bytes` : errnoName(ret)}`, regs: { ret } };
      },
    },
    on: { [event]: next } as { readonly [E in `${D}.return`]: Next },
  });
}

/** Pages of the request not done yet. */
export const remaining = (input: In) => input.regs.len - input.regs.done;

/** 5.18: fault in the rest of the user buffer (fault_in_iov_iter_writeable for a read, _readable for a write); `note` says what is held. */
export function faultInRemaining<const Next extends string>(dir: Direction, next: Next, note = '') {
  const helper = faultsInForWrite(dir) ? 'fault_in_iov_iter_writeable' : 'fault_in_iov_iter_readable';
  return stepState({
    step: {
      run: (input: In) => ({
        event: 'faultin.call',
        label: () => `${helper}(${remaining(input)} page(s))${note}`,
        call: { machine: 'fault_in_iov_iter', regs: { buf: input.regs.buf + input.regs.done, len: remaining(input), write: faultsInForWrite(dir), done: 0, retries: 0 } },
      }),
    },
    on: { 'faultin.call': next },
  });
}
