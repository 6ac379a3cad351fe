/**
 * mm/filemap.c: `filemap_fault` and the buffered read loop
 * (`generic_file_read_iter` → filemap_read / do_generic_file_read).
 *
 * filemap_fault (v4.x, kernel-semantics.md §3): size check → SIGBUS;
 * find_get_page (absent → read it in); lock_page_or_retry (contended and
 * retry allowed → drop mmap_sem, wait for the page, VM_FAULT_RETRY; with
 * FAULT_FLAG_TRIED → sleep on the page with mmap_sem held); page->mapping
 * changed → unlock, put, look up again; i_size re-checked under the page
 * lock → SIGBUS; return VM_FAULT_LOCKED.
 *
 * filemap_fault (5.x; read in mm/filemap.c as patched by e292e6d644ce
 * "filemap: Convert filemap_fault to folio", whose context is the v5.16 code
 * and whose result is 5.17+): the same checks, but the mmap_lock is dropped
 * for I/O. A first attempt (fault_flag_allow_retry_first: ALLOW_RETRY and
 * not TRIED) that finds no page calls do_sync_mmap_readahead, which drops
 * mmap_lock in maybe_unlock_mmap_for_io before starting the read and pins
 * the file (fpin); a contended page lock does the same in
 * lock_page_maybe_drop_mmap, then sleeps for the page lock. Once the page is
 * locked, mapped and uptodate, a fault that dropped mmap_lock unlocks the
 * page and returns VM_FAULT_RETRY through out_retry (put_page, fput): the
 * caller takes mmap_lock again and the fault runs from the top, gfs2_fault
 * included. A TRIED attempt does its I/O and sleeps with mmap_lock held.
 * 5.17 renamed the helpers for folios (lock_folio_maybe_drop_mmap,
 * filemap_get_folio, filemap_read_folio); the 5.18 and 6.4 variants print those.
 *
 * Simplified: reading a page in is one atomic step (->readpage/->readahead
 * completes at once and never fails), so the "not uptodate → re-read once"
 * branch is not reachable and not modelled; 5.15's invalidate_lock around
 * the page creation is not taken here (nothing in the gfs2 paths takes it
 * exclusive).
 */
import { PAGE_SIZE } from '../kernel/ids.ts';
import { addLockedPage, findGetPage, putPage } from '../kernel/pagecache.ts';
import { lookupBlock } from '../kernel/blocks.ts';
import { acquire, isLocked, isWaiting, ownersOf, release, tryAcquire } from '../kernel/sleeplock.ts';
import { withSleepLock } from '../kernel/locks.ts';
import { inodeName, sizeInPages, ZEROES, type Content, type KernelState } from '../kernel/state.ts';
import { EAGAIN, EFAULT, VM_FAULT_LOCKED, VM_FAULT_RETRY, VM_FAULT_SIGBUS, writeUser } from '../kernel/uaccess.ts';
import { copyStates } from './copy.ts';
import { FINAL, defineThread, type StepStateConfig } from './define.ts';
import { unlockPage } from './pagelock.ts';
import { ioDone, mmapLockCall, sleepWait } from './steps.ts';
import { isPageCacheFs } from '../kernel/variants.ts';
import { local, type FilemapFaultRegs, type IoRegs, type Returned } from './regs.ts';
import { waitInfo, type StepInput, type StepResult, type StepSpec } from './types.ts';
import type { Ino, PageId } from '../kernel/ids.ts';

/** What the page-lock steps filemap_fault and do_dax_fault share read: the file and offset, the page in hand, FAULT_FLAG_TRIED. */
export interface PageFaultRegs extends Returned {
  readonly ino: Ino;
  readonly index: number;
  readonly page?: PageId;
  readonly tried?: boolean;
}

type FaultIn = StepInput<FilemapFaultRegs>;

/** What ->readpage finds on disk for a file page: its block's data, or zeroes for a hole. */
export function diskContent(kernel: KernelState, ino: number, index: number): Content {
  const block = lookupBlock(kernel, ino, index);
  return block.kind === 'mapped' ? (kernel.blocks[block.block]?.content ?? ZEROES) : ZEROES;
}

