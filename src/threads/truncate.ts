/**
 * truncate and hole punch (mm/truncate.c; fs/ext2/inode.c: ext2_setsize;
 * fs/gfs2/bmap.c: gfs2_setattr_size, gfs2_punch_hole).
 *
 * Truncate, under i_mutex / i_rwsem: i_size_write(new) first, then
 * unmap_mapping_range (i_mmap for write; even_cows = 1), then
 * truncate_inode_pages (lock each page, delete it, so page->mapping becomes
 * NULL), then free the blocks. Size, unmap, free: a fault that re-checks
 * i_size after allocating can tell it lost the race. Hole punch does the
 * same over a range without changing i_size, so the fault's re-check cannot
 * catch it. ext2 itself has no hole punch; the punch modelled is the generic
 * sequence the seed discusses (truncate_pagecache_range, then free blocks,
 * as ext4_punch_hole did in 2015). gfs2 takes the inode glock EX inside
 * i_rwsem; the 5.15 invalidate_lock variant takes invalidate_lock exclusive
 * around the whole operation.
 *
 * ext4 (v4.0–4.4, fs/ext4/inode.c: ext4_punch_hole, ext4_setattr): punch
 * drops the page cache of the range, frees the blocks (ext4_ext_remove_space
 * under i_data_sem, not modelled as a lock), then drops the page cache again
 * ("Now release the pages again to reduce race window"), all under i_mutex
 * and nothing that faults take; ea3d7209ca01 (4.5) replaced the second drop
 * with i_mmap_sem. XFS 4.1 (fs/xfs/xfs_file.c: xfs_file_fallocate;
 * xfs_iops.c: xfs_vn_setattr) takes XFS_IOLOCK_EXCL (not a lock object here:
 * no modelled XFS path takes it, as read and write on ext4/xfs are not
 * modelled) and XFS_MMAPLOCK_EXCL, the i_mmaplock faults take shared, around
 * truncate_pagecache_range and xfs_free_file_space; fallocate takes no
 * i_mutex.
 *
 * Not modelled: the second unmap_mapping_range of truncate_pagecache (it
 * catches private COW pages instantiated in between, which no scenario does).
 */
import { freeBlocks } from '../kernel/blocks.ts';
import { isGranted } from '../kernel/glock.ts';
import { pageMapped, unmapMappingRange, unmapPage } from '../kernel/mm.ts';
import { deleteFromPageCache, getPage } from '../kernel/pagecache.ts';
import { inodeName, type KernelState } from '../kernel/state.ts';
import { PAGE_SIZE } from '../kernel/ids.ts';
import { FINAL, defineThread } from './define.ts';
import { unlockPage } from './pagelock.ts';
import { dropGlock, inodeLockName, inodeUnlockName, maybeUnlockStep, takeGlock, takeLock, unlockStep, type LockOf } from './steps.ts';
import { local, type InodeRegs, type TruncateRegs } from './regs.ts';
import type { StepInput, StepResult } from './types.ts';

type In = StepInput<TruncateRegs>;

const iRwsem: LockOf<InodeRegs> = (input) => ({ kind: 'i_rwsem', ino: input.regs.ino });
const iMmap: LockOf<InodeRegs> = (input) => ({ kind: 'i_mmap', ino: input.regs.ino });
const invalidateLock: LockOf<InodeRegs> = (input) => ({ kind: 'invalidate_lock', ino: input.regs.ino });
const pageLock: LockOf<TruncateRegs> = (input) => ({ kind: 'page', page: local(input.regs.page, 'the page in hand') });

type Kind = 'truncate' | 'punch';

/** The lock faults take shared and truncate/punch exclusive, as the variant's kernel spells it. */
function invalidateLockCall(input: StepInput<unknown>, unlock: boolean): string {
  if (input.variant.fs === 'xfs') return unlock ? 'xfs_iunlock(XFS_IOLOCK_EXCL | XFS_MMAPLOCK_EXCL)' : 'xfs_ilock(XFS_MMAPLOCK_EXCL)';
  return unlock ? 'filemap_invalidate_unlock' : 'filemap_invalidate_lock';
}

/** What frees the blocks, per filesystem. */
function freeCall(input: StepInput<unknown>, kind: Kind): string {
  switch (input.variant.fs) {
    case 'gfs2':
      return 'gfs2 dealloc';
    case 'ext2-dax':
      return kind === 'truncate' ? '__ext2_truncate_blocks' : 'free blocks in the hole';
    case 'ext4':
      return kind === 'truncate' ? 'ext4_truncate' : 'ext4_ext_remove_space';
    case 'xfs':
      return kind === 'truncate' ? 'xfs_itruncate_extents' : 'xfs_free_file_space → xfs_bunmapi';
  }
}

