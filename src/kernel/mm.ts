/**
 * Process address spaces: VMAs, user PTEs, and `unmap_mapping_range`, the
 * only thing that removes a PTE that maps a file page or a DAX block
 * (mm/memory.c).
 */
import type { Ino, MmId } from './ids.ts';
import type { KernelState, Mm, Pte, Vma } from './state.ts';

export function vmaAt(mm: Mm, vpage: number): Vma | undefined {
  return mm.vmas.find((v) => vpage >= v.start && vpage < v.start + v.pages);
}

/** The file page index a user page maps, through its VMA. */
export function fileIndexOf(vma: Vma, vpage: number): number {
  return vma.pgoff + (vpage - vma.start);
}

export function pteAt(kernel: KernelState, mm: MmId, vpage: number): Pte | null {
  return kernel.mms[mm]?.ptes[vpage] ?? null;
}

export function setPte(kernel: KernelState, mm: MmId, vpage: number, pte: Pte | null): KernelState {
  const m = kernel.mms[mm];
  if (m === undefined) return kernel;
  const ptes = m.ptes.slice();
  while (ptes.length <= vpage) ptes.push(null);
  ptes[vpage] = pte;
  const mms = kernel.mms.slice();
  mms[mm] = { ...m, ptes };
  return { ...kernel, mms };
}

export function addVma(kernel: KernelState, mm: MmId, vma: Vma): KernelState {
  const m = kernel.mms[mm];
  if (m === undefined) return kernel;
  const mms = kernel.mms.slice();
  mms[mm] = { ...m, vmas: [...m.vmas, vma] };
  return { ...kernel, mms };
}

/**
 * unmap_mapping_range(mapping, from, to, even_cows): zap every PTE, in every
 * process, that maps file pages [from, to) of `ino`. Truncate passes
 * even_cows = 1 so private copies beyond EOF go too (mm/truncate.c:
 * truncate_pagecache); hole punch passes 0 (truncate_pagecache_range).
 * The caller holds i_mmap for write.
 */
export function unmapMappingRange(kernel: KernelState, ino: Ino, from: number, to: number, evenCows: boolean): KernelState {
  let next = kernel;
  kernel.mms.forEach((mm, id) => {
    for (const vma of mm.vmas) {
      if (vma.ino !== ino) continue;
      for (let vpage = vma.start; vpage < vma.start + vma.pages; vpage++) {
        const index = fileIndexOf(vma, vpage);
        const pte = mm.ptes[vpage];
        if (index < from || index >= to || pte == null) continue;
        if (pte.kind === 'anon' && !evenCows) continue;
        next = setPte(next, id, vpage, null);
      }
    }
  });
  return next;
}

/** Is this page-cache page mapped by any PTE (page_mapped)? */
export function pageMapped(kernel: KernelState, page: number): boolean {
  return kernel.mms.some((mm) => mm.ptes.some((pte) => pte?.kind === 'page' && pte.page === page));
}

/** Zap every PTE that maps this page-cache page. */
export function unmapPage(kernel: KernelState, page: number): KernelState {
  let next = kernel;
  kernel.mms.forEach((mm, id) => {
    mm.ptes.forEach((pte, vpage) => {
      if (pte?.kind === 'page' && pte.page === page) next = setPte(next, id, vpage, null);
    });
  });
  return next;
}
