/**
 * invalidate_inode_pages2_range (mm/truncate.c, v4.0): drop the clean
 * page-cache pages of a file range before and after a direct write, so that
 * later reads and faults see the new data (mm/filemap.c:
 * generic_file_direct_write, "We invalidate clean cached page from the
 * region we're about to write" and "Finally, try again to invalidate clean
 * pages which might have been cached by non-direct readahead, or faulted in
 * by get_user_pages()").
 *
 * Per page, in index order: lock_page (it may sleep on a fault that holds
 * the page); skip it if truncate took it meanwhile (page->mapping changed);
 * if it is mapped, unmap_mapping_range: the rest of the range on the first
 * mapped page ("Zap the rest of the file in one hit"), only this page after
 * that, with even_cows = 0 so private copies stay; then
 * invalidate_complete_page2 deletes it from the page cache; unlock_page. A
 * dirty page would make it fail with -EBUSY, but the only pages DAX keeps are
 * hole pages, which are mapped read-only and never dirtied, so that branch is
 * not modelled.
 *
 * The loop's registers: `index` (the next page to look at), `page`,
 * `rangeUnmapped` (did_range_unmap). The range is [from(input), to(input)).
 */
import type { PageId } from '../kernel/ids.ts';
import { pageMapped, unmapMappingRange } from '../kernel/mm.ts';
import { deleteFromPageCache } from '../kernel/pagecache.ts';
import { inodeName, type KernelState } from '../kernel/state.ts';
import type { AnyStateConfig, StepStateConfig } from './define.ts';
import { unlockPage } from './pagelock.ts';
import { takeLock, type TakeLockStates } from './steps.ts';
import { local, type InodeRegs } from './regs.ts';
import type { StepInput } from './types.ts';

/** What invalidate_inode_pages2_range's loop reads and keeps: the file, the index it is at, the page in hand, did_range_unmap. */
export interface InvalidateRegs extends InodeRegs {
  readonly index?: number;
  readonly page?: PageId;
  readonly rangeUnmapped?: boolean;
}

export interface InvalidateRange<Done extends string = string, R extends InvalidateRegs = InvalidateRegs> {
  /** First and one-past-last page of the range, from the caller's registers (`R`). */
  readonly from: (input: StepInput<R>) => number;
  readonly to: (input: StepInput<R>) => number;
  /** Where the loop goes when no cached page is left in the range. */
  readonly done: Done;
}

/** mapping->nrpages != 0: does the file have any page in the page cache? */
export function hasCachedPages(kernel: KernelState, ino: number): boolean {
  return (kernel.inodes[ino]?.cache ?? []).some((p) => p !== null);
}

function nextCached(kernel: KernelState, ino: number, from: number, to: number): number | null {
  const cache = kernel.inodes[ino]?.cache ?? [];
  for (let index = from; index < Math.min(to, cache.length); index++) {
    const page = cache[index];
    if (page !== null && page !== undefined) return index;
  }
  return null;
}

/**
 * The states of one invalidate_inode_pages2_range call, entered at `${name}`
 * with `regs.index` at the range's start and `regs.rangeUnmapped` unset.
 */
/** The states invalidatePages2Range makes. */
export type InvalidateStates<N extends string, Done extends string, R = InvalidateRegs> = {
  readonly [K in N]: StepStateConfig<{ readonly 'invalidate.done': Done; readonly 'invalidate.page': `${N}_lock_page` }, R>;
} & TakeLockStates<`${N}_lock_page`, `${N}_invalidate`, R> & { readonly [K in `${N}_invalidate`]: StepStateConfig<{ readonly 'step.done': N }, R> };

export function invalidatePages2Range<const N extends string, const Done extends string, R extends InvalidateRegs = InvalidateRegs>(name: N, range: InvalidateRange<Done, R>): InvalidateStates<N, Done, NoInfer<R>> {
  const lockState = `${name}_lock_page`;
  const dropState = `${name}_invalidate`;
  const states: Readonly<Record<string, AnyStateConfig<R>>> = {
    [name]: {
      step: {
        run: (input) => {
          const ino = input.regs.ino;
          // The loop's index, once it has started; else the start of the range.
          const from = input.regs.index ?? range.from(input);
          const to = range.to(input);
          const index = nextCached(input.kernel, ino, from, to);
          const what = `invalidate_inode_pages2_range(${inodeName(input.kernel, ino)}:${range.from(input)}–${to - 1})`;
          if (index === null) return { event: 'invalidate.done', label: () => `${what} → no cached page left`, regs: { index: undefined, page: undefined, rangeUnmapped: undefined } as Partial<R> };
          const page = input.kernel.inodes[ino]?.cache[index] ?? -1;
          return { event: 'invalidate.page', label: () => `${what} → page ${inodeName(input.kernel, ino)}:${index}`, regs: { index, page } as Partial<R> };
        },
      },
      on: { 'invalidate.done': range.done, 'invalidate.page': lockState },
    },
    ...takeLock(lockState, 'lock_page', (input: StepInput<R>) => ({ kind: 'page', page: local(input.regs.page, 'the page in hand') }), true, dropState),
    [dropState]: {
      step: {
        run: (input) => {
          const ino = input.regs.ino;
          const page = local(input.regs.page, 'the page in hand');
          const index = local(input.regs.index, 'the page index');
          const next = { index: index + 1, page: undefined } as Partial<R>;
          if (input.kernel.pages[page]?.mapping !== ino) {
            const unlocked = unlockPage(input.kernel, page, input.task.pid, false);
            return { event: 'step.done', label: 'page->mapping != mapping (truncated meanwhile) → unlock_page', kernel: unlocked.kernel, outcome: unlocked.violation, regs: next };
          }
          let kernel = input.kernel;
          let unmap = '';
          if (pageMapped(kernel, page)) {
            // The first mapped page zaps the rest of the range in one hit; later ones only themselves.
            const end = input.regs.rangeUnmapped ? index + 1 : range.to(input);
            kernel = unmapMappingRange(kernel, ino, index, end, false);
            unmap = input.regs.rangeUnmapped ? 'page_mapped → unmap_mapping_range(this page), ' : `page_mapped → unmap_mapping_range(pages ${index}–${end - 1}), `;
          }
          const unlocked = unlockPage(deleteFromPageCache(kernel, page), page, input.task.pid, false);
          return {
            event: 'step.done',
            label: () => `${unmap}invalidate_complete_page2 → delete_from_page_cache (page->mapping = NULL) → unlock_page`,
            kernel: unlocked.kernel,
            outcome: unlocked.violation,
            regs: { ...next, rangeUnmapped: input.regs.rangeUnmapped === true || unmap !== '' } as Partial<R>,
          };
        },
      },
      on: { 'step.done': name },
    },
  };
  return states as unknown as InvalidateStates<N, Done, R>;
}
