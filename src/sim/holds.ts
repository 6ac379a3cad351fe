/** What a task holds right now, in kernel words: for task panels and reports. */
import type { Pid } from '../kernel/ids.ts';
import { holdersOf } from '../kernel/glock.ts';
import { lockName, type LockRef } from '../kernel/locks.ts';
import { holdOf, type SleepLock } from '../kernel/sleeplock.ts';
import type { SystemState } from './system.ts';

export interface Held {
  readonly lock: LockRef;
  readonly name: string;
  /** 'read' / 'write' for sleeping locks, the glock mode for glock holders. */
  readonly mode: string;
}

export function locksHeldBy(state: SystemState, pid: Pid): readonly Held[] {
  const { kernel } = state;
  const era = state.flags.era;
  const held: Held[] = [];
  const add = (lock: LockRef, sleep: SleepLock) => {
    const mode = holdOf(sleep, pid);
    if (mode !== null) held.push({ lock, name: lockName(kernel, lock, era), mode });
  };
  kernel.inodes.forEach((inode, ino) => {
    add({ kind: 'i_rwsem', ino }, inode.i_rwsem);
    add({ kind: 'invalidate_lock', ino }, inode.invalidate_lock);
    add({ kind: 'i_mmap', ino }, inode.i_mmap);
  });
  kernel.mms.forEach((mm, id) => add({ kind: 'mmap_sem', mm: id }, mm.mmap_sem));
  for (const h of holdersOf(kernel, pid)) {
    if (!h.granted) continue;
    const lock: LockRef = { kind: 'glock', node: h.node, ino: h.ino };
    held.push({ lock, name: lockName(kernel, lock, era), mode: h.mode });
  }
  kernel.pages.forEach((page, id) => add({ kind: 'page', page: id }, page.lock));
  return held;
}
