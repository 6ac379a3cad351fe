/**
 * ext2 on DAX, Linux 4.0 (fs/dax.c: dax_fault / do_dax_fault, dax_do_io;
 * fs/ext2/file.c: ext2_dax_fault), and the 5.15 invalidate_lock variant.
 *
 * ->fault = ext2_dax_fault → dax_fault, which brackets a write fault with
 * sb_start_pagefault / file_update_time … sb_end_pagefault and calls the
 * static do_dax_fault (named __dax_fault from 4.2). do_dax_fault
 * (kernel-semantics.md §3; fs/dax.c v4.0–4.1): size check → SIGBUS; a hole
 * page in the page cache is looked up and locked (lock_page_or_retry,
 * mapping check → repeat, size check → -EIO: unlock_page and
 * page_cache_release); get_block(create=0), b_size < PAGE_SIZE → -EIO; then
 * - a write fault on a MAP_PRIVATE mapping (vmf->cow_page, passed by
 *   do_cow_fault) never allocates and never maps the file: copy_user_bh
 *   copies the block into the COW page (clear_user_highpage for a hole) and
 *   the fault returns VM_FAULT_LOCKED, with the hole page as vmf->page if it
 *   holds one, else with i_mmap held for read after its own i_size re-check
 *   (-EIO if truncated); do_cow_fault maps the anonymous copy and drops
 *   them;
 * - an unmapped block on a write fault is allocated with get_block(create=1)
 *   and a racing hole page evicted; on a read fault dax_load_hole maps a
 *   zeroed page-cache page;
 * - dax_insert_mapping takes i_mmap for read, re-checks i_size (→ -EIO),
 *   zeroes a new block and inserts the PTE.
 * -EIO is VM_FAULT_SIGBUS, success VM_FAULT_NOPAGE. The handler never takes
 * i_mutex: the faulting task may hold it and certainly holds mmap_sem. The
 * `dax-imutex-fault` variant takes it anyway, to show the inversion;
 * `dax-invalidate-lock` takes invalidate_lock shared around the whole fault
 * (commit 730633f0b7f9). Read in fs/dax.c of the v4.1 tree (the fault path is
 * v4.0's: do_dax_fault, copy_user_bh, dax_insert_mapping) and mm/memory.c
 * do_cow_fault of v4.0 ("The fault handler has no page to lock, so it holds
 * i_mmap_lock for read to protect against truncate").
 */
import { allocateBlock, lookupBlock, writeBlock, zeroBlock } from '../kernel/blocks.ts';
import { setPte, unmapMappingRange } from '../kernel/mm.ts';
import { addLockedPage, deleteFromPageCache, findGetPage } from '../kernel/pagecache.ts';
import { inodeName, ZEROES } from '../kernel/state.ts';
import { EFAULT, VM_FAULT_LOCKED, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS, readUser, vmFaultName, writeUser } from '../kernel/uaccess.ts';
import { copyStates } from './copy.ts';
import { FINAL, defineThread } from './define.ts';
import { beyondEof, bytesOr, checkMapping, lockPageOrRetry } from './filemap.ts';
import { hasCachedPages, invalidatePages2Range } from './invalidate.ts';
import { unlockPage } from './pagelock.ts';
import { inodeLockName, inodeUnlockName, ioDone, maybeUnlockStep, plainStep, takeLock, unlockStep, type LockOf } from './steps.ts';
import { calleeRet, local, type DaxFaultRegs, type InodeRegs, type RwIterRegs } from './regs.ts';
import type { StepInput, StepResult } from './types.ts';

/** A step of do_dax_fault. */
type FaultIn = StepInput<DaxFaultRegs>;
/** A step of dax_read_iter or dax_write_iter. */
type In = StepInput<RwIterRegs>;

const iMutex: LockOf<InodeRegs> = (input) => ({ kind: 'i_rwsem', ino: input.regs.ino });
const iMmap: LockOf<InodeRegs> = (input) => ({ kind: 'i_mmap', ino: input.regs.ino });
const invalidateLock: LockOf<InodeRegs> = (input) => ({ kind: 'invalidate_lock', ino: input.regs.ino });

