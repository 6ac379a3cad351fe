/**
 * The user-access fault path: `do_page_fault` (arch/x86/mm/fault.c) and the
 * generic dispatch of `handle_mm_fault` (mm/memory.c: do_read_fault,
 * do_cow_fault, do_shared_fault), and a plain user access that takes it.
 *
 * mmap_sem is held for read across the handler. VM_FAULT_RETRY means the
 * handler already dropped it; x86 retries once with FAULT_FLAG_TRIED. A write
 * to a MAP_PRIVATE mapping calls ->fault and copies to an anonymous page,
 * never ->page_mkwrite; a write to MAP_SHARED calls ->fault, then
 * ->page_mkwrite with the page unlocked.
 */
import { fileIndexOf, pteAt, setPte, vmaAt } from '../kernel/mm.ts';
import { VM_FAULT_LOCKED, VM_FAULT_NOPAGE, VM_FAULT_RETRY, VM_FAULT_SIGBUS, readUser, userAccessOk, vmFaultName, writeUser } from '../kernel/uaccess.ts';
import { FAULT_RETRY_BOUND } from './copy.ts';
import { defineThread } from './define.ts';
import { reportedFault } from './lockregion.ts';
import { unlockPage } from './pagelock.ts';
import { mmapLockCall, takeLock, unlockStep, type LockOf } from './steps.ts';
import type { StepInput, StepResult } from './types.ts';

const mmapSem: LockOf = (input) => ({ kind: 'mmap_sem', mm: input.task.mm });

function semName(input: StepInput): string {
  return input.variant.era === '2015' ? 'mmap_sem' : 'mmap_lock';
}

/** Which ->fault the VMA's file has: a reported one (threads/lockregion.ts), else the filesystem's. */
function faultHandler(input: StepInput): string {
  if (reportedFault(input.kernel, input.task.mm, input.regs.vpage ?? -1) !== undefined) return 'vm_ops_fault';
  return input.variant.fs === 'gfs2' ? 'gfs2_fault' : 'do_dax_fault';
}

/** The handler as labels name it: the reported one by its kernel name. */
function faultHandlerName(input: StepInput): string {
  return reportedFault(input.kernel, input.task.mm, input.regs.vpage ?? -1)?.handler ?? faultHandler(input);
}

function dispatchName(input: StepInput): string {
  if (!input.regs.write) return 'do_read_fault';
  return input.regs.shared ? 'do_shared_fault' : 'do_cow_fault';
}

/** Finish a fault that returned a locked page: map it, unlock it, drop the reference. */
function mapLockedPage(input: StepInput, how: 'read' | 'cow' | 'shared'): Omit<StepResult, 'event'> {
  const page = input.regs.vmfPage ?? -1;
  const vpage = input.regs.vpage ?? 0;
  const content = input.kernel.pages[page]?.content ?? '0';
  const mapped =
    how === 'cow'
      ? setPte(input.kernel, input.task.mm, vpage, { kind: 'anon', content })
      : setPte(input.kernel, input.task.mm, vpage, { kind: 'page', page, writable: how === 'shared' });
  const unlocked = unlockPage(mapped, page, input.task.pid, true);
  if (unlocked.violation) return { label: 'unlock_page → not locked by us', outcome: unlocked.violation };
  const label =
    how === 'cow'
      ? `do_cow_fault → copy_user_highpage to an anonymous page → set_pte (writable) → unlock_page`
      : `${how === 'read' ? 'do_read_fault' : 'do_shared_fault'} → set_pte (${how === 'read' ? 'read-only' : 'writable'}) → unlock_page`;
  return { label, kernel: unlocked.kernel };
}

