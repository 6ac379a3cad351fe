/**
 * Sleeping locks: `rw_semaphore` (mmap_sem / mmap_lock, i_rwsem, i_mmap from
 * 3.19, invalidate_lock), `mutex` (i_mutex, i_mmap_mutex) and the page lock
 * (PG_locked). All three are one shape here: a mutex is an rwsem only ever
 * taken for write, and the page lock is a mutex on a page.
 *
 * Owns: who holds the lock, who waits, in FIFO order, and the hand-off on
 * release. Must not know about tasks beyond their pid.
 *
 * Fairness is the property that matters (kernel-semantics.md, section 2): a
 * reader that arrives while a writer waits queues behind the writer
 * (kernel/locking/rwsem.c: rwsem_down_read_slowpath queues when the wait list
 * is not empty). Release hands the lock to the head of the queue, as the
 * rwsem wake-up and the page-lock hand-off do; optimistic spinning and lock
 * stealing are not modelled, so an interleaving never depends on them.
 */
import type { Pid } from './ids.ts';

export interface LockWaiter {
  readonly pid: Pid;
  readonly write: boolean;
}

export interface SleepLock {
  /** The exclusive owner, or null. */
  readonly writer: Pid | null;
  /** Shared owners, in the order they were granted. */
  readonly readers: readonly Pid[];
  /** Sleepers, strictly FIFO. */
  readonly waiters: readonly LockWaiter[];
}

export const UNLOCKED: SleepLock = { writer: null, readers: [], waiters: [] };

export type Hold = 'read' | 'write';

export function holdOf(lock: SleepLock, pid: Pid): Hold | null {
  if (lock.writer === pid) return 'write';
  return lock.readers.includes(pid) ? 'read' : null;
}

export function isWaiting(lock: SleepLock, pid: Pid): boolean {
  return lock.waiters.some((w) => w.pid === pid);
}

export function isLocked(lock: SleepLock): boolean {
  return lock.writer !== null || lock.readers.length > 0;
}

/** Could `pid` take the lock right now without sleeping (down_*_trylock)? */
function canGrantNow(lock: SleepLock, write: boolean): boolean {
  if (lock.writer !== null || lock.waiters.length > 0) return false;
  return write ? lock.readers.length === 0 : true;
}

function grant(lock: SleepLock, pid: Pid, write: boolean): SleepLock {
  return write ? { ...lock, writer: pid } : { ...lock, readers: [...lock.readers, pid] };
}

export type AcquireResult =
  | { readonly granted: true; readonly lock: SleepLock }
  | { readonly granted: false; readonly lock: SleepLock };

/** down_read / down_write / mutex_lock / lock_page: take it, or join the queue. */
export function acquire(lock: SleepLock, pid: Pid, write: boolean): AcquireResult {
  if (canGrantNow(lock, write)) return { granted: true, lock: grant(lock, pid, write) };
  return { granted: false, lock: { ...lock, waiters: [...lock.waiters, { pid, write }] } };
}

/** down_read_trylock / trylock_page: take it only if no one must be waited for. */
export function tryAcquire(lock: SleepLock, pid: Pid, write: boolean): SleepLock | null {
  return canGrantNow(lock, write) ? grant(lock, pid, write) : null;
}

/** Grant the head of the queue: one writer, or every reader up to the first writer. */
function handOff(lock: SleepLock): { lock: SleepLock; woken: readonly Pid[] } {
  let current = lock;
  const woken: Pid[] = [];
  for (;;) {
    const head = current.waiters[0];
    if (head === undefined || current.writer !== null) break;
    if (head.write && current.readers.length > 0) break;
    current = grant({ ...current, waiters: current.waiters.slice(1) }, head.pid, head.write);
    woken.push(head.pid);
    if (head.write) break;
  }
  return { lock: current, woken };
}

export type ReleaseResult =
  | { readonly ok: true; readonly lock: SleepLock; readonly woken: readonly Pid[] }
  | { readonly ok: false; readonly violation: string };

/** up_read / up_write / mutex_unlock / unlock_page. Releasing what one does not hold is an invariant violation. */
export function release(lock: SleepLock, pid: Pid): ReleaseResult {
  let without: SleepLock;
  if (lock.writer === pid) without = { ...lock, writer: null };
  // A read hold is a count (RWSEM_READER_BIAS per down_read): up_read drops one.
  else if (lock.readers.includes(pid)) {
    const at = lock.readers.indexOf(pid);
    without = { ...lock, readers: [...lock.readers.slice(0, at), ...lock.readers.slice(at + 1)] };
  }
  else return { ok: false, violation: `pid ${pid} released a lock it does not hold` };
  const { lock: next, woken } = handOff(without);
  return { ok: true, lock: next, woken };
}

/** Every pid that holds the lock. */
export function ownersOf(lock: SleepLock): readonly Pid[] {
  return lock.writer !== null ? [lock.writer] : lock.readers;
}

/**
 * The pids a sleeper waits for: owners its mode conflicts with, and every
 * waiter queued ahead of it (FIFO: it cannot pass them). This is what makes
 * a reader stuck behind a waiting writer part of a wait-for cycle.
 */
export function blockersOf(lock: SleepLock, pid: Pid): readonly Pid[] {
  const at = lock.waiters.findIndex((w) => w.pid === pid);
  if (at < 0) return [];
  const me = lock.waiters[at];
  const owners = me?.write ? ownersOf(lock) : lock.writer !== null ? [lock.writer] : [];
  const ahead = lock.waiters.slice(0, at).map((w) => w.pid);
  return [...new Set([...owners, ...ahead])];
}
