/**
 * O_DIRECT through iomap (fs/iomap/direct-io.c: iomap_dio_rw), and the
 * fault-in helpers of lib/iov_iter.c / mm/gup.c.
 *
 * The user pages of an O_DIRECT request are pinned by
 * bio_iov_iter_get_pages → get_user_pages, which faults them in under
 * whatever the caller holds (the DF glock in gfs2). From 5.16 the iterator's
 * `nofault` flag makes the pinning fail instead (FOLL_NOFAULT); we model both
 * that and pagefault_disable() by the task's page-faults-disabled count,
 * which is what the gfs2 callers set around the call.
 *
 * Before a write, iomap_dio_rw writes back and invalidates the page cache
 * over the range (fs/iomap/direct-io.c, 5.15–6.4: filemap_write_and_wait_range,
 * then invalidate_inode_pages2_range, kiocb_invalidate_pages from 6.6),
 * which unmaps each cached page from every process (unmap_mapping_pages,
 * even_cows = 0) before dropping it: a user buffer that maps the very page
 * being written loses its PTE here, after any fault-in (xfstests
 * generic/729). A failed invalidation would return -ENOTBLK; it cannot fail
 * here, as no page is ever dirty in the model. The second invalidation in
 * iomap_dio_complete, after a write that did I/O, is not modelled.
 *
 * Simplified: an O_DIRECT write to a hole returns 0 bytes (-ENOTBLK from
 * gfs2_iomap_begin), and gfs2_file_write_iter falls back to a buffered write.
 */
import { PAGE_SIZE } from '../kernel/ids.ts';
import { lookupBlock, writeBlock } from '../kernel/blocks.ts';
import { inodeName, ZEROES } from '../kernel/state.ts';
import { EFAULT, readUser, writeUser } from '../kernel/uaccess.ts';
import { copyStates } from './copy.ts';
import { FINAL, defineThread, type StepStateConfig } from './define.ts';
import { ioDone, takeLock } from './steps.ts';
import { local, type FaultInRegs, type IoRegs } from './regs.ts';
import { textOf, type StepInput, type StepResult } from './types.ts';

type DioIn = StepInput<IoRegs>;
type FaultInIn = StepInput<FaultInRegs>;
import { bytesOr } from './filemap.ts';
import { pageMapped, unmapPage } from '../kernel/mm.ts';
import { deleteFromPageCache, getPage } from '../kernel/pagecache.ts';
import { unlockPage } from './pagelock.ts';

/** The file range a call covers, for labels: "F:1–1". */
function rangeName(input: DioIn): string {
  const from = input.regs.pos + input.regs.done;
  return `${inodeName(input.kernel, input.regs.ino)}:${from}–${input.regs.pos + input.regs.len - 1}`;
}

/** The first page cached in what is left of the range, or null. */
function cachedPageIn(input: DioIn): number | null {
  const cache = input.kernel.inodes[input.regs.ino]?.cache ?? [];
  const from = input.regs.pos + input.regs.done;
  for (let index = from; index < input.regs.pos + input.regs.len; index++) {
    const page = cache[index];
    if (page !== null && page !== undefined) return page;
  }
  return null;
}

/** The I/O of the next page: a write stops at a hole, a read of a hole zeroes the buffer, else the user page is pinned. */
function dioPage(input: DioIn, prefix: string): StepResult<'dio.done' | 'dio.hole' | 'dio.page', IoRegs> {
  const end = ioDone(input, 'dio.done', 'iomap_dio_rw');
  if (end !== null) return { ...end, label: () => `${prefix}${textOf(end.label)}`, regs: { ...end.regs, invalidated: input.regs.invalidated } };
  const done = input.regs.done;
  const index = input.regs.pos + done;
  const block = lookupBlock(input.kernel, input.regs.ino, index);
  if (input.regs.write && block.kind !== 'mapped') {
    return { event: 'dio.done', label: () => `${prefix}gfs2_iomap_begin: ${inodeName(input.kernel, input.regs.ino)}:${index} is a hole → -ENOTBLK, fall back to buffered I/O`, regs: { ret: done * PAGE_SIZE } };
  }
  // A hole read is no I/O: iomap_dio_hole_iter → iov_iter_zero, a CPU copy that can fault (why b01b2d72da25 also disables page faults).
  if (!input.regs.write && block.kind !== 'mapped') return { event: 'dio.hole', label: () => `${prefix}iomap_dio_rw: ${inodeName(input.kernel, input.regs.ino)}:${index} is a hole → iomap_dio_hole_iter`, regs: { index } };
  return { event: 'dio.page', label: () => `${prefix}iomap_dio_rw: ${inodeName(input.kernel, input.regs.ino)}:${index} on block ${block.kind === 'mapped' ? block.block : '?'}`, regs: { index } };
}

