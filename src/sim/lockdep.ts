/**
 * A lock-order validator that works as lockdep does
 * (Documentation/locking/lockdep-design.rst, kernel/locking/lockdep.c), run
 * along a schedule or across every transition the explorer takes.
 *
 * Locks are grouped into classes. A task that takes a lock of class B while
 * holding one of class A records the dependency A → B, whether or not
 * anybody ever contends. A new dependency that closes a cycle is "possible
 * circular locking dependency detected"; taking a class the task already
 * holds is "possible recursive locking detected". Both are reported the
 * first time the orders are seen, even when the schedule at hand completes.
 *
 * Where this follows the kernel:
 * - Classes are per lock type, as the kernel keys them: every inode's
 *   i_mutex / i_rwsem is one class (&sb->s_type->i_mutex_key, fs/inode.c:
 *   lockdep_annotate_inode_mutex_key), every mm's mmap_sem one class.
 * - The dependency is recorded when the lock is asked for, before the task
 *   sleeps on it (lock_acquire runs ahead of the slow path), so a schedule
 *   that deadlocks still shows the edge that closed the cycle.
 * - A trylock adds no dependency into the lock it takes (validate_chain
 *   skips trylocks), but later locks depend on it.
 * - A user copy with page faults enabled records held locks → mmap_sem even
 *   when it does not fault (mm/memory.c: __might_fault → might_lock_read).
 *
 * Where this goes beyond it (and the UI says so):
 * - PG_locked and gfs2 glocks are not lockdep-tracked in the kernel. Here the
 *   page lock is one class, and each inode's glock is its own class, named
 *   by glock number (2/F1) on every node: gfs2 orders glocks by number
 *   (glock.c: nq_m_sync sorts holders with glock_compare), and the DLM
 *   resource is the same cluster-wide, so a cycle through two nodes is one
 *   cycle. A 5.16 holder marked may-demote (HIF_MAY_DEMOTE) is not counted
 *   as held, as trap_recursive does not count it. That is a choice: in v5.16
 *   only another node's request takes such a holder away, and a local waiter
 *   waits for it, so the 5.16 cycles through weak holders show in the
 *   wait-for graph and not here.
 * - An edge is recorded from every held lock, not only the most recent one
 *   (check_prevs_add stops at the first non-trylock): the cycles found are
 *   the same, and the chain printed is the shortest.
 * - Lockdep switches itself off after its first report (debug_locks_off);
 *   this keeps going, so every inversion a schedule shows is listed, first
 *   one first.
 */
import type { Pid } from '../kernel/ids.ts';
import type { Glock } from '../kernel/glock.ts';
import type { Era } from '../kernel/locks.ts';
import type { SleepLock } from '../kernel/sleeplock.ts';
import { inodeName, type KernelState, type NamedLock } from '../kernel/state.ts';
import type { TraceStep } from './step.ts';
import type { SystemState } from './system.ts';

export type LockClassKind = 'i_rwsem' | 'mmap_sem' | 'i_mmap' | 'invalidate_lock' | 'page' | 'glock' | 'named';

export interface LockClass {
  /** Stable id: the kind, or `glock 2/<file>` per inode glock. */
  readonly key: string;
  readonly kind: LockClassKind;
  /** The class as a lockdep report names it: `&sb->s_type->i_mutex_key`, `&mm->mmap_lock`. */
  readonly lockdepName: string;
  /** Short kernel words for the graph: `i_mutex`, `mmap_lock`, `glock 2/F1`. */
  readonly name: string;
  /**
   * How the class was ever taken (lockdep's usage bits: mark_usage runs at
   * lock_acquire, before the task sleeps): for the "{+.+.}" of a report.
   * Filled in by lockdepResult.
   */
  readonly usage?: { readonly read: boolean; readonly write: boolean };
}

/** Where a dependency or a hold came from: the step that asked for the lock. */
export interface Site {
  /** Index of the step in its schedule (0-based): the state after it is step + 1. */
  readonly step: number;
  readonly pid: Pid;
  readonly label: string;
  /** Innermost first: the step, then the kernel functions (frames) it ran in. */
  readonly backtrace: readonly string[];
  /** The schedule up to and including the step (explorer results only). */
  readonly schedule?: readonly Pid[];
}

/** `read`/`write` for sleeping locks; the holder mode (SH, DF, EX) for glocks. */
export type LockMode = 'read' | 'write' | 'SH' | 'DF' | 'EX';

