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
 * Reduced by default (reduce.ts): where a task's next step is local to its
 * own task and mm, or its recorded footprint conflicts with what no other
 * task may still do (claims.ts), that step alone is expanded. Every terminal
 * outcome of the full graph stays reachable, deadlocks and completions at
 * the same depth; state counts are of the reduced graph. `reduction:
 * 'local'` keeps to the first rule, `'none'` explores every interleaving.
 *
 * States are told apart by hash-consing (intern.ts): a state is the id of
 * its root, so the visited set is a table from ids to state numbers. Where
 * the scenario has symmetry (symmetry.ts: the ring's rotations), the visited
 * set is one of orbits instead, and the shortest schedules are lifted back
 * to real pids before they are reported.
 *
 * Livelock (livelock.ts): once every reachable state has been expanded, a
 * state from which no state where the run ends can be reached is a
 * livelock: whatever the scheduler does from there, the tasks go round
 * forever. Such states are reported as the outcome `livelock`, with a
 * schedule that enters them and goes once round a cycle among them.
 */
import type { Pid } from '../../kernel/ids.ts';
import type { VariantId } from '../../kernel/variants.ts';
import { createLockdep, lockdepResult, observeStep, withHeldSitesFrom, type LockdepReport, type LockdepResult } from '../lockdep.ts';
import { OUTCOME_KINDS, outcomeOf, scanWaits, type OutcomeKind } from '../outcome.ts';
import { PATH_EVENTS, pathEventsOf, type PathEvent } from '../pathevents.ts';
import { replay } from '../replay.ts';
import { stepLocal, stepRecorded, stepRunnable, type Engine, type TraceStep } from '../step.ts';
import { initialSystem, taskByPid, type SystemSetup, type SystemState } from '../system.ts';
import { createEncoder } from './encode.ts';
import { createInterner } from './intern.ts';
import { createEdgeStore, findLivelock } from './livelock.ts';
import { createClaims } from './claims.ts';
import { checkAlone, checkClaim, createFootprintRule, otherMmChanged, reducibleTasks, type Tried } from './reduce.ts';
import { regroupLocalSteps, switchesOf } from './regroup.ts';
import { createStateSet } from './stateset.ts';
import { createSymmetricVisited, symmetryOf, type SymmetricVisited, type Symmetry } from './symmetry.ts';

/** Every bound on an exploration, in one place. Hitting one is a result, not an error. */
export interface ExploreLimits {
  /** Stop after this many distinct states (search nodes, under a preemption bound). */
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
  /** How states are told apart; both are exact. `reference` is the plain walk tests compare against. */
  readonly encoding: Encoding;
  /** Which transition table steps use: the compiled one, or XState's own `transition` (tests compare them). */
  readonly engine: Engine;
  /**
   * `footprint`: take a step alone where it is local or touches nothing another task may still touch (reduce.ts);
   * `local`: the first rule only; `none`: every interleaving.
   */
  readonly reduction: Reduction;
  /** Record every step taken and hold it to its task's claim, and each step taken alone to the others' actual steps (reduce.ts); for tests. */
  readonly checkFootprints: boolean;
  /**
   * Explore one state per orbit of the scenario's symmetry group
   * (symmetry.ts: tasks that can be relabelled onto each other, such as the
   * ring's rotations). Off under a preemption bound and path counts, and
   * under lockdep where the group moves inodes.
   */
  readonly symmetry: boolean;
  /**
   * At most this many preemptions per schedule (a switch away from a task
   * that could still run), or null for no bound. Bounded searches find
   * bugs that need few preemptions in state spaces too large to finish
   * (Musuvathi and Qadeer, CHESS); "complete" then means complete within
   * the bound. A bound turns the reduction off: a local step taken alone
   * would count as a preemption the full search need not make.
   */
  readonly maxPreemptions: number | null;
  /** Run the lock-order validator (lockdep.ts) over every transition taken. */
  readonly lockdep: boolean;
  /** Count the schedules that reach each outcome, and those that pass through each path event (keeps every transition in memory). */
  readonly paths: boolean;
}

export type Reduction = 'footprint' | 'local' | 'none';

export type Encoding = 'interned' | 'reference';

export const DEFAULT_LIMITS: ExploreLimits = { maxStates: 2_000_000, maxDepth: 10_000, timeBudgetMs: 60_000, progressEvery: 10_000, encoding: 'interned', engine: 'compiled', reduction: 'footprint', checkFootprints: false, symmetry: true, maxPreemptions: null, lockdep: false, paths: false };

export interface ExploreProgress {
  readonly states: number;
  readonly transitions: number;
  readonly elapsedMs: number;
}

/** The explorer's outcomes: every outcome kind, and beside a deadlock the one of only some tasks. */
export type ExploredKind = OutcomeKind | 'partial-deadlock';
export const EXPLORED_KINDS: readonly ExploredKind[] = OUTCOME_KINDS.flatMap((k): ExploredKind[] => (k === 'deadlock' ? [k, 'partial-deadlock'] : [k]));

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
  /** The reduction asked for, and how many tasks it applied to (0: every interleaving was explored). */
  readonly reduction: Reduction;
  readonly reducedTasks: number;
  /** The order of the symmetry group the search was reduced by (1: none), and why it was not, when asked for and not applied. */
  readonly symmetry: { readonly order: number; readonly off: string | null };
  readonly maxPreemptions: number | null;
  /** The lock-order validator over every transition taken, when asked for. */
  readonly lockdep: LockdepResult | null;
  /** Schedule counts, when asked for; null also when the state graph has a cycle. */
  readonly paths: PathCounts | null;
}

