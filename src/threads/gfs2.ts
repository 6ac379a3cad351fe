/**
 * gfs2 (fs/gfs2/file.c): the fault handlers and read_iter, under each of
 * the four gfs2 variants (kernel-semantics.md §1, §3).
 *
 * - 5.15: read takes the inode glock SH (O_DIRECT: DF) and copies with page
 *   faults enabled, so a fault on an mmap of the same file queues a second
 *   holder for the same pid: trap_recursive, BUG().
 * - RFC (May 2021): the outer holder carries LM_FLAG_OUTER; gfs2_fault
 *   looks at what the task holds: a compatible holder → no new holder; an
 *   incompatible one → VM_FAULT_SIGBUS and "needs retry"; another outer glock
 *   held → LM_FLAG_TRY, and GLR_TRYFAILED → VM_FAULT_SIGBUS and "needs
 *   retry". The read then drops its glock, faults in one page and retries.
 * - 5.16 (00bfe02f4796, b01b2d72da25, dc732906c245): copy with page faults
 *   disabled; on -EFAULT or a partial copy, mark the holder may-demote, fault
 *   in, and retry under the glock if it is still held, else re-acquire it
 *   (buffered: return a short read if bytes were already read).
 * - 5.18 (296abc0d91d8, e1fa9ea85ce8): on -EFAULT drop the glock, fault in,
 *   re-acquire and retry; give up only when fault-in makes no progress.
 */
import { PAGE_SIZE, type Ino } from '../kernel/ids.ts';
import { glockAt, findHolder, type HolderMode } from '../kernel/glock.ts';
import { withSleepLock } from '../kernel/locks.ts';
import { release } from '../kernel/sleeplock.ts';
import { inodeName } from '../kernel/state.ts';
import { EAGAIN, EFAULT, VM_FAULT_LOCKED, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS, errnoName, vmFaultName } from '../kernel/uaccess.ts';
import { FINAL, defineThread, stepState } from './define.ts';
import { beyondEof } from './filemap.ts';
import { allowDemote, disallowDemote, dqIfQueued, faultInRemaining, remaining, returnDone, rfcCheckRetry, rfcFaultedIn } from './gfs2-retry.ts';
import { dropGlock, plainStep, takeGlock, takeLock } from './steps.ts';
import { calleeRet, type FilemapFaultRegs, type Gfs2PageMkwriteRegs, type IoRegs, type Returned, type RwIterRegs, type VmFaultRegs } from './regs.ts';
import type { StepInput, StepResult, StepSpec } from './types.ts';

/** What gfs2_fault and gfs2_page_mkwrite both read: the file and the page offset. */
interface FaultAtRegs extends Returned {
  readonly ino: Ino;
  readonly index: number;
}

type ReadIn = StepInput<RwIterRegs>;

/** gfs2_holder_is_compatible (RFC 2021): EX covers SH and EX; DF covers DF; SH covers SH. */
export function holderCovers(held: HolderMode, wanted: HolderMode): boolean {
  if (held === 'EX') return wanted !== 'DF';
  return held === wanted;
}

/** The granted holder this task already has on the glock (gfs2_glock_is_locked_by_me). */
function outerHolder(input: StepInput<FaultAtRegs>) {
  const gl = glockAt(input.kernel, input.task.node, input.regs.ino);
  return gl?.holders.find((h) => h.pid === input.task.pid && h.granted);
}

function setRet<const E extends string, R extends Returned = Returned>(ret: number, label: string, event: E, extra: Omit<Partial<StepResult<E, R>>, 'event'> = {}): StepResult<E, R> {
  return { event, label, regs: { ret } as Partial<R>, ...extra };
}

/**
 * The first step of gfs2_fault / gfs2_page_mkwrite. Under the RFC it looks at
 * what the task holds: 'rfc.covered' (run under the outer holder),
 * 'rfc.incompatible' (VM_FAULT_SIGBUS, needs retry), or 'fault.lock' (queue a
 * holder, LM_FLAG_TRY if an outer glock is held). Other variants always lock.
 */