export function beyondEof(kernel: KernelState, ino: number, index: number): boolean {
  const inode = kernel.inodes[ino];
  return inode === undefined || index >= sizeInPages(inode, PAGE_SIZE);
}

function where(input: StepInput<unknown>, ino: Ino, index: number): string {
  return `${inodeName(input.kernel, ino)}:${index}`;
}

/**
 * lock_page_or_retry, whose protocol 5.x keeps (5.15 __lock_page_or_retry:
 * drop mmap_lock and wait only on a first attempt, fault_flag_allow_retry_first),
 * though 5.x filemap_fault no longer calls it (lock_page_maybe_drop_mmap) and
 * only do_swap_page does. Here only the 4.0-shaped do_dax_fault uses it.
 */
const LOCK_CALL = 'lock_page_or_retry';

function ret<R extends Returned>(value: number, extra: Omit<Partial<StepResult<string, R>>, 'event'> = {}): Omit<Partial<StepResult<string, R>>, 'event'> {
  return { regs: { ret: value } as Partial<R>, ...extra };
}

/** page_cache_read: allocate, add locked, ->readpage, unlock. One atomic step here. */
function pageCacheRead(input: StepInput<unknown>, ino: Ino, index: number): StepResult<'page.read', unknown> {
  const content = diskContent(input.kernel, ino, index);
  const added = addLockedPage(input.kernel, ino, index, input.task.pid, content, true);
  const unlocked = unlockPage(added.kernel, added.page, input.task.pid, true);
  return {
    event: 'page.read',
    // v4.x: page_cache_read; 5.x filemap_fault: filemap_read_page (after do_sync_mmap_readahead, not modelled).
    label: () => `${input.variant.era === '2015' ? 'page_cache_read' : 'filemap_read_page'}(${where(input, ino, index)}) → ->readpage → unlock_page`,
    kernel: unlocked.kernel ?? added.kernel,
  };
}

/**
 * lock_page_or_retry on `regs.page` (mm/filemap.c: __lock_page_or_retry, v4.x; the same in 5.15):
 * trylock; contended on the first attempt → up_read(mmap_sem),
 * wait_on_page_locked, put_page, VM_FAULT_RETRY; with FAULT_FLAG_TRIED →
 * lock_page, sleeping with mmap_sem held. Used by filemap_fault and
 * do_dax_fault alike.
 */
/** The states lockPageOrRetry makes. */
export type LockPageOrRetryStates<OnLocked extends string, OnRetry extends string> = {
  readonly lock_page_or_retry: StepStateConfig<{ readonly 'lock.granted': OnLocked; readonly 'lock.retry': 'wait_on_page_locked'; readonly 'lock.queued': 'lock_page_wait' }, PageFaultRegs>;
  readonly wait_on_page_locked: StepStateConfig<{ readonly 'page.retry': OnRetry }, PageFaultRegs>;
  readonly lock_page_wait: StepStateConfig<{ readonly 'lock.granted': OnLocked }, PageFaultRegs>;
};

