/**
 * The shapes a lockdep report's stacks have, as kernel paths the model can
 * run (issue 19): a path that takes a lock around a body (`lock_region`), a
 * user copy inside it that may fault (`copy_user`, copy_to_user /
 * copy_from_user with their might_fault), and the ->fault or ->page_mkwrite
 * of a filesystem or driver the model does not have, which takes the locks
 * the report's fault stacks show (`vm_ops_fault`).
 *
 * None of them models one kernel function: each is the part of a reported
 * call chain that matters to the lock order, and its labels name the
 * functions the report's stack shows (`at`). The locks are the model's own
 * (i_rwsem, mmap_lock, i_mmap_rwsem, invalidate_lock) or named ones
 * (`KernelState.named`), all sleeping locks with FIFO fairness
 * (kernel/sleeplock.ts): a reader queues behind a waiting writer.
 */
import type { LockRef } from '../kernel/locks.ts';
import { lockName, sleepLockOf, withSleepLock, type Era } from '../kernel/locks.ts';
import { setPte, vmaAt } from '../kernel/mm.ts';
import { acquire, isLocked, isWaiting, ownersOf } from '../kernel/sleeplock.ts';
import type { KernelState, VmFault } from '../kernel/state.ts';
import { EFAULT, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS, readUser, writeUser } from '../kernel/uaccess.ts';
import { copyStates } from './copy.ts';
import { FINAL, defineThread, type AnyStateConfig, type StepStateConfig } from './define.ts';
import { bodyEntryId, entryAt } from './program.ts';
import { sleepWait, unlockStep } from './steps.ts';
import { syscallMachine } from './task.ts';
import type { CopyUserRegs, LockRegionRegs, VmOpsFaultRegs } from './regs.ts';
import type { StepInput, StepResult, StepSpec, Syscall } from './types.ts';

/** The class as the report prints it, for a call's argument: `&oi->ip_alloc_sem`, `F`. */
function argOf(kernel: KernelState, ref: LockRef): string {
  switch (ref.kind) {
    case 'i_rwsem':
    case 'i_mmap':
    case 'invalidate_lock':
      return kernel.inodes[ref.ino]?.name ?? '?';
    case 'named':
      return kernel.named?.[ref.index]?.lockClass ?? '?';
    default:
      return '?';
  }
}

/** The call that takes or releases `ref`, as the modelled kernel spells it. */
export function lockCall(kernel: KernelState, ref: LockRef, write: boolean, era: Era, unlock: boolean): string {
  const arg = argOf(kernel, ref);
  switch (ref.kind) {
    case 'i_rwsem':
      if (era === '2015') return `mutex_${unlock ? 'unlock' : 'lock'}(&inode->i_mutex) [${arg}]`;
      return `inode_${unlock ? 'unlock' : 'lock'}${write ? '' : '_shared'}(${arg})`;
    case 'mmap_sem':
      if (era === '2015') return `${unlock ? 'up' : 'down'}_${write ? 'write' : 'read'}(&mm->mmap_sem)`;
      return `mmap_${write ? 'write' : 'read'}_${unlock ? 'unlock' : 'lock'}(mm)`;
    case 'i_mmap':
      return `i_mmap_${unlock ? 'unlock' : 'lock'}_${write ? 'write' : 'read'}(${arg})`;
    case 'invalidate_lock':
      return `filemap_invalidate_${unlock ? 'unlock' : 'lock'}${write ? '' : '_shared'}(${arg})`;
    case 'named': {
      const rwsem = kernel.named?.[ref.index]?.rwsem ?? true;
      if (!rwsem) return `mutex_${unlock ? 'unlock' : 'lock'}(${arg})`;
      return `${unlock ? 'up' : 'down'}_${write ? 'write' : 'read'}(${arg})`;
    }
    default:
      return `lock(${lockName(kernel, ref, era)})`;
  }
}

export interface LockTarget {
  readonly ref: LockRef;
  readonly write: boolean;
  /** The label of the taking call: `ocfs2_page_mkwrite: down_write(&oi->ip_alloc_sem)`. */
  readonly call: string;
}

/**
 * The two states that take a lock chosen at run time: `name` asks for it
 * (granted, or queued: lock_acquire records the request before the task
 * sleeps), `${name}_wait` sleeps until the releaser hands it over.
 * `granted` updates the registers once the lock is held. With `none`, a
 * target of null means there is nothing (left) to take: go there.
 */
/** The states takeChosen makes; `None` is where 'lock.none' leads (never: no `none`). */
type ChosenStates<N extends string, Next extends string, None extends string, R> = {
  readonly [K in N]: StepStateConfig<{ readonly 'lock.granted': Next; readonly 'lock.queued': `${N}_wait` } & { readonly [E in [None] extends [never] ? never : 'lock.none']: None }, R>;
} & { readonly [K in `${N}_wait`]: StepStateConfig<{ readonly 'lock.granted': Next }, R> };

