/**
 * A kernel copy to or from one user page (copy_page_to_iter,
 * copy_page_from_iter, the pinning in bio_iov_iter_get_pages): it either
 * completes through a present PTE, comes back short because page faults are
 * disabled, or faults. The fault runs as a nested do_page_fault frame inside
 * the copy, and the copy is retried after it; a fault that ends in
 * VM_FAULT_SIGBUS in kernel mode goes to the exception fixup and the copy
 * returns short (arch/x86/mm/fault.c: no_context → fixup_exception).
 */
import { userAccessOk } from '../kernel/uaccess.ts';
import type { AnyStateConfig, StepStateConfig } from './define.ts';
import type { Returned } from './regs.ts';
import type { StepInput, StepResult } from './types.ts';

/** What a user copy reads: the buffer's first page and the pages done (the copy is at buf + done), the faults it took, iov_iter->nofault. */
export interface CopyRegs extends Returned {
  readonly buf: number;
  readonly done: number;
  readonly retries: number;
  readonly nofault?: boolean;
}

/** A transfer that is performed when the PTE allows it. */
export type Transfer<R extends CopyRegs> = (input: StepInput<R>, vpage: number) => Omit<StepResult<string, R>, 'event'>;

/** Faults taken on one page by one copy before we call it a livelock. */
export const FAULT_RETRY_BOUND = 8;

export interface CopyConfig<R extends CopyRegs> {
  /** The kernel function doing the copy, for labels (its name may depend on the version). */
  readonly call: string | ((input: StepInput<R>) => string);
  /** Direction as the MMU sees it: writing to user memory needs a writable PTE. */
  readonly userWrite: boolean | ((input: StepInput<R>) => boolean);
  readonly transfer: Transfer<R>;
  /** Where a completed copy goes. */
  readonly next: string;
  /** Where a short copy goes (faults disabled, or the fault failed). */
  readonly short: string;
  /**
   * get_user_pages: a failed fault is vm_fault_to_errno → -EFAULT, not a trap
   * and an exception fixup, and a VM_FAULT_RETRY is retried by
   * __get_user_pages_locked, not by the trap handler.
   */
  readonly gup?: boolean | ((input: StepInput<R>) => boolean);
  /**
   * The access calls might_fault() first, as copy_to_user/copy_from_user
   * do. The fault-in helpers use __get_user/unsafe_put_user, which do not
   * (arch/x86/include/asm/uaccess.h: only get_user has might_fault), and
   * get_user_pages_fast does not either. Default: true unless `gup`.
   */
  readonly mightFault?: boolean;
  /**
   * The uaccess primitive that touches the page, for labels (the fault-in
   * helpers: fault_in_pages_readable → __get_user). A failed fault in kernel
   * mode is then shown as that primitive returning -EFAULT through the
   * exception table.
   */
  readonly uaccess?: string | ((input: StepInput<R>) => string | undefined);
  /** Only probes the page (a prefault): its success is not the copy a retry path ends with. */
  readonly probe?: boolean;
}

/**
 * A fault that failed: get_user_pages turns VM_FAULT_SIGBUS into -EFAULT
 * (faultin_page → vm_fault_to_errno); a CPU access in kernel mode goes to
 * the exception table (arch/x86/mm/fault.c: do_user_addr_fault →
 * kernelmode_fixup_or_oops (no_context before 5.12) → fixup_exception), so
 * the uaccess returns -EFAULT and no signal is sent.
 */
function failedLabel(gup: boolean, call: string, uaccess: string | undefined): string {
  if (gup) return `${call} → faultin_page: VM_FAULT_SIGBUS → vm_fault_to_errno → -EFAULT`;
  if (uaccess !== undefined) return `${call} → VM_FAULT_SIGBUS in kernel mode → fixup_exception: ${uaccess.split(' → ').at(-1) ?? uaccess} returns -EFAULT, no signal`;
  return `${call} → VM_FAULT_SIGBUS in kernel mode → exception fixup → short copy`;
}

function isGup<R extends CopyRegs>(config: CopyConfig<R>, input: StepInput<R>): boolean {
  return typeof config.gup === 'function' ? config.gup(input) : config.gup === true;
}