function rfcRoute<R extends FaultAtRegs = FaultAtRegs>(who: string, modeOf: (input: StepInput<R>) => HolderMode): StepSpec<'fault.lock' | 'rfc.covered' | 'rfc.incompatible', NoInfer<R>> {
  return {
    run: (input) => {
      const mode = modeOf(input);
      const where = `${who}(${inodeName(input.kernel, input.regs.ino)}:${input.regs.index})`;
      if (input.variant.gfs2Fix !== 'rfc') return { event: 'fault.lock', label: where };
      const outer = outerHolder(input);
      const glock = `glock 2/${inodeName(input.kernel, input.regs.ino)}`;
      if (outer === undefined) return { event: 'fault.lock', label: () => `${where}: gfs2_glock_is_locked_by_me → no${input.task.outerGlock ? '; an outer glock is held → LM_FLAG_TRY' : ''}` };
      if (holderCovers(outer.mode, mode)) return { event: 'rfc.covered', label: () => `${where}: ${glock} held ${outer.mode} by this task covers ${mode} → no new holder` };
      return setRet(VM_FAULT_SIGBUS, `${where}: ${glock} held ${outer.mode} by this task does not cover ${mode} → set_current_needs_retry → VM_FAULT_SIGBUS`, 'rfc.incompatible', { task: { needsRetry: true } });
    },
  };
}

/**
 * The glock mode gfs2_fault asks for: SH in mainline (fs/gfs2/file.c), but the
 * RFC's tree asked for EX on write faults ("state = (vmf->flags &
 * FAULT_FLAG_WRITE) ? LM_ST_EXCLUSIVE : LM_ST_SHARED", RFC part 2 context).
 */
const faultMode = (input: StepInput<VmFaultRegs>): HolderMode => (input.variant.gfs2Fix === 'rfc' && input.regs.write ? 'EX' : 'SH');

const tryIfOuter = (input: StepInput<unknown>) => input.variant.gfs2Fix === 'rfc' && input.task.outerGlock;

const tryFailed = stepState({
  step: { run: () => setRet(VM_FAULT_SIGBUS, 'GLR_TRYFAILED → set_current_needs_retry → VM_FAULT_SIGBUS', 'fault.sigbus', { task: { needsRetry: true } }) },
  on: { 'fault.sigbus': 'done' },
});

/** gfs2_fault: SH glock, filemap_fault, release. */
export const gfs2Fault = defineThread({
  id: 'gfs2_fault',
  role: 'fault',
  initial: 'gfs2_fault',
  states: {
    gfs2_fault: { step: rfcRoute('gfs2_fault', faultMode), on: { 'fault.lock': 'glock_nq', 'rfc.covered': 'filemap_fault_covered', 'rfc.incompatible': 'done' } },
    ...takeGlock('glock_nq', { caller: 'gfs2_fault', mode: faultMode, try: tryIfOuter }, 'filemap_fault', 'tryfailed'),
    tryfailed: tryFailed,
    filemap_fault: {
      step: plainStep('filemap_fault', 'fault.call', (input: StepInput<VmFaultRegs>) => ({ call: { machine: 'filemap_fault', regs: faultArgs(input.regs) } })),
      on: { 'fault.call': 'glock_dq' },
    },
    glock_dq: { step: dropGlock('gfs2_fault', 'fault.done'), on: { 'fault.done': 'done' } },
    filemap_fault_covered: {
      step: plainStep('filemap_fault (under the outer holder)', 'fault.call', (input: StepInput<VmFaultRegs>) => ({ call: { machine: 'filemap_fault', regs: faultArgs(input.regs) } })),
      on: { 'fault.call': 'done' },
    },
    done: FINAL,
    bug: FINAL,
  },
});

/** What gfs2_fault hands filemap_fault of its vm_fault. */
function faultArgs(regs: VmFaultRegs): FilemapFaultRegs {
  return { ino: regs.ino, index: regs.index, write: regs.write, tried: regs.tried };
}