function takeChosen<const N extends string, const Next extends string, R, const None extends string = never>(
  name: N,
  target: (input: StepInput<R>) => LockTarget | null,
  next: Next,
  granted: (input: StepInput<R>) => Partial<R> = () => ({}),
  none?: { readonly state: None; readonly label: (input: StepInput<R>) => string },
): ChosenStates<N, Next, None, R> {
  const take: StepSpec<string, R> = {
    run: (input) => {
      const t = target(input);
      if (t === null && none !== undefined) return { event: 'lock.none', label: () => none.label(input) };
      const lock = t === null ? undefined : sleepLockOf(input.kernel, t.ref);
      if (t === null || lock === undefined) return { event: 'lock.granted', label: 'no such lock', regs: granted(input) };
      const result = acquire(lock, input.task.pid, t.write);
      const kernel = withSleepLock(input.kernel, t.ref, result.lock);
      if (result.granted) return { event: 'lock.granted', label: () => `${t.call} → granted`, kernel, regs: granted(input) };
      const who = lock.waiters.length > 0 && !isLocked(lock) ? `queued behind ${lock.waiters.length} waiter(s)` : `held by ${ownersOf(lock).map((p) => `pid ${p}`).join(', ')}`;
      return { event: 'lock.queued', label: () => `${t.call} → sleeps: ${who}`, kernel };
    },
  };
  const wait: StepSpec<string, R> = {
    wait: (input) => {
      const t = target(input);
      const lock = t === null ? undefined : sleepLockOf(input.kernel, t.ref);
      if (t === null || lock === undefined || !isWaiting(lock, input.task.pid)) return null;
      return sleepWait(input, t.ref, lock, t.write);
    },
    run: (input) => ({ event: 'lock.granted', label: () => `${target(input)?.call ?? 'lock'} → woken, granted`, regs: granted(input) }),
  };
  const states: Readonly<Record<string, AnyStateConfig<R>>> = {
    [name]: { step: take, on: { 'lock.granted': next, 'lock.queued': `${name}_wait`, ...(none !== undefined ? { 'lock.none': none.state } : {}) } },
    [`${name}_wait`]: { step: wait, on: { 'lock.granted': next } },
  };
  return states as ChosenStates<N, Next, None, R>;
}

function entryOf(input: StepInput<{ readonly entry: number }>): Syscall | undefined {
  return entryAt(input.task.program, input.regs.entry);
}

function regionOf(input: StepInput<LockRegionRegs>): Extract<Syscall, { call: 'lock' }> | undefined {
  const sys = entryOf(input);
  return sys?.call === 'lock' ? sys : undefined;
}

function regionTarget(input: StepInput<LockRegionRegs>): LockTarget | null {
  const sys = regionOf(input);
  if (sys === undefined) return null;
  return { ref: sys.lock, write: sys.write, call: `${sys.at}: ${lockCall(input.kernel, sys.lock, sys.write, input.variant.era, false)}` };
}

/** A `lock` program entry: take the lock, run the body's entries in order, release it. */
export const lockRegion = defineThread({
  id: 'lock_region',
  initial: 'lock',
  states: {
    ...takeChosen('lock', regionTarget, 'body'),
    body: {
      step: {
        run: (input) => {
          const sys = regionOf(input);
          const at = input.regs.pc;
          const child = sys?.body[at];
          if (sys === undefined || child === undefined) return { event: 'body.done', label: () => `${sys?.at ?? 'lock'}: body done` };
          const id = bodyEntryId(input.task.program, input.regs.entry, at);
          return { event: 'body.call', label: () => `${sys.at} → ${child.call === 'lock' ? child.at : child.call === 'copy' ? child.at : child.call}`, call: syscallMachine(child, input.variant, id) };
        },
      },
      on: { 'body.call': 'body_returned', 'body.done': 'unlock' },
    },
    body_returned: {
      step: { run: (input) => ({ event: 'body.next', label: 'returned', regs: { pc: input.regs.pc + 1 } }) },
      on: { 'body.next': 'body' },
    },
    unlock: {
      step: {
        run: (input): StepResult<'lock.released', LockRegionRegs> => {
          const sys = regionOf(input);
          if (sys === undefined) return { event: 'lock.released', label: 'no such entry', regs: { ret: 0 } };
          const call = `${sys.at}: ${lockCall(input.kernel, sys.lock, sys.write, input.variant.era, true)}`;
          return unlockStep<'lock.released', LockRegionRegs>(call, () => sys.lock, 'lock.released', () => ({ regs: { ret: 0 } })).run(input);
        },
      },
      on: { 'lock.released': 'done' },
    },
    done: FINAL,
  },
});

function copyOf(input: StepInput<CopyUserRegs>): Extract<Syscall, { call: 'copy' }> | undefined {
  const sys = entryOf(input);
  return sys?.call === 'copy' ? sys : undefined;
}

/**
 * A `copy` program entry: copy_to_user (`write`) or copy_from_user of one
 * user page, with the might_fault annotation of both (include/linux/uaccess.h:
 * copy_to_user → might_fault); a fault runs do_page_fault nested inside it,
 * and a fault that fails comes back as a short copy, -EFAULT.
 */
