/**
 * The partial-order reduction: at a state where some task's next step may
 * be taken alone, expand that step alone. Two rules say when: the local
 * rule (here first), and the footprint rule (below `otherMmChanged`), which
 * also reaches DAX, truncate and punch scenarios.
 *
 * A step is local (sim/local.ts) when it reads and writes nothing but its
 * own task, its registers, inode names and its own process's mm, is
 * runnable, and ends no run (no BUG, SIGBUS, livelock or broken invariant).
 * It is taken alone only for a task whose mm no other task can touch:
 * no other task shares the process, and no task may reach into other
 * processes' page tables. Only two kernel paths here do that:
 * unmap_mapping_range and try_to_unmap from truncate and hole punch
 * (mm/truncate.c: truncate_pagecache, truncate_inode_page), and do_dax_fault
 * evicting a hole page (fs/dax.c: unmap_mapping_range on the hole). So in a
 * scenario with a truncate or punch, or on DAX, the only task that can still
 * be reduced is the one unmapping task itself, when it is alone in its
 * process: it changes other mms, but nobody changes its own.
 *
 * Why every outcome stays reachable. Let t be the local step of task a at
 * state s, and w any schedule from s to a terminal state d in the full graph.
 * Every step u of another task in w touches only its own task and kernel
 * state outside a's mm and task, so t and u commute (s·t·u = s·u·t) and
 * neither enables nor disables the other; t is never blocked. Then:
 * - if w contains a step of a, the first one is t, and t moved to the front
 *   gives a schedule t·w' of the same length to the same d;
 * - if it does not, d is not a deadlock or a completion (a would still be
 *   runnable there), so it is a stop (BUG, use-after-free, livelock,
 *   invariant violation) caused by some other task's step; t·w reaches the
 *   same stop, with the same message, from a state that differs only in a's
 *   task and mm, one step longer. (The invariants that read page tables, a
 *   PTE to a freed block or to a truncated page, can only turn on a free or
 *   a truncate: steps of the tasks that switch the reduction off.)
 * By induction on the length of w from s·t (Godefroid's proof that
 * persistent sets preserve deadlocks; the visited set does not break it,
 * since every visited state is expanded once with its own reduced set),
 * every terminal outcome kind of the full graph is reached, and every
 * deadlock and completion is reached at the same depth. What is lost: the
 * intermediate states that order a's local step after another task's step,
 * so state counts are smaller, and a partial deadlock (an intermediate
 * state) is reported only where the reduced graph passes one. `explore.test.ts`
 * checks the outcome kinds against the full graph for every preset and variant.
 */
import type { Pid } from '../../kernel/ids.ts';
import { describeKey, type Footprint } from '../footprint.ts';
import { stepRecorded, type Engine, type StepOutput } from '../step.ts';
import { taskByPid, type SystemState } from '../system.ts';
import { conflicts, footprintsConflict, outsideClaim, type Claims } from './claims.ts';

/** Whether task `pid` may write or read another process's page tables. */
function reachesOtherMms(state: SystemState, program: SystemState['tasks'][number]['program']): boolean {
  return state.flags.fs === 'ext2-dax' || program.some((call) => call.call === 'truncate' || call.call === 'punch');
}

/** Tasks whose local steps may be taken alone: their mm is theirs alone. */
export function reducibleTasks(state: SystemState): ReadonlySet<Pid> {
  const pids = new Set<Pid>();
  for (const task of state.tasks) {
    const shared = state.tasks.some((other) => other.pid !== task.pid && (other.mm === task.mm || reachesOtherMms(state, other.program)));
    if (!shared) pids.add(task.pid);
  }
  return pids;
}

/**
 * A cross-check on the rule above, for every step the explorer takes: no
 * step may change the mm of a reduced task (one of `reduced`) other than
 * its own. A truncate may zap the PTEs of processes that are not reduced:
 * `reachesOtherMms` took their reduction away. Returns the offending mm, or -1.
 */
export function otherMmChanged(before: SystemState, after: SystemState, mm: number, reduced: ReadonlySet<number>): number {
  const a = before.kernel.mms;
  const b = after.kernel.mms;
  if (a === b) return -1;
  for (let i = 0; i < a.length; i++) if (i !== mm && a[i] !== b[i] && reduced.has(i)) return i;
  return -1;
}