function at(input: FaultIn): string {
  return `${inodeName(input.kernel, input.regs.ino)}:${input.regs.index}`;
}

function fail(label: string, extra: Omit<Partial<StepResult<'dax.fail', DaxFaultRegs>>, 'event'> = {}): StepResult<'dax.fail', DaxFaultRegs> {
  return { event: 'dax.fail', label: () => `${label} → VM_FAULT_SIGBUS`, regs: { ret: VM_FAULT_SIGBUS, page: undefined }, ...extra };
}

/** page_cache_release in 4.0, put_page from 4.6 on. */
function putName(input: StepInput<unknown>): string {
  return input.variant.era === '2015' ? 'page_cache_release' : 'put_page';
}

/** The unlock_page: exit: unlock the hole page this fault holds and drop its reference, then fail with -EIO. */
function failWithPage(input: FaultIn, label: string): StepResult<'dax.fail', DaxFaultRegs> {
  const page = input.regs.page;
  if (page === undefined) return fail(label);
  const unlocked = unlockPage(input.kernel, page, input.task.pid, true);
  return fail(`${label} → unlock_page, ${putName(input)}`, { kernel: unlocked.kernel, outcome: unlocked.violation });
}

/** dax_fault (v4.0) and ext2_dax_fault (5.15) end a write fault with sb_end_pagefault. */
function returnLabel(input: FaultIn): string {
  const end = input.regs.write ? 'sb_end_pagefault → ' : '';
  return `${end}return ${vmFaultName(calleeRet(input.regs))}`;
}

/** do_cow_fault passes vmf->cow_page for a write fault on a MAP_PRIVATE mapping (mm/memory.c: do_fault). */
function cowFault(input: FaultIn): boolean {
  return input.regs.write === true && input.regs.shared !== true;
}

/** ext2_dax_fault → dax_fault: a write fault is bracketed by sb_start_pagefault and file_update_time (v4.0; the 5.15 ext2_dax_fault too). */
function enterLabel(input: FaultIn, inner: string): string {
  const write = input.regs.write ? ': sb_start_pagefault, file_update_time' : '';
  return input.variant.invalidateLock ? `ext2_dax_fault(${at(input)})${write}` : `dax_fault${write} → ${inner}`;
}

