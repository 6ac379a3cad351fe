/**
 * Naming every lock in the kernel state, so the scheduler can say what a task
 * waits for and the wait-for graph can name its edges in kernel words.
 */
import { inodeName, type KernelState, type LockRef } from './state.ts';
import type { SleepLock } from './sleeplock.ts';

export type { LockRef } from './state.ts';

/** Kernel generation, for names: 2015 says i_mutex and mmap_sem, 5.x i_rwsem and mmap_lock. */
export type Era = '2015' | '5.x';

export function lockName(kernel: KernelState, ref: LockRef, era: Era): string {
  switch (ref.kind) {
    case 'i_rwsem':
      return `${era === '2015' ? 'i_mutex' : 'i_rwsem'} of ${inodeName(kernel, ref.ino)}`;
    case 'i_mmap':
      return `i_mmap_rwsem of ${inodeName(kernel, ref.ino)}`;
    case 'invalidate_lock':
      // The per-inode lock that fences faults from truncate and punch: XFS's i_mmaplock (4.1,
      // 653c60b633a9) is the only 2015 one; 5.15 generalized it as mapping->invalidate_lock (730633f0b7f9).
      return `${era === '2015' ? 'i_mmaplock' : 'invalidate_lock'} of ${inodeName(kernel, ref.ino)}`;
    case 'mmap_sem':
      return `${era === '2015' ? 'mmap_sem' : 'mmap_lock'} of mm ${ref.mm}`;
    case 'page': {
      const page = kernel.pages[ref.page];
      const where = page?.mapping != null ? `${inodeName(kernel, page.mapping)}:${page.index}` : `${ref.page} (truncated)`;
      return `page lock of page ${where}`;
    }
    case 'glock':
      // gfs2 names glocks type/number; 2 is LM_TYPE_INODE (fs/gfs2/incore.h).
      return kernel.nodes > 1 ? `glock 2/${inodeName(kernel, ref.ino)} on node ${ref.node}` : `glock 2/${inodeName(kernel, ref.ino)}`;
    case 'named':
      return kernel.named?.[ref.index]?.lockClass ?? `named lock ${ref.index}`;
  }
}

/** The sleeping lock behind a ref (glocks are not sleeping locks: null). */
export function sleepLockOf(kernel: KernelState, ref: LockRef): SleepLock | undefined {
  switch (ref.kind) {
    case 'i_rwsem':
      return kernel.inodes[ref.ino]?.i_rwsem;
    case 'i_mmap':
      return kernel.inodes[ref.ino]?.i_mmap;
    case 'invalidate_lock':
      return kernel.inodes[ref.ino]?.invalidate_lock;
    case 'mmap_sem':
      return kernel.mms[ref.mm]?.mmap_sem;
    case 'page':
      return kernel.pages[ref.page]?.lock;
    case 'glock':
      return undefined;
    case 'named':
      return kernel.named?.[ref.index]?.lock;
  }
}

/** Replace the sleeping lock behind a ref. */
export function withSleepLock(kernel: KernelState, ref: LockRef, lock: SleepLock): KernelState {
  switch (ref.kind) {
    case 'i_rwsem':
    case 'i_mmap':
    case 'invalidate_lock': {
      const inode = kernel.inodes[ref.ino];
      if (inode === undefined) return kernel;
      const inodes = kernel.inodes.slice();
      inodes[ref.ino] = { ...inode, [ref.kind]: lock };
      return { ...kernel, inodes };
    }
    case 'mmap_sem': {
      const mm = kernel.mms[ref.mm];
      if (mm === undefined) return kernel;
      const mms = kernel.mms.slice();
      mms[ref.mm] = { ...mm, mmap_sem: lock };
      return { ...kernel, mms };
    }
    case 'page': {
      const page = kernel.pages[ref.page];
      if (page === undefined) return kernel;
      const pages = kernel.pages.slice();
      pages[ref.page] = { ...page, lock };
      return { ...kernel, pages };
    }
    case 'glock':
      return kernel;
    case 'named': {
      const named = kernel.named?.[ref.index];
      if (kernel.named === undefined || named === undefined) return kernel;
      const list = kernel.named.slice();
      list[ref.index] = { ...named, lock };
      return { ...kernel, named: list };
    }
  }
}