/**
 * The footprint reduction: at a state s, the next step t of a task a is
 * taken alone when its recorded footprint (sim/footprint.ts: what its wait
 * and its run read, what it wrote, what the invariant check then reads)
 * conflicts with the claim (claims.ts) of no other task that has not exited:
 * t writes nothing another task may still read or write, and reads nothing
 * another may still write. It also must end no run (no BUG, SIGBUS,
 * livelock or broken invariant, as for the local rule). Then {t} is a
 * persistent set at s (Godefroid 1996, def. 4.1): along any schedule from s
 * made of other tasks' steps, each step u touches only keys of its own
 * task's claim at s (claims only shrink), so
 * - u and t touch no common key with a write on either side, and so commute
 *   (s·t·u = s·u·t: each reads the same values in either order and writes
 *   disjoint fields, and the state after both is the same data);
 * - u cannot enable or disable t, nor t u: enabledness is the wait's reads;
 * - keys name pages and blocks by file (their class). A page or block
 *   changes file only by a step that writes it under its old class, so the
 *   first step of another task to touch an object t touched would have to
 *   claim it under the class t saw, which the check excluded;
 * - the invariant after each step has the same verdict in either order: an
 *   invariant over an object t wrote is read by t in full (invariantReads),
 *   so u changes none of its objects; any other is untouched by t.
 * t stays a's next step along such a schedule (a's frames and what t reads
 * are unchanged), so the argument of the local rule above holds word for
 * word: every terminal outcome kind of the full graph is reached, deadlocks
 * and completions at the same depth, a stop of another task's making at
 * most one step later.
 *
 * The visited set: with a stateful search a persistent set per state keeps
 * every deadlock and terminal state (Godefroid, thm. 4.3, needs no cycle
 * proviso). What a cycle could hide is a way out of a loop: a step postponed
 * forever round a cycle of single-step expansions that never takes it (the
 * "ignoring" problem), and the explorer reports livelocks. So a step is
 * taken alone only when it leads to a state not seen before, or seen first
 * one level deeper than this one (a breadth-first form of the cycle
 * proviso, after Bošnački and Holzmann): then no cycle of the reduced graph
 * is made of single-step expansions alone. Of the states on a cycle, take a
 * deepest one (breadth-first depth), d; the next state on the cycle is at
 * depth d or less, so it was found before any state at depth d was
 * expanded, and a single step into it is refused: that state was expanded
 * in full. livelock.ts's argument then holds with no
 * fallback; every single-step expansion is still marked
 * (EdgeStore.markLocal), and its check for such a cycle, which now finds
 * none from this rule, stays as the guard for the local rule.
 *
 * The check (`checkFootprints`): every step the explorer takes is recorded
 * and held to its task's claim at that state, and at a state expanded by t
 * alone, the other runnable tasks' actual next steps are recorded too and
 * must not conflict with t. The explorer tests run it on every preset and
 * variant, full and reduced.
 */
export interface AloneStep {
  readonly pid: Pid;
  readonly out: StepOutput & { readonly ok: true };
}

/** Steps run while choosing, by task, so the full expansion need not run them again. */
type Recorded = ReturnType<typeof stepRecorded>;

export type Tried = Map<Pid, Recorded>;

export interface FootprintRule {
  /**
   * The step of one of `order` (runnable tasks) to take alone at `state`,
   * or null; `isNew` is the cycle proviso's say on the state it leads to.
   */
  choose(state: SystemState, order: readonly Pid[], tried: Tried, isNew: (pid: Pid, next: SystemState) => boolean): AloneStep | null;
  /** Whether the rule would take the step of `pid` alone at `state`, the proviso aside (regroup.ts). */
  movable(state: SystemState, pid: Pid): boolean;
  /** Tasks it has taken a step of alone. */
  readonly takenAlone: ReadonlySet<Pid>;
}

