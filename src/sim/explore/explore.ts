/**
 * Every interleaving of a scenario, as the set of reachable system states.
 *
 * Breadth-first search from the initial state: each state is expanded by
 * stepping each runnable task once; a state already seen (by exact canonical
 * encoding) is not expanded again. Because the search is breadth-first, the
 * first time a terminal state is reached is along a shortest schedule; among
 * schedules of that length, parents are relaxed to the one with fewer task
 * switches. Same code in Node, a Web Worker and tests: no clock of its own
 * (pass `now`), no DOM, no Node.
 *
 * Not yet reduced: every enabled step of every task is explored (no sleep
 * sets or partial-order reduction), so state counts are exact and large
 * scenarios hit the limits sooner.
 */
import type { Pid } from '../../kernel/ids.ts';
import type { VariantId } from '../../kernel/variants.ts';
import { outcomeOf, partialDeadlock, runnablePids } from '../outcome.ts';
import { step } from '../step.ts';
import { initialSystem, type SystemSetup, type SystemState } from '../system.ts';
import { createEncoder } from './encode.ts';
import { createStateSet } from './stateset.ts';

/** Every bound on an exploration, in one place. Hitting one is a result, not an error. */
export interface ExploreLimits {
  /** Stop after this many distinct states. */
  readonly maxStates: number;
  /** Do not expand states this many steps deep. */
  readonly maxDepth: number;
  /** Stop after this long, measured by `now`. */
  readonly timeBudgetMs: number;
  /** The clock; without one, the time budget is not enforced. */
  readonly now?: () => number;
  /** Called every `progressEvery` states; returning false cancels. */
  readonly onProgress?: (progress: ExploreProgress) => boolean | undefined;
  readonly progressEvery: number;
}

export const DEFAULT_LIMITS: ExploreLimits = { maxStates: 2_000_000, maxDepth: 10_000, timeBudgetMs: 60_000, progressEvery: 10_000 };

export interface ExploreProgress {
  readonly states: number;
  readonly transitions: number;
  readonly elapsedMs: number;
}

export const EXPLORED_KINDS = ['completed', 'sigbus', 'deadlock', 'partial-deadlock', 'bug', 'use-after-free', 'livelock', 'invariant-violation'] as const;
export type ExploredKind = (typeof EXPLORED_KINDS)[number];

export interface Shortest {
  readonly schedule: readonly Pid[];
  readonly length: number;
  readonly switches: number;
}

export interface ExploreResult {
  readonly variant: VariantId;
  readonly states: number;
  readonly transitions: number;
  readonly terminal: number;
  /** True when every reachable state was expanded. */
  readonly complete: boolean;
  readonly stoppedBy: 'max-states' | 'max-depth' | 'time' | 'cancelled' | null;
  readonly outcomes: Readonly<Partial<Record<ExploredKind, { readonly count: number; readonly shortest: Shortest }>>>;
  readonly elapsedMs: number;
  /** Bytes held by the visited set. */
  readonly setBytes: number;
}

function switchesOf(schedule: readonly Pid[]): number {
  let switches = 0;
  for (let i = 1; i < schedule.length; i++) if (schedule[i] !== schedule[i - 1]) switches++;
  return switches;
}