export interface DepEdge {
  readonly from: string;
  readonly to: string;
  readonly fromMode: LockMode;
  readonly toMode: LockMode;
  /** Taken at once, asked for and slept on, or a might_fault annotation. */
  readonly via: 'acquire' | 'wait' | 'might_fault';
  /** The first time it was seen. */
  readonly site: Site;
}

export interface HeldLock {
  readonly cls: string;
  readonly mode: LockMode;
  /** Where it was taken, when known (along one schedule). */
  readonly at: Site | null;
}

interface ReportBase {
  /** Dedup key: the classes involved. */
  readonly key: string;
  readonly pid: Pid;
  /** The lock being asked for, and where. */
  readonly acquiring: { readonly cls: string; readonly mode: LockMode; readonly site: Site };
  /** The held lock the new dependency starts from. */
  readonly holding: HeldLock;
  /** Every lock the task held at that moment, oldest first. */
  readonly held: readonly HeldLock[];
}

export type LockdepReport =
  | (ReportBase & {
      readonly kind: 'circular';
      /**
       * The dependency chain as lockdep prints it, "-> #N" first: each entry
       * is the edge into its `to` class; the last is the new edge, holding →
       * acquiring. Following `from` → `to` from the first entry closes the cycle.
       */
      readonly chain: readonly DepEdge[];
    })
  | (ReportBase & { readonly kind: 'recursive' });

export interface LockdepResult {
  readonly era: Era;
  readonly classes: readonly LockClass[];
  readonly edges: readonly DepEdge[];
  readonly reports: readonly LockdepReport[];
}

/** The accumulating state of one validation (mutable; build it with createLockdep). */
export interface Lockdep {
  readonly classes: Map<string, LockClass>;
  readonly edges: Map<string, DepEdge>;
  readonly out: Map<string, DepEdge[]>;
  readonly reports: LockdepReport[];
  readonly reportKeys: Set<string>;
  /** Per class: taken for read, for write (glocks: SH and DF read, EX write). */
  readonly usage: Map<string, { read: boolean; write: boolean }>;
  /** `${pid}/${class}` → where the task took it; only along a single schedule. */
  readonly heldSince: Map<string, Site> | null;
  era: Era | null;
}

/** `trackHolds`: remember where each held lock was taken (true along one schedule; the explorer's branches would mix them). */
export function createLockdep(trackHolds: boolean): Lockdep {
  return { classes: new Map(), edges: new Map(), out: new Map(), reports: [], reportKeys: new Set(), usage: new Map(), heldSince: trackHolds ? new Map() : null, era: null };
}

/** A lock a step took or asked for, found by comparing the kernel before and after it. */
interface Acquisition {
  readonly pid: Pid;
  readonly cls: LockClass;
  readonly mode: LockMode;
  /** It joined the queue rather than taking the lock. */
  readonly waits: boolean;
  /** An LM_FLAG_TRY holder. */
  readonly trylock: boolean;
}

/** A named lock's class is its lockdep class: two named locks of one class are one class, as two inodes' i_rwsem are. */
function namedClass(named: NamedLock): LockClass {
  return { key: `named ${named.lockClass}`, kind: 'named', lockdepName: named.lockClass, name: named.name };
}

function sleepClass(kind: Exclude<LockClassKind, 'glock' | 'named'>, era: Era): LockClass {
  switch (kind) {
    case 'i_rwsem':
      // The key kept its name when i_mutex became i_rwsem (4.7).
      return { key: kind, kind, lockdepName: '&sb->s_type->i_mutex_key', name: era === '2015' ? 'i_mutex' : 'i_rwsem' };
    case 'mmap_sem':
      return { key: kind, kind, lockdepName: era === '2015' ? '&mm->mmap_sem' : '&mm->mmap_lock', name: era === '2015' ? 'mmap_sem' : 'mmap_lock' };
    case 'i_mmap':
      return { key: kind, kind, lockdepName: '&mapping->i_mmap_rwsem', name: 'i_mmap_rwsem' };
    case 'invalidate_lock':
      // The only 2015 variant that takes this lock is XFS 4.1's i_mmaplock, an mrlock (init_rwsem(&mrp->mr_lock)); 5.15 made it mapping->invalidate_lock.
      return era === '2015'
        ? { key: kind, kind, lockdepName: '&(&ip->i_mmaplock)->mr_lock', name: 'i_mmaplock' }
        : { key: kind, kind, lockdepName: 'mapping.invalidate_lock', name: 'invalidate_lock' };
    case 'page':
      return { key: kind, kind, lockdepName: 'PG_locked', name: 'page lock' };
  }
}