export const doDaxFault = defineThread({
  id: 'do_dax_fault',
  role: 'fault',
  initial: 'enter',
  states: {
    enter: {
      step: {
        run: (input: FaultIn) => {
          if (input.variant.faultTakesIMutex) return { event: 'dax.imutex', label: () => enterLabel(input, `do_dax_fault(${at(input)}) (hypothetical: takes i_mutex)`) };
          if (input.variant.invalidateLock) return { event: 'dax.invalidate', label: () => enterLabel(input, '') };
          return { event: 'step.done', label: () => enterLabel(input, `do_dax_fault(${at(input)})`) };
        },
      },
      on: { 'dax.imutex': 'mutex_lock_i_mutex', 'dax.invalidate': 'filemap_invalidate_lock_shared', 'step.done': 'size_check' },
    },
    ...takeLock('mutex_lock_i_mutex', 'mutex_lock(&inode->i_mutex)', iMutex, true, 'size_check'),
    ...takeLock('filemap_invalidate_lock_shared', 'filemap_invalidate_lock_shared', invalidateLock, false, 'size_check'),
    size_check: {
      step: {
        run: (input: FaultIn) => (beyondEof(input.kernel, input.regs.ino, input.regs.index) ? fail('pgoff ≥ i_size') : { event: 'step.done', label: 'i_size_read: pgoff < size' }),
      },
      on: { 'step.done': 'find_get_page', 'dax.fail': 'out' },
    },
    find_get_page: {
      step: {
        run: (input: FaultIn) => {
          const found = findGetPage(input.kernel, input.regs.ino, input.regs.index);
          if (found.page === null) return { event: 'page.absent', label: () => `find_get_page(${at(input)}) → no hole page`, regs: { page: undefined } };
          return { event: 'page.found', label: () => `find_get_page(${at(input)}) → hole page, reference taken`, kernel: found.kernel, regs: { page: found.page } };
        },
      },
      on: { 'page.found': 'lock_page_or_retry', 'page.absent': 'get_block' },
    },
    ...lockPageOrRetry('check_mapping', 'out'),
    check_mapping: checkMapping('size_check_locked'),
    size_check_locked: {
      step: {
        run: (input: FaultIn) => (beyondEof(input.kernel, input.regs.ino, input.regs.index) ? failWithPage(input, 'i_size re-checked under the page lock: pgoff ≥ size → -EIO') : { event: 'step.done', label: 'i_size re-checked under the page lock' }),
      },
      on: { 'step.done': 'get_block', 'dax.fail': 'out' },
    },
    get_block: {
      step: {
        run: (input: FaultIn) => {
          const result = lookupBlock(input.kernel, input.regs.ino, input.regs.index);
          switch (result.kind) {
            case 'short-extent':
              return failWithPage(input, 'get_block(create=0): bh.b_size < PAGE_SIZE → -EIO');
            case 'mapped':
              if (cowFault(input)) return { event: 'block.cow', label: () => `get_block(create=0) → block ${result.block}; vmf->cow_page set (MAP_PRIVATE write fault)`, regs: { block: result.block } };
              // A hole page this fault locked must go before the block is mapped (fs/dax.c: "if (page) { unmap_mapping_range … }").
              return { event: input.regs.page !== undefined ? 'block.evict' : 'block.mapped', label: () => `get_block(create=0) → block ${result.block}`, regs: { block: result.block } };
            case 'hole':
              // "!buffer_mapped && !buffer_unwritten && !vmf->cow_page": a COW fault allocates nothing.
              if (cowFault(input)) return { event: 'block.cow', label: 'get_block(create=0) → unmapped; vmf->cow_page set (MAP_PRIVATE write fault): no allocation', regs: { block: undefined } };
              if (input.regs.write) return { event: 'block.hole.write', label: 'get_block(create=0) → unmapped, write fault' };
              if (input.regs.page !== undefined) return { event: 'block.hole.page', label: 'get_block(create=0) → unmapped; the hole page is already here → VM_FAULT_LOCKED', regs: { ret: VM_FAULT_LOCKED, vmfPage: input.regs.page } };
              return { event: 'block.hole.read', label: 'get_block(create=0) → unmapped, read fault' };
          }
        },
      },
      on: { 'dax.fail': 'out', 'block.cow': 'copy_user_bh', 'block.mapped': 'i_mmap_lock_read', 'block.evict': 'evict_hole_page', 'block.hole.write': 'get_block_create', 'block.hole.page': 'out', 'block.hole.read': 'dax_load_hole' },
    },
    // The seed's copy_user_bh hunk (fs/dax.c, v4.0): "if (vmf->cow_page) { … copy_user_bh(new_page, &bh, blkbits, vaddr) … else clear_user_highpage … vmf->page = page; … return VM_FAULT_LOCKED; }".
    copy_user_bh: {
      step: {
        run: (input: FaultIn) => {
          const block = input.regs.block;
          const content = block === undefined ? ZEROES : (input.kernel.blocks[block]?.content ?? ZEROES);
          const copy = block === undefined ? 'clear_user_highpage(vmf->cow_page)' : `copy_user_bh: block ${block} (${content}) → vmf->cow_page`;
          const regs = { cow: content };
          if (input.regs.page !== undefined) {
            // vmf->page = the locked hole page: do_cow_fault copies from it (and unlocks it), so no i_mmap here.
            return { event: 'fault.locked', label: () => `${copy}; vmf->page = the hole page → VM_FAULT_LOCKED`, regs: { ...regs, ret: VM_FAULT_LOCKED, vmfPage: input.regs.page, page: undefined } };
          }
          return { event: 'cow.nopage', label: () => `${copy}; no page to lock`, regs };
        },
      },
      on: { 'fault.locked': 'out', 'cow.nopage': 'cow_i_mmap_lock_read' },
    },
    ...takeLock('cow_i_mmap_lock_read', 'i_mmap_lock_read (no page to lock: hold i_mmap against truncate)', iMmap, false, 'cow_size_recheck'),
    cow_size_recheck: {
      step: {
        run: (input: FaultIn) => {
          const locked = { event: 'fault.locked' as const, regs: { ret: VM_FAULT_LOCKED, vmfPage: undefined } };
          if (!input.variant.daxSizeRecheck) return { ...locked, label: 'no i_size re-check (dax-2015-norecheck) → VM_FAULT_LOCKED, i_mmap still held for read' };
          if (beyondEof(input.kernel, input.regs.ino, input.regs.index)) return { event: 'dax.eio', label: '"Check we didn\'t race with truncate": i_size re-checked under i_mmap: truncated → -EIO' };
          return { ...locked, label: 'i_size re-checked under i_mmap → VM_FAULT_LOCKED, returning with i_mmap held for read' };
        },
      },
      on: { 'fault.locked': 'out', 'dax.eio': 'i_mmap_unlock_eio' },
    },
    get_block_create: {
      step: {
        run: (input: FaultIn) => {
          const allocated = allocateBlock(input.kernel, input.regs.ino, input.regs.index);
          if (allocated === null) return failWithPage(input, 'get_block(create=1) → -ENOSPC');
          const label = `get_block(create=1) → allocates block ${allocated.block} (buffer_new)`;
          return { event: input.regs.page !== undefined ? 'block.evict' : 'block.mapped', label, kernel: allocated.kernel, regs: { block: allocated.block } };
        },
      },
      on: { 'block.mapped': 'find_lock_page', 'block.evict': 'evict_hole_page', 'dax.fail': 'out' },
    },
    // "Check we didn't race with a read fault installing a new page" (fs/dax.c, v4.0): if (!page && major) page = find_lock_page(…).
    find_lock_page: {
      step: {
        run: (input: FaultIn) => {
          const found = findGetPage(input.kernel, input.regs.ino, input.regs.index);
          if (found.page === null) return { event: 'page.absent', label: () => `find_lock_page(${at(input)}) → no racing hole page` };
          return { event: 'page.found', label: () => `find_lock_page(${at(input)}) → a racing read fault's hole page`, kernel: found.kernel, regs: { page: found.page } };
        },
      },
      on: { 'page.absent': 'i_mmap_lock_read', 'page.found': 'lock_racing_page' },
    },
    ...takeLock('lock_racing_page', 'lock_page', (input: FaultIn) => ({ kind: 'page', page: local(input.regs.page, 'the page in hand') }), true, 'evict_hole_page'),
    evict_hole_page: {
      step: {
        run: (input: FaultIn) => {
          // __dax_fault: a hole page raced with the allocation: unmap it, delete it, unlock it.
          const page = local(input.regs.page, 'the page in hand');
          const index = input.regs.index;
          const unmapped = unmapMappingRange(input.kernel, input.regs.ino, index, index + 1, false);
          const deleted = deleteFromPageCache(unmapped, page);
          const unlocked = unlockPage(deleted, page, input.task.pid, true);
          return { event: 'step.done', label: () => `unmap_mapping_range + delete_from_page_cache of the hole page → unlock_page, ${putName(input)}`, kernel: unlocked.kernel, outcome: unlocked.violation, regs: { page: undefined } };
        },
      },
      on: { 'step.done': 'i_mmap_lock_read' },
    },
    dax_load_hole: {
      step: {
        run: (input: FaultIn) => {
          const ino = input.regs.ino;
          const index = input.regs.index;
          const added = addLockedPage(input.kernel, ino, index, input.task.pid, ZEROES, true);
          return { event: 'step.done', label: () => `dax_load_hole → find_or_create_page(${at(input)}), zeroed, locked`, kernel: added.kernel, regs: { page: added.page } };
        },
      },
      on: { 'step.done': 'dax_load_hole_size_check' },
    },
    dax_load_hole_size_check: {
      step: {
        run: (input: FaultIn) =>
          beyondEof(input.kernel, input.regs.ino, input.regs.index)
            ? failWithPage(input, 'dax_load_hole: i_size re-checked under the page lock: pgoff ≥ size')
            : { event: 'fault.locked', label: 'dax_load_hole → VM_FAULT_LOCKED', regs: { ret: VM_FAULT_LOCKED, vmfPage: input.regs.page } },
      },
      on: { 'fault.locked': 'out', 'dax.fail': 'out' },
    },
    ...takeLock('i_mmap_lock_read', 'dax_insert_mapping → i_mmap_lock_read', iMmap, false, 'size_recheck'),
    size_recheck: {
      step: {
        run: (input: FaultIn) => {
          if (!input.variant.daxSizeRecheck) return { event: 'step.done', label: 'no i_size re-check (dax-2015-norecheck)' };
          if (beyondEof(input.kernel, input.regs.ino, input.regs.index)) return { event: 'dax.eio', label: 'i_size re-checked under i_mmap: truncated → -EIO' };
          return { event: 'step.done', label: 'i_size re-checked under i_mmap: still within EOF' };
        },
      },
      on: { 'step.done': 'vm_insert_mixed', 'dax.eio': 'i_mmap_unlock_eio' },
    },
    vm_insert_mixed: {
      step: {
        run: (input: FaultIn) => {
          const block = local(input.regs.block, 'the block');
          const fresh = input.kernel.blocks[block]?.fresh === true;
          const zeroed = fresh ? zeroBlock(input.kernel, block) : input.kernel;
          const writable = input.regs.write === true;
          return {
            event: 'step.done',
            label: () => `${fresh ? 'dax_clear_blocks, ' : ''}vm_insert_mixed → PTE → block ${block}${writable ? ' (writable)' : ''}`,
            kernel: setPte(zeroed, input.task.mm, input.regs.vpage, { kind: 'dax', block, writable }),
            regs: { ret: VM_FAULT_NOPAGE },
          };
        },
      },
      on: { 'step.done': 'i_mmap_unlock' },
    },
    i_mmap_unlock: { step: unlockStep('i_mmap_unlock_read → VM_FAULT_NOPAGE', iMmap), on: { 'lock.released': 'out' } },
    i_mmap_unlock_eio: {
      step: unlockStep('i_mmap_unlock_read → -EIO → VM_FAULT_SIGBUS', iMmap, 'lock.released', () => ({ regs: { ret: VM_FAULT_SIGBUS } })),
      on: { 'lock.released': 'out' },
    },
    // The exit: drop what this variant took on entry, one lock per step, then return the fault code.
    out: {
      step: {
        run: (input: FaultIn) => {
          // Only what this fault took on entry: the task may hold i_mutex from the write that faulted.
          if (input.variant.invalidateLock) return maybeUnlockStep('filemap_invalidate_unlock_shared', invalidateLock, returnLabel).run(input);
          if (input.variant.faultTakesIMutex && !input.regs.unlocked) {
            return { ...unlockStep('mutex_unlock(&inode->i_mutex)', iMutex).run(input), regs: { unlocked: true } };
          }
          return { event: 'lock.none', label: () => returnLabel(input) };
        },
      },
      on: { 'lock.released': 'out', 'lock.none': 'done' },
    },
    done: FINAL,
  },
});