/** gfs2_page_mkwrite: EX glock, size check → SIGBUS, lock page, mapping changed → VM_FAULT_NOPAGE. */
export const gfs2PageMkwrite = defineThread({
  id: 'gfs2_page_mkwrite',
  role: 'fault',
  initial: 'gfs2_page_mkwrite',
  states: {
    gfs2_page_mkwrite: { step: rfcRoute('gfs2_page_mkwrite', () => 'EX'), on: { 'fault.lock': 'glock_nq', 'rfc.covered': 'size_check', 'rfc.incompatible': 'done' } },
    ...takeGlock('glock_nq', { caller: 'gfs2_page_mkwrite', mode: () => 'EX', try: tryIfOuter }, 'size_check', 'tryfailed'),
    tryfailed: tryFailed,
    size_check: {
      step: {
        run: (input) =>
          beyondEof(input.kernel, input.regs.ino, input.regs.index)
            ? setRet(VM_FAULT_SIGBUS, 'gfs2_page_mkwrite: page beyond i_size → VM_FAULT_SIGBUS', 'fault.sigbus')
            : { event: 'step.done', label: 'gfs2_page_mkwrite: page within i_size' },
      },
      on: { 'step.done': 'lock_page', 'fault.sigbus': 'release' },
    },
    ...takeLock('lock_page', 'lock_page', (input: StepInput<Gfs2PageMkwriteRegs>) => ({ kind: 'page', page: input.regs.page }), true, 'check_mapping'),
    check_mapping: {
      step: {
        run: (input) => {
          const page = input.regs.page;
          const p = input.kernel.pages[page];
          if (p !== undefined && p.mapping === input.regs.ino) return setRet(VM_FAULT_LOCKED, 'page->mapping unchanged → VM_FAULT_LOCKED', 'fault.locked', { regs: { ret: VM_FAULT_LOCKED, vmfPage: page } });
          const released = p === undefined ? null : release(p.lock, input.task.pid);
          const kernel = released?.ok ? withSleepLock(input.kernel, { kind: 'page', page }, released.lock) : input.kernel;
          return setRet(VM_FAULT_NOPAGE, 'page->mapping changed (truncated) → unlock_page → VM_FAULT_NOPAGE', 'fault.nopage', { kernel });
        },
      },
      on: { 'fault.locked': 'release', 'fault.nopage': 'release' },
    },
    release: {
      step: {
        run: (input) => {
          // Under the RFC's covering outer holder, no holder was queued here.
          if (findHolder(input.kernel, input.task.node, input.regs.ino, input.task.pid, 'gfs2_page_mkwrite') === undefined) {
            return { event: 'fault.done', label: () => `return ${vmFaultName(calleeRet(input.regs))}` };
          }
          return dropGlock('gfs2_page_mkwrite', 'fault.done').run(input);
        },
      },
      on: { 'fault.done': 'done' },
    },
    done: FINAL,
    bug: FINAL,
  },
});

// ---------------------------------------------------------------------------
// read_iter

const readMode = (input: ReadIn): HolderMode => (input.regs.direct ? 'DF' : 'SH');
const readCaller = (input: ReadIn) => (input.regs.direct ? 'gfs2_file_direct_read' : 'gfs2_file_read_iter');

/** Call the buffered or direct read on what is left of the request. */
function readCall(input: ReadIn, noio: boolean, faultsOff: boolean, label: string): StepResult<'read.call', RwIterRegs> {
  const done = input.regs.done;
  // 5.16+ O_DIRECT reads set to->nofault as well: "for reads, iomap_dio_rw can trigger physical as well as manual page faults" (b01b2d72da25).
  const nofault = faultsOff && input.regs.direct === true ? { nofault: true } : {};
  const args: IoRegs = { ino: input.regs.ino, pos: input.regs.pos + done, len: remaining(input), buf: input.regs.buf + done, noio, ...nofault, done: 0, retries: 0 };
  return {
    event: 'read.call',
    label,
    call: { machine: input.regs.direct ? 'iomap_dio_rw' : 'filemap_read', regs: args },
    ...(faultsOff ? { task: { pagefaultDisabled: input.task.pagefaultDisabled + 1 } } : {}),
  };
}

/** Add what the callee read to `done`; keep its return in `ret`. */
function accumulate(input: ReadIn): RwIterRegs {
  const ret = calleeRet(input.regs);
  return { ...input.regs, done: input.regs.done + (ret > 0 ? ret / PAGE_SIZE : 0) };
}

const readReturn = returnDone('read', 'done');