export const copyUser = defineThread({
  id: 'copy_user',
  initial: 'copy',
  states: {
    ...copyStates('copy', {
      call: (input) => `${copyOf(input)?.at ?? '?'}: ${input.regs.write ? 'copy_to_user' : 'copy_from_user'}`,
      userWrite: (input) => input.regs.write,
      transfer: (input: StepInput<CopyUserRegs>, vpage: number) =>
        input.regs.write
          ? { label: () => `copy_to_user → user page ${vpage}`, kernel: writeUser(input.kernel, input.task.mm, vpage, `w${input.task.pid}`) }
          : { label: () => `copy_from_user ← user page ${vpage}: ${readUser(input.kernel, input.task.mm, vpage)}` },
      next: 'copied',
      short: 'short',
    }),
    copied: { step: { run: () => ({ event: 'copy.returned', label: 'copied', regs: { ret: 0 } }) }, on: { 'copy.returned': 'done' } },
    short: { step: { run: () => ({ event: 'copy.returned', label: 'short copy → -EFAULT', regs: { ret: EFAULT } }) }, on: { 'copy.returned': 'done' } },
    done: FINAL,
  },
});

/** The reported ->fault of the VMA at a user page, if it has one. */
export function reportedFault(kernel: KernelState, mm: number, vpage: number): VmFault | undefined {
  const m = kernel.mms[mm];
  return m === undefined ? undefined : vmaAt(m, vpage)?.fault;
}

function faultOf(input: StepInput<VmOpsFaultRegs>): VmFault | undefined {
  return reportedFault(input.kernel, input.task.mm, input.regs.vpage);
}

function faultLock(input: StepInput<VmOpsFaultRegs>, index: number): LockTarget | null {
  const lock = faultOf(input)?.locks[index];
  return lock === undefined ? null : { ref: lock.lock, write: lock.write, call: `${lock.at}: ${lockCall(input.kernel, lock.lock, lock.write, input.variant.era, false)}` };
}

/**
 * The ->fault (or ->page_mkwrite, for a write to MAP_SHARED) of a mapping
 * whose handler the model does not have: take the locks the report's fault
 * stacks show, in order, map the page-cache page (read-only, writable for a
 * shared write, a private copy for a private write, as do_read_fault,
 * do_shared_fault and do_cow_fault leave it), release the locks in reverse
 * and return VM_FAULT_NOPAGE: the PTE is installed. Called by do_page_fault
 * with mmap_lock held for read.
 */
export const vmOpsFault = defineThread({
  id: 'vm_ops_fault',
  role: 'fault',
  initial: 'lock',
  states: {
    // One lock per pass, in the listed order; when all are held, map the page.
    ...takeChosen('lock', (input: StepInput<VmOpsFaultRegs>) => faultLock(input, input.regs.held), 'lock', (input) => ({ held: input.regs.held + 1 }), {
      state: 'map_page',
      label: (input) => `${faultOf(input)?.handler ?? '->fault'}: holds its ${faultOf(input)?.locks.length ?? 0} lock(s), finds the page-cache page`,
    }),
    map_page: {
      step: {
        run: (input) => {
          const fault = faultOf(input);
          const handler = fault?.handler ?? '->fault';
          const page = input.kernel.inodes[input.regs.ino]?.cache[input.regs.index];
          const vpage = input.regs.vpage;
          if (page === null || page === undefined) return { event: 'fault.mapped', label: () => `${handler}: no page-cache page → VM_FAULT_SIGBUS`, regs: { ret: VM_FAULT_SIGBUS } };
          const { write, shared } = input.regs;
          if (write && !shared) {
            const content = input.kernel.pages[page]?.content ?? '0';
            return { event: 'fault.mapped', label: () => `${handler} → do_cow_fault: copy to an anonymous page → set_pte (writable)`, kernel: setPte(input.kernel, input.task.mm, vpage, { kind: 'anon', content }), regs: { ret: VM_FAULT_NOPAGE } };
          }
          const how = write ? 'do_shared_fault → set_pte (writable)' : 'do_read_fault → set_pte (read-only)';
          return { event: 'fault.mapped', label: () => `${handler} → ${how}`, kernel: setPte(input.kernel, input.task.mm, vpage, { kind: 'page', page, writable: write }), regs: { ret: VM_FAULT_NOPAGE } };
        },
      },
      on: { 'fault.mapped': 'next_unlock' },
    },
    next_unlock: {
      step: {
        run: (input) => {
          const { held } = input.regs;
          const lock = faultOf(input)?.locks[held - 1];
          if (held === 0 || lock === undefined) return { event: 'fault.unlocked', label: () => `${faultOf(input)?.handler ?? '->fault'} returns` };
          const call = `${lock.at}: ${lockCall(input.kernel, lock.lock, lock.write, input.variant.era, true)}`;
          return { ...unlockStep(call, () => lock.lock, 'fault.unlock').run(input), regs: { held: held - 1 } };
        },
      },
      on: { 'fault.unlock': 'next_unlock', 'fault.unlocked': 'done' },
    },
    done: FINAL,
  },
});