function ioCall(input: StepInput<unknown>): string {
  return input.variant.era === '2015' ? 'dax_do_io' : 'dax_iomap_rw';
}

/** ext2_file_read_iter on DAX: per page, copy from the block (zeroes for a hole) to the user buffer. */
export const daxReadIter = defineThread({
  id: 'dax_read_iter',
  role: 'rw',
  initial: 'route',
  states: {
    // v4.0 dax_do_io (DIO_LOCKING, READ) holds i_mutex across dax_io; 5.15 ext2_dax_read_iter takes inode_lock_shared.
    route: {
      step: plainStep((input: In) => (input.variant.era === '2015' ? 'ext2_direct_IO → dax_do_io(READ, DIO_LOCKING)' : 'ext2_dax_read_iter'), 'step.done'),
      on: { 'step.done': 'era' },
    },
    era: {
      step: { run: (input: In) => (input.variant.era === '2015' ? { event: 'lock.exclusive', label: 'dax_do_io: read under i_mutex' } : { event: 'lock.shared', label: 'dax_iomap_rw under inode_lock_shared' }) },
      on: { 'lock.exclusive': 'mutex_lock', 'lock.shared': 'inode_lock_shared' },
    },
    ...takeLock('mutex_lock', 'mutex_lock(&inode->i_mutex)', iMutex, true, 'next_page'),
    ...takeLock('inode_lock_shared', 'inode_lock_shared', iMutex, false, 'next_page'),
    next_page: {
      step: {
        run: (input: In) => {
          const index = input.regs.pos + input.regs.done;
          const end = ioDone(input, 'io.done', ioCall(input), beyondEof(input.kernel, input.regs.ino, index));
          if (end !== null) return end;
          return { event: 'io.page', label: () => `${ioCall(input)}: get_block(${inodeName(input.kernel, input.regs.ino)}:${index}, create=0)`, regs: { index } };
        },
      },
      on: { 'io.done': 'unlock', 'io.page': 'copy_to_iter' },
    },
    ...copyStates('copy_to_iter', {
      call: 'copy_to_iter',
      userWrite: true,
      transfer: (input: In, vpage: number) => {
        const block = lookupBlock(input.kernel, input.regs.ino, local(input.regs.index, 'the page index'));
        const content = block.kind === 'mapped' ? (input.kernel.blocks[block.block]?.content ?? ZEROES) : ZEROES;
        return { label: () => `copy_to_iter → user page ${vpage} ← ${content}`, kernel: writeUser(input.kernel, input.task.mm, vpage, content), regs: { done: input.regs.done + 1 } };
      },
      next: 'next_page',
      short: 'short',
    }),
    short: { step: plainStep((input: In) => `short copy → ${bytesOr(input, EFAULT)}`, 'io.done', (input) => ({ regs: { ret: bytesOr(input, EFAULT) } })), on: { 'io.done': 'unlock' } },
    unlock: {
      step: { run: (input: In) => unlockStep(input.variant.era === '2015' ? 'mutex_unlock(&inode->i_mutex)' : 'inode_unlock_shared', iMutex).run(input) },
      on: { 'lock.released': 'done' },
    },
    done: FINAL,
  },
});

