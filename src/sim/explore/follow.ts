/**
 * A schedule of our engine that follows another tool's interleaving: the
 * way back from a Spin counterexample (src/cli/spin.ts) to a Faultline
 * schedule.
 *
 * Spin's trail says which task moved at each of its steps, but its steps are
 * not ours one for one: the Promela export folds a task's local steps into
 * its next atomic block (promela.ts, "Abstracted"), and a block may cover a
 * few of our steps. What both share is the order in which tasks take turns.
 * So the trail is cut into turns (maximal runs of one task), and this
 * searches, breadth-first, for a short schedule of our engine that
 * takes the same turns in the same order (a turn may take any number of our
 * steps, none included) and ends in the wanted outcome. Breadth-first over
 * (state, turn), states told apart by hash-consing: each turn only ever
 * steps one task, so the search stays near the length of the trail.
 *
 * Finding no such schedule is a disagreement between the export and the
 * engine, and is reported as one (null), never papered over by an
 * unconstrained search.
 */
import type { Pid } from '../../kernel/ids.ts';
import type { VariantId } from '../../kernel/variants.ts';
import { outcomeOf } from '../outcome.ts';
import { step } from '../step.ts';
import { initialSystem, type SystemSetup, type SystemState } from '../system.ts';
import type { ExploredKind } from './explore.ts';
import { createInterner } from './intern.ts';

/** Consecutive repeats merged: the turns of a trail. */
export function turnsOf(order: readonly Pid[]): Pid[] {
  return order.filter((pid, i) => i === 0 || order[i - 1] !== pid);
}

export interface Followed {
  readonly schedule: readonly Pid[];
  /** Search nodes (state, turn) visited. */
  readonly nodes: number;
}

/**
 * A schedule (breadth-first, so among the shortest up to the turn hand-overs) taking the turns `turns` in order that ends in
 * outcome `want`, or null when none does within `maxNodes` search nodes.
 */
export function followTurns(setup: SystemSetup, variant: VariantId, turns: readonly Pid[], want: ExploredKind, maxNodes = 1_000_000): Followed | null {
  const interner = createInterner();
  const width = turns.length + 1;
  const seen = new Set<number>();
  const states: SystemState[] = [];
  const turnOf: number[] = [];
  const parent: number[] = [];
  // via: the pid stepped into the node, or null for a node that only hands the turn on.
  const via: (Pid | null)[] = [];
  const visit = (state: SystemState, turn: number, from: number, pid: Pid | null): void => {
    const key = interner.idOf(state) * width + turn;
    if (seen.has(key)) return;
    seen.add(key);
    states.push(state);
    turnOf.push(turn);
    parent.push(from);
    via.push(pid);
  };
  visit(initialSystem(setup, variant), 0, -1, null);
  for (let at = 0; at < states.length && at < maxNodes; at++) {
    const state = states[at];
    const turn = turnOf[at] ?? 0;
    if (state === undefined) break;
    const outcome = outcomeOf(state);
    if (outcome !== null) {
      if (outcome.kind !== want) continue;
      const schedule: Pid[] = [];
      for (let n = at; n > 0; n = parent[n] ?? 0) {
        const pid = via[n];
        if (pid !== null && pid !== undefined) schedule.push(pid);
      }
      return { schedule: schedule.reverse(), nodes: states.length };
    }
    // Step the task whose turn it is, or hand the turn on (the same state, the next turn).
    const pid = turns[turn];
    if (pid !== undefined) {
      const out = step(state, pid);
      if (out.ok) visit(out.state, turn, at, pid);
    }
    if (turn + 1 < turns.length) visit(state, turn + 1, at, null);
  }
  return null;
}