export function lockPageOrRetry<const OnLocked extends string, const OnRetry extends string>(onLocked: OnLocked, onRetry: OnRetry): LockPageOrRetryStates<OnLocked, OnRetry> {
  return {
    lock_page_or_retry: {
      step: {
        run: (input) => {
          const page = local(input.regs.page, 'the page in hand');
          const p = input.kernel.pages[page];
          if (p === undefined) return { event: 'lock.granted', label: () => `${LOCK_CALL} → no page` };
          const taken = tryAcquire(p.lock, input.task.pid, true);
          if (taken !== null) return { event: 'lock.granted', label: () => `${LOCK_CALL} → trylock_page succeeded`, kernel: withSleepLock(input.kernel, { kind: 'page', page }, taken), lockdep: 'trylock' };
          const owner = ownersOf(p.lock).map((o) => `pid ${o}`).join(', ') || 'a waiter';
          if (!input.regs.tried) {
            // __lock_page_or_retry with FAULT_FLAG_ALLOW_RETRY: up_read(mmap_sem), wait_on_page_locked, return 0.
            const mm = input.kernel.mms[input.task.mm];
            const up = mm === undefined ? null : release(mm.mmap_sem, input.task.pid);
            if (up === null || !up.ok) return { event: 'lock.retry', label: () => `${LOCK_CALL} → mmap_sem not held`, outcome: { kind: 'invariant-violation', message: `pid ${input.task.pid} dropped mmap_sem it did not hold` } };
            return {
              event: 'lock.retry',
              label: () => `${LOCK_CALL} → page locked by ${owner}: ${mmapLockCall(input, false, true)}, wait for the page`,
              kernel: withSleepLock(input.kernel, { kind: 'mmap_sem', mm: input.task.mm }, up.lock),
            };
          }
          // FAULT_FLAG_TRIED: __lock_page sleeps on the page with mmap_sem held.
          const queued = acquire(p.lock, input.task.pid, true);
          return { event: 'lock.queued', label: () => `${LOCK_CALL} (FAULT_FLAG_TRIED) → lock_page sleeps, ${input.variant.era === '2015' ? 'mmap_sem' : 'mmap_lock'} held: locked by ${owner}`, kernel: withSleepLock(input.kernel, { kind: 'page', page }, queued.lock) };
        },
      },
      on: { 'lock.granted': onLocked, 'lock.retry': 'wait_on_page_locked', 'lock.queued': 'lock_page_wait' },
    },
    wait_on_page_locked: {
      step: {
        wait: (input) => {
          const page = local(input.regs.page, 'the page in hand');
          const p = input.kernel.pages[page];
          if (p === undefined || !isLocked(p.lock)) return null;
          return waitInfo({ kind: 'page', page }, ownersOf(p.lock), () => `wait_on_page_locked: page ${where(input, input.regs.ino, input.regs.index)} locked by ${ownersOf(p.lock).map((o) => `pid ${o}`).join(', ')}`);
        },
        run: (input) => ({
          event: 'page.retry',
          // v4.0 do_dax_fault / filemap_fault: page_cache_release(page); return VM_FAULT_RETRY (put_page from 4.6).
          label: () => `page unlocked → ${input.variant.era === '2015' ? 'page_cache_release' : 'put_page'} → VM_FAULT_RETRY`,
          kernel: putPage(input.kernel, local(input.regs.page, 'the page in hand')),
          ...ret(VM_FAULT_RETRY),
        }),
      },
      on: { 'page.retry': onRetry },
    },
    lock_page_wait: {
      step: {
        wait: (input) => {
          const page = local(input.regs.page, 'the page in hand');
          const p = input.kernel.pages[page];
          if (p === undefined || !isWaiting(p.lock, input.task.pid)) return null;
          return sleepWait(input, { kind: 'page', page }, p.lock, true);
        },
        run: () => ({ event: 'lock.granted', label: 'lock_page → woken, page locked' }),
      },
      on: { 'lock.granted': onLocked },
    },
  };
}

/**
 * After lock_page: truncate may have removed the page since find_get_page
 * (page->mapping is NULL), so unlock, drop the reference and look it up
 * again. The same in filemap_fault and do_dax_fault ("basically the same
 * code that's in filemap_fault()", seed 2015).
 */
const checkMappingStep: StepSpec<'page.ok' | 'page.truncated', PageFaultRegs> = {
  run: (input) => {
    const page = local(input.regs.page, 'the page in hand');
    if (input.kernel.pages[page]?.mapping === input.regs.ino) return { event: 'page.ok', label: 'page->mapping == mapping' };
    const unlocked = unlockPage(input.kernel, page, input.task.pid, true);
    const put = input.variant.era === '2015' ? 'page_cache_release' : 'put_page';
    return { event: 'page.truncated', label: () => `page->mapping != mapping (truncated) → unlock_page, ${put}, look it up again`, kernel: unlocked.kernel, outcome: unlocked.violation, regs: { page: undefined } };
  },
};

export function checkMapping<const OnSame extends string>(onSame: OnSame): StepStateConfig<{ readonly 'page.ok': OnSame; readonly 'page.truncated': 'find_get_page' }, PageFaultRegs> {
  return {
    step: checkMappingStep,
    on: { 'page.ok': onSame, 'page.truncated': 'find_get_page' },
  };
}

/** 5.17 converted filemap_fault to folios (e292e6d644ce, "Folios for 5.17"): the 5.18 and 6.4 variants print the folio names. */
function folios(input: StepInput<unknown>): boolean {
  return input.variant.gfs2Fix === '5.18' || input.variant.gfs2Fix === '6.4';
}

