import { describe, expect, it } from 'vitest';
import { checkInvariants } from './invariants.ts';
import { UNLOCKED, acquire, blockersOf, holdOf, isLocked, isWaiting, ownersOf, release, tryAcquire, type SleepLock } from './sleeplock.ts';
import type { KernelState } from './state.ts';
import type { Pid } from './ids.ts';

const READ = false;
const WRITE = true;

/** Apply down_read/down_write calls in order; the lock each one leaves behind. */
function take(lock: SleepLock, ...requests: readonly (readonly [Pid, boolean])[]): SleepLock {
  return requests.reduce((current, [pid, write]) => acquire(current, pid, write).lock, lock);
}

/** up_read/up_write that must succeed. */
function drop(lock: SleepLock, pid: Pid): { lock: SleepLock; woken: readonly Pid[] } {
  const result = release(lock, pid);
  if (!result.ok) throw new Error(result.violation);
  return { lock: result.lock, woken: result.woken };
}

/** A one-inode kernel whose i_rwsem is `lock`, so the invariant checker sees it. */
function kernelWith(lock: SleepLock): KernelState {
  return {
    inodes: [{ name: 'F', size: 4096, map: [null], shortExtents: [], cache: [null], i_rwsem: lock, i_mmap: UNLOCKED, invalidate_lock: UNLOCKED }],
    pages: [],
    blocks: [],
    mms: [],
    glocks: [],
    nodes: 1,
  };
}