export const doPageFault = defineThread({
  id: 'do_page_fault',
  initial: 'down_read_mmap_sem',
  states: {
    ...takeLock('down_read_mmap_sem', (input) => mmapLockCall(input, false, false), mmapSem, false, 'find_vma'),
    find_vma: {
      step: {
        run: (input) => {
          const mm = input.kernel.mms[input.task.mm];
          const vpage = input.regs.vpage ?? 0;
          const vma = mm === undefined ? undefined : vmaAt(mm, vpage);
          if (vma === undefined) return { event: 'fault.badarea', label: `find_vma → no VMA at user page ${vpage}: bad_area` };
          return {
            event: 'fault.found',
            label: `find_vma → ${vma.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'} mapping of ${input.kernel.inodes[vma.ino]?.name ?? '?'}, page ${fileIndexOf(vma, vpage)}`,
            regs: { ...input.regs, ino: vma.ino, index: fileIndexOf(vma, vpage), shared: vma.shared },
          };
        },
      },
      on: { 'fault.found': 'handle_mm_fault', 'fault.badarea': 'up_read_sigbus' },
    },
    handle_mm_fault: {
      step: {
        run: (input) => {
          // handle_pte_fault: a write to a present, read-only PTE is do_wp_page, not ->fault (mm/memory.c).
          const pte = pteAt(input.kernel, input.task.mm, input.regs.vpage ?? 0);
          if (input.regs.write && pte !== null && pte.kind !== 'anon' && !pte.writable) {
            return { event: 'fault.wp', label: `handle_mm_fault → do_wp_page (${input.regs.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'} page mapped read-only)` };
          }
          return {
          event: 'fault.call',
          label: `handle_mm_fault → ${dispatchName(input)} → ->fault = ${faultHandlerName(input)}${input.regs.tried ? ' (FAULT_FLAG_TRIED)' : ''}`,
          call: { machine: faultHandler(input), regs: { ino: input.regs.ino, index: input.regs.index, write: input.regs.write, shared: input.regs.shared, vpage: input.regs.vpage, tried: input.regs.tried } },
          };
        },
      },
      on: { 'fault.call': 'fault_returned', 'fault.wp': 'do_wp_page' },
    },
    do_wp_page: {
      step: {
        run: (input) => {
          const vpage = input.regs.vpage ?? 0;
          const pte = pteAt(input.kernel, input.task.mm, vpage);
          if (!input.regs.shared || pte === null || pte.kind === 'anon') {
            // wp_page_copy: the private copy, with no ->fault and no filesystem lock.
            return { event: 'fault.mapped', label: 'do_wp_page → wp_page_copy: copy to an anonymous page → set_pte (writable)', kernel: setPte(input.kernel, input.task.mm, vpage, { kind: 'anon', content: readUser(input.kernel, input.task.mm, vpage) }) };
          }
          const reported = reportedFault(input.kernel, input.task.mm, vpage);
          if (reported !== undefined) {
            return { event: 'fault.vmops', label: `do_wp_page → wp_page_shared → ->page_mkwrite = ${reported.handler}`, call: { machine: 'vm_ops_fault', regs: { ino: input.regs.ino, index: input.regs.index, write: true, shared: true, vpage } } };
          }
          if (input.variant.fs === 'gfs2' && pte.kind === 'page') {
            return { event: 'fault.mkwrite', label: 'do_wp_page → wp_page_shared → ->page_mkwrite = gfs2_page_mkwrite', call: { machine: 'gfs2_page_mkwrite', regs: { ino: input.regs.ino, index: input.regs.index, page: pte.page } } };
          }
          // ext2 DAX: ->page_mkwrite = ext2_dax_mkwrite → dax_fault, a write fault.
          return { event: 'fault.dax', label: 'do_wp_page → ->page_mkwrite = ext2_dax_mkwrite → do_dax_fault', call: { machine: 'do_dax_fault', regs: { ino: input.regs.ino, index: input.regs.index, write: true, shared: true, vpage, tried: input.regs.tried } } };
        },
      },
      on: { 'fault.mapped': 'up_read', 'fault.mkwrite': 'page_mkwrite_returned', 'fault.dax': 'fault_returned', 'fault.vmops': 'fault_returned' },
    },
    fault_returned: {
      step: {
        run: (input) => {
          const ret = input.regs.ret ?? VM_FAULT_SIGBUS;
          const label = `->fault returned ${vmFaultName(ret)}`;
          switch (ret) {
            case VM_FAULT_RETRY:
              return { event: 'fault.retry', label: `${label}: ${semName(input)} already dropped` };
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
          if (input.regs.tried) {
            return { event: 'fault.giveup', label: 'VM_FAULT_RETRY after FAULT_FLAG_TRIED', outcome: { kind: 'livelock', message: 'a fault returned VM_FAULT_RETRY twice' } };
          }
          return { event: 'fault.again', label: 'retry the fault with FAULT_FLAG_TRIED', regs: { ...input.regs, tried: true, vmfPage: undefined } };
        },
      },
      on: { 'fault.again': 'down_read_mmap_sem', 'fault.giveup': 'sigbus' },
    },
    do_read_fault: { step: { run: (input) => ({ event: 'fault.mapped', ...mapLockedPage(input, 'read') }) }, on: { 'fault.mapped': 'up_read' } },
    do_cow_fault: { step: { run: (input) => ({ event: 'fault.mapped', ...mapLockedPage(input, 'cow') }) }, on: { 'fault.mapped': 'up_read' } },
    do_shared_fault: {
      step: {
        run: (input) => {
          if (input.variant.fs !== 'gfs2') return { event: 'fault.mapped', ...mapLockedPage(input, 'shared') };
          // do_shared_fault unlocks the page before calling ->page_mkwrite (mm/memory.c).
          const page = input.regs.vmfPage ?? -1;
          const unlocked = unlockPage(input.kernel, page, input.task.pid, false);
          if (unlocked.violation) return { event: 'fault.mapped', label: 'unlock_page → not locked by us', outcome: unlocked.violation };
          return {
            event: 'fault.mkwrite',
            label: 'do_shared_fault → unlock_page → ->page_mkwrite = gfs2_page_mkwrite',
            kernel: unlocked.kernel,
            call: { machine: 'gfs2_page_mkwrite', regs: { ino: input.regs.ino, index: input.regs.index, page } },
          };
        },
      },
      on: { 'fault.mapped': 'up_read', 'fault.mkwrite': 'page_mkwrite_returned' },
    },
    page_mkwrite_returned: {
      step: {
        run: (input) => {
          const ret = input.regs.ret ?? VM_FAULT_SIGBUS;
          if (ret === VM_FAULT_LOCKED) return { event: 'fault.mapped', ...mapLockedPage(input, 'shared') };
          if (ret === VM_FAULT_NOPAGE) return { event: 'fault.nopage', label: '->page_mkwrite returned VM_FAULT_NOPAGE: the access retries' };
          return { event: 'fault.sigbus', label: `->page_mkwrite returned ${vmFaultName(ret)}` };
        },
      },
      on: { 'fault.mapped': 'up_read', 'fault.nopage': 'up_read', 'fault.sigbus': 'up_read_sigbus' },
    },
    up_read: {
      step: { run: (input) => unlockStep(mmapLockCall(input, false, true), mmapSem, 'fault.done', (i) => ({ regs: { ...i.regs, ret: 0 } })).run(input) },
      on: { 'fault.done': 'done' },
    },
    up_read_sigbus: {
      step: { run: (input) => unlockStep(`${mmapLockCall(input, false, true)} → VM_FAULT_SIGBUS`, mmapSem, 'fault.done', (i) => ({ regs: { ...i.regs, ret: VM_FAULT_SIGBUS } })).run(input) },
      on: { 'fault.done': 'sigbus' },
    },
    done: { final: true },
    sigbus: { final: true },
    bug: { final: true },
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
          const vpage = input.regs.vpage ?? 0;
          const write = input.regs.write === true;
          const { mm, pid } = input.task;
          if (userAccessOk(input.kernel, mm, vpage, write)) {
            if (!write) return { event: 'access.done', label: `user load from page ${vpage} → ${readUser(input.kernel, mm, vpage)}`, regs: { ...input.regs, ret: 0 } };
            return { event: 'access.done', label: `user store to page ${vpage}`, kernel: writeUser(input.kernel, mm, vpage, `w${pid}`), regs: { ...input.regs, ret: 0 } };
          }
          const retries = input.regs.retries ?? 0;
          if (retries >= FAULT_RETRY_BOUND) {
            return { event: 'access.livelock', label: `user ${write ? 'store' : 'load'} faults again`, outcome: { kind: 'livelock', message: `user access to page ${vpage} faulted ${retries} times without progress` } };
          }
          return {
            event: 'access.fault',
            label: `user ${write ? 'store to' : 'load from'} page ${vpage} → page fault`,
            regs: { ...input.regs, retries: retries + 1 },
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
            label: 'VM_FAULT_SIGBUS in user mode → do_sigbus → force_sig(SIGBUS)',
            task: { killed: true },
            regs: { ...input.regs, ret: VM_FAULT_SIGBUS },
            outcome: { kind: 'sigbus', message: `SIGBUS delivered to pid ${input.task.pid} at user page ${input.regs.vpage ?? 0}` },
          };
        },
      },
      on: { 'fault.done': 'access', 'fault.sigbus': 'killed' },
    },
    done: { final: true },
    killed: { final: true },
  },
});