/**
 * ext2_file_write_iter on DAX: generic_file_write_iter takes i_mutex, and
 * IS_DAX sends it down the direct-I/O path (mm/filemap.c:
 * generic_file_direct_write, v4.0): invalidate_inode_pages2_range over the
 * written range when the file has pages in the page cache, then
 * ->direct_IO = dax_do_io, which allocates blocks with get_block(create=1)
 * and copies from the user buffer with faults enabled (i_mutex → mmap_sem,
 * the legal order of mm/rmap.c), then invalidate_inode_pages2_range again:
 * a hole page a read fault mapped before or during the write is unmapped and
 * dropped, so the next access faults and maps the written block. The 5.15
 * variant invalidates where 5.15's dax_iomap_iter does: after allocating a
 * block (IOMAP_F_NEW), before copying into it.
 */
const writtenRange = { from: (input: In) => input.regs.pos, to: (input: In) => input.regs.pos + input.regs.len };
const newBlockRange = { from: (input: In) => input.regs.pos + input.regs.done, to: (input: In) => input.regs.pos + input.regs.done + 1 };

export const daxWriteIter = defineThread({
  id: 'dax_write_iter',
  role: 'rw',
  initial: 'inode_lock',
  states: {
    ...takeLock('inode_lock', inodeLockName, iMutex, true, 'next_page'),
    next_page: {
      step: {
        run: (input: In) => {
          const ino = input.regs.ino;
          if (input.variant.era === '2015' && input.regs.invalidated !== true) {
            if (hasCachedPages(input.kernel, ino)) {
              return { event: 'io.invalidate', label: 'generic_file_direct_write: mapping->nrpages != 0', regs: { invalidated: true, index: input.regs.pos } };
            }
            // Nothing cached: on to the first page in this same step, invalidated.
            const first = nextPage({ ...input, regs: { ...input.regs, invalidated: true } });
            return { ...first, regs: { invalidated: true, ...first.regs } };
          }
          return nextPage(input);
        },
      },
      on: { 'io.done': 'inode_unlock', 'io.invalidate': 'invalidate_before', 'io.page': 'copy_from_iter', 'io.new': 'invalidate_new', 'io.end': 'invalidate_after' },
    },
    ...invalidatePages2Range('invalidate_before', { ...writtenRange, done: 'next_page' }),
    ...invalidatePages2Range('invalidate_new', { ...newBlockRange, done: 'copy_from_iter' }),
    ...invalidatePages2Range('invalidate_after', { ...writtenRange, done: 'inode_unlock' }),
    ...copyStates('copy_from_iter', {
      call: 'copy_from_iter',
      userWrite: false,
      transfer: (input: In, vpage: number) => {
        const content = readUser(input.kernel, input.task.mm, vpage);
        return { label: () => `copy_from_iter ← user page ${vpage} (${content}) → block ${local(input.regs.block, 'the block')}`, kernel: writeBlock(input.kernel, local(input.regs.block, 'the block'), content), regs: { done: input.regs.done + 1 } };
      },
      next: 'next_page',
      short: 'short',
    }),
    short: {
      step: { run: (input: In) => endOfDirectIo(input, { event: 'io.done', label: () => `short copy → ${bytesOr(input, EFAULT)}`, regs: { ret: bytesOr(input, EFAULT) } }) },
      on: { 'io.done': 'inode_unlock', 'io.end': 'invalidate_after' },
    },
    inode_unlock: { step: { run: (input: In) => unlockStep(inodeUnlockName(input), iMutex).run(input) }, on: { 'lock.released': 'done' } },
    done: FINAL,
  },
});

