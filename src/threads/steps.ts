/**
 * Steps shared by many paths: taking, sleeping on and releasing a lock.
 *
 * Taking a sleeping lock is two atomic steps when it is contended, as in the
 * kernel: joining the wait queue (after which the lock's owner can see the
 * waiter and hand the lock over), then waking up with it. `takeLock` makes
 * both states; the wait state's `wait` tells the scheduler why the task is
 * not runnable.
 */
import { glockAt, glockBlockers, glockDq, glockNq, isGranted, type Blocker, type HolderMode } from '../kernel/glock.ts';
import { lockName, sleepLockOf, withSleepLock, type LockRef } from '../kernel/locks.ts';
import { acquire, blockersOf, holdOf, isLocked, isWaiting, ownersOf, release, type SleepLock } from '../kernel/sleeplock.ts';
import { PAGE_SIZE } from '../kernel/ids.ts';
import { inodeName, type KernelState } from '../kernel/state.ts';
import type { StepStateConfig } from './define.ts';
import type { InodeRegs, Returned } from './regs.ts';
import { waitInfo, type StepInput, type StepResult, type StepSpec, type WaitInfo } from './types.ts';

/** The lock a step takes or releases, found from its input; `R` is the registers it reads (none by default). */
export type LockOf<R = unknown> = (input: StepInput<R>) => LockRef;

/** What the glock steps read: the inode whose glock it is. */
export type GlockRegs = InodeRegs;

/** What the head of a per-page I/O loop reads (ioDone). */
export interface IoLoopRegs extends Returned {
  readonly len: number;
  readonly done: number;
}

function era(input: StepInput<unknown>) {
  return input.variant.era;
}

function ownersText(pids: readonly number[]): string {
  return pids.length === 0 ? 'no holder' : pids.map((p) => `pid ${p}`).join(', ');
}

/** A step that only moves on: `event` with `label`; `R` is the registers its label and update read. */
export function plainStep<R = unknown>(label: string | ((input: StepInput<R>) => string)): StepSpec<'step.done', NoInfer<R>>;
export function plainStep<const E extends string, R = unknown>(label: string | ((input: StepInput<R>) => string), event: E, update?: (input: StepInput<R>) => Omit<StepResult<E, R>, 'event' | 'label'>): StepSpec<E, NoInfer<R>>;
export function plainStep<R>(label: string | ((input: StepInput<R>) => string), event = 'step.done', update?: (input: StepInput<R>) => Omit<StepResult<string, R>, 'event' | 'label'>): StepSpec<string, R> {
  return {
    run: (input) => ({ event, label: typeof label === 'string' ? label : () => label(input), ...(update ? update(input) : {}) }),
  };
}

/**
 * The two states that take a sleeping lock: `name` tries, `${name}_wait`
 * sleeps until the releaser hands it over. Both lead to `next`.
 */
/** The states takeLock makes. */
export type TakeLockStates<N extends string, Next extends string, R = unknown> = { readonly [K in N]: StepStateConfig<{ readonly 'lock.granted': Next; readonly 'lock.queued': `${N}_wait` }, R> } & {
  readonly [K in `${N}_wait`]: StepStateConfig<{ readonly 'lock.granted': Next }, R>;
};

export function takeLock<const N extends string, const Next extends string, R = unknown>(name: N, callName: string | ((input: StepInput<R>) => string), lockOf: LockOf<R>, write: boolean, next: Next): TakeLockStates<N, Next, NoInfer<R>> {
  const callOf = (input: StepInput<R>) => (typeof callName === 'string' ? callName : callName(input));
  const take: StepSpec<'lock.granted' | 'lock.queued', R> = {
    run: (input) => {
      const call = callOf(input);
      const ref = lockOf(input);
      const lock = sleepLockOf(input.kernel, ref);
      if (lock === undefined) return { event: 'lock.granted', label: () => `${call} → no such lock` };
      const result = acquire(lock, input.task.pid, write);
      const kernel = withSleepLock(input.kernel, ref, result.lock);
      if (result.granted) return { event: 'lock.granted', label: () => `${call} → granted`, kernel };
      const why = lock.waiters.length > 0 && !isLocked(lock) ? `queued behind ${lock.waiters.length} waiter(s)` : `held by ${ownersText(ownersOf(lock))}`;
      return { event: 'lock.queued', label: () => `${call} → sleeps: ${why}`, kernel };
    },
  };
  const wait: StepSpec<'lock.granted', R> = {
    wait: (input) => {
      const ref = lockOf(input);
      const lock = sleepLockOf(input.kernel, ref);
      // Still queued, even if it also holds the lock (a task sleeping on a mutex it holds).
      if (lock === undefined || !isWaiting(lock, input.task.pid)) return null;
      return sleepWait(input, ref, lock, write);
    },
    run: (input) => ({ event: 'lock.granted', label: () => `${callOf(input)} → woken, granted` }),
  };
  return {
    [name]: { step: take, on: { 'lock.granted': next, 'lock.queued': `${name}_wait` } },
    [`${name}_wait`]: { step: wait, on: { 'lock.granted': next } },
  } as TakeLockStates<N, Next, R>;
}

