/**
 * The partial-order reduction: at a state where some task's next step is
 * local, expand that step alone.
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
import type { SystemState } from '../system.ts';

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