/**
 * How many schedules (paths from the initial state to a state where the run
 * ends) there are in the explored graph: per outcome, and per path event,
 * those that pass through it at least once. Counted in floating point: exact
 * up to 2^53, approximate beyond.
 */
export interface PathCounts {
  readonly total: number;
  readonly byOutcome: Readonly<Partial<Record<ExploredKind, number>>>;
  readonly byEvent: Readonly<Record<PathEvent, number>>;
}

/** The set of states seen so far, each with a dense id in order of discovery. */
interface Visited {
  /** The id of `node` (a state, or a state with search data) if seen; else adds it and returns -(id + 1). */
  addOrFind(node: object): number;
  size(): number;
  bytes(): number;
}

function createVisited(encoding: Encoding): Visited {
  if (encoding === 'reference') {
    const encoder = createEncoder();
    const seen = createStateSet();
    return { addOrFind: (state) => seen.addOrFind(encoder.encode(state)), size: seen.size, bytes: seen.bytes };
  }
  const interner = createInterner();
  // Per interned node: the state id + 1 whose root it is, or 0.
  let stateOfNode = new Int32Array(1 << 16);
  let count = 0;
  return {
    addOrFind: (state) => {
      const node = interner.idOf(state);
      if (node >= stateOfNode.length) {
        const bigger = new Int32Array(Math.max(stateOfNode.length * 2, node + 1));
        bigger.set(stateOfNode);
        stateOfNode = bigger;
      }
      const known = stateOfNode[node] ?? 0;
      if (known !== 0) return known - 1;
      count++;
      stateOfNode[node] = count;
      return -count;
    },
    size: () => count,
    bytes: () => interner.bytes() + stateOfNode.byteLength,
  };
}

