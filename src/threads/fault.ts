/**
 * The user-access fault path: `do_page_fault` (arch/x86/mm/fault.c) and the
 * generic dispatch of `handle_mm_fault` (mm/memory.c: do_read_fault,
 * do_cow_fault, do_shared_fault), and a plain user access that takes it.
 *
 * mmap_sem is held for read across the handler. VM_FAULT_RETRY means the
 * handler already dropped it. What happens next depends on the era:
 * - 4.x (arch/x86/mm/fault.c, v4.0 __do_page_fault): retry once, with
 *   FAULT_FLAG_ALLOW_RETRY cleared and FAULT_FLAG_TRIED set; a handler asked
 *   not to retry sleeps with mmap_sem held instead.
 * - 5.x (v5.15–5.18 do_user_addr_fault: `if (unlikely(fault &
 *   VM_FAULT_RETRY)) { flags |= FAULT_FLAG_TRIED; goto retry; }`): since
 *   4064b9827063 "mm: allow VM_FAULT_RETRY for multiple times" (v5.7)
 *   FAULT_FLAG_ALLOW_RETRY stays set, so the fault goes round as often as the
 *   handler asks. get_user_pages does the same (mm/gup.c, v5.15:
 *   faultin_page turns VM_FAULT_RETRY into *locked = 0 and -EBUSY;
 *   __get_user_pages_locked takes mmap_lock again and retries with
 *   FOLL_TRIED "until we succeeded").
 * A write to a MAP_PRIVATE mapping calls ->fault and copies to an anonymous
 * page, never ->page_mkwrite; a write to MAP_SHARED calls ->fault, then
 * ->page_mkwrite with the page unlocked; in 5.x fault_dirty_shared_page then
 * drops mmap_lock for balance_dirty_pages_ratelimited on a first attempt.
 */
import { sleepLockOf, withSleepLock } from '../kernel/locks.ts';
import { fileIndexOf, pteAt, setPte, vmaAt } from '../kernel/mm.ts';
import { getPage, putPage } from '../kernel/pagecache.ts';
import { release, UNLOCKED } from '../kernel/sleeplock.ts';
import { VM_FAULT_LOCKED, VM_FAULT_NOPAGE, VM_FAULT_RETRY, VM_FAULT_SIGBUS, readUser, userAccessOk, vmFaultName, writeUser } from '../kernel/uaccess.ts';
import { FAULT_RETRY_BOUND } from './copy.ts';
import { FINAL, defineThread, type StepStateConfig } from './define.ts';
import { reportedFault } from './lockregion.ts';
import { unlockPage } from './pagelock.ts';
import { mmapLockCall, takeLock, unlockStep, type LockOf } from './steps.ts';
import { calleeRet, local, type Call, type DoPageFaultRegs, type VmFaultRegs } from './regs.ts';
import { textOf, type StepInput, type StepResult } from './types.ts';

type In = StepInput<DoPageFaultRegs>;

const mmapSem: LockOf = (input) => ({ kind: 'mmap_sem', mm: input.task.mm });

function semName(input: StepInput<unknown>): string {
  return input.variant.era === '2015' ? 'mmap_sem' : 'mmap_lock';
}

/**
 * Which ->fault the VMA's file has: a reported one (threads/lockregion.ts); gfs2_fault; ext2_dax_fault (modelled by
 * do_dax_fault); ext4 4.0's ext4_file_vm_ops.fault = filemap_fault itself;
 * XFS 4.1's xfs_filemap_fault.
 */
function faultHandler(input: In): 'vm_ops_fault' | 'gfs2_fault' | 'do_dax_fault' | 'filemap_fault' | 'xfs_filemap_fault' {
  if (reportedFault(input.kernel, input.task.mm, input.regs.vpage) !== undefined) return 'vm_ops_fault';
  switch (input.variant.fs) {
    case 'gfs2':
      return 'gfs2_fault';
    case 'ext2-dax':
      return 'do_dax_fault';
    case 'ext4':
      return 'filemap_fault';
    case 'xfs':
      return 'xfs_filemap_fault';
  }
}

/** The ->fault as the kernel's vm_operations_struct names it (fs/ext2/file.c: ext2_dax_fault, v4.0 and 5.15). */
function faultOpName(input: In): string {
  return input.variant.fs === 'ext2-dax' ? 'ext2_dax_fault' : faultHandler(input);
}

