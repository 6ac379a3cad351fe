/**
 * Outcomes in the words of kernel-semantics.md §5, derived from a system
 * state: the scheduler's view (who can run, who waits for what) and, once
 * nothing can run, how the run ended.
 */
import type { Pid } from '../kernel/ids.ts';
import { blocksPastEof } from '../kernel/invariants.ts';
import { lockName, sleepLockOf, type LockRef } from '../kernel/locks.ts';
import { holdsIn, lockKey } from './holds.ts';
import { isFinished, waitOf } from './step.ts';
import type { Signal, StopOutcome, SystemState } from './system.ts';

export interface WaitEdge {
  readonly pid: Pid;
  readonly lock: LockRef;
  readonly lockName: string;
  /** Kernel words: "waiting for glock 2/F1 in SH: held DF by pid 101". */
  readonly reason: string;
  /** Who it waits behind: the owners its mode conflicts with, and every waiter queued ahead of it. */
  readonly holders: readonly Pid[];
  /** Who holds the lock now, in any mode: a reader queued behind a writer waits behind the writer, but the lock is held by the readers. */
  readonly owners: readonly Pid[];
  /** The waiters among `holders`, each as the kernel queued it (a writer, a reader, or a glock holder in a mode). */
  readonly queuedAhead: readonly string[];
  /**
   * The owners as the report names them: "pid 102", or for a glock in a
   * cluster of several nodes "pid 102 on node 1" (each node has its own
   * glock for the inode, so the holder's node says which one).
   */
  readonly ownerNames: readonly string[];
}

export interface Deadlock {
  /** The cycle, in order: each task waits for a lock the next one holds. */
  readonly cycle: readonly WaitEdge[];
  readonly message: string;
}

export type Outcome =
  | { readonly kind: 'completed'; readonly returns: Readonly<Record<number, readonly number[]>>; readonly notes: readonly string[] }
  | { readonly kind: 'sigbus'; readonly signals: readonly Signal[]; readonly returns: Readonly<Record<number, readonly number[]>>; readonly notes: readonly string[] }
  | { readonly kind: 'deadlock'; readonly cycle: readonly WaitEdge[]; readonly message: string }
  | StopOutcome;

/**
 * How a run can end: the one list of outcome kinds, in the order the explorer
 * and the page list them. Everything else that names the kinds (the scenario
 * format's `expect`, the explorer's results, the timeline's markers) takes
 * them from here. A kind added to `Outcome` and not here fails to compile.
 */
export const OUTCOME_KINDS = ['completed', 'bug', 'deadlock', 'sigbus', 'use-after-free', 'livelock', 'invariant-violation'] as const satisfies readonly Outcome['kind'][];
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];
/** Compiles only while OUTCOME_KINDS names every kind of Outcome. */
export const OUTCOME_KINDS_COMPLETE: [Exclude<Outcome['kind'], OutcomeKind>] extends [never] ? true : never = true;

/** For every blocked task, what it waits for. */
export function waitEdges(state: SystemState): readonly WaitEdge[] {
  const edges: WaitEdge[] = [];
  for (const task of state.tasks) {
    const wait = waitOf(state, task);
    if (wait === null) continue;
    const owners = ownersOf(state, wait.lock, wait.holders);
    const queuedAhead = wait.holders.filter((pid) => !owners.includes(pid)).map((pid) => queuedAs(state, wait.lock, pid));
    const onNode = wait.lock.kind === 'glock' && state.kernel.nodes > 1;
    const ownerNames = owners.map((pid) => {
      const node = state.tasks.find((t) => t.pid === pid)?.node;
      return onNode && node !== undefined ? `pid ${pid} on node ${node}` : `pid ${pid}`;
    });
    edges.push({ pid: task.pid, lock: wait.lock, lockName: lockName(state.kernel, wait.lock, state.flags.era), reason: wait.reason, holders: wait.holders, owners, queuedAhead, ownerNames });
  }
  return edges;
}

/** "writer pid 103", "reader pid 102", "pid 104 (EX)": a waiter as its lock's queue has it. */
/**
 * Who holds the lock a task waits for, in any mode. For a glock that is this
 * node's granted holders and, across nodes, the granted holders elsewhere
 * that keep it waiting (each node has its own glock for the inode; the other
 * node's holders are what its demote waits for).
 */
function ownersOf(state: SystemState, ref: LockRef, blockers: readonly Pid[]): readonly Pid[] {
  if (ref.kind !== 'glock') {
    const key = lockKey(ref);
    return [...new Set(holdsIn(state).filter((h) => h.lockKey === key).map((h) => h.pid))];
  }
  const granted = state.kernel.glocks.filter((g) => g.ino === ref.ino).flatMap((g) => g.holders.filter((h) => h.granted && (g.node === ref.node || blockers.includes(h.pid))).map((h) => h.pid));
  return [...new Set(granted)];
}

function queuedAs(state: SystemState, ref: LockRef, pid: Pid): string {
  if (ref.kind === 'glock') {
    const mode = state.kernel.glocks.find((g) => g.node === ref.node && g.ino === ref.ino)?.holders.find((h) => h.pid === pid && !h.granted)?.mode;
    return mode === undefined ? `pid ${pid}` : `pid ${pid} (${mode})`;
  }
  const waiter = sleepLockOf(state.kernel, ref)?.waiters.find((w) => w.pid === pid);
  return waiter === undefined ? `pid ${pid}` : `${waiter.write ? 'writer' : 'reader'} pid ${pid}`;
}