export function explore(setup: SystemSetup, variant: VariantId, limits: Partial<ExploreLimits> = {}): ExploreResult {
  const lim: ExploreLimits = { ...DEFAULT_LIMITS, ...limits };
  const now = lim.now;
  const started = now?.() ?? 0;
  const elapsed = () => (now === undefined ? 0 : now() - started);

  const bound = lim.maxPreemptions;
  // Under a preemption bound, a node of the search is (state, last task,
  // preemptions used): the same state reached with fewer preemptions left
  // must be expanded again. `states` still counts system states.
  const initial = initialSystem(setup, variant);
  const { sym, symmetry } = symmetryFor(initial, lim);
  const quotient = symmetry !== null ? createSymmetricVisited(symmetry, initial) : null;
  const visited: Visited = quotient ?? createVisited(lim.encoding);
  const systemStates = bound === null ? visited : createVisited(lim.encoding);
  const preemptions: number[] = [0];
  const nodeOf = (state: SystemState, last: Pid, used: number): object => (bound === null ? state : [state, last, used]);
  // Per state id: how it was reached.
  const parent: number[] = [];
  const via: Pid[] = [];
  // The task that stepped last, named as in the node's own state (under symmetry, via names it in the parent's).
  const lastOf: Pid[] = [];
  const depth: number[] = [];
  const switches: number[] = [];

  // A queue of (id, state) with a moving head: no Array.shift.
  let queueIds: number[] = [];
  let queueStates: SystemState[] = [];
  let head = 0;

  visited.addOrFind(nodeOf(initial, 0, 0));
  if (bound !== null) systemStates.addOrFind(initial);
  parent.push(-1);
  via.push(0);
  lastOf.push(0);
  depth.push(0);
  switches.push(0);
  queueIds.push(0);
  queueStates.push(initial);

  // The reduction (reduce.ts): tasks whose local steps may be taken alone,
  // and the machine states whose steps have been seen to touch shared state,
  // which are not tried again (skipping a try only costs reduction, never
  // soundness).
  const reducible = lim.reduction !== 'none' && bound === null ? reducibleTasks(initial) : null;
  // The footprint rule (reduce.ts), and the claims the check holds every step to.
  const claims = (lim.reduction === 'footprint' && bound === null) || lim.checkFootprints ? createClaims(initial) : null;
  const footprint = lim.reduction === 'footprint' && bound === null && claims !== null ? createFootprintRule(claims, lim.engine, lim.checkFootprints) : null;
  const tried: Tried = new Map();
  const neverLocal = new Map<string, Set<string>>();
  const localStep = (state: SystemState, runnable: readonly Pid[], prefer: Pid | null): { pid: Pid; state: SystemState; trace: TraceStep } | null => {
    if (reducible === null || reducible.size === 0) return null;
    // The task that stepped last first: staying with it costs no task switch.
    const order = prefer !== null && runnable.includes(prefer) ? [prefer, ...runnable.filter((p) => p !== prefer)] : runnable;
    for (const pid of order) {
      if (!reducible.has(pid)) continue;
      const task = taskByPid(state, pid);
      const frame = task?.stack[task.stack.length - 1];
      if (frame === undefined) continue;
      let never = neverLocal.get(frame.machine);
      if (never?.has(frame.state) === true) continue;
      const out = stepLocal(state, pid, lim.engine);
      if (out !== null) return { pid, state: out.state, trace: out.trace };
      if (never === undefined) {
        never = new Set();
        neverLocal.set(frame.machine, never);
      }
      never.add(frame.state);
    }
    return null;
  };
  // The reduction rests on no step touching a reduced task's mm but that task's own.
  // A truncating task may zap other processes' PTEs; those processes are not reduced.
  const reducedMms = new Set(initial.tasks.filter((t) => reducible?.has(t.pid) === true).map((t) => t.mm));
  const checkOwnMm = (before: SystemState, after: SystemState, pid: Pid): void => {
    const mm = taskByPid(before, pid)?.mm ?? -1;
    const other = otherMmChanged(before, after, mm, reducedMms);
    if (other >= 0) throw new Error(`model error: pid ${pid} changed mm ${other}, which reduce.ts assumes only its own process or an unmapping task can touch`);
  };

  // For regroup.ts: the steps either rule would take alone.
  const movable = (state: SystemState, pid: Pid): boolean => (reducible?.has(pid) === true && stepLocal(state, pid, lim.engine) !== null) || (footprint?.movable(state, pid) ?? false);
  const scheduleTo = (id: number): Pid[] => {
    const schedule: Pid[] = [];
    for (let at = id; at > 0; at = parent[at] ?? 0) schedule.push(via[at] ?? 0);
    return schedule.reverse();
  };
  // The transition graph, for the livelock analysis; not under a preemption bound,
  // where a node that cannot reach an end may only have run out of preemptions.
  const edges = bound === null ? createEdgeStore() : null;
  const ld = lim.lockdep ? createLockdep(false) : null;
  const graph = lim.paths ? { from: [] as number[], to: [] as number[], events: [] as number[] } : null;
  // Per terminal state id: how the run ended there (for path counts).
  const ending = new Map<number, ExploredKind>();

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
    edges?.open(id);

    // One pass over the waits per state (scanWaits): the outcome's own words are built only where the run ends.
    const scan = scanWaits(state);
    const outcome = scan.runnable.length === 0 ? outcomeOf(state) : null;
    if (outcome !== null) {
      terminal++;
      note(outcome.kind, id);
      ending.set(id, outcome.kind);
      continue;
    }
    if (scan.blockedCycle) note('partial-deadlock', id);
    if ((depth[id] ?? 0) >= lim.maxDepth) {
      stoppedBy ??= 'max-depth';
      continue;
    }
    const last = lastOf[id] ?? 0;
    let full = false;
    // `found` is what visited.addOrFind said of the node `next` (negative: new).
    const reach = (pid: Pid, next: SystemState, trace: TraceStep, used: number, found: number): void => {
      transitions++;
      const target = found < 0 ? -found - 1 : found;
      const mine = quotient === null ? pid : quotient.toRep(pid);
      edges?.add(target, pid);
      if (ld !== null) observeStep(ld, state, next, trace, depth[id] ?? 0, () => [...lift(quotient, initial, [...scheduleTo(id), pid], lim.engine)]);
      if (graph !== null) {
        graph.from.push(id);
        graph.to.push(target);
        graph.events.push(pathEventsOf(trace, state, next));
      }
      const childSwitches = (switches[id] ?? 0) + (id !== 0 && pid !== last ? 1 : 0);
      if (found < 0) {
        const child = target;
        parent[child] = id;
        via[child] = pid;
        lastOf[child] = mine;
        depth[child] = (depth[id] ?? 0) + 1;
        switches[child] = childSwitches;
        preemptions[child] = used;
        if (bound !== null) systemStates.addOrFind(next);
        queueIds.push(child);
        queueStates.push(next);
      } else if (depth[found] === (depth[id] ?? 0) + 1 && childSwitches < (switches[found] ?? 0)) {
        // Same length, fewer task switches: a better way to reach it.
        parent[found] = id;
        via[found] = pid;
        lastOf[found] = mine;
        switches[found] = childSwitches;
      }
    };
    const runnable = scan.runnable;
    const local = reducible === null ? null : localStep(state, runnable, id === 0 ? null : last);
    tried.clear();
    const prefer = id !== 0 && runnable.includes(last) ? last : null;
    // The cycle proviso (reduce.ts): a step is taken alone only into a state found no shallower than the next level.
    // null: the state limit was hit before a lookup (the search then stops, as below).
    let aloneFound: number | null = null;
    const isNew = (pid: Pid, next: SystemState): boolean => {
      if (visited.size() >= lim.maxStates) {
        // Not a lookup: an earlier candidate's must not be taken for this one's.
        aloneFound = null;
        return true;
      }
      aloneFound = visited.addOrFind(nodeOf(next, pid, 0));
      return aloneFound < 0 || (depth[aloneFound] ?? 0) > (depth[id] ?? 0);
    };
    const alone = local === null && footprint !== null && runnable.length > 1 ? footprint.choose(state, prefer === null ? runnable : [prefer], tried, isNew) : null;
    if (alone !== null && claims !== null) {
      if (lim.checkFootprints) {
        const mine = tried.get(alone.pid);
        if (mine !== undefined) {
          checkClaim(state, alone.pid, mine.footprint, claims);
          checkAlone(state, alone.pid, mine.footprint, runnable, claims, lim.engine, tried);
        }
      }
      edges?.markLocal(id);
      if (aloneFound === null) full = true;
      else reach(alone.pid, alone.out.state, alone.out.trace, 0, aloneFound);
    } else if (local !== null) {
      edges?.markLocal(id);
      if (visited.size() >= lim.maxStates) full = true;
      else reach(local.pid, local.state, local.trace, 0, visited.addOrFind(nodeOf(local.state, local.pid, 0)));
    } else {
      const used = preemptions[id] ?? 0;
      const lastRunnable = id !== 0 && runnable.includes(last);
      for (const pid of runnable) {
        if (visited.size() >= lim.maxStates) {
          full = true;
          break;
        }
        const preempts = lastRunnable && pid !== last;
        if (preempts && bound !== null && used >= bound) continue;
        const ran = tried.get(pid) ?? (lim.checkFootprints ? stepRecorded(state, pid, lim.engine) : null);
        if (ran !== null && claims !== null && lim.checkFootprints) checkClaim(state, pid, ran.footprint, claims);
        const out = ran?.out ?? stepRunnable(state, pid, lim.engine);
        if (!out.ok) continue;
        if (reducedMms.size > 0) checkOwnMm(state, out.state, pid);
        const usedAfter = used + (preempts ? 1 : 0);
        reach(pid, out.state, out.trace, usedAfter, visited.addOrFind(nodeOf(out.state, pid, usedAfter)));
      }
    }
    const states = visited.size();
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

  const outcomes: Partial<Record<ExploredKind, { count: number; shortest: Shortest }>> = {};
  for (const kind of EXPLORED_KINDS) {
    const id = best.get(kind);
    if (id === undefined) continue;
    const real = lift(quotient, initial, scheduleTo(id), lim.engine);
    const schedule = reducible === null || (reducible.size === 0 && (footprint?.takenAlone.size ?? 0) === 0) ? real : regroupLocalSteps(initial, real, movable, lim.engine);
    outcomes[kind] = { count: counts.get(kind) ?? 0, shortest: { schedule, length: schedule.length, switches: switchesOf(schedule) } };
  }
  if (edges !== null && stoppedBy === null) {
    const found = findLivelock(edges.graph(visited.size()), new Set(ending.keys()));
    if (found.kind === 'local-cycle') {
      // The reduction may have hidden the way out (livelock.ts): decide on every interleaving.
      return explore(setup, variant, { ...limits, reduction: 'none' });
    }
    if (found.kind === 'livelock') {
      const schedule = lift(quotient, initial, [...scheduleTo(found.entry), ...found.lap], lim.engine);
      const known = outcomes.livelock;
      const witness = { schedule, length: schedule.length, switches: switchesOf(schedule) };
      outcomes.livelock = { count: (known?.count ?? 0) + found.states, shortest: known !== undefined && known.shortest.length <= witness.length ? known.shortest : witness };
    }
  }
  return {
    variant,
    states: systemStates.size(),
    transitions,
    terminal,
    complete: stoppedBy === null,
    stoppedBy,
    outcomes,
    elapsedMs: elapsed(),
    setBytes: visited.bytes(),
    reduction: lim.reduction,
    reducedTasks: new Set([...(reducible ?? []), ...(footprint?.takenAlone ?? [])]).size,
    symmetry: sym,
    maxPreemptions: bound,
    lockdep: ld === null ? null : withHeldSites(lockdepResult(ld), setup, variant, lim.engine),
    paths: graph === null ? null : countPaths(graph, visited.size(), ending),
  };
}