/**
 * do_cow_fault after ->fault returned VM_FAULT_LOCKED (mm/memory.c, v4.0):
 * copy_user_highpage from vmf->page when there is one (overwriting what a
 * DAX handler put in the COW page), set the anonymous PTE, then unlock and
 * release the page, or, when the handler had no page to lock (DAX),
 * i_mmap_unlock_read: "The fault handler has no page to lock, so it holds
 * i_mmap_lock for read to protect against truncate."
 */
function finishCowFault(input: In): Omit<StepResult<string, DoPageFaultRegs>, 'event'> {
  const page = input.regs.vmfPage;
  const vpage = input.regs.vpage;
  const put = input.variant.era === '2015' ? 'page_cache_release' : 'put_page';
  const regs = { cow: undefined, vmfPage: undefined };
  if (page === undefined) {
    // The DAX handler returned VM_FAULT_LOCKED with no page only after copy_user_bh filled the COW page.
    const content = local(input.regs.cow, 'vmf->cow_page');
    const mapped = setPte(input.kernel, input.task.mm, vpage, { kind: 'anon', content });
    const ref = { kind: 'i_mmap', ino: local(input.regs.ino, 'the VMA\'s file') } as const;
    const released = release(sleepLockOf(mapped, ref) ?? UNLOCKED, input.task.pid);
    if (!released.ok) return { label: 'i_mmap_unlock_read → not held', outcome: { kind: 'invariant-violation', message: `${released.violation}: i_mmap_rwsem` }, regs };
    const woke = released.woken.length > 0 ? ` → wakes ${released.woken.map((p) => `pid ${p}`).join(', ')}` : '';
    return { label: () => `do_cow_fault: no fault page → do_set_pte(anonymous copy ${content}, writable) → i_mmap_unlock_read${woke}`, kernel: withSleepLock(mapped, ref, released.lock), regs };
  }
  const content = input.kernel.pages[page]?.content ?? '0';
  const mapped = setPte(input.kernel, input.task.mm, vpage, { kind: 'anon', content });
  const unlocked = unlockPage(mapped, page, input.task.pid, true);
  if (unlocked.violation) return { label: 'unlock_page → not locked by us', outcome: unlocked.violation, regs };
  return { label: () => `do_cow_fault → copy_user_highpage(vmf->page: ${content}) → do_set_pte(anonymous, writable) → unlock_page, ${put}`, kernel: unlocked.kernel, regs };
}

/** The vm_fault handle_mm_fault gives ->fault: the faulting page, and what find_vma found. */
function vmFault(input: In): VmFaultRegs {
  const { vpage, write, tried } = input.regs;
  return { ino: local(input.regs.ino, 'the VMA\'s file'), index: local(input.regs.index, 'vmf->pgoff'), write, shared: local(input.regs.shared, 'VM_SHARED'), vpage, tried };
}

/** Push the ->fault: a reported one starts holding none of its locks. */
function callHandler(handler: ReturnType<typeof faultHandler>, vmf: VmFaultRegs): Call {
  return handler === 'vm_ops_fault' ? { machine: handler, regs: { ...vmf, held: 0 } } : { machine: handler, regs: vmf };
}

/** What the fault path does with VM_FAULT_RETRY, in the words of the code that does it. */
function retryLabel(input: In): string {
  if (input.regs.gup === true) {
    return input.variant.era === '5.x'
      ? 'faultin_page: VM_FAULT_RETRY → *locked = 0, -EBUSY → __get_user_pages_locked: mmap_read_lock, retry with FOLL_TRIED (FAULT_FLAG_ALLOW_RETRY stays set)'
      : '__get_user_pages_locked: VM_FAULT_RETRY → down_read(&mm->mmap_sem), retry once with FOLL_TRIED, without FAULT_FLAG_ALLOW_RETRY';
  }
  return input.variant.era === '5.x'
    ? 'do_user_addr_fault: VM_FAULT_RETRY → flags |= FAULT_FLAG_TRIED; goto retry (FAULT_FLAG_ALLOW_RETRY stays set)'
    : '__do_page_fault: VM_FAULT_RETRY → clear FAULT_FLAG_ALLOW_RETRY, set FAULT_FLAG_TRIED, retry once';
}

