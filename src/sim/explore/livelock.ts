/**
 * Livelock: states from which the run can never end.
 *
 * Definition. In the explored graph (states, and one edge per step some
 * runnable task can take), a state is *terminal* when the run ends there
 * (outcome.ts: completion, SIGBUS delivery, deadlock or hang, BUG,
 * use-after-free, a livelock a step itself reported, a broken invariant). A
 * reachable state is *live-locked* when no terminal state is reachable from
 * it. Every live-locked state has at least one runnable task (else it would
 * be a deadlock, hence terminal) and so a successor, and every successor of a
 * live-locked state is live-locked. So from a live-locked state every
 * schedule runs forever without an outcome, and, the graph being finite,
 * keeps going round cycles inside the live-locked set: the tasks that can
 * run keep taking steps and none of them ever gets to return. It is a
 * property of the whole graph, so it is decided only once the exploration
 * is complete, and not under a preemption bound (a node that cannot reach an
 * end there may only have run out of preemptions).
 *
 * Why finite presets are not misreported. A state from which some schedule
 * reaches an outcome is not live-locked, however many cycles pass through it:
 * a retry loop that another task (or the next retry) can leave is not a
 * livelock. A graph without cycles has no live-locked state at all (every
 * path ends, and ends at a terminal state). `explore.test.ts` checks that no
 * preset but the one documented to loop reports one.
 *
 * With the partial-order reduction (reduce.ts) a state may be expanded by a
 * single step of one task (a local step, or one whose footprint no other
 * task's claim touches: both commute with every step of the other tasks, which is all
 * the argument below uses of "local"). Claim: if the reduced graph R has no cycle made only of
 * such single-local-step expansions, a state of R that reaches no terminal
 * state in R reaches none in the full graph G either. Proof: suppose s is such
 * a state and w a shortest G-path from s to a terminal state; take (|w|, h)
 * minimal, with h(s) the length of the longest chain of local-only
 * expansions from s (finite, as there is no such cycle). If s is fully
 * expanded, the first step of w leads to a state of R with a shorter path.
 * If s is expanded by the local step t of task a and w contains a step of a,
 * its first one is t (a's steps read only a's task and mm, which no other
 * step touches), and moving it to the front gives s·t in R with a path one
 * shorter. If w contains no step of a, its end is a stop caused by another
 * task, reached from s·t by the same w (reduce.ts), and h(s·t) < h(s). Each
 * case contradicts minimality, since every state of R reachable from s also
 * reaches no terminal state in R. If R does have such a cycle among the
 * live-locked states, the explorer does not conclude: it explores every
 * interleaving instead (explore.ts).
 */

/** Transitions as the breadth-first search takes them: each state's are contiguous. */
export interface EdgeStore {
  /** State `id` is being expanded: its edges follow. */
  open(id: number): void;
  add(target: number, pid: number): void;
  /** State `id` was expanded by a single local step. */
  markLocal(id: number): void;
  graph(states: number): Graph;
}

export interface Graph {
  readonly states: number;
  /** Edges of state i: first[i] … first[i + 1]. */
  readonly first: Int32Array;
  readonly to: Int32Array;
  readonly pid: Int32Array;
  readonly local: Uint8Array;
}

export function createEdgeStore(): EdgeStore {
  let to = new Int32Array(1 << 14);
  let pid = new Int32Array(1 << 14);
  let count = 0;
  const starts: number[] = [];
  const opened: number[] = [];
  const locals: number[] = [];
  return {
    open: (id) => {
      opened.push(id);
      starts.push(count);
    },
    add: (target, p) => {
      if (count === to.length) {
        const biggerTo = new Int32Array(to.length * 2);
        biggerTo.set(to);
        to = biggerTo;
        const biggerPid = new Int32Array(pid.length * 2);
        biggerPid.set(pid);
        pid = biggerPid;
      }
      to[count] = target;
      pid[count] = p;
      count++;
    },
    markLocal: (id) => {
      locals.push(id);
    },
    graph: (states) => {
      // States are expanded in id order (breadth-first), so their edge runs are already sorted by source.
      const first = new Int32Array(states + 1).fill(-1);
      opened.forEach((id, k) => {
        if (id < states) first[id] = starts[k] ?? count;
      });
      first[states] = count;
      for (let i = states - 1; i >= 0; i--) if ((first[i] ?? -1) < 0) first[i] = first[i + 1] ?? count;
      const local = new Uint8Array(states);
      for (const id of locals) if (id < states) local[id] = 1;
      return { states, first, to: to.subarray(0, count), pid: pid.subarray(0, count), local };
    },
  };
}