/** Whether the search runs on the quotient by the scenario's symmetry, and if not, why not (symmetry.ts). */
function symmetryFor(initial: SystemState, lim: ExploreLimits): { sym: ExploreResult['symmetry']; symmetry: Symmetry | null } {
  if (!lim.symmetry) return { sym: { order: 1, off: null }, symmetry: null };
  const found = symmetryOf(initial);
  // Lockdep's glock classes are per inode (lockdep.ts): where the group moves inodes, the images of an edge would go unrecorded.
  const movesInodes = found.group.some((g) => g.ino.some((to, from) => to !== from));
  const off = lim.maxPreemptions !== null ? 'a preemption bound' : lim.lockdep && movesInodes ? 'lockdep over every transition' : lim.paths ? 'path counts' : lim.encoding !== 'interned' ? 'the reference encoding' : null;
  if (found.refused !== null) return { sym: { order: 1, off: found.refused }, symmetry: null };
  if (found.group.length === 1) return { sym: { order: 1, off: null }, symmetry: null };
  if (off !== null) return { sym: { order: 1, off }, symmetry: null };
  return { sym: { order: found.group.length, off: null }, symmetry: found };
}

/** A schedule of the quotient graph as the real engine replays it (symmetry.ts), or the schedule itself without symmetry. */
function lift(quotient: SymmetricVisited | null, initial: SystemState, schedule: readonly Pid[], engine: Engine): readonly Pid[] {
  return quotient === null ? schedule : quotient.lift(initial, schedule, engine);
}