/**
 * The tail of do_shared_fault and wp_page_shared after ->page_mkwrite in 5.x:
 * fault_dirty_shared_page sets the page dirty, unlocks it and, on a first
 * attempt (fault_flag_allow_retry_first), maybe_unlock_mmap_for_io drops
 * mmap_lock around balance_dirty_pages_ratelimited and returns
 * VM_FAULT_RETRY (mm/memory.c, v5.15–5.18; since 89b15332af7c "mm: drop
 * mmap_sem before calling balance_dirty_pages() in write fault", v5.5). The
 * retry finds the PTE in place. The 6.x code returns VM_FAULT_COMPLETED there
 * instead (the fault is done, mmap_lock already released: no retry); the
 * commit that switched it was not identified. 4.x only throttles, with
 * mmap_sem held.
 */
function faultDirtySharedPage(input: In, mapped: Omit<StepResult<string, DoPageFaultRegs>, 'event'>): StepResult<'fault.mapped' | 'fault.retry' | 'fault.completed', DoPageFaultRegs> {
  if (mapped.outcome !== undefined || input.variant.era !== '5.x' || input.regs.tried === true || mapped.kernel === undefined) return { event: 'fault.mapped', ...mapped };
  const mm = mapped.kernel.mms[input.task.mm];
  const up = mm === undefined ? null : release(mm.mmap_sem, input.task.pid);
  if (up === null || !up.ok) return { event: 'fault.mapped', ...mapped, label: () => `${textOf(mapped.label)} → mmap_lock not held`, outcome: { kind: 'invariant-violation', message: `pid ${input.task.pid} dropped mmap_lock it did not hold` } };
  const kernel = withSleepLock(mapped.kernel, { kind: 'mmap_sem', mm: input.task.mm }, up.lock);
  const completed = input.variant.gfs2Fix === '6.4';
  const label = () => `${textOf(mapped.label)} → fault_dirty_shared_page → maybe_unlock_mmap_for_io: ${mmapLockCall(input, false, true)} → balance_dirty_pages_ratelimited → ${completed ? 'VM_FAULT_COMPLETED' : 'VM_FAULT_RETRY'}`;
  return completed
    ? { event: 'fault.completed', label, kernel, regs: { ret: 0 } }
    : { event: 'fault.retry', label, marks: ['vm-fault-retry'], kernel, regs: { ret: VM_FAULT_RETRY } };
}

/** The handler as labels name it: the reported one by its kernel name, else as the vm_operations_struct does. */
function faultHandlerName(input: In): string {
  return reportedFault(input.kernel, input.task.mm, input.regs.vpage)?.handler ?? faultOpName(input);
}

function dispatchName(input: In): string {
  if (!input.regs.write) return 'do_read_fault';
  return input.regs.shared ? 'do_shared_fault' : 'do_cow_fault';
}

/** Finish a fault that returned a locked page: map it, unlock it, drop the reference. */
function mapLockedPage(input: In, how: 'read' | 'cow' | 'shared' | 'wp'): Omit<StepResult<string, DoPageFaultRegs>, 'event'> {
  // VM_FAULT_LOCKED comes with vmf->page (->fault), or do_wp_page set it before ->page_mkwrite.
  const page = local(input.regs.vmfPage, 'vmf->page');
  const vpage = input.regs.vpage;
  const content = input.kernel.pages[page]?.content ?? '0';
  const mapped =
    how === 'cow'
      ? setPte(input.kernel, input.task.mm, vpage, { kind: 'anon', content })
      : setPte(input.kernel, input.task.mm, vpage, { kind: 'page', page, writable: how === 'shared' || how === 'wp' });
  const unlocked = unlockPage(mapped, page, input.task.pid, true);
  if (unlocked.violation) return { label: 'unlock_page → not locked by us', outcome: unlocked.violation };
  const label =
    how === 'cow'
      ? `do_cow_fault → copy_user_highpage to an anonymous page → set_pte (writable) → unlock_page`
      : how === 'wp'
        ? // wp_page_shared after ->page_mkwrite (mm/memory.c, 5.x): the PTE is already there, read-only.
          'finish_mkwrite_fault → wp_page_reuse: PTE made writable → unlock_page'
        : `${how === 'read' ? 'do_read_fault' : 'do_shared_fault'} → set_pte (${how === 'read' ? 'read-only' : 'writable'}) → unlock_page`;
  return { label, kernel: unlocked.kernel };
}

/**
 * After ->page_mkwrite: map the locked page writable (do_shared_fault, or
 * wp_page_shared's finish_mkwrite_fault) and let fault_dirty_shared_page
 * decide whether the fault retries; or, when ->page_mkwrite failed or
 * returned NOPAGE, put_page(vmf->page) (both callers do, mm/memory.c 5.x)
 * and retry the access or fail.
 */