export type LivelockFinding =
  | { readonly kind: 'none' }
  /** A cycle of single local steps among the live-locked states: the reduction cannot decide. */
  | { readonly kind: 'local-cycle' }
  | {
      readonly kind: 'livelock';
      /** How many reachable states cannot reach an outcome. */
      readonly states: number;
      /** The first such state the search reached (fewest steps from the start). */
      readonly entry: number;
      /** Pids that lead from `entry` once round a cycle back to a state already passed. */
      readonly lap: readonly number[];
    };

/** The live-locked states of a completely explored graph, and a witness. */
export function findLivelock(graph: Graph, terminal: ReadonlySet<number>): LivelockFinding {
  const { states, first, to } = graph;
  // Reverse edges, by counting sort on the target.
  const inFirst = new Int32Array(states + 1);
  for (const t of to) inFirst[t + 1] = (inFirst[t + 1] ?? 0) + 1;
  for (let i = 0; i < states; i++) inFirst[i + 1] = (inFirst[i + 1] ?? 0) + (inFirst[i] ?? 0);
  const fill = inFirst.slice(0, states);
  const from = new Int32Array(to.length);
  for (let u = 0; u < states; u++) {
    for (let e = first[u] ?? 0; e < (first[u + 1] ?? 0); e++) {
      const v = to[e] ?? 0;
      from[fill[v] ?? 0] = u;
      fill[v] = (fill[v] ?? 0) + 1;
    }
  }
  // Backwards from every terminal state: what can still end.
  const ends = new Uint8Array(states);
  const queue: number[] = [];
  for (const id of terminal) {
    if (id < states && ends[id] === 0) {
      ends[id] = 1;
      queue.push(id);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head] ?? 0;
    for (let k = inFirst[v] ?? 0; k < (inFirst[v + 1] ?? 0); k++) {
      const u = from[k] ?? 0;
      if (ends[u] === 0) {
        ends[u] = 1;
        queue.push(u);
      }
    }
  }
  let doomed = 0;
  let entry = -1;
  for (let id = 0; id < states; id++) {
    if (ends[id] === 1) continue;
    doomed++;
    if (entry < 0) entry = id;
  }
  if (entry < 0) return { kind: 'none' };
  if (hasLocalCycle(graph, ends)) return { kind: 'local-cycle' };
  // Walk from the entry along first edges (all stay live-locked) until a state repeats.
  const lap: number[] = [];
  const seen = new Set<number>([entry]);
  for (let at = entry; ; ) {
    const e = first[at] ?? 0;
    if (e >= (first[at + 1] ?? 0)) throw new Error(`model error: state ${at} has no outcome and no step to take`);
    lap.push(graph.pid[e] ?? 0);
    at = to[e] ?? 0;
    if (seen.has(at)) break;
    seen.add(at);
  }
  return { kind: 'livelock', states: doomed, entry, lap };
}

/** Is there a cycle of single-local-step expansions among the states that cannot end? */
function hasLocalCycle(graph: Graph, ends: Uint8Array): boolean {
  // Each locally expanded state has exactly one edge: follow the chains, colouring them.
  const colour = new Uint8Array(graph.states);
  for (let start = 0; start < graph.states; start++) {
    if (colour[start] !== 0 || graph.local[start] !== 1 || ends[start] === 1) continue;
    const chain: number[] = [];
    let at = start;
    while (at >= 0 && graph.local[at] === 1 && ends[at] === 0 && colour[at] === 0) {
      colour[at] = 1;
      chain.push(at);
      at = graph.to[graph.first[at] ?? 0] ?? -1;
    }
    if (at >= 0 && colour[at] === 1) return true;
    for (const id of chain) colour[id] = 2;
  }
  return false;
}