function glockClass(kernel: KernelState, ino: number): LockClass {
  const name = `glock 2/${inodeName(kernel, ino)}`;
  return { key: name, kind: 'glock', lockdepName: name, name };
}

function sleepAcquisitions(before: SleepLock, after: SleepLock, cls: LockClass, out: Acquisition[]): void {
  if (before === after) return;
  const waited = (pid: Pid) => before.waiters.some((w) => w.pid === pid);
  // A waiter handed the lock was already counted when it asked.
  if (after.writer !== null && after.writer !== before.writer && !waited(after.writer)) out.push({ pid: after.writer, cls, mode: 'write', waits: false, trylock: false });
  for (const r of after.readers) {
    if (!before.readers.includes(r) && !waited(r)) out.push({ pid: r, cls, mode: 'read', waits: false, trylock: false });
  }
  for (const w of after.waiters) {
    if (!waited(w.pid)) out.push({ pid: w.pid, cls, mode: w.write ? 'write' : 'read', waits: true, trylock: false });
  }
}

function glockAcquisitions(kernel: KernelState, before: Glock | undefined, after: Glock, out: Acquisition[]): void {
  if (before === after) return;
  const key = (h: { pid: Pid; caller: string; mode: string }) => `${h.pid}/${h.caller}/${h.mode}`;
  const seen = new Set((before?.holders ?? []).map(key));
  for (const h of after.holders) {
    if (seen.has(key(h))) continue;
    out.push({ pid: h.pid, cls: glockClass(kernel, after.ino), mode: h.mode, waits: !h.granted, trylock: h.try });
  }
}

/** Every lock some task took or started waiting for between two kernels. */
function acquisitionsIn(before: KernelState, after: KernelState, era: Era): Acquisition[] {
  const out: Acquisition[] = [];
  if (before === after) return out;
  if (before.inodes !== after.inodes) {
    after.inodes.forEach((inode, ino) => {
      const was = before.inodes[ino];
      if (was === undefined || was === inode) return;
      sleepAcquisitions(was.i_rwsem, inode.i_rwsem, sleepClass('i_rwsem', era), out);
      sleepAcquisitions(was.invalidate_lock, inode.invalidate_lock, sleepClass('invalidate_lock', era), out);
      sleepAcquisitions(was.i_mmap, inode.i_mmap, sleepClass('i_mmap', era), out);
    });
  }
  if (before.mms !== after.mms) {
    after.mms.forEach((mm, id) => {
      const was = before.mms[id];
      if (was !== undefined && was !== mm) sleepAcquisitions(was.mmap_sem, mm.mmap_sem, sleepClass('mmap_sem', era), out);
    });
  }
  if (before.pages !== after.pages) {
    after.pages.forEach((page, id) => {
      const was = before.pages[id];
      // A page added already locked (add_to_page_cache_lru with a locked page) is a lock taken.
      sleepAcquisitions(was?.lock ?? { writer: null, readers: [], waiters: [] }, page.lock, sleepClass('page', era), out);
    });
  }
  if (before.glocks !== after.glocks) {
    after.glocks.forEach((gl, i) => glockAcquisitions(after, before.glocks[i], gl, out));
  }
  if (before.named !== after.named) {
    after.named?.forEach((named, i) => {
      const was = before.named?.[i];
      if (was !== undefined && was !== named) sleepAcquisitions(was.lock, named.lock, namedClass(named), out);
    });
  }
  return out;
}

/** What `pid` holds, as lockdep counts it (may-demote glock holders are not). */
function heldBy(kernel: KernelState, pid: Pid, era: Era): { cls: LockClass; mode: LockMode }[] {
  const held: { cls: LockClass; mode: LockMode }[] = [];
  const sleepOf = (lock: SleepLock, cls: LockClass) => {
    if (lock.writer === pid) held.push({ cls, mode: 'write' });
    else if (lock.readers.includes(pid)) held.push({ cls, mode: 'read' });
  };
  const sleep = (lock: SleepLock, kind: Exclude<LockClassKind, 'glock' | 'named'>) => sleepOf(lock, sleepClass(kind, era));
  for (const inode of kernel.inodes) {
    sleep(inode.i_rwsem, 'i_rwsem');
    sleep(inode.invalidate_lock, 'invalidate_lock');
    sleep(inode.i_mmap, 'i_mmap');
  }
  for (const mm of kernel.mms) sleep(mm.mmap_sem, 'mmap_sem');
  for (const gl of kernel.glocks) {
    for (const h of gl.holders) if (h.pid === pid && h.granted && !h.mayDemote) held.push({ cls: glockClass(kernel, gl.ino), mode: h.mode });
  }
  for (const page of kernel.pages) sleep(page.lock, 'page');
  for (const named of kernel.named ?? []) sleepOf(named.lock, namedClass(named));
  return held;
}