function pageMkwriteReturned(how: 'shared' | 'wp'): StepStateConfig<{ readonly 'fault.mapped': 'up_read'; readonly 'fault.nopage': 'up_read'; readonly 'fault.sigbus': 'up_read_sigbus'; readonly 'fault.retry': 'retry'; readonly 'fault.completed': 'done' }, DoPageFaultRegs> {
  return {
    step: {
      run: (input) => {
        const ret = calleeRet(input.regs);
        if (ret === VM_FAULT_LOCKED) return faultDirtySharedPage(input, mapLockedPage(input, how));
        const put = input.regs.vmfPage === undefined ? input.kernel : putPage(input.kernel, input.regs.vmfPage);
        if (ret === VM_FAULT_NOPAGE) return { event: 'fault.nopage', label: '->page_mkwrite returned VM_FAULT_NOPAGE → put_page: the access retries', kernel: put };
        return { event: 'fault.sigbus', label: () => `->page_mkwrite returned ${vmFaultName(ret)} → put_page`, kernel: put };
      },
    },
    on: { 'fault.mapped': 'up_read', 'fault.nopage': 'up_read', 'fault.sigbus': 'up_read_sigbus', 'fault.retry': 'retry', 'fault.completed': 'done' },
  };
}

export const doPageFault = defineThread({
  id: 'do_page_fault',
  role: 'fault',
  initial: 'down_read_mmap_sem',
  states: {
    ...takeLock('down_read_mmap_sem', (input) => mmapLockCall(input, false, false), mmapSem, false, 'find_vma'),
    find_vma: {
      step: {
        run: (input) => {
          const mm = input.kernel.mms[input.task.mm];
          const vpage = input.regs.vpage;
          const vma = mm === undefined ? undefined : vmaAt(mm, vpage);
          if (vma === undefined) return { event: 'fault.badarea', label: () => `find_vma → no VMA at user page ${vpage}: bad_area` };
          return {
            event: 'fault.found',
            label: () => `find_vma → ${vma.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'} mapping of ${input.kernel.inodes[vma.ino]?.name ?? '?'}, page ${fileIndexOf(vma, vpage)}`,
            regs: { ino: vma.ino, index: fileIndexOf(vma, vpage), shared: vma.shared },
          };
        },
      },
      on: { 'fault.found': 'handle_mm_fault', 'fault.badarea': 'up_read_sigbus' },
    },
    handle_mm_fault: {
      step: {
        run: (input) => {
          // handle_pte_fault: a write to a present, read-only PTE is do_wp_page, not ->fault (mm/memory.c).
          const pte = pteAt(input.kernel, input.task.mm, input.regs.vpage);
          // handle_pte_fault on a PTE that already allows the access: nothing to do (an
          // attempt that returned VM_FAULT_RETRY after mapping it, or another thread).
          if (userAccessOk(input.kernel, input.task.mm, input.regs.vpage, input.regs.write)) {
            return { event: 'fault.spurious', label: () => `handle_mm_fault → handle_pte_fault: the PTE is present${input.regs.write ? ' and writable' : ''} → 0` };
          }
          if (input.regs.write && pte !== null && pte.kind !== 'anon' && !pte.writable) {
            return { event: 'fault.wp', label: () => `handle_mm_fault → do_wp_page (${input.regs.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'} page mapped read-only)` };
          }
          return {
          event: 'fault.call',
          label: () => `handle_mm_fault → ${dispatchName(input)} → ->fault = ${faultHandlerName(input)}${input.regs.tried ? ' (FAULT_FLAG_TRIED)' : ''}`,
          call: callHandler(faultHandler(input), vmFault(input)),
          };
        },
      },
      on: { 'fault.call': 'fault_returned', 'fault.wp': 'do_wp_page', 'fault.spurious': 'up_read' },
    },
    do_wp_page: {
      step: {
        run: (input) => {
          const vpage = input.regs.vpage;
          const pte = pteAt(input.kernel, input.task.mm, vpage);
          if (!input.regs.shared || pte === null || pte.kind === 'anon') {
            // wp_page_copy: the private copy, with no ->fault and no filesystem lock.
            return { event: 'fault.mapped', label: 'do_wp_page → wp_page_copy: copy to an anonymous page → set_pte (writable)', kernel: setPte(input.kernel, input.task.mm, vpage, { kind: 'anon', content: readUser(input.kernel, input.task.mm, vpage) }) };
          }
          const reported = reportedFault(input.kernel, input.task.mm, vpage);
          if (reported !== undefined) {
            return { event: 'fault.vmops', label: () => `do_wp_page → wp_page_shared → ->page_mkwrite = ${reported.handler}`, call: { machine: 'vm_ops_fault', regs: { ino: local(input.regs.ino, 'the VMA\'s file'), index: local(input.regs.index, 'vmf->pgoff'), write: true, shared: true, vpage, held: 0 } } };
          }
          if (input.variant.fs === 'gfs2' && pte.kind === 'page') {
            // wp_page_shared: get_page(vmf->page) before ->page_mkwrite (mm/memory.c); finish_fault or the error path puts it.
            return { event: 'fault.mkwrite', label: 'do_wp_page → wp_page_shared → do_page_mkwrite → ->page_mkwrite = gfs2_page_mkwrite', kernel: getPage(input.kernel, pte.page), regs: { vmfPage: pte.page }, call: { machine: 'gfs2_page_mkwrite', regs: { ino: local(input.regs.ino, 'the VMA\'s file'), index: local(input.regs.index, 'vmf->pgoff'), page: pte.page } } };
          }
          // ext2 DAX: ->page_mkwrite = ext2_dax_mkwrite → dax_mkwrite, which is dax_fault (include/linux/fs.h, v4.0): a write fault.
          return { event: 'fault.dax', label: 'do_wp_page → ->page_mkwrite = ext2_dax_mkwrite → dax_mkwrite (= dax_fault)', call: { machine: 'do_dax_fault', regs: { ino: local(input.regs.ino, 'the VMA\'s file'), index: local(input.regs.index, 'vmf->pgoff'), write: true, shared: true, vpage, tried: input.regs.tried } } };
        },
      },
      on: { 'fault.mapped': 'up_read', 'fault.mkwrite': 'wp_page_mkwrite_returned', 'fault.dax': 'fault_returned', 'fault.vmops': 'fault_returned' },
    },
    fault_returned: {
      step: {
        run: (input) => {
          const ret = calleeRet(input.regs);
          const label = `->fault returned ${vmFaultName(ret)}`;
          switch (ret) {
            case VM_FAULT_RETRY:
              return { event: 'fault.retry', label: () => `${label}: ${semName(input)} already dropped`, marks: ['vm-fault-retry'] };
            case VM_FAULT_NOPAGE:
              return { event: 'fault.nopage', label };
            case VM_FAULT_LOCKED:
              if (!input.regs.write) return { event: 'fault.read', label };
              return { event: input.regs.shared ? 'fault.mkwrite' : 'fault.cow', label };
            default:
              return { event: 'fault.sigbus', label };
          }
        },
      },
      on: { 'fault.retry': 'retry', 'fault.nopage': 'up_read', 'fault.read': 'do_read_fault', 'fault.cow': 'do_cow_fault', 'fault.mkwrite': 'do_shared_fault', 'fault.sigbus': 'up_read_sigbus' },
    },
    retry: {
      step: {
        run: (input) => {
          const regs = { tried: true, vmfPage: undefined };
          if (input.variant.era === '5.x') return { event: 'fault.again', label: () => retryLabel(input), regs };
          // 4.x cleared FAULT_FLAG_ALLOW_RETRY for the second attempt, so no handler can ask again.
          if (input.regs.tried) {
            return { event: 'fault.giveup', label: 'VM_FAULT_RETRY after FAULT_FLAG_TRIED', outcome: { kind: 'livelock', message: 'a fault returned VM_FAULT_RETRY twice' } };
          }
          return { event: 'fault.again', label: () => retryLabel(input), regs: { ...regs, cow: undefined } };
        },
      },
      on: { 'fault.again': 'down_read_mmap_sem', 'fault.giveup': 'sigbus' },
    },
    do_read_fault: { step: { run: (input) => ({ event: 'fault.mapped', ...mapLockedPage(input, 'read') }) }, on: { 'fault.mapped': 'up_read' } },
    do_cow_fault: { step: { run: (input) => ({ event: 'fault.mapped', ...(input.variant.fs === 'ext2-dax' ? finishCowFault(input) : mapLockedPage(input, 'cow')) }) }, on: { 'fault.mapped': 'up_read' } },
    do_shared_fault: {
      step: {
        run: (input) => {
          if (input.variant.fs !== 'gfs2') return { event: 'fault.mapped', ...mapLockedPage(input, 'shared') };
          // do_shared_fault unlocks the page before calling ->page_mkwrite (mm/memory.c).
          const page = local(input.regs.vmfPage, 'vmf->page');
          const unlocked = unlockPage(input.kernel, page, input.task.pid, false);
          if (unlocked.violation) return { event: 'fault.mapped', label: 'unlock_page → not locked by us', outcome: unlocked.violation };
          return {
            event: 'fault.mkwrite',
            label: 'do_shared_fault → unlock_page → ->page_mkwrite = gfs2_page_mkwrite',
            kernel: unlocked.kernel,
            call: { machine: 'gfs2_page_mkwrite', regs: { ino: local(input.regs.ino, 'the VMA\'s file'), index: local(input.regs.index, 'vmf->pgoff'), page } },
          };
        },
      },
      on: { 'fault.mapped': 'up_read', 'fault.mkwrite': 'page_mkwrite_returned' },
    },
    page_mkwrite_returned: pageMkwriteReturned('shared'),
    wp_page_mkwrite_returned: pageMkwriteReturned('wp'),
    up_read: {
      step: { run: (input) => unlockStep(mmapLockCall(input, false, true), mmapSem, 'fault.done', () => ({ regs: { ret: 0 } })).run(input) },
      on: { 'fault.done': 'done' },
    },
    up_read_sigbus: {
      step: { run: (input) => unlockStep(`${mmapLockCall(input, false, true)} → VM_FAULT_SIGBUS`, mmapSem, 'fault.done', () => ({ regs: { ret: VM_FAULT_SIGBUS } })).run(input) },
      on: { 'fault.done': 'sigbus' },
    },
    done: FINAL,
    sigbus: FINAL,
    bug: FINAL,
  },
});