/** Why a sleeper is not running, naming the owners and the queue ahead of it. */
export function sleepWait(input: StepInput<unknown>, ref: LockRef, lock: SleepLock, write: boolean): WaitInfo {
  return waitInfo(ref, blockersOf(lock, input.task.pid), () => {
    const name = lockName(input.kernel, ref, era(input));
    const owners = ownersOf(lock);
    const ahead = lock.waiters.slice(0, Math.max(0, lock.waiters.findIndex((w) => w.pid === input.task.pid)));
    const queue = ahead.length > 0 ? `, behind ${ahead.map((w) => `pid ${w.pid} (${w.write ? 'writer' : 'reader'})`).join(', ')}` : '';
    return `waiting for ${name} (${write ? 'write' : 'read'}): held by ${ownersText(owners)}${queue}`;
  });
}

/** up_read / up_write / mutex_unlock / unlock_page. */
export function unlockStep<R = unknown>(call: string, lockOf: LockOf<R>): StepSpec<'lock.released', NoInfer<R>>;
export function unlockStep<const E extends string, R = unknown>(call: string, lockOf: LockOf<R>, event: E, extra?: (input: StepInput<R>) => Omit<StepResult<E, R>, 'event' | 'label' | 'kernel'>): StepSpec<E, NoInfer<R>>;
export function unlockStep<R>(call: string, lockOf: LockOf<R>, event = 'lock.released', extra?: (input: StepInput<R>) => Omit<StepResult<string, R>, 'event' | 'label' | 'kernel'>): StepSpec<string, R> {
  return {
    run: (input) => {
      const ref = lockOf(input);
      const lock = sleepLockOf(input.kernel, ref);
      if (lock === undefined) return { event, label: call, ...(extra ? extra(input) : {}) };
      const result = release(lock, input.task.pid);
      if (!result.ok) {
        const name = lockName(input.kernel, ref, era(input));
        return { event, label: () => `${call} → not the owner`, outcome: { kind: 'invariant-violation', message: `${result.violation}: ${name}` } };
      }
      const woke = result.woken.length > 0 ? ` → wakes ${ownersText(result.woken)}` : '';
      return { event, label: () => `${call}${woke}`, kernel: withSleepLock(input.kernel, ref, result.lock), ...(extra ? extra(input) : {}) };
    },
  };
}

/** Glock holder description for labels: "gfs2_glock_nq(SH|TRY)". */
function nqCall(mode: HolderMode, flags: readonly string[]): string {
  return `gfs2_glock_nq(${[mode, ...flags].join('|')})`;
}

export interface GlockRequest<R extends GlockRegs = GlockRegs> {
  /** The function queueing the holder (gh_ip), e.g. gfs2_file_read_iter. */
  readonly caller: string | ((input: StepInput<R>) => string);
  readonly mode: (input: StepInput<R>) => HolderMode;
  readonly try?: (input: StepInput<R>) => boolean;
  /** LM_FLAG_OUTER (RFC 2021): the task now holds an outer glock. */
  readonly outer?: (input: StepInput<R>) => boolean;
  /** The calls that lead to the gfs2_glock_nq, printed before it ("iomap_iter → gfs2_iomap_begin → gfs2_write_lock: "). */
  readonly via?: (input: StepInput<R>) => string;
}

/**
 * gfs2_glock_nq, blocking or LM_FLAG_TRY, and its wait. Events:
 * 'glock.granted', 'glock.tryfailed' (GLR_TRYFAILED), and on the recursion
 * trap a BUG outcome.
 */
/** The states takeGlock makes; `Try` is where GLR_TRYFAILED leads (never: the request is never a try). */
export type TakeGlockStates<N extends string, Next extends string, Try extends string, R = GlockRegs> = {
  readonly [K in N]: StepStateConfig<{ readonly 'glock.granted': Next; readonly 'glock.queued': `${N}_wait`; readonly 'glock.recursive': 'bug' } & { readonly [E in [Try] extends [never] ? never : 'glock.tryfailed']: Try }, R>;
} & { readonly [K in `${N}_wait`]: StepStateConfig<{ readonly 'glock.granted': Next }, R> };