/** May this attempt drop mmap_lock for I/O (maybe_unlock_mmap_for_io: first attempt, and not dropped already)? */
function mayDropMmap(input: FaultIn): boolean {
  return input.variant.era === '5.x' && input.regs.tried !== true && input.regs.fpin !== true;
}

/**
 * maybe_unlock_mmap_for_io (mm/internal.h, 5.x): get_file and
 * mmap_read_unlock; the caller now owes a VM_FAULT_RETRY.
 */
function dropMmapForIo(input: StepInput<unknown>, kernel: KernelState = input.kernel): { kernel: KernelState } | { violation: StepResult['outcome'] } {
  const mm = kernel.mms[input.task.mm];
  const up = mm === undefined ? null : release(mm.mmap_sem, input.task.pid);
  if (up === null || !up.ok) return { violation: { kind: 'invariant-violation', message: `pid ${input.task.pid} dropped mmap_lock it did not hold` } };
  return { kernel: withSleepLock(kernel, { kind: 'mmap_sem', mm: input.task.mm }, up.lock) };
}

/** The fault's read: 4.x page_cache_read; 5.x the mmap read-around of do_sync_mmap_readahead, which __filemap_get_folio then finds. */
function faultRead(input: FaultIn): StepResult<'page.read', FilemapFaultRegs> {
  const read = pageCacheRead(input, input.regs.ino, input.regs.index);
  if (input.variant.era === '2015') return read;
  return { ...read, label: () => `do_page_cache_ra (mmap read-around) → ->readahead(${where(input, input.regs.ino, input.regs.index)}): page read, uptodate, unlocked` };
}

/** 5.x lock_page_maybe_drop_mmap / lock_folio_maybe_drop_mmap (mm/filemap.c). */
const lockMaybeDropMmap: StepStateConfig<{ readonly 'lock.granted': 'check_mapping'; readonly 'lock.queued': 'lock_page_wait' }, FilemapFaultRegs> = {
  step: {
    run: (input) => {
      const call = folios(input) ? 'lock_folio_maybe_drop_mmap' : 'lock_page_maybe_drop_mmap';
      const page = local(input.regs.page, 'the page in hand');
      const p = input.kernel.pages[page];
      if (p === undefined) return { event: 'lock.granted', label: () => `${call} → no page` };
      const taken = tryAcquire(p.lock, input.task.pid, true);
      if (taken !== null) return { event: 'lock.granted', label: () => `${call} → ${folios(input) ? 'folio_trylock' : 'trylock_page'} succeeded`, kernel: withSleepLock(input.kernel, { kind: 'page', page }, taken), lockdep: 'trylock' };
      const owner = ownersOf(p.lock).map((o) => `pid ${o}`).join(', ') || 'a waiter';
      let kernel = input.kernel;
      let drop = '';
      if (mayDropMmap(input)) {
        const dropped = dropMmapForIo(input);
        if ('violation' in dropped) return { event: 'lock.queued', label: () => `${call} → mmap_lock not held`, outcome: dropped.violation };
        kernel = dropped.kernel;
        drop = `maybe_unlock_mmap_for_io: ${mmapLockCall(input, false, true)}; `;
      }
      const held = mayDropMmap(input) || input.regs.fpin === true ? '' : ', mmap_lock held';
      const queued = acquire(p.lock, input.task.pid, true);
      return {
        event: 'lock.queued',
        label: () => `${call} → page locked by ${owner}: ${drop}__lock_page_killable sleeps${held}`,
        kernel: withSleepLock(kernel, { kind: 'page', page }, queued.lock),
        ...(mayDropMmap(input) ? { regs: { fpin: true } } : {}),
      };
    },
  },
  on: { 'lock.granted': 'check_mapping', 'lock.queued': 'lock_page_wait' },
};