/** dax_do_io returned: generic_file_direct_write invalidates the range again ('io.end') when the file has cached pages (2015). */
function endOfDirectIo<const E extends string>(input: In, result: StepResult<E>): StepResult<E | 'io.end'> {
  if (input.variant.era !== '2015' || !hasCachedPages(input.kernel, input.regs.ino)) return result;
  return { ...result, event: 'io.end', regs: { ...(result.regs ?? input.regs), index: input.regs.pos, rangeUnmapped: undefined } };
}

/** One page of dax_do_io / dax_iomap_rw: get_block(create=1), then the copy. */
function nextPage(input: In): StepResult<'io.done' | 'io.end' | 'io.page' | 'io.new'> {
  const end = ioDone(input, 'io.done', ioCall(input));
  if (end !== null) return endOfDirectIo(input, end);
  const done = input.regs.done;
  const ino = input.regs.ino;
  const index = input.regs.pos + done;
  const block = lookupBlock(input.kernel, ino, index);
  if (block.kind === 'mapped') return { event: 'io.page', label: () => `${ioCall(input)}: get_block(${inodeName(input.kernel, ino)}:${index}, create=1) → block ${block.block}`, regs: { index, block: block.block } };
  const allocated = allocateBlock(input.kernel, ino, index);
  if (allocated === null) return endOfDirectIo(input, { event: 'io.done', label: () => `get_block(create=1) → -ENOSPC`, regs: { ret: bytesOr(input, -28) } });
  // 5.15 dax_iomap_iter: "Write can allocate block for an area which has a hole page mapped into page tables" → IOMAP_F_NEW → invalidate.
  const fresh = input.variant.era !== '2015' && hasCachedPages(allocated.kernel, ino);
  return {
    event: fresh ? 'io.new' : 'io.page',
    label: () => `${ioCall(input)}: get_block(${inodeName(input.kernel, ino)}:${index}, create=1) → allocates block ${allocated.block}, dax_clear_blocks${fresh ? ' (IOMAP_F_NEW)' : ''}`,
    kernel: zeroBlock(allocated.kernel, allocated.block),
    regs: { index, block: allocated.block },
  };
}