export const iomapDioRw = defineThread({
  id: 'iomap_dio_rw',
  role: 'rw',
  initial: 'next_page',
  states: {
    next_page: {
      step: {
        run: (input) => {
          if (input.regs.write === true && input.regs.invalidated !== true) {
            const page = cachedPageIn(input);
            if (page !== null) {
              // find_lock_entries: a reference first, then the page lock.
              return { event: 'dio.invalidate', label: () => `iomap_dio_rw (WRITE): invalidate_inode_pages2_range(${rangeName(input)}) → page ${inodeName(input.kernel, input.regs.ino)}:${input.kernel.pages[page]?.index ?? '?'} is cached`, kernel: getPage(input.kernel, page), regs: { page } };
            }
            // Nothing (more) cached in the range: go on to the I/O in this same step.
            const io = dioPage({ ...input, regs: { ...input.regs, invalidated: true, page: undefined } }, `iomap_dio_rw (WRITE): invalidate_inode_pages2_range(${rangeName(input)}) → nothing cached; `);
            return { ...io, regs: { invalidated: true, page: undefined, ...io.regs } };
          }
          return dioPage(input, '');
        },
      },
      on: { 'dio.done': 'done', 'dio.page': 'bio_iov_iter_get_pages', 'dio.hole': 'iov_iter_zero', 'dio.invalidate': 'invalidate_lock_page' },
    },
    ...takeLock('invalidate_lock_page', 'lock_page', (input: DioIn) => ({ kind: 'page', page: local(input.regs.page, 'the page in hand') }), true, 'invalidate_page'),
    invalidate_page: {
      step: {
        run: (input) => {
          const page = local(input.regs.page, 'the page in hand');
          const regs = { page: undefined };
          if (input.kernel.pages[page]?.mapping !== input.regs.ino) {
            const unlocked = unlockPage(input.kernel, page, input.task.pid, true);
            return { event: 'step.done', label: 'page->mapping != mapping (already truncated) → unlock_page, put_page', kernel: unlocked.kernel, outcome: unlocked.violation, regs };
          }
          // mm/truncate.c (5.15): invalidate_inode_pages2_range → page_mapped → unmap_mapping_pages(mapping, index, 1, false) → invalidate_complete_page2.
          const mapped = pageMapped(input.kernel, page);
          const unmapped = mapped ? unmapPage(input.kernel, page) : input.kernel;
          const unlocked = unlockPage(deleteFromPageCache(unmapped, page), page, input.task.pid, true);
          return {
            event: 'step.done',
            label: () => `${mapped ? 'page_mapped → unmap_mapping_pages (every PTE of it, even_cows = 0) → ' : ''}invalidate_complete_page2: delete from the page cache → unlock_page, put_page`,
            kernel: unlocked.kernel,
            outcome: unlocked.violation,
            regs,
          };
        },
      },
      on: { 'step.done': 'next_page' },
    },
    ...copyStates('bio_iov_iter_get_pages', {
      call: 'bio_iov_iter_get_pages → get_user_pages',
      // Reading from the file writes user memory; writing to it reads user memory.
      userWrite: (input) => input.regs.write !== true,
      transfer: (input: DioIn, vpage: number) => {
        const ino = input.regs.ino;
        const index = local(input.regs.index, 'the page index');
        const block = lookupBlock(input.kernel, ino, index);
        const done = { done: input.regs.done + 1 };
        if (input.regs.write) {
          const content = readUser(input.kernel, input.task.mm, vpage);
          const kernel = block.kind === 'mapped' ? writeBlock(input.kernel, block.block, content) : input.kernel;
          return { label: () => `pinned user page ${vpage} → submit_bio(WRITE) → block ← ${content}`, kernel, regs: done };
        }
        const content = block.kind === 'mapped' ? (input.kernel.blocks[block.block]?.content ?? ZEROES) : ZEROES;
        return { label: () => `pinned user page ${vpage} → ${block.kind === 'mapped' ? 'submit_bio(READ)' : 'iomap_dio_hole_iter zeroes'} → user page ← ${content}`, kernel: writeUser(input.kernel, input.task.mm, vpage, content), regs: done };
      },
      next: 'next_page',
      short: 'short',
      gup: true,
    }),
    ...copyStates('iov_iter_zero', {
      call: 'iov_iter_zero',
      userWrite: true,
      transfer: (input: DioIn, vpage: number) => ({ label: () => `iov_iter_zero → user page ${vpage} ← 0`, kernel: writeUser(input.kernel, input.task.mm, vpage, ZEROES), regs: { done: input.regs.done + 1 } }),
      next: 'next_page',
      short: 'zero_short',
    }),
    // bio_iov_iter_get_pages: get_user_pages pinned nothing → -EFAULT (partial with IOMAP_DIO_PARTIAL, 5.16+).
    short: shortDio((input) => `bio_iov_iter_get_pages: get_user_pages failed → ${partialOr(input)}`),
    // iomap_dio_hole_iter: "if (!length) return -EFAULT" after iov_iter_zero, a CPU copy (no get_user_pages).
    zero_short: shortDio((input) => `iomap_dio_hole_iter: iov_iter_zero copied nothing → ${partialOr(input)}`),
    done: FINAL,
  },
});