export const filemapFault = defineThread({
  id: 'filemap_fault',
  role: 'fault',
  initial: 'size_check',
  states: {
    size_check: {
      step: {
        run: (input) =>
          beyondEof(input.kernel, input.regs.ino, input.regs.index)
            ? { event: 'fault.sigbus', label: () => `filemap_fault: pgoff ${input.regs.index} ≥ i_size → VM_FAULT_SIGBUS`, ...ret(VM_FAULT_SIGBUS) }
            : { event: 'step.done', label: () => `filemap_fault(${where(input, input.regs.ino, input.regs.index)}): pgoff < i_size` },
      },
      on: { 'step.done': 'find_get_page', 'fault.sigbus': 'done' },
    },
    find_get_page: {
      step: {
        run: (input) => {
          const lookup = input.variant.era === '2015' ? 'find_get_page' : folios(input) ? 'filemap_get_folio' : 'find_get_page';
          const found = findGetPage(input.kernel, input.regs.ino, input.regs.index);
          const v5 = input.variant.era === '5.x';
          if (found.page === null) {
            // ext4/xfs 2015: a miss reads around first (do_sync_mmap_readahead, threads/readahead.ts), then looks again; a second miss reads the page alone.
            if (isPageCacheFs(input.variant.fs) && input.regs.readAround !== true) {
              return {
                event: 'page.readahead',
                label: () => `${lookup}(${where(input, input.regs.ino, input.regs.index)}) → not cached`,
                regs: { readAround: true },
                call: { machine: 'do_sync_mmap_readahead', regs: { ino: input.regs.ino, index: input.regs.index } },
              };
            }
            if (mayDropMmap(input)) return { event: 'page.absent.drop', label: () => `${lookup}(${where(input, input.regs.ino, input.regs.index)}) → not cached: VM_FAULT_MAJOR` };
            return { event: 'page.absent', label: () => `${lookup}(${where(input, input.regs.ino, input.regs.index)}) → not cached${v5 ? `: VM_FAULT_MAJOR; do_sync_mmap_readahead with ${input.regs.fpin === true ? 'mmap_lock already dropped' : 'mmap_lock held (FAULT_FLAG_TRIED)'}` : ''}` };
          }
          return { event: v5 ? 'page.found.v5' : 'page.found', label: () => `${lookup}(${where(input, input.regs.ino, input.regs.index)}) → page, reference taken`, kernel: found.kernel, regs: { page: found.page } };
        },
      },
      on: { 'page.found': 'lock_page_or_retry', 'page.found.v5': 'lock_page_maybe_drop_mmap', 'page.absent': 'page_cache_read', 'page.absent.drop': 'do_sync_mmap_readahead', 'page.readahead': 'find_get_page' },
    },
    do_sync_mmap_readahead: {
      step: {
        run: (input) => {
          const dropped = dropMmapForIo(input);
          if ('violation' in dropped) return { event: 'step.done', label: 'do_sync_mmap_readahead → mmap_lock not held', outcome: dropped.violation };
          return {
            event: 'step.done',
            label: () => `do_sync_mmap_readahead → maybe_unlock_mmap_for_io: get_file, ${mmapLockCall(input, false, true)} before the I/O`,
            kernel: dropped.kernel,
            regs: { fpin: true },
          };
        },
      },
      on: { 'step.done': 'page_cache_read' },
    },
    page_cache_read: { step: { run: faultRead }, on: { 'page.read': 'find_get_page' } },
    ...lockPageOrRetry('check_mapping', 'done'),
    lock_page_maybe_drop_mmap: lockMaybeDropMmap,
    check_mapping: {
      step: {
        run: (input) => {
          const page = local(input.regs.page, 'the page in hand');
          if (input.kernel.pages[page]?.mapping !== input.regs.ino) return checkMappingStep.run(input);
          if (input.regs.fpin !== true) return { event: 'page.ok', label: 'page->mapping == mapping' };
          // "We've made it this far and we had to drop our mmap_lock, now is the time to return to the upper layer and have it re-find the vma and redo the fault."
          const unlocked = unlockPage(input.kernel, page, input.task.pid, true);
          return {
            event: 'fault.out_retry',
            label: () => `page->mapping == mapping, uptodate; mmap_lock was dropped → ${folios(input) ? 'folio_unlock → out_retry: folio_put' : 'unlock_page → out_retry: put_page'}, fput → VM_FAULT_RETRY`,
            kernel: unlocked.kernel,
            outcome: unlocked.violation,
            regs: { page: undefined, fpin: undefined, ret: VM_FAULT_RETRY },
          };
        },
      },
      on: { 'page.ok': 'size_recheck', 'page.truncated': 'find_get_page', 'fault.out_retry': 'done' },
    },
    size_recheck: {
      step: {
        run: (input) => {
          if (!beyondEof(input.kernel, input.regs.ino, input.regs.index)) {
            return { event: 'fault.locked', label: 'i_size re-checked under the page lock → VM_FAULT_LOCKED', regs: { ret: VM_FAULT_LOCKED, vmfPage: input.regs.page } };
          }
          const unlocked = unlockPage(input.kernel, local(input.regs.page, 'the page in hand'), input.task.pid, true);
          return { event: 'fault.sigbus', label: 'i_size re-checked under the page lock: beyond EOF → unlock_page → VM_FAULT_SIGBUS', kernel: unlocked.kernel, outcome: unlocked.violation, ...ret(VM_FAULT_SIGBUS) };
        },
      },
      on: { 'fault.locked': 'done', 'fault.sigbus': 'done' },
    },
    done: FINAL,
  },
});