/**
 * The first, lockless pass of gfs2_file_read_iter (IOCB_NOIO, since 5.8): it
 * copies what is cached and gives up with -EAGAIN at the first page that
 * needs I/O. 5.18 runs it with page faults disabled and treats -EFAULT like
 * -EAGAIN. O_DIRECT skips it.
 */
function noioPass<const Next extends string>(next: Next) {
  return {
    noio_pass: stepState({
      step: {
        run: (input: ReadIn) => {
          if (input.regs.direct) return { event: 'read.direct', label: () => `gfs2_file_read_iter(${inodeName(input.kernel, input.regs.ino)}, O_DIRECT) → gfs2_file_direct_read` };
          const faultsOff = input.variant.gfs2Fix === '5.18' || input.variant.gfs2Fix === '6.4';
          return readCall(input, true, faultsOff, `${faultsOff ? 'pagefault_disable(); ' : ''}generic_file_read_iter(IOCB_NOIO), no glock`);
        },
      },
      on: { 'read.direct': next, 'read.call': 'noio_returned' },
    }),
    noio_returned: stepState({
      step: {
        run: (input: ReadIn) => {
          const faultsOff = input.variant.gfs2Fix === '5.18' || input.variant.gfs2Fix === '6.4';
          const task = faultsOff ? { task: { pagefaultDisabled: input.task.pagefaultDisabled - 1 } } : {};
          const ret = calleeRet(input.regs);
          const regs = accumulate(input);
          const left = regs.len - regs.done;
          if (ret >= 0 && left === 0) return { event: 'read.complete', label: () => `IOCB_NOIO pass read everything: ${ret} bytes`, regs, ...task };
          const retryable = ret >= 0 || ret === EAGAIN || (faultsOff && ret === EFAULT);
          if (!retryable) return { event: 'read.complete', label: () => `IOCB_NOIO pass → ${errnoName(ret)}`, regs, ...task };
          return { event: 'read.locked', label: () => `IOCB_NOIO pass → ${ret > 0 ? `${ret} bytes` : errnoName(ret)}: take the glock`, regs, ...task };
        },
      },
      on: { 'read.complete': 'return', 'read.locked': next },
    }),
  };
}

/** 5.15: read under the glock with page faults enabled. */
export const gfs2ReadIter515 = defineThread({
  id: 'gfs2_file_read_iter',
  role: 'rw',
  initial: 'noio_pass',
  states: {
    ...noioPass('glock_nq'),
    ...takeGlock('glock_nq', { caller: readCaller, mode: readMode }, 'read'),
    read: { step: { run: (input: ReadIn) => readCall(input, false, false, input.regs.direct ? 'iomap_dio_rw' : 'generic_file_read_iter') }, on: { 'read.call': 'read_returned' } },
    read_returned: { step: plainStep((input: ReadIn) => `read returned ${calleeRet(input.regs) >= 0 ? `${calleeRet(input.regs)} bytes` : errnoName(calleeRet(input.regs))}`, 'step.done', (input) => ({ regs: accumulate(input) })), on: { 'step.done': 'glock_dq' } },
    glock_dq: { step: dropGlock(readCaller), on: { 'glock.released': 'return' } },
    return: readReturn,
    done: FINAL,
    bug: FINAL,
  },
});

/** RFC 2021: LM_FLAG_OUTER; after the glock is dropped, a fault that asked for it is retried after faulting in one page. */
export const gfs2ReadIterRfc = defineThread({
  id: 'gfs2_file_read_iter (RFC)',
  role: 'rw',
  initial: 'noio_pass',
  states: {
    ...noioPass('glock_nq'),
    ...takeGlock('glock_nq', { caller: readCaller, mode: readMode, outer: () => true }, 'read'),
    read: { step: { run: (input: ReadIn) => readCall(input, false, false, input.regs.direct ? 'iomap_dio_rw' : 'generic_file_read_iter') }, on: { 'read.call': 'read_returned' } },
    read_returned: { step: plainStep((input: ReadIn) => `read returned ${calleeRet(input.regs) >= 0 ? `${calleeRet(input.regs)} bytes` : errnoName(calleeRet(input.regs))}`, 'step.done', (input) => ({ regs: accumulate(input) })), on: { 'step.done': 'glock_dq' } },
    glock_dq: { step: dropGlock(readCaller, 'glock.released', true), on: { 'glock.released': 'check_retry' } },
    check_retry: rfcCheckRetry('read', 'return', 'faulted_in'),
    faulted_in: rfcFaultedIn('glock_nq'),
    return: readReturn,
    done: FINAL,
    bug: FINAL,
  },
});