/**
 * The footprint rule for one exploration. Recording a step costs more than
 * taking it, so where a machine state's step has been tried often and never
 * taken alone it is not tried again (as the explorer's `neverLocal`;
 * skipping a try only costs reduction, never soundness), except under the
 * check, which records every step anyway.
 */
export function createFootprintRule(claims: Claims, engine: Engine, check: boolean): FootprintRule {
  const takenAlone = new Set<Pid>();
  const tries = new Map<string, Map<string, { tries: number; wins: number }>>();
  const tally = (state: SystemState, pid: Pid): { tries: number; wins: number } | undefined => {
    const task = taskByPid(state, pid);
    const frame = task?.stack[task.stack.length - 1];
    if (frame === undefined) return undefined;
    let byState = tries.get(frame.machine);
    if (byState === undefined) {
      byState = new Map();
      tries.set(frame.machine, byState);
    }
    let t = byState.get(frame.state);
    if (t === undefined) {
      t = { tries: 0, wins: 0 };
      byState.set(frame.state, t);
    }
    return t;
  };
  return {
    takenAlone,
    choose: (state, order, tried, isNew) => {
      const worth = check ? order : order.filter((pid) => {
        const t = tally(state, pid);
        return t === undefined || t.wins > 0 || t.tries < 32;
      });
      const alone = aloneStep(state, worth, claims, engine, tried, isNew);
      for (const pid of worth) {
        const t = tally(state, pid);
        if (t === undefined) continue;
        t.tries++;
        if (alone?.pid === pid) t.wins++;
      }
      if (alone !== null) takenAlone.add(alone.pid);
      return alone;
    },
    movable: (state, pid) => mayTakeAlone(state, pid, stepRecorded(state, pid, engine), claims),
  };
}

/**
 * The step to take alone at `state`, trying `order` (runnable tasks, the
 * one that ran last first); null if none may be. Steps it ran and could not
 * take alone are left in `tried` for the full expansion, which need not run
 * them again.
 */
function aloneStep(state: SystemState, order: readonly Pid[], claims: Claims, engine: Engine, tried: Tried, isNew: (pid: Pid, next: SystemState) => boolean): AloneStep | null {
  for (const pid of order) {
    const ran = stepRecorded(state, pid, engine);
    tried.set(pid, ran);
    if (mayTakeAlone(state, pid, ran, claims) && isNew(pid, ran.out.state)) return { pid, out: ran.out };
  }
  return null;
}

/**
 * Whether the step `ran` of `pid` may be taken alone: it ran, ended no run
 * (no stop, no signal) and touched nothing any other task's claim holds.
 */
function mayTakeAlone(state: SystemState, pid: Pid, ran: Recorded, claims: Claims): ran is Recorded & { readonly out: StepOutput & { readonly ok: true } } {
  if (!ran.out.ok || ran.out.state.stopped !== null || ran.out.state.signals !== state.signals) return false;
  return state.tasks.every((other) => other.pid === pid || !conflicts(ran.footprint, claims.of(other)));
}

/** Throws a model error if the step of `pid` at `state` touched a key outside its claim. */
export function checkClaim(state: SystemState, pid: Pid, footprint: Footprint, claims: Claims): void {
  const task = taskByPid(state, pid);
  if (task === undefined) return;
  const outside = outsideClaim(footprint, claims.of(task));
  if (outside >= 0) {
    const frame = task.stack[task.stack.length - 1];
    throw new Error(`model error: pid ${pid}'s step ${frame?.machine ?? '?'}/${frame?.state ?? '?'} touched ${describeKey(outside)}, outside its claim (explore/claims.ts)`);
  }
}

/** Throws a model error if a step taken alone conflicts with another task's actual next step. */
export function checkAlone(state: SystemState, alone: Pid, footprint: Footprint, runnable: readonly Pid[], claims: Claims, engine: Engine, tried: Tried): void {
  for (const pid of runnable) {
    if (pid === alone) continue;
    const other = tried.get(pid) ?? stepRecorded(state, pid, engine);
    checkClaim(state, pid, other.footprint, claims);
    if (footprintsConflict(footprint, other.footprint)) throw new Error(`model error: pid ${alone}'s step was taken alone but conflicts with pid ${pid}'s next step (explore/reduce.ts)`);
  }
}