/**
 * The explorer's reports name where each chain edge was first seen, but
 * which locks the task held, and since when, belong to one schedule: replay
 * the report's own schedule for them.
 */
function withHeldSites(result: LockdepResult, setup: SystemSetup, variant: VariantId, engine: Engine): LockdepResult {
  const reports = result.reports.map((r): LockdepReport => {
    const schedule = r.acquiring.site.schedule;
    if (schedule === undefined) return r;
    // Up to the step before the acquiring one: what was held, and since when.
    const run = replay(setup, variant, schedule.slice(0, -1), { engine });
    return withHeldSitesFrom(r, run.states, run.trace);
  });
  return { ...result, reports };
}

/** Schedules per outcome and per event, by dynamic programming over the graph in topological order (Kahn). */
function countPaths(graph: { from: readonly number[]; to: readonly number[]; events: readonly number[] }, nodes: number, ending: ReadonlyMap<number, ExploredKind>): PathCounts | null {
  const indegree = new Int32Array(nodes);
  const first = new Int32Array(nodes + 1);
  for (const t of graph.to) indegree[t] = (indegree[t] ?? 0) + 1;
  for (const f of graph.from) first[f + 1] = (first[f + 1] ?? 0) + 1;
  for (let i = 0; i < nodes; i++) first[i + 1] = (first[i + 1] ?? 0) + (first[i] ?? 0);
  // Out-edges grouped by source (counting sort).
  const order = new Int32Array(graph.from.length);
  const fill = first.slice(0, nodes);
  graph.from.forEach((f, e) => {
    order[fill[f] ?? 0] = e;
    fill[f] = (fill[f] ?? 0) + 1;
  });
  const all = new Float64Array(nodes);
  const through = PATH_EVENTS.map(() => new Float64Array(nodes));
  all[0] = 1;
  const ready: number[] = [];
  for (let i = 0; i < nodes; i++) if (indegree[i] === 0) ready.push(i);
  let done = 0;
  while (ready.length > 0) {
    const u = ready.pop() ?? 0;
    done++;
    for (let k = first[u] ?? 0; k < (first[u + 1] ?? 0); k++) {
      const e = order[k] ?? 0;
      const v = graph.to[e] ?? 0;
      const bits = graph.events[e] ?? 0;
      all[v] = (all[v] ?? 0) + (all[u] ?? 0);
      through.forEach((arr, b) => {
        arr[v] = (arr[v] ?? 0) + ((bits >> b) & 1 ? (all[u] ?? 0) : (arr[u] ?? 0));
      });
      indegree[v] = (indegree[v] ?? 0) - 1;
      if (indegree[v] === 0) ready.push(v);
    }
  }
  if (done < nodes) return null;
  let total = 0;
  const byOutcome: Partial<Record<ExploredKind, number>> = {};
  const byEvent = Object.fromEntries(PATH_EVENTS.map((name) => [name, 0])) as Record<PathEvent, number>;
  for (const [id, kind] of ending) {
    const n = all[id] ?? 0;
    total += n;
    byOutcome[kind] = (byOutcome[kind] ?? 0) + n;
    PATH_EVENTS.forEach((name, b) => {
      byEvent[name] += through[b]?.[id] ?? 0;
    });
  }
  return { total, byOutcome, byEvent };
}