/** Bytes done so far, or `error` when nothing was done: what read_iter and write_iter return. */
export function bytesOr(input: StepInput<{ readonly done: number }>, error: number): number {
  const done = input.regs.done;
  return done > 0 ? done * PAGE_SIZE : error;
}

/**
 * generic_file_read_iter, buffered: per page, find it in the page cache
 * (reading it in unless IOCB_NOIO), then copy_page_to_iter into the user
 * buffer, which may fault under whatever the caller holds.
 */
export const filemapRead = defineThread({
  id: 'filemap_read',
  role: 'rw',
  initial: 'find_page',
  states: {
    find_page: {
      step: {
        run: (input) => {
          const done = input.regs.done;
          const ino = input.regs.ino;
          const index = input.regs.pos + done;
          const end = ioDone(input, 'read.done', 'filemap_read', beyondEof(input.kernel, ino, index));
          if (end !== null) return end;
          const found = findGetPage(input.kernel, ino, index);
          const page = found.page;
          const at = `${inodeName(input.kernel, ino)}:${index}`;
          // filemap_get_pages takes a reference on each page of its batch; copy_page_to_iter runs under it.
          if (page !== null) return { event: 'page.found', label: () => `filemap_get_pages(${at}) → cached, reference taken`, kernel: found.kernel, regs: { page, index } };
          if (input.regs.noio) {
            return { event: 'read.done', label: () => `filemap_get_pages(${at}) → not cached, IOCB_NOIO → ${done > 0 ? `${done * PAGE_SIZE} bytes` : '-EAGAIN'}`, regs: { ret: bytesOr(input, EAGAIN) } };
          }
          return { event: 'page.absent', label: () => `filemap_get_pages(${at}) → not cached`, regs: { index } };
        },
      },
      on: { 'read.done': 'done', 'page.found': 'copy_page_to_iter', 'page.absent': 'page_cache_read' },
    },
    page_cache_read: { step: { run: (input) => pageCacheRead(input, input.regs.ino, local(input.regs.index, 'the page index')) }, on: { 'page.read': 'find_page' } },
    ...copyStates('copy_page_to_iter', {
      call: 'copy_page_to_iter',
      userWrite: true,
      transfer: (input: StepInput<IoRegs>, vpage: number) => {
        const content = input.kernel.pages[local(input.regs.page, 'the page in hand')]?.content ?? ZEROES;
        return {
          label: () => `copy_page_to_iter → user page ${vpage} ← ${content} → put_page`,
          kernel: putPage(writeUser(input.kernel, input.task.mm, vpage, content), local(input.regs.page, 'the page in hand')),
          regs: { done: input.regs.done + 1, page: undefined },
        };
      },
      next: 'find_page',
      short: 'short_copy',
    }),
    short_copy: {
      step: { run: (input) => ({ event: 'read.done', label: () => `short copy → put_page → ${bytesOr(input, EFAULT) > 0 ? `${bytesOr(input, EFAULT)} bytes` : '-EFAULT'}`, marks: ['copy-short'], kernel: putPage(input.kernel, local(input.regs.page, 'the page in hand')), regs: { page: undefined, ret: bytesOr(input, EFAULT) } }) },
      on: { 'read.done': 'done' },
    },
    done: FINAL,
  },
});