function routeLabel(input: StepInput<unknown>, kind: Kind): string {
  const truncate = kind === 'truncate';
  switch (input.variant.fs) {
    case 'gfs2':
      return truncate ? 'gfs2_setattr_size' : 'gfs2_fallocate → gfs2_punch_hole';
    case 'ext2-dax':
      if (input.variant.invalidateLock) return truncate ? 'ext2_setsize' : 'punch_hole';
      return truncate ? 'ext2_setsize → truncate_setsize' : 'punch_hole → truncate_pagecache_range';
    case 'ext4':
      return truncate ? 'ext4_setattr' : 'ext4_fallocate → ext4_punch_hole → truncate_pagecache_range';
    case 'xfs':
      return truncate ? 'xfs_vn_setattr → xfs_ilock(XFS_IOLOCK_EXCL)' : 'xfs_file_fallocate → xfs_ilock(XFS_IOLOCK_EXCL)';
  }
}

/** The file page range [from, to) the operation removes: beyond the new size, or the hole. */
function range(input: In): { from: number; to: number } {
  if ('size' in input.regs) return { from: input.regs.size, to: Number.POSITIVE_INFINITY };
  return { from: input.regs.pos, to: input.regs.pos + input.regs.len };
}

function nextCachedPage(kernel: KernelState, ino: number, from: number, to: number): number | null {
  const cache = kernel.inodes[ino]?.cache ?? [];
  for (let index = from; index < Math.min(to, cache.length); index++) {
    const page = cache[index];
    if (page !== null && page !== undefined) return page;
  }
  return null;
}