export function explore(setup: SystemSetup, variant: VariantId, limits: Partial<ExploreLimits> = {}): ExploreResult {
  const lim: ExploreLimits = { ...DEFAULT_LIMITS, ...limits };
  const now = lim.now;
  const started = now?.() ?? 0;
  const elapsed = () => (now === undefined ? 0 : now() - started);

  const encoder = createEncoder();
  const seen = createStateSet();
  // Per state id: how it was reached.
  const parent: number[] = [];
  const via: Pid[] = [];
  const depth: number[] = [];
  const switches: number[] = [];

  // A queue of (id, state) with a moving head: no Array.shift.
  let queueIds: number[] = [];
  let queueStates: SystemState[] = [];
  let head = 0;

  const initial = initialSystem(setup, variant);
  seen.addOrFind(encoder.encode(initial));
  parent.push(-1);
  via.push(0);
  depth.push(0);
  switches.push(0);
  queueIds.push(0);
  queueStates.push(initial);

  const counts = new Map<ExploredKind, number>();
  const best = new Map<ExploredKind, number>();
  let transitions = 0;
  let terminal = 0;
  let stoppedBy: ExploreResult['stoppedBy'] = null;

  const note = (kind: ExploredKind, id: number) => {
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    const current = best.get(kind);
    if (current === undefined || (depth[id] ?? 0) < (depth[current] ?? 0) || ((depth[id] ?? 0) === (depth[current] ?? 0) && (switches[id] ?? 0) < (switches[current] ?? 0))) best.set(kind, id);
  };

  while (head < queueIds.length) {
    const id = queueIds[head] ?? 0;
    const state = queueStates[head];
    head++;
    if (head > 65536 && head * 2 > queueIds.length) {
      queueIds = queueIds.slice(head);
      queueStates = queueStates.slice(head);
      head = 0;
    }
    if (state === undefined) continue;

    const outcome = outcomeOf(state);
    if (outcome !== null) {
      terminal++;
      note(outcome.kind, id);
      continue;
    }
    if (partialDeadlock(state) !== null) note('partial-deadlock', id);
    if ((depth[id] ?? 0) >= lim.maxDepth) {
      stoppedBy ??= 'max-depth';
      continue;
    }
    const last = via[id];
    let full = false;
    for (const pid of runnablePids(state)) {
      if (seen.size() >= lim.maxStates) {
        full = true;
        break;
      }
      const out = step(state, pid);
      if (!out.ok) continue;
      transitions++;
      const found = seen.addOrFind(encoder.encode(out.state));
      const childSwitches = (switches[id] ?? 0) + (id !== 0 && pid !== last ? 1 : 0);
      if (found < 0) {
        const child = -found - 1;
        parent[child] = id;
        via[child] = pid;
        depth[child] = (depth[id] ?? 0) + 1;
        switches[child] = childSwitches;
        queueIds.push(child);
        queueStates.push(out.state);
      } else if (depth[found] === (depth[id] ?? 0) + 1 && childSwitches < (switches[found] ?? 0)) {
        // Same length, fewer task switches: a better way to reach it.
        parent[found] = id;
        via[found] = pid;
        switches[found] = childSwitches;
      }
    }
    const states = seen.size();
    if (full || (states >= lim.maxStates && head < queueIds.length)) {
      stoppedBy = 'max-states';
      break;
    }
    if (states % lim.progressEvery === 0 || head % lim.progressEvery === 0) {
      if (elapsed() > lim.timeBudgetMs) {
        stoppedBy = 'time';
        break;
      }
      if (lim.onProgress?.({ states, transitions, elapsedMs: elapsed() }) === false) {
        stoppedBy = 'cancelled';
        break;
      }
    }
  }

  const scheduleTo = (id: number): Pid[] => {
    const schedule: Pid[] = [];
    for (let at = id; at > 0; at = parent[at] ?? 0) schedule.push(via[at] ?? 0);
    return schedule.reverse();
  };
  const outcomes: Partial<Record<ExploredKind, { count: number; shortest: Shortest }>> = {};
  for (const kind of EXPLORED_KINDS) {
    const id = best.get(kind);
    if (id === undefined) continue;
    const schedule = scheduleTo(id);
    outcomes[kind] = { count: counts.get(kind) ?? 0, shortest: { schedule, length: schedule.length, switches: switchesOf(schedule) } };
  }
  return {
    variant,
    states: seen.size(),
    transitions,
    terminal,
    complete: stoppedBy === null,
    stoppedBy,
    outcomes,
    elapsedMs: elapsed(),
    setBytes: seen.bytes(),
  };
}

const LIMIT_WORDS: Record<NonNullable<ExploreResult['stoppedBy']>, string> = {
  'max-states': 'state limit reached',
  'max-depth': 'depth limit reached',
  time: 'time budget spent',
  cancelled: 'cancelled',
};

/** One line in the words the issue asks for: what was explored, and what that rests on. */
export function summarize(result: ExploreResult): string {
  const bad = (['deadlock', 'bug', 'use-after-free'] as const).filter((k) => result.outcomes[k] !== undefined);
  const count = result.states.toLocaleString('en-US');
  if (!result.complete) {
    return `explored ${count} states, ${LIMIT_WORDS[result.stoppedBy ?? 'cancelled']}; ${bad.length === 0 ? 'no deadlock, BUG or use-after-free found so far' : `found: ${bad.join(', ')}`}`;
  }
  if (bad.length === 0) return `no deadlock, BUG or use-after-free is reachable: all ${count} reachable states explored`;
  return `explored all ${count} reachable states; reachable: ${bad.join(', ')}`;
}