export function takeGlock<const N extends string, const Next extends string, const Try extends string = never, R extends GlockRegs = GlockRegs>(name: N, req: GlockRequest<R>, next: Next, onTryFailed?: Try): TakeGlockStates<N, Next, Try, NoInfer<R>> {
  const nq: StepSpec<'glock.granted' | 'glock.queued' | 'glock.recursive' | 'glock.tryfailed', R> = {
    run: (input) => {
      const ino = input.regs.ino;
      const mode = req.mode(input);
      const isTry = req.try?.(input) ?? false;
      const isOuter = req.outer?.(input) ?? false;
      const flags = [...(isTry ? ['LM_FLAG_TRY'] : []), ...(isOuter ? ['LM_FLAG_OUTER'] : [])];
      const call = `${req.via?.(input) ?? ''}${nqCall(mode, flags)} on glock 2/${inodeName(input.kernel, ino)}`;
      const caller = callerOf(req, input);
      const result = glockNq(input.kernel, {
        pid: input.task.pid,
        node: input.task.node,
        ino,
        mode,
        try: isTry,
        caller,
        recursionSkipsMayDemote: input.variant.gfs2Fix === '5.16',
      });
      const outer = isOuter ? { task: { outerGlock: true } } : {};
      switch (result.kind) {
        case 'recursive':
          return {
            event: 'glock.recursive',
            label: () => `${call} → trap_recursive → BUG()`,
            lockdep: { asks: { kind: 'glock', node: input.task.node, ino }, mode },
            outcome: { kind: 'bug', message: `BUG: gfs2 recursive glock: pid ${input.task.pid} already holds glock 2/${inodeName(input.kernel, ino)}, new ${mode} request from ${caller}`, log: result.log },
          };
        case 'tryfailed':
          return { event: 'glock.tryfailed', label: () => `${call} → GLR_TRYFAILED`, marks: ['glock-tryfailed'] };
        case 'granted':
          return { event: 'glock.granted', label: () => `${call} → granted${besideWeak(result.kernel, input, mode)}`, marks: ['glock-granted'], kernel: result.kernel, ...outer, ...(isTry ? { lockdep: 'trylock' as const } : {}) };
        case 'queued':
          return { event: 'glock.queued', label: () => `${call} → waits`, kernel: result.kernel, ...outer };
      }
    },
  };
  const wait: StepSpec<'glock.granted', R> = {
    wait: (input) => glockWait(input, callerOf(req, input), req.mode(input)),
    run: (input) => ({ event: 'glock.granted', label: () => `gfs2_glock_wait → granted ${req.mode(input)} on glock 2/${inodeName(input.kernel, input.regs.ino)}`, marks: ['glock-granted'] }),
  };
  const on: Record<string, string> = { 'glock.granted': next, 'glock.queued': `${name}_wait`, 'glock.recursive': 'bug' };
  if (onTryFailed !== undefined) on['glock.tryfailed'] = onTryFailed;
  // Glocks exist only in gfs2: a machine shared with ext2 (do_mmap, truncate) lists these steps only under gfs2.
  // A try request with no GLR_TRYFAILED target has nowhere to go: step() reports the missing transition as a model error.
  return { [name]: { step: nq, on, fs: 'gfs2' }, [`${name}_wait`]: { step: wait, on: { 'glock.granted': next }, fs: 'gfs2' } } as unknown as TakeGlockStates<N, Next, Try, R>;
}

/**
 * 5.16 "holder stealing": a holder granted beside a weak holder it could not
 * share with, because do_promote compared it with the glock's state and
 * demote_incompat_holders(gl, NULL) demoted nothing (fs/gfs2/glock.c, v5.16).
 */
function besideWeak(kernel: KernelState, input: StepInput<GlockRegs>, mode: HolderMode): string {
  const weak = glockAt(kernel, input.task.node, input.regs.ino)?.holders.filter((h) => h.granted && h.mayDemote && !(h.mode === mode && mode !== 'EX')) ?? [];
  return weak.length === 0 ? '' : ` beside ${weak.map((h) => `pid ${h.pid}'s weak ${h.mode} holder`).join(', ')} (not demoted)`;
}

function callerOf<R extends GlockRegs>(req: GlockRequest<R>, input: StepInput<R>): string {
  return typeof req.caller === 'string' ? req.caller : req.caller(input);
}