function truncateLike(id: 'do_truncate' | 'punch_hole', kind: Kind) {
  const caller = kind === 'truncate' ? 'gfs2_setattr_size' : 'gfs2_punch_hole';
  const release = (input: In): StepResult<'lock.released' | 'lock.none', TruncateRegs> => {
    const invalidate = maybeUnlockStep(invalidateLockCall(input, true), invalidateLock, () => '').run(input);
    if (invalidate.event === 'lock.released') return invalidate;
    if (isGranted(input.kernel, input.task.node, input.regs.ino, input.task.pid, caller)) return dropGlock(caller, 'lock.released').run(input);
    const inode = maybeUnlockStep(inodeUnlockName(input), iRwsem, () => `${kind === 'truncate' ? 'truncate' : 'fallocate'} returns 0`).run(input);
    return inode.event === 'lock.none' ? { ...inode, regs: { ret: 0 } } : inode;
  };
  return defineThread({
    id,
    initial: 'inode_lock',
    states: {
      inode_lock: {
        step: {
          run: (input: In) => ({
            // xfs_file_fallocate takes no i_mutex: its XFS_IOLOCK_EXCL is in the route step.
            event: kind === 'punch' && input.variant.fs === 'xfs' ? 'step.skip' : 'step.done',
            label: () => `${kind === 'truncate' ? 'do_truncate → notify_change' : 'vfs_fallocate(FALLOC_FL_PUNCH_HOLE)'}(${inodeName(input.kernel, input.regs.ino)})`,
          }),
        },
        on: { 'step.done': 'take_i_rwsem', 'step.skip': 'route' },
      },
      ...takeLock('take_i_rwsem', inodeLockName, iRwsem, true, 'route'),
      route: {
        step: {
          run: (input: In) => {
            const label = routeLabel(input, kind);
            if (input.variant.fs === 'gfs2') return { event: 'route.gfs2', label };
            if (input.variant.invalidateLock) return { event: 'route.invalidate', label };
            return { event: 'route.plain', label };
          },
        },
        on: { 'route.gfs2': 'glock_ex', 'route.invalidate': 'filemap_invalidate_lock', 'route.plain': kind === 'truncate' ? 'i_size_write' : 'i_mmap_lock_write' },
      },
      ...takeGlock('glock_ex', { caller, mode: () => 'EX' }, kind === 'truncate' ? 'i_size_write' : 'i_mmap_lock_write'),
      ...takeLock('filemap_invalidate_lock', (input) => invalidateLockCall(input, false), invalidateLock, true, kind === 'truncate' ? 'i_size_write' : 'i_mmap_lock_write'),
      i_size_write: {
        step: {
          run: (input: In) => {
            const ino = input.regs.ino;
            // Only truncate comes here (route), with the new size.
            const size = local('size' in input.regs ? input.regs.size : undefined, 'the new size') * PAGE_SIZE;
            const inodes = input.kernel.inodes.slice();
            const inode = inodes[ino];
            if (inode !== undefined) inodes[ino] = { ...inode, size };
            // ext4 4.0's ext4_setattr writes i_size itself, then calls truncate_pagecache; the others go through truncate_setsize.
            const call = input.variant.fs === 'ext4' ? 'i_size_write' : 'truncate_setsize → i_size_write';
            return { event: 'step.done', label: () => `${call}(${inodeName(input.kernel, ino)}, ${size})`, kernel: { ...input.kernel, inodes } };
          },
        },
        on: { 'step.done': 'i_mmap_lock_write' },
      },
      ...takeLock(
        'i_mmap_lock_write',
        (input: In) => (input.regs.again ? '"Now release the pages again to reduce race window": truncate_pagecache_range → i_mmap_lock_write' : 'i_mmap_lock_write'),
        iMmap,
        true,
        'unmap_mapping_range',
      ),
      unmap_mapping_range: {
        step: {
          run: (input: In) => {
            const { from, to } = range(input);
            const evenCows = kind === 'truncate';
            const kernel = unmapMappingRange(input.kernel, input.regs.ino, from, to, evenCows);
            const what = to === Number.POSITIVE_INFINITY ? `pages ≥ ${from}` : `pages ${from}–${to - 1}`;
            return { event: 'step.done', label: () => `unmap_mapping_range(${what}${evenCows ? ', even_cows' : ''})`, kernel };
          },
        },
        on: { 'step.done': 'i_mmap_unlock_write' },
      },
      i_mmap_unlock_write: { step: unlockStep('i_mmap_unlock_write', iMmap), on: { 'lock.released': 'truncate_inode_pages' } },
      truncate_inode_pages: {
        step: {
          run: (input: In) => {
            const { from, to } = range(input);
            const page = nextCachedPage(input.kernel, input.regs.ino, from, to);
            const call = kind === 'truncate' ? 'truncate_inode_pages' : 'truncate_inode_pages_range';
            if (page === null) return { event: input.regs.again ? 'pages.done' : 'pages.none', label: () => `${call} → no cached page left`, regs: { page: undefined } };
            // find_lock_entries holds a reference on the page while truncate sleeps for its lock.
            return { event: 'pages.next', label: () => `${call} → page ${inodeName(input.kernel, input.regs.ino)}:${input.kernel.pages[page]?.index ?? '?'}`, kernel: getPage(input.kernel, page), regs: { page } };
          },
        },
        on: { 'pages.none': 'free_blocks', 'pages.done': 'out', 'pages.next': 'lock_page' },
      },
      ...takeLock('lock_page', 'lock_page', pageLock, true, 'delete_from_page_cache'),
      delete_from_page_cache: {
        step: {
          run: (input: In) => {
            const page = local(input.regs.page, 'the page in hand');
            // mm/truncate.c: truncate_inode_page: a fault may have mapped the page since the
            // first unmap_mapping_range (it waited for the page lock we now hold): unmap it again.
            const mapped = pageMapped(input.kernel, page);
            const unmapped = mapped ? unmapPage(input.kernel, page) : input.kernel;
            const unlocked = unlockPage(deleteFromPageCache(unmapped, page), page, input.task.pid, true);
            const label = `${mapped ? 'truncate_inode_page: page_mapped → unmap_mapping_range(page), ' : ''}delete_from_page_cache (page->mapping = NULL) → unlock_page, ${input.variant.era === '2015' ? 'page_cache_release' : 'put_page'}`;
            return { event: 'step.done', label, kernel: unlocked.kernel, outcome: unlocked.violation };
          },
        },
        on: { 'step.done': 'truncate_inode_pages' },
      },
      free_blocks: {
        step: {
          run: (input: In) => {
            const { from, to } = range(input);
            const ino = input.regs.ino;
            const before = input.kernel.inodes[ino]?.map ?? [];
            const freed = before.flatMap((b, index) => (b !== null && index >= from && index < to ? [b] : []));
            const label = `${freeCall(input, kind)} → ${freed.length > 0 ? `frees block ${freed.join(', ')}` : 'nothing to free'}`;
            const kernel = freeBlocks(input.kernel, ino, from, to);
            // ext4_punch_hole (v4.0–4.4) drops the page cache of the range a second time after freeing.
            if (kind === 'punch' && input.variant.fs === 'ext4') return { event: 'step.again', label, kernel, regs: { again: true } };
            return { event: 'step.done', label, kernel };
          },
        },
        on: { 'step.done': 'out', 'step.again': 'i_mmap_lock_write' },
      },
      out: { step: { run: release }, on: { 'lock.released': 'out', 'lock.none': 'done' } },
      done: FINAL,
      bug: FINAL,
    },
  });
}


export const doTruncate = truncateLike('do_truncate', 'truncate');
export const punchHole = truncateLike('punch_hole', 'punch');