function partialOr(input: DioIn): string {
  const ret = bytesOr(input, EFAULT);
  return ret > 0 ? `${ret} bytes (partial)` : '-EFAULT';
}

function shortDio(label: (input: DioIn) => string): StepStateConfig<{ readonly 'dio.done': 'done' }, IoRegs> {
  return {
    step: { run: (input) => ({ event: 'dio.done', label: () => label(input), marks: ['copy-short'], regs: { ret: bytesOr(input, EFAULT) } }) },
    on: { 'dio.done': 'done' },
  };
}

/**
 * fault_in_iov_iter_writeable / fault_in_iov_iter_readable: touch each page
 * of the window with faults enabled (__put_user / __get_user), stopping at the
 * first that cannot be faulted in. Returns the pages faulted in.
 */
/** fault_in_iov_iter_* arrived in 5.16; 5.15 and the RFC's tree call them iov_iter_fault_in_*. */
export function faultInName(input: StepInput<{ readonly write?: boolean }>): string {
  const what = input.regs.write ? 'writeable' : 'readable';
  return before516(input) ? `iov_iter_fault_in_${what}` : `fault_in_iov_iter_${what}`;
}

const before516 = (input: StepInput<unknown>) => input.variant.gfs2Fix === 'none' || input.variant.gfs2Fix === 'rfc';

/**
 * What touches each page, as the version has it: readable is
 * fault_in_pages_readable → __get_user (include/linux/pagemap.h, 5.13–5.15;
 * fault_in_readable from 5.16, a6294593e8a1); the RFC's
 * iov_iter_fault_in_writeable is fault_in_pages_writeable → __put_user. In
 * 5.16+ fault_in_iov_iter_writeable is fault_in_safe_writeable, which goes
 * through get_user_pages (mm/gup.c), not a CPU access.
 */
export function faultInUaccess(input: StepInput<{ readonly write?: boolean }>): string | undefined {
  if (input.regs.write === true) return before516(input) ? 'fault_in_pages_writeable → __put_user' : undefined;
  return before516(input) ? 'fault_in_pages_readable → __get_user' : 'fault_in_readable → __get_user';
}

export const faultInIovIter = defineThread({
  id: 'fault_in_iov_iter',
  role: 'fault-in',
  initial: 'next_page',
  states: {
    next_page: {
      step: {
        run: (input) => {
          const done = input.regs.done;
          if (done >= input.regs.len) return { event: 'faultin.done', label: () => `fault-in done: ${done} page(s)`, regs: { ret: done } };
          return { event: 'faultin.page', label: () => `${faultInName(input)}: user page ${input.regs.buf + done}` };
        },
      },
      on: { 'faultin.done': 'done', 'faultin.page': 'touch' },
    },
    ...copyStates('touch', {
      call: (input) => (input.regs.write === true && !before516(input) ? 'fault_in_iov_iter_writeable → fault_in_safe_writeable → get_user_pages' : faultInName(input)),
      userWrite: (input) => input.regs.write === true,
      transfer: (input: FaultInIn, vpage: number) => ({ label: () => `user page ${vpage} is present`, regs: { done: input.regs.done + 1 } }),
      next: 'next_page',
      short: 'stopped',
      mightFault: false,
      uaccess: faultInUaccess,
      // 5.16+ fault_in_iov_iter_writeable → fault_in_safe_writeable walks the pages with
      // __get_user_pages_locked (mm/gup.c, cdd591fc86e3); the readable one touches them with __get_user.
      gup: (input) => input.regs.write === true && !before516(input),
    }),
    stopped: {
      step: { run: (input) => ({ event: 'faultin.done', label: () => `fault-in stopped after ${input.regs.done} page(s)`, regs: { ret: input.regs.done } }) },
      on: { 'faultin.done': 'done' },
    },
    done: FINAL,
  },
});
