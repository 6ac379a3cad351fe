/**
 * Who holds what, in kernel words: every hold in a state (for the timeline
 * and the trace export), and what one task holds (for task panels and
 * reports).
 */
import type { Pid } from '../kernel/ids.ts';
import { holdersOf } from '../kernel/glock.ts';
import { lockName, type Era, type LockRef } from '../kernel/locks.ts';
import { holdOf, type SleepLock } from '../kernel/sleeplock.ts';
import type { SystemState } from './system.ts';

/** One lock one task holds; a glock holder is its own object (struct gfs2_holder), so a task may hold one glock twice. */
export interface Hold {
  readonly lock: LockRef;
  /** Names the lock itself, whatever the mode: `glock:0:1`, `mmap_sem:0`. */
  readonly lockKey: string;
  /** The lock as the variant's kernel names it: `glock 2/F1`, `mmap_sem of mm 0`. */
  readonly name: string;
  readonly pid: Pid;
  /** `read` / `write` for an rwsem, null for a mutex (one mode), the mode for a glock holder. */
  readonly mode: string | null;
  /** The glock holder's caller (gh_ip); null for sleeping locks. */
  readonly caller: string | null;
  /** A 5.16 glock holder marked HIF_MAY_DEMOTE. */
  readonly mayDemote: boolean;
}

export function lockKey(ref: LockRef): string {
  switch (ref.kind) {
    case 'i_rwsem':
    case 'i_mmap':
    case 'invalidate_lock':
      return `${ref.kind}:${ref.ino}`;
    case 'mmap_sem':
      return `${ref.kind}:${ref.mm}`;
    case 'page':
      return `${ref.kind}:${ref.page}`;
    case 'glock':
      return `${ref.kind}:${ref.node}:${ref.ino}`;
    case 'named':
      return `${ref.kind}:${ref.index}`;
  }
}

/** A mutex (i_mutex in 2015, the page lock) has one mode; calling it "write" would mislead. */
export function isMutex(ref: LockRef, era: Era): boolean {
  return ref.kind === 'page' || (ref.kind === 'i_rwsem' && era === '2015');
}

function sleepHolds(out: Hold[], state: SystemState, lock: LockRef, sleep: SleepLock): void {
  if (sleep.writer === null && sleep.readers.length === 0) return;
  const era = state.flags.era;
  const base = { lock, lockKey: lockKey(lock), name: lockName(state.kernel, lock, era), caller: null, mayDemote: false };
  const mutex = lock.kind === 'named' ? state.kernel.named?.[lock.index]?.rwsem === false : isMutex(lock, era);
  if (sleep.writer !== null) out.push({ ...base, pid: sleep.writer, mode: mutex ? null : 'write' });
  for (const reader of sleep.readers) out.push({ ...base, pid: reader, mode: 'read' });
}

/** Every hold in a state: sleeping locks' owners and granted glock holders, inode locks first. */
export function holdsIn(state: SystemState): readonly Hold[] {
  const { kernel } = state;
  const out: Hold[] = [];
  kernel.inodes.forEach((inode, ino) => {
    sleepHolds(out, state, { kind: 'i_rwsem', ino }, inode.i_rwsem);
    sleepHolds(out, state, { kind: 'invalidate_lock', ino }, inode.invalidate_lock);
    sleepHolds(out, state, { kind: 'i_mmap', ino }, inode.i_mmap);
  });
  kernel.mms.forEach((mm, id) => sleepHolds(out, state, { kind: 'mmap_sem', mm: id }, mm.mmap_sem));
  kernel.pages.forEach((page, id) => sleepHolds(out, state, { kind: 'page', page: id }, page.lock));
  kernel.named?.forEach((named, index) => sleepHolds(out, state, { kind: 'named', index }, named.lock));
  for (const gl of kernel.glocks) {
    const lock: LockRef = { kind: 'glock', node: gl.node, ino: gl.ino };
    for (const h of gl.holders) {
      if (h.granted) out.push({ lock, lockKey: lockKey(lock), name: lockName(kernel, lock, state.flags.era), pid: h.pid, mode: h.mode, caller: h.caller, mayDemote: h.mayDemote });
    }
  }
  return out;
}

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
  kernel.named?.forEach((named, index) => add({ kind: 'named', index }, named.lock));
  return held;
}