function uaccessOf<R extends CopyRegs>(config: CopyConfig<R>, input: StepInput<R>): string | undefined {
  return typeof config.uaccess === 'function' ? config.uaccess(input) : config.uaccess;
}

function vpageOf(input: StepInput<CopyRegs>): number {
  return input.regs.buf + input.regs.done;
}

function callName<R extends CopyRegs>(config: CopyConfig<R>, input: StepInput<R>): string {
  return typeof config.call === 'string' ? config.call : config.call(input);
}

/** The states copyStates makes: the copy, and where it goes after a fault it took. */
export type CopyStates<N extends string, Next extends string, Short extends string, R = CopyRegs> = {
  readonly [K in N]: StepStateConfig<{ readonly 'copy.done': Next; readonly 'copy.short': Short; readonly 'copy.fault': `${N}_faulted` }, R>;
} & { readonly [K in `${N}_faulted`]: StepStateConfig<{ readonly 'fault.done': N; readonly 'fault.failed': Short }, R> };

/** `R`, the machine's registers, comes from the annotation of the config's `transfer` input. */
export function copyStates<const N extends string, const Next extends string, const Short extends string, R extends CopyRegs = CopyRegs>(name: N, config: CopyConfig<R> & { readonly next: Next; readonly short: Short }): CopyStates<N, Next, Short, NoInfer<R>> {
  const states: Readonly<Record<string, AnyStateConfig<R>>> = {
    [name]: {
      step: {
        run: (input) => {
          const call = callName(config, input);
          const vpage = vpageOf(input);
          const userWrite = typeof config.userWrite === 'boolean' ? config.userWrite : config.userWrite(input);
          // __might_fault returns early when page faults are disabled (mm/memory.c).
          const gup = isGup(config, input);
          const hint = (config.mightFault ?? !gup) && input.task.pagefaultDisabled === 0 ? ({ lockdep: 'might_fault' } as const) : {};
          if (userAccessOk(input.kernel, input.task.mm, vpage, userWrite)) {
            const done = config.transfer(input, vpage);
            return { event: 'copy.done', ...done, regs: { ...done.regs, retries: 0 } as Partial<R>, ...hint, ...(config.probe === true ? {} : { marks: ['copy-done'] as const }) };
          }
          if (input.task.pagefaultDisabled > 0) {
            return { event: 'copy.short', label: () => `${call} → user page ${vpage} not present, page faults disabled → short copy`, marks: ['copy-short'] };
          }
          if (gup && input.regs.nofault === true) {
            return { event: 'copy.short', label: () => `${call} → user page ${vpage} not present, iter->nofault (FOLL_NOFAULT) → no fault, short`, marks: ['copy-short'] };
          }
          const retries = input.regs.retries;
          if (retries >= FAULT_RETRY_BOUND) {
            return { event: 'copy.short', label: () => `${call} → fault on page ${vpage} again`, marks: ['copy-short'], outcome: { kind: 'livelock', message: `${call} faulted on user page ${vpage} ${retries} times without progress` } };
          }
          return {
            event: 'copy.fault',
            label: () => `${call} → ${uaccessOf(config, input) !== undefined ? `${uaccessOf(config, input) ?? ''}(user page ${vpage}) → ` : ''}page fault on user page ${vpage}`,
            regs: { retries: retries + 1 } as Partial<R>,
            call: { machine: 'do_page_fault', regs: { vpage, write: userWrite, kernelMode: true, ...(gup ? { gup } : {}) } },
            ...hint,
          };
        },
      },
      on: { 'copy.done': config.next, 'copy.short': config.short, 'copy.fault': `${name}_faulted` },
    },
    [`${name}_faulted`]: {
      step: {
        run: (input) => {
          const call = callName(config, input);
          return input.regs.ret === 0
            ? { event: 'fault.done', label: () => `${call} → fault handled, try the page again` }
            : { event: 'fault.failed', label: () => failedLabel(isGup(config, input), call, uaccessOf(config, input)), marks: ['copy-short'] };
        },
      },
      on: { 'fault.done': name, 'fault.failed': config.short },
    },
  };
  return states as CopyStates<N, Next, Short, R>;
}