describe('sleeping locks (rw_semaphore, mutex, PG_locked)', () => {
  describe('down_write: the writer is exclusive', () => {
    it('down_write on a free rwsem takes it at once', () => {
      const r = acquire(UNLOCKED, 1, WRITE);
      expect(r.granted).toBe(true);
      expect(r.lock.writer).toBe(1);
      expect(holdOf(r.lock, 1)).toBe('write');
      expect(isLocked(r.lock)).toBe(true);
    });

    it('a second down_write sleeps while a writer holds the rwsem (mutex_lock / lock_page likewise)', () => {
      const held = take(UNLOCKED, [1, WRITE]);
      const r = acquire(held, 2, WRITE);
      expect(r.granted).toBe(false);
      expect(r.lock.writer).toBe(1);
      expect(r.lock.waiters).toEqual([{ pid: 2, write: true }]);
      expect(isWaiting(r.lock, 2)).toBe(true);
      expect(holdOf(r.lock, 2)).toBeNull();
    });

    it('down_read sleeps while a writer holds the rwsem', () => {
      const r = acquire(take(UNLOCKED, [1, WRITE]), 2, READ);
      expect(r.granted).toBe(false);
      expect(r.lock.readers).toEqual([]);
      expect(isWaiting(r.lock, 2)).toBe(true);
    });

    it('down_write sleeps while readers hold the rwsem', () => {
      const r = acquire(take(UNLOCKED, [1, READ], [2, READ]), 3, WRITE);
      expect(r.granted).toBe(false);
      expect(r.lock.writer).toBeNull();
      expect(r.lock.readers).toEqual([1, 2]);
    });
  });

  describe('down_read: readers share', () => {
    it('two down_read callers hold the rwsem together when no one waits', () => {
      const first = acquire(UNLOCKED, 1, READ);
      const second = acquire(first.lock, 2, READ);
      expect(first.granted).toBe(true);
      expect(second.granted).toBe(true);
      expect(second.lock.readers).toEqual([1, 2]);
      expect(holdOf(second.lock, 1)).toBe('read');
      expect(holdOf(second.lock, 2)).toBe('read');
    });
  });

  describe('writer-fair queueing (kernel/locking/rwsem.c: rwsem_down_read_slowpath queues when the wait list is not empty)', () => {
    it('a reader arriving while a writer waits queues behind the writer, even though only readers hold the rwsem', () => {
      const lock = take(UNLOCKED, [1, READ], [2, WRITE]);
      const r = acquire(lock, 3, READ);
      expect(r.granted).toBe(false);
      expect(r.lock.readers).toEqual([1]);
      expect(r.lock.waiters).toEqual([{ pid: 2, write: true }, { pid: 3, write: false }]);
    });

    it('the queued reader waits for the waiting writer (so a reader behind a writer can close a wait-for cycle)', () => {
      const lock = take(UNLOCKED, [1, READ], [2, WRITE], [3, READ]);
      expect(blockersOf(lock, 3)).toEqual([2]);
      expect(blockersOf(lock, 2)).toEqual([1]);
    });

    it('a waiting writer waits for every reader that holds the rwsem', () => {
      const lock = take(UNLOCKED, [1, READ], [2, READ], [3, WRITE]);
      expect(blockersOf(lock, 3)).toEqual([1, 2]);
    });

    it('a pid that neither waits nor holds is blocked by no one', () => {
      const lock = take(UNLOCKED, [1, WRITE], [2, READ]);
      expect(blockersOf(lock, 1)).toEqual([]);
      expect(blockersOf(lock, 9)).toEqual([]);
    });

    it('sleepers keep strict FIFO order (no lock stealing modelled)', () => {
      const lock = take(UNLOCKED, [1, WRITE], [2, READ], [3, WRITE], [4, READ]);
      expect(lock.waiters.map((w) => w.pid)).toEqual([2, 3, 4]);
      expect(blockersOf(lock, 4)).toEqual([1, 2, 3]);
    });
  });

  describe('hand-off on release, FIFO', () => {
    it('up_write hands the rwsem to one waiting writer at the head, and readers behind it keep sleeping', () => {
      const lock = take(UNLOCKED, [1, WRITE], [2, WRITE], [3, READ]);
      const { lock: next, woken } = drop(lock, 1);
      expect(woken).toEqual([2]);
      expect(next.writer).toBe(2);
      expect(next.readers).toEqual([]);
      expect(next.waiters).toEqual([{ pid: 3, write: false }]);
    });

    it('up_write wakes every reader at the head of the queue up to the first writer (__rwsem_do_wake, 2015 rwsem)', () => {
      const lock = take(UNLOCKED, [1, WRITE], [2, READ], [3, READ], [4, WRITE], [5, READ]);
      const { lock: next, woken } = drop(lock, 1);
      expect(woken).toEqual([2, 3]);
      expect(next.writer).toBeNull();
      expect(next.readers).toEqual([2, 3]);
      expect(next.waiters).toEqual([{ pid: 4, write: true }, { pid: 5, write: false }]);
    });

    it('up_read by one of several readers wakes no one: the waiting writer needs the last reader gone', () => {
      const lock = take(UNLOCKED, [1, READ], [2, READ], [3, WRITE]);
      const { lock: next, woken } = drop(lock, 1);
      expect(woken).toEqual([]);
      expect(next.readers).toEqual([2]);
      expect(next.waiters).toEqual([{ pid: 3, write: true }]);
    });

    it('the last up_read hands the rwsem to the waiting writer', () => {
      const lock = take(UNLOCKED, [1, READ], [2, READ], [3, WRITE], [4, READ]);
      const afterOne = drop(lock, 2).lock;
      const { lock: next, woken } = drop(afterOne, 1);
      expect(woken).toEqual([3]);
      expect(next.writer).toBe(3);
      expect(next.readers).toEqual([]);
      expect(next.waiters).toEqual([{ pid: 4, write: false }]);
    });

    it('a whole queue drains in arrival order', () => {
      let lock = take(UNLOCKED, [1, WRITE], [2, READ], [3, READ], [4, WRITE], [5, READ]);
      const order: (readonly Pid[])[] = [];
      for (const pid of [1, 2, 3, 4, 5]) {
        const next = drop(lock, pid);
        order.push(next.woken);
        lock = next.lock;
      }
      expect(order).toEqual([[2, 3], [], [4], [5], []]);
      expect(lock).toEqual(UNLOCKED);
      expect(isLocked(lock)).toBe(false);
    });

    it('a mutex (or the page lock) passes from owner to the next sleeper in FIFO order', () => {
      let lock = take(UNLOCKED, [1, WRITE], [2, WRITE], [3, WRITE]);
      lock = drop(lock, 1).lock;
      expect(lock.writer).toBe(2);
      lock = drop(lock, 2).lock;
      expect(lock.writer).toBe(3);
      expect(lock.waiters).toEqual([]);
    });
  });

  describe('trylock (down_read_trylock, down_write_trylock, trylock_page)', () => {
    it('down_read_trylock succeeds on a free rwsem and on one only readers hold with no sleepers', () => {
      const once = tryAcquire(UNLOCKED, 1, READ);
      expect(once?.readers).toEqual([1]);
      expect(once === null ? null : tryAcquire(once, 2, READ)?.readers).toEqual([1, 2]);
    });

    it('down_read_trylock fails when a writer waits, though only readers hold the rwsem (RWSEM_FLAG_WAITERS is in RWSEM_READ_FAILED_MASK)', () => {
      const lock = take(UNLOCKED, [1, READ], [2, WRITE]);
      expect(tryAcquire(lock, 3, READ)).toBeNull();
    });

    it('down_write_trylock fails while anyone holds the rwsem', () => {
      expect(tryAcquire(take(UNLOCKED, [1, READ]), 2, WRITE)).toBeNull();
      expect(tryAcquire(take(UNLOCKED, [1, WRITE]), 2, WRITE)).toBeNull();
      expect(tryAcquire(take(UNLOCKED, [1, WRITE]), 2, READ)).toBeNull();
    });

    it('a failed trylock never joins the queue', () => {
      const lock = take(UNLOCKED, [1, WRITE]);
      expect(tryAcquire(lock, 2, WRITE)).toBeNull();
      expect(lock.waiters).toEqual([]);
      expect(isWaiting(lock, 2)).toBe(false);
    });
  });

  describe('releasing a lock one does not hold', () => {
    it('up_read/up_write of a free rwsem is a violation, not a state', () => {
      const r = release(UNLOCKED, 7);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.violation).toContain('7');
    });

    it('a sleeper that releases the lock it waits for is a violation', () => {
      const lock = take(UNLOCKED, [1, WRITE], [2, READ]);
      const r = release(lock, 2);
      expect(r).toEqual({ ok: false, violation: expect.stringContaining('does not hold') });
    });

    it('a pid unknown to the lock cannot release it', () => {
      expect(release(take(UNLOCKED, [1, READ]), 2).ok).toBe(false);
    });
  });

  describe('holdOf, ownersOf', () => {
    it('holdOf names the mode a pid holds, and null for sleepers and strangers', () => {
      const lock = take(UNLOCKED, [1, READ], [2, READ], [3, WRITE]);
      expect(holdOf(lock, 1)).toBe('read');
      expect(holdOf(lock, 2)).toBe('read');
      expect(holdOf(lock, 3)).toBeNull();
      expect(holdOf(lock, 4)).toBeNull();
      expect(holdOf(take(UNLOCKED, [5, WRITE]), 5)).toBe('write');
    });

    it('ownersOf lists the writer alone, or the readers in the order they were granted, never the sleepers', () => {
      expect(ownersOf(UNLOCKED)).toEqual([]);
      expect(ownersOf(take(UNLOCKED, [1, WRITE], [2, READ]))).toEqual([1]);
      expect(ownersOf(take(UNLOCKED, [3, READ], [1, READ], [2, WRITE]))).toEqual([3, 1]);
    });
  });

  it('operations never mutate the lock they are given (UNLOCKED stays unlocked)', () => {
    const held = take(UNLOCKED, [1, READ], [2, WRITE]);
    const snapshot = structuredClone(held);
    acquire(held, 3, READ);
    tryAcquire(held, 3, READ);
    release(held, 1);
    expect(held).toEqual(snapshot);
    expect(UNLOCKED).toEqual({ writer: null, readers: [], waiters: [] });
  });

  it('every state built by acquire and release passes checkInvariants', () => {
    const states: SleepLock[] = [UNLOCKED];
    let lock = UNLOCKED;
    for (const [pid, write] of [[1, READ], [2, READ], [3, WRITE], [4, READ], [5, WRITE]] as const) {
      lock = acquire(lock, pid, write).lock;
      states.push(lock);
    }
    for (const pid of [1, 2, 3, 4, 5]) {
      lock = drop(lock, pid).lock;
      states.push(lock);
    }
    for (const state of states) expect(checkInvariants(kernelWith(state))).toBeNull();
  });

  // Kernel fact: an rwsem's reader count is a count (each down_read adds
  // RWSEM_READER_BIAS, each up_read subtracts one), so a task that took it for
  // read twice still holds it after one up_read. `acquire` grants the second
  // read (readers [1, 1]) but `release` filters out every entry of the pid.
  it('a reader that took the rwsem for read twice still holds it after one up_read (reader count, RWSEM_READER_BIAS)', () => {
    const twice = take(UNLOCKED, [1, READ], [1, READ]);
    const { lock } = drop(twice, 1);
    expect(holdOf(lock, 1)).toBe('read');
    expect(isLocked(lock)).toBe(true);
  });
});
