/**
 * What a user access sees through the page tables. A copy to or from user
 * memory succeeds for a page only if its PTE is present with the needed
 * permission; otherwise the CPU faults (arch/x86/mm/fault.c), and with page
 * faults disabled the copy just comes back short.
 */
import type { MmId } from './ids.ts';
import { pteAt, setPte } from './mm.ts';
import { updatePage } from './pagecache.ts';
import { writeBlock } from './blocks.ts';
import { ZEROES, type Content, type KernelState } from './state.ts';

/** VM_FAULT_* codes (include/linux/mm.h); 0 is a fault that mapped the page. */
export const VM_FAULT_OK = 0;
export const VM_FAULT_SIGBUS = 0x0002;
export const VM_FAULT_NOPAGE = 0x0100;
export const VM_FAULT_LOCKED = 0x0200;
export const VM_FAULT_RETRY = 0x0400;

export function vmFaultName(code: number): string {
  switch (code) {
    case VM_FAULT_SIGBUS:
      return 'VM_FAULT_SIGBUS';
    case VM_FAULT_NOPAGE:
      return 'VM_FAULT_NOPAGE';
    case VM_FAULT_LOCKED:
      return 'VM_FAULT_LOCKED';
    case VM_FAULT_RETRY:
      return 'VM_FAULT_RETRY';
    default:
      return code === 0 ? '0' : `0x${code.toString(16)}`;
  }
}

export const EFAULT = -14;
export const EIO = -5;
export const EAGAIN = -11;

export function errnoName(value: number): string {
  switch (value) {
    case EFAULT:
      return '-EFAULT';
    case EIO:
      return '-EIO';
    case EAGAIN:
      return '-EAGAIN';
    default:
      return String(value);
  }
}

/** Can the CPU complete this access without faulting? */
export function userAccessOk(kernel: KernelState, mm: MmId, vpage: number, write: boolean): boolean {
  const pte = pteAt(kernel, mm, vpage);
  if (pte === null) return false;
  if (!write) return true;
  return pte.kind === 'anon' || pte.writable;
}

/** The data a present PTE shows. */
export function readUser(kernel: KernelState, mm: MmId, vpage: number): Content {
  const pte = pteAt(kernel, mm, vpage);
  if (pte === null) return ZEROES;
  switch (pte.kind) {
    case 'anon':
      return pte.content;
    case 'page':
      return kernel.pages[pte.page]?.content ?? ZEROES;
    case 'dax':
      return kernel.blocks[pte.block]?.content ?? ZEROES;
  }
}

/** Store through a present, writable PTE. */
export function writeUser(kernel: KernelState, mm: MmId, vpage: number, content: Content): KernelState {
  const pte = pteAt(kernel, mm, vpage);
  if (pte === null) return kernel;
  switch (pte.kind) {
    case 'anon':
      return setPte(kernel, mm, vpage, { kind: 'anon', content });
    case 'page':
      return updatePage(kernel, pte.page, (p) => ({ ...p, content }));
    case 'dax':
      return writeBlock(kernel, pte.block, content);
  }
}