/** Which reductions the counts are of, in words: "partial-order and symmetry reduced, group of order 3", or null for none. */
export function reducedWords(result: Pick<ExploreResult, 'reducedTasks' | 'symmetry'>): string | null {
  const order = result.symmetry.order;
  if (order > 1) return `${result.reducedTasks > 0 ? 'partial-order and symmetry' : 'symmetry'} reduced, group of order ${order}`;
  return result.reducedTasks > 0 ? 'partial-order reduced' : null;
}

const LIMIT_WORDS: Record<NonNullable<ExploreResult['stoppedBy']>, string> = {
  'max-states': 'state limit reached',
  'max-depth': 'depth limit reached',
  time: 'time budget spent',
  cancelled: 'cancelled',
};

/** One line in the words the issue asks for: what was explored, and what that rests on. */
export function summarize(result: ExploreResult): string {
  const bad = (['deadlock', 'bug', 'use-after-free', 'livelock'] as const).filter((k) => result.outcomes[k] !== undefined);
  const count = result.states.toLocaleString('en-US');
  if (!result.complete) {
    return `explored ${count} states, ${LIMIT_WORDS[result.stoppedBy ?? 'cancelled']}; ${bad.length === 0 ? 'no deadlock, BUG or use-after-free found so far' : `found: ${bad.join(', ')}`}`;
  }
  if (result.maxPreemptions !== null) {
    const within = `with at most ${result.maxPreemptions} preemption${result.maxPreemptions === 1 ? '' : 's'}`;
    if (bad.length === 0) return `no deadlock, BUG or use-after-free is reachable ${within}: all ${count} such states explored`;
    return `explored all ${count} states reachable ${within}; reachable: ${bad.join(', ')}`;
  }
  const states = reducedWords(result) === null ? `${count} reachable states` : `${count} states (${reducedWords(result) ?? ''})`;
  if (bad.length === 0) return `no deadlock, BUG or use-after-free is reachable: all ${states} explored`;
  return `explored all ${states}; reachable: ${bad.join(', ')}`;
}