/** A cycle in the wait-for graph (task → holder of what it waits for), if any. */
export function findCycle<E extends { readonly pid: Pid; readonly holders: readonly Pid[] }>(edges: readonly E[]): readonly E[] | null {
  const byPid = new Map(edges.map((e) => [e.pid, e]));
  for (const start of edges) {
    const path: E[] = [];
    const seen = new Set<Pid>();
    const visit = (edge: E): readonly E[] | null => {
      if (seen.has(edge.pid)) {
        const at = path.findIndex((e) => e.pid === edge.pid);
        return at >= 0 ? path.slice(at) : null;
      }
      seen.add(edge.pid);
      path.push(edge);
      for (const holder of edge.holders) {
        const next = byPid.get(holder);
        if (next === undefined) continue;
        const cycle = visit(next);
        if (cycle !== null) return cycle;
      }
      path.pop();
      return null;
    };
    const cycle = visit(start);
    if (cycle !== null) return cycle;
  }
  return null;
}

/**
 * "pid 101 waits for glock 2/F2 held by pid 102". A task queued behind
 * another waiter (a reader behind a queued writer, in the fair rwsem) names
 * both: who holds the lock, and whom it is queued behind.
 */
export function describeCycle(cycle: readonly WaitEdge[]): string {
  return cycle
    .map((e) => {
      const held = e.owners.length > 0 ? `held by ${e.ownerNames.join(', ')}` : 'held by no one';
      const behind = e.queuedAhead.length > 0 ? `, queued behind ${e.queuedAhead.join(', ')}` : '';
      return `pid ${e.pid} waits for ${e.lockName} ${held}${behind}`;
    })
    .join('; ');
}

export function runnablePids(state: SystemState): readonly Pid[] {
  if (state.stopped !== null) return [];
  return state.tasks.filter((t) => !isFinished(t) && waitOf(state, t) === null).map((t) => t.pid);
}

/**
 * One pass over the tasks' waits, for the explorer, which asks this of
 * every state it expands: who can run, and whether some blocked tasks wait
 * for each other in a cycle. The same answers as runnablePids and
 * findCycle(waitEdges(...)) (a test compares them on every state of every
 * preset), without the lock names, owners and reasons of each edge, which
 * are built only for a state that is reported.
 */
export interface WaitScan {
  readonly runnable: readonly Pid[];
  readonly blockedCycle: boolean;
}

export function scanWaits(state: SystemState): WaitScan {
  if (state.stopped !== null) return { runnable: [], blockedCycle: false };
  const runnable: Pid[] = [];
  let waitsFor: Map<Pid, readonly Pid[]> | null = null;
  for (const task of state.tasks) {
    if (isFinished(task)) continue;
    const wait = waitOf(state, task);
    if (wait === null) runnable.push(task.pid);
    else (waitsFor ??= new Map()).set(task.pid, wait.holders);
  }
  return { runnable, blockedCycle: waitsFor !== null && hasCycle(waitsFor) };
}

/** Is there a cycle in the graph blocked task → the blocked tasks it waits behind (depth-first, three colours)? */
function hasCycle(waitsFor: ReadonlyMap<Pid, readonly Pid[]>): boolean {
  const done = new Set<Pid>();
  const onPath = new Set<Pid>();
  const visit = (pid: Pid): boolean => {
    if (onPath.has(pid)) return true;
    if (done.has(pid)) return false;
    onPath.add(pid);
    for (const next of waitsFor.get(pid) ?? []) if (waitsFor.has(next) && visit(next)) return true;
    onPath.delete(pid);
    done.add(pid);
    return false;
  };
  for (const pid of waitsFor.keys()) if (visit(pid)) return true;
  return false;
}

/** A wait-for cycle among blocked tasks while others can still run. */
export function partialDeadlock(state: SystemState): Deadlock | null {
  if (runnablePids(state).length === 0) return null;
  const cycle = findCycle(waitEdges(state));
  return cycle === null ? null : { cycle, message: `partial deadlock: ${describeCycle(cycle)}` };
}

function returnsOf(state: SystemState): Record<number, readonly number[]> {
  return Object.fromEntries(state.tasks.map((t) => [t.pid, t.returns]));
}

/** How the run ended, or null while some task can still run. */
export function outcomeOf(state: SystemState): Outcome | null {
  if (state.stopped !== null) return state.stopped;
  if (runnablePids(state).length > 0) return null;
  const edges = waitEdges(state);
  if (edges.length > 0) {
    const cycle = findCycle(edges);
    if (cycle !== null) return { kind: 'deadlock', cycle, message: describeCycle(cycle) };
    return { kind: 'deadlock', cycle: [], message: `hang with no wait-for cycle: ${edges.map((e) => `pid ${e.pid} ${e.reason}`).join('; ')}` };
  }
  const notes = blocksPastEof(state.kernel);
  if (state.signals.length > 0) return { kind: 'sigbus', signals: state.signals, returns: returnsOf(state), notes };
  return { kind: 'completed', returns: returnsOf(state), notes };
}

/** One line in kernel words, for the CLI and the outcome banner. */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'completed':
      return `completed${outcome.notes.length > 0 ? `; ${outcome.notes.join('; ')}` : ''}`;
    case 'sigbus':
      return `${outcome.signals.map((s) => s.message).join('; ')}${outcome.notes.length > 0 ? `; ${outcome.notes.join('; ')}` : ''}`;
    case 'deadlock':
      return `deadlock: ${outcome.message}`;
    case 'bug':
      return outcome.message;
    case 'use-after-free':
      return outcome.message;
    case 'invariant-violation':
      return `invariant violation: ${outcome.message}`;
    case 'livelock':
      return `livelock: ${outcome.message}`;
  }
}