/** Where a step ran: its label, then its task's frames, innermost first. */
function siteOf(before: SystemState, trace: TraceStep, step: number, schedule: (() => readonly Pid[]) | undefined, mightFault: boolean): Site {
  const task = before.tasks.find((t) => t.pid === trace.pid);
  const frames = (task?.stack ?? [])
    .map((f) => f.machine)
    .filter((m) => m !== 'task')
    .reverse();
  const backtrace = [...(mightFault ? ['__might_fault'] : []), trace.label, ...frames];
  return { step, pid: trace.pid, label: trace.label, backtrace, ...(schedule !== undefined ? { schedule: schedule() } : {}) };
}

/** The shortest dependency path from `from` to `to`, as edges; null if there is none. */
function pathBetween(ld: Lockdep, from: string, to: string): DepEdge[] | null {
  const via = new Map<string, DepEdge | null>([[from, null]]);
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const at = queue[head] ?? '';
    if (at === to) {
      const path: DepEdge[] = [];
      for (let e = via.get(at) ?? null; e !== null; e = via.get(e.from) ?? null) path.push(e);
      return path.reverse();
    }
    for (const e of ld.out.get(at) ?? []) {
      if (via.has(e.to)) continue;
      via.set(e.to, e);
      queue.push(e.to);
    }
  }
  return null;
}

function heldList(held: readonly { cls: LockClass; mode: LockMode }[], siteOfHeld: (cls: string) => Site | null): HeldLock[] {
  const list = held.map((h) => ({ cls: h.cls.key, mode: h.mode, at: siteOfHeld(h.cls.key) }));
  return list.sort((a, b) => (a.at?.step ?? 0) - (b.at?.step ?? 0));
}

function report(ld: Lockdep, r: LockdepReport): void {
  if (ld.reportKeys.has(r.key)) return;
  ld.reportKeys.add(r.key);
  ld.reports.push(r);
}

/**
 * Feed one step to the validator: `before` and `after` are the system around
 * it, `step` its index in the schedule. `schedule` (explorer) gives the
 * schedule up to and including it; it is called only for what is new.
 */