/** After the nofault read: is there anything to fault in (should_fault_in_pages)? */
function shouldFaultIn(input: ReadIn): boolean {
  const ret = calleeRet(input.regs);
  if (remaining(input) <= 0) return false;
  return ret === EFAULT || ret > 0;
}

const readNofault = stepState({
  step: { run: (input: ReadIn) => readCall(input, false, true, `pagefault_disable(); ${input.regs.direct ? 'to->nofault = true; iomap_dio_rw' : 'generic_file_read_iter'}`) },
  on: { 'read.call': 'read_returned' },
});

function readReturnedNofault<const OnFaultIn extends string, const OnDone extends string>(onFaultIn: OnFaultIn, onDone: OnDone) {
  return stepState({
    step: {
      run: (input: ReadIn) => {
        const regs = accumulate(input);
        const ret = calleeRet(input.regs);
        const task = { pagefaultDisabled: input.task.pagefaultDisabled - 1 };
        const what = ret >= 0 ? `${ret} bytes` : errnoName(ret);
        if (shouldFaultIn({ ...input, regs })) return { event: 'read.faultin', label: () => `pagefault_enable(); read returned ${what}: should_fault_in_pages → yes`, marks: ['efault-retry'], regs, task };
        return { event: 'read.finished', label: () => `pagefault_enable(); read returned ${what}`, regs, task };
      },
    },
    on: { 'read.faultin': onFaultIn, 'read.finished': onDone },
  });
}

/** 5.16: nofault read; fault in with the holder marked may-demote. */
export const gfs2ReadIter516 = defineThread({
  id: 'gfs2_file_read_iter (5.16)',
  role: 'rw',
  initial: 'noio_pass',
  states: {
    ...noioPass('glock_nq'),
    ...takeGlock('glock_nq', { caller: readCaller, mode: readMode }, 'read'),
    read: readNofault,
    read_returned: readReturnedNofault('allow_demote', 'glock_dq'),
    allow_demote: allowDemote('read', readCaller),
    disallow_demote: disallowDemote('read', readCaller, 'glock_dq', 'read'),
    glock_dq: dqIfQueued(readCaller),
    return: readReturn,
    done: FINAL,
    bug: FINAL,
  },
});

/**
 * 5.18: nofault read; on -EFAULT drop the glock, fault in, re-acquire,
 * retry. The 6.4 read is the same (fa58cc888d67 changed only the direct
 * write and should_fault_in_pages' window).
 */
const readIter518 = (id: 'gfs2_file_read_iter (5.18)' | 'gfs2_file_read_iter (6.4)') => defineThread({
  id,
  role: 'rw',
  initial: 'noio_pass',
  states: {
    ...noioPass('glock_nq'),
    ...takeGlock('glock_nq', { caller: readCaller, mode: readMode }, 'read'),
    read: readNofault,
    read_returned: readReturnedNofault('glock_dq_faultin', 'glock_dq'),
    glock_dq_faultin: { step: dropGlock(readCaller), on: { 'glock.released': 'fault_in' } },
    fault_in: faultInRemaining('read', 'faulted_in'),
    faulted_in: {
      step: {
        run: (input: ReadIn) =>
          calleeRet(input.regs) > 0
            ? { event: 'retry.relock', label: () => `fault-in made progress (${calleeRet(input.regs)} page(s)) → re-acquire the glock and retry` }
            : { event: 'retry.giveup', label: 'fault-in made no progress → give up', regs: { ret: EFAULT } },
      },
      on: { 'retry.relock': 'glock_nq', 'retry.giveup': 'return' },
    },
    glock_dq: dqIfQueued(readCaller),
    return: readReturn,
    done: FINAL,
    bug: FINAL,
  },
});

export const gfs2ReadIter518 = readIter518('gfs2_file_read_iter (5.18)');
export const gfs2ReadIter64 = readIter518('gfs2_file_read_iter (6.4)');