function glockWait(input: StepInput<GlockRegs>, caller: string, mode: HolderMode): WaitInfo | null {
  const ino = input.regs.ino;
  const { pid, node } = input.task;
  if (isGranted(input.kernel, node, ino, pid, caller)) return null;
  const blockers = glockBlockers(input.kernel, node, ino, pid, caller);
  const ref: LockRef = { kind: 'glock', node, ino };
  return waitInfo(
    ref,
    blockers.map((h) => h.pid),
    () => {
      const name = lockName(input.kernel, ref, era(input));
      // A holder is named with its node in a cluster (each node has its own glock
      // for the inode), and marked when it is weak (5.16 HIF_MAY_DEMOTE).
      const where = (h: Blocker) => (input.kernel.nodes > 1 ? ` on node ${h.node}` : '');
      const held =
        blockers.length === 0
          ? 'a demote in progress'
          : blockers.map((h) => `${h.mode} by pid ${h.pid}${where(h)}${h.node !== node ? ' (demote requested)' : ''}${h.mayDemote ? ' (HIF_MAY_DEMOTE)' : ''}`).join(', ');
      return `waiting for ${name} in ${mode}: held ${held}`;
    },
  );
}

/** gfs2_glock_dq of the holder `caller` queued. */
export function dropGlock<R extends GlockRegs = GlockRegs>(caller: string | ((input: StepInput<R>) => string)): StepSpec<'glock.released', NoInfer<R>>;
export function dropGlock<const E extends string, R extends GlockRegs = GlockRegs>(caller: string | ((input: StepInput<R>) => string), event: E, outer?: boolean): StepSpec<E, NoInfer<R>>;
export function dropGlock<R extends GlockRegs>(caller: string | ((input: StepInput<R>) => string), event = 'glock.released', outer = false): StepSpec<string, R> {
  return {
    run: (input) => {
      const ino = input.regs.ino;
      const result = glockDq(input.kernel, input.task.node, ino, input.task.pid, typeof caller === 'string' ? caller : caller(input));
      const label = `gfs2_glock_dq on glock 2/${inodeName(input.kernel, ino)}`;
      if (!result.ok) return { event, label, outcome: { kind: 'invariant-violation', message: result.violation } };
      // The "holds an outer glock" bit goes with the LM_FLAG_OUTER holder only (RFC 2021, gfs2_glock_dq).
      return { event, label, marks: ['glock-dq'], kernel: result.kernel, ...(outer ? { task: { outerGlock: false } } : {}) };
    },
  };
}

/**
 * On the way out of a function that took a lock only under some variants:
 * release it if this task holds it ('lock.released'), else just return
 * ('lock.none', labelled by `otherwise`).
 */
export function maybeUnlockStep<R = unknown>(call: string, lockOf: LockOf<R>, otherwise: (input: StepInput<R>) => string): StepSpec<'lock.released' | 'lock.none', NoInfer<R>> {
  const unlock = unlockStep(call, lockOf);
  return {
    run: (input) => {
      const lock = sleepLockOf(input.kernel, lockOf(input));
      if (lock === undefined || holdOf(lock, input.task.pid) === null) return { event: 'lock.none', label: () => otherwise(input) };
      return unlock.run(input);
    },
  };
}

/** mmap_sem (2015: down_read(&mm->mmap_sem)) or mmap_lock (5.8+: mmap_read_lock(mm)), as the modelled kernel spells it. */
export function mmapLockCall(input: StepInput<unknown>, write: boolean, unlock: boolean): string {
  if (input.variant.era === '2015') return `${unlock ? 'up' : 'down'}_${write ? 'write' : 'read'}(&mm->mmap_sem)`;
  return `mmap_${write ? 'write' : 'read'}_${unlock ? 'unlock' : 'lock'}(mm)`;
}

/** The inode lock as the modelled kernel spells it. */
export function inodeLockName(input: StepInput<unknown>): string {
  return input.variant.era === '2015' ? 'mutex_lock(&inode->i_mutex)' : 'inode_lock';
}

export function inodeUnlockName(input: StepInput<unknown>): string {
  return input.variant.era === '2015' ? 'mutex_unlock(&inode->i_mutex)' : 'inode_unlock';
}

/**
 * The head of a per-page I/O loop: once `done` reaches `len` (or `stop`, e.g.
 * the next page is past EOF), the step that returns the bytes done; else null.
 */
export function ioDone<E extends string, R extends IoLoopRegs>(input: StepInput<R>, event: E, call: string, stop = false): StepResult<E, R> | null {
  const { done, len } = input.regs;
  if (done < len && !stop) return null;
  return { event, label: () => `${call} → ${done * PAGE_SIZE} bytes`, regs: { ret: done * PAGE_SIZE } as Partial<R> };
}
