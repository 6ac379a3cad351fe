/**
 * XFS 4.1's fault handler (fs/xfs/xfs_file.c: xfs_filemap_fault, commit
 * 653c60b633a9 "xfs: introduce mmap/truncate lock"): take the inode's
 * i_mmaplock shared, run filemap_fault, drop it. Hole punch and truncate
 * take it exclusive (xfs_file_fallocate, xfs_vn_setattr) across
 * truncate_pagecache_range and the freeing of the blocks, so no fault can
 * look a block up, or instantiate a page, in the middle of them. The lock
 * order the series states: mmap_sem → i_mmaplock → page lock → i_ilock.
 *
 * The model keeps i_mmaplock in the inode's invalidate_lock slot: 5.15 made
 * this lock mapping->invalidate_lock ("xfs: Convert to use
 * invalidate_lock"). Not modelled: xfs_filemap_page_mkwrite, which takes it
 * too (a write fault on a MAP_SHARED page is mapped writable without
 * ->page_mkwrite on ext4 and xfs here).
 */
import { FINAL, defineThread } from './define.ts';
import type { VmFaultRegs } from './regs.ts';
import { takeLock, unlockStep, type LockOf } from './steps.ts';

const mmapLock: LockOf<VmFaultRegs> = (input) => ({ kind: 'invalidate_lock', ino: input.regs.ino });

export const xfsFilemapFault = defineThread({
  id: 'xfs_filemap_fault',
  role: 'fault',
  initial: 'xfs_ilock',
  states: {
    ...takeLock('xfs_ilock', 'xfs_filemap_fault → xfs_ilock(XFS_MMAPLOCK_SHARED)', mmapLock, false, 'filemap_fault'),
    filemap_fault: {
      step: {
        run: (input) => ({
          event: 'fault.call',
          label: 'filemap_fault',
          call: { machine: 'filemap_fault', regs: { ino: input.regs.ino, index: input.regs.index, write: input.regs.write, shared: input.regs.shared, vpage: input.regs.vpage, tried: input.regs.tried } },
        }),
      },
      on: { 'fault.call': 'xfs_iunlock' },
    },
    xfs_iunlock: { step: unlockStep('xfs_iunlock(XFS_MMAPLOCK_SHARED)', mmapLock), on: { 'lock.released': 'done' } },
    done: FINAL,
  },
});