export function observeStep(ld: Lockdep, before: SystemState, after: SystemState, trace: TraceStep, step: number, schedule?: () => readonly Pid[]): void {
  const era = before.flags.era;
  ld.era ??= era;
  const events = acquisitionsIn(before.kernel, after.kernel, era);
  const hint = trace.lockdep;
  if (hint === 'might_fault') events.push({ pid: trace.pid, cls: sleepClass('mmap_sem', era), mode: 'read', waits: false, trylock: false });
  else if (typeof hint === 'object' && hint.asks.kind === 'glock') events.push({ pid: trace.pid, cls: glockClass(before.kernel, hint.asks.ino), mode: hint.mode, waits: true, trylock: false });
  if (events.length === 0) return;
  for (const ev of events) {
    const mightFault = hint === 'might_fault' && ev.cls.kind === 'mmap_sem' && ev.pid === trace.pid && !ev.waits;
    const trylock = ev.trylock || (hint === 'trylock' && ev.pid === trace.pid && !ev.waits);
    ld.classes.set(ev.cls.key, ev.cls);
    markUsage(ld, ev.cls.key, ev.mode);
    let site: Site | null = null;
    const here = () => (site ??= siteOf(before, trace, step, schedule, mightFault));
    const sinceKey = `${ev.pid}/${ev.cls.key}`;
    const heldSite = (cls: string) => ld.heldSince?.get(`${ev.pid}/${cls}`) ?? null;
    const previous = heldSite(ev.cls.key);
    // might_lock_read takes and drops at once: nothing stays held.
    if (ld.heldSince !== null && !mightFault) ld.heldSince.set(sinceKey, here());
    if (trylock) continue;
    const held = heldBy(before.kernel, ev.pid, era);
    const same = held.find((h) => h.cls.key === ev.cls.key);
    if (same !== undefined) {
      const key = `recursive ${ev.cls.key}`;
      if (!ld.reportKeys.has(key)) {
        report(ld, { kind: 'recursive', key, pid: ev.pid, acquiring: { cls: ev.cls.key, mode: ev.mode, site: here() }, holding: { cls: same.cls.key, mode: same.mode, at: previous }, held: heldList(held, (c) => (c === ev.cls.key ? previous : heldSite(c))) });
      }
    }
    for (const h of held) {
      if (h.cls.key === ev.cls.key) continue;
      ld.classes.set(h.cls.key, h.cls);
      const edgeKey = `${h.cls.key}\u0000${ev.cls.key}`;
      if (ld.edges.has(edgeKey)) continue;
      const edge: DepEdge = { from: h.cls.key, to: ev.cls.key, fromMode: h.mode, toMode: ev.mode, via: mightFault ? 'might_fault' : ev.waits ? 'wait' : 'acquire', site: here() };
      // check_noncircular: does the new lock already lead back to the held one?
      const back = pathBetween(ld, ev.cls.key, h.cls.key);
      ld.edges.set(edgeKey, edge);
      const list = ld.out.get(edge.from);
      if (list === undefined) ld.out.set(edge.from, [edge]);
      else list.push(edge);
      if (back === null) continue;
      const classes = [...new Set([...back.map((e) => e.from), h.cls.key])].sort();
      report(ld, {
        kind: 'circular',
        key: `circular ${classes.join(' ')}`,
        pid: ev.pid,
        acquiring: { cls: ev.cls.key, mode: ev.mode, site: here() },
        holding: { cls: h.cls.key, mode: h.mode, at: heldSite(h.cls.key) },
        // Lockdep prints the existing path from the held lock back, then the new edge (#0).
        chain: [...back.reverse(), edge],
        held: heldList(held, (c) => (c === ev.cls.key ? previous : heldSite(c))),
      });
    }
  }
}

function markUsage(ld: Lockdep, key: string, mode: LockMode): void {
  const read = mode === 'read' || mode === 'SH' || mode === 'DF';
  const usage = ld.usage.get(key) ?? { read: false, write: false };
  if (read ? usage.read : usage.write) return;
  ld.usage.set(key, read ? { ...usage, read: true } : { ...usage, write: true });
}

export function lockdepResult(ld: Lockdep): LockdepResult {
  const classes = [...ld.classes.values()].map((c) => {
    const usage = ld.usage.get(c.key);
    return usage === undefined ? c : { ...c, usage };
  });
  return { era: ld.era ?? '5.x', classes, edges: [...ld.edges.values()], reports: ld.reports.slice() };
}

function validateRun(states: readonly SystemState[], trace: readonly TraceStep[]): Lockdep {
  const ld = createLockdep(true);
  ld.era = states[0]?.flags.era ?? null;
  trace.forEach((t, i) => {
    const before = states[i];
    const after = states[i + 1];
    if (before !== undefined && after !== undefined) observeStep(ld, before, after, t, i);
  });
  return ld;
}

/** Lockdep along one schedule: `states[i]` is the system after `i` steps, `trace[i]` step i. */
export function lockdepOfRun(states: readonly SystemState[], trace: readonly TraceStep[]): LockdepResult {
  return lockdepResult(validateRun(states, trace));
}

/**
 * A report found across many schedules, with "where was each held lock
 * taken" filled in from one run that reaches it (its acquiring step's own
 * schedule): which locks a task holds, and since when, belong to a path.
 */
export function withHeldSitesFrom(r: LockdepReport, states: readonly SystemState[], trace: readonly TraceStep[]): LockdepReport {
  const since = validateRun(states, trace).heldSince;
  // The run ends with the acquiring step, which recorded itself for its own class.
  const atOf = (h: HeldLock): HeldLock => ({ ...h, at: since?.get(`${r.pid}/${h.cls}`) ?? null });
  const held = r.held.map((h) => (h.cls === r.acquiring.cls && r.kind === 'recursive' ? h : atOf(h))).sort((a, b) => (a.at?.step ?? 0) - (b.at?.step ?? 0));
  return { ...r, holding: r.kind === 'recursive' ? r.holding : atOf(r.holding), held };
}

/** The classes of a report's cycle, in the order its chain lists them (a recursive report: the one class). */
export function cycleOf(r: LockdepReport): readonly string[] {
  return r.kind === 'circular' ? r.chain.map((e) => e.to) : [r.acquiring.cls];
}