/** A load or store by user code: it faults in user mode, and VM_FAULT_SIGBUS kills the task. */
export const userAccess = defineThread({
  id: 'user_access',
  initial: 'access',
  states: {
    access: {
      step: {
        run: (input) => {
          const { vpage, write } = input.regs;
          const { mm, pid } = input.task;
          if (userAccessOk(input.kernel, mm, vpage, write)) {
            if (!write) return { event: 'access.done', label: () => `user load from page ${vpage} → ${readUser(input.kernel, mm, vpage)}`, regs: { ret: 0 } };
            return { event: 'access.done', label: () => `user store to page ${vpage}`, kernel: writeUser(input.kernel, mm, vpage, `w${pid}`), regs: { ret: 0 } };
          }
          const retries = input.regs.retries;
          if (retries >= FAULT_RETRY_BOUND) {
            return { event: 'access.livelock', label: () => `user ${write ? 'store' : 'load'} faults again`, outcome: { kind: 'livelock', message: `user access to page ${vpage} faulted ${retries} times without progress` } };
          }
          return {
            event: 'access.fault',
            label: () => `user ${write ? 'store to' : 'load from'} page ${vpage} → page fault`,
            regs: { retries: retries + 1 },
            call: { machine: 'do_page_fault', regs: { vpage, write, kernelMode: false } },
          };
        },
      },
      on: { 'access.done': 'done', 'access.fault': 'faulted', 'access.livelock': 'killed' },
    },
    faulted: {
      step: {
        run: (input) => {
          if (input.regs.ret === 0) return { event: 'fault.done', label: 'fault handled: the access restarts' };
          return {
            event: 'fault.sigbus',
            // arch/x86/mm/fault.c: mm_fault_error → do_sigbus; in user mode the signal goes out (force_sig_fault, 5.x; force_sig_info_fault, 4.0), no fixup.
            label: () => `VM_FAULT_SIGBUS in user mode → mm_fault_error → do_sigbus → ${input.variant.era === '2015' ? 'force_sig_info_fault(SIGBUS, BUS_ADRERR)' : 'force_sig_fault(SIGBUS, BUS_ADRERR)'}`,
            task: { killed: true },
            regs: { ret: VM_FAULT_SIGBUS },
            outcome: { kind: 'sigbus', message: `SIGBUS delivered to pid ${input.task.pid} at user page ${input.regs.vpage}` },
          };
        },
      },
      on: { 'fault.done': 'access', 'fault.sigbus': 'killed' },
    },
    done: FINAL,
    killed: FINAL,
  },
});
