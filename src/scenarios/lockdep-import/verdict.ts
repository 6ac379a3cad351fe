/**
 * The verdict on a lockdep report: the explorer runs the scenario the report
 * describes (synthesize.ts) over every interleaving, and answers either with
 * the shortest interleaving that deadlocks, or with the number of states it
 * explored and none deadlocked, with the reason where one can be named.
 *
 * When the tasks as reported cannot deadlock for a reason that is a
 * property of the report rather than of the kernel, the verdict also tries
 * the one assumption that would close the cycle, and says so:
 * - an rwsem the cycle takes only for read: rwsem readers do not exclude
 *   each other, but a writer queued between them does (kernel/locking/rwsem.c:
 *   a reader queues behind a waiting writer), so a writer task is added (for
 *   mmap_lock, a thread calling mmap(), which takes it for write);
 * - an inode lock the stacks put on a directory in one place and on a
 *   regular file in another: lockdep keeps only the first stack it saw for a
 *   dependency, so the same dependency may also exist on the other kind
 *   (Al Viro on the hugetlbfs report, <20120308214425.GA23916@ZenIV.linux.org.uk>).
 *
 * Pure; the clock for the time budget comes in as `now`.
 */
import type { Pid } from '../../kernel/ids.ts';
import type { VariantId } from '../../kernel/variants.ts';
import { explore, type ExploreResult } from '../../sim/explore/explore.ts';
import { findCycle, waitEdges } from '../../sim/outcome.ts';
import { replay } from '../../sim/replay.ts';
import type { Splat } from '../../sim/splat/types.ts';
import { buildSetup } from '../build.ts';
import type { Scenario } from '../types.ts';
import { synthesize, type Synthesis, type SynthesisOptions } from './synthesize.ts';

export interface VerdictLimits {
  /** States the explorer may visit per scenario tried. */
  readonly maxStates: number;
  readonly timeBudgetMs: number;
  readonly now?: () => number;
}

export const DEFAULT_VERDICT_LIMITS: VerdictLimits = { maxStates: 300_000, timeBudgetMs: 30_000 };

/** A deadlock the explorer found: the scenario (with the schedule added), and what the cycle is. */
export interface Found {
  readonly scenario: Scenario;
  readonly variant: VariantId;
  readonly schedule: readonly Pid[];
  /** The wait-for cycle at the end, in kernel words. */
  readonly cycle: string;
  /** How many tasks the cycle holds (1: a task waits for itself). */
  readonly cycleTasks: number;
  /** The first step after which the wait-for cycle exists (the rest of the schedule runs the other tasks until they block too). */
  readonly cycleAt: number;
  readonly states: number;
  /** What had to be assumed beyond the report, or null when the report's tasks deadlock as they are. */
  readonly assumption: string | null;
  readonly synthesis: Synthesis;
}

export type Verdict =
  | { readonly kind: 'deadlock'; readonly headline: string; readonly found: Found; readonly states: number }
  | {
      readonly kind: 'no-deadlock';
      readonly headline: string;
      readonly states: number;
      /** Why no interleaving deadlocks, where it can be named. */
      readonly reasons: readonly string[];
      /** The assumption that closes the cycle, and the deadlock it then reaches; null if none was found. */
      readonly closing: Found | null;
    }
  | { readonly kind: 'unknown'; readonly headline: string; readonly states: number; readonly why: string };

export interface Judged {
  /** The scenario as the report describes it. */
  readonly synthesis: Synthesis;
  readonly verdict: Verdict;
  /** What to open on the timeline: the deadlock, or the report's scenario when none was found. */
  readonly open: { readonly scenario: Scenario; readonly variant: VariantId; readonly schedule: readonly Pid[] };
}

export type JudgeResult = { readonly ok: true; readonly judged: Judged } | { readonly ok: false; readonly message: string };

function run(synthesis: Synthesis, limits: VerdictLimits): ExploreResult {
  return explore(buildSetup(synthesis.scenario), synthesis.variant, { maxStates: limits.maxStates, timeBudgetMs: limits.timeBudgetMs, ...(limits.now !== undefined ? { now: limits.now } : {}) });
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The deadlock in a result, replayed for its cycle, with the schedule added to the scenario. */
function foundIn(synthesis: Synthesis, result: ExploreResult, assumption: string | null): Found | null {
  const shortest = result.outcomes.deadlock?.shortest;
  if (shortest === undefined) return null;
  const run_ = replay(buildSetup(synthesis.scenario), synthesis.variant, shortest.schedule);
  const outcome = run_.outcome;
  const cycle = outcome?.kind === 'deadlock' ? outcome.message : 'deadlock';
  const cycleTasks = outcome?.kind === 'deadlock' ? new Set(outcome.cycle.map((e) => e.pid)).size : 0;
  const cycleAt = run_.states.findIndex((s) => findCycle(waitEdges(s)) !== null);
  const scenario: Scenario = {
    ...synthesis.scenario,
    schedules: [
      {
        name: 'shortest deadlock',
        description: `The shortest interleaving the explorer found that deadlocks (${shortest.length} steps)${assumption !== null ? `, ${assumption}` : ''}.`.slice(0, 2000),
        steps: shortest.schedule,
        expect: { [synthesis.variant]: { kind: 'deadlock', summary: cycle.slice(0, 2000), basis: 'inferred' } },
      },
    ],
  };
  return { scenario, variant: synthesis.variant, schedule: shortest.schedule, cycle, cycleTasks, cycleAt: cycleAt < 0 ? shortest.length : cycleAt, states: result.states, assumption, synthesis };
}

/** Why the cycle does not close among these tasks, where the report says. */
function reasonsOf(synthesis: Synthesis): { reasons: string[]; readOnly: string[] } {
  const reasons: string[] = [];
  for (const s of synthesis.roleSplit) reasons.push(`${s.cls} is two different locks here: a directory's (${s.dir}) and a regular file's (${s.file}); the cycle needs them to be one`);
  if (synthesis.twoInstances !== null) reasons.push(`the two locks of ${synthesis.twoInstances.cls} are different locks (addresses ${synthesis.twoInstances.held} and ${synthesis.twoInstances.asked}): lockdep's "May be due to missing lock nesting notation"`);
  // An rwsem every acquisition around the cycle takes for read.
  const byKey = new Map<string, { cls: string; modes: Set<string>; whys: string[] }>();
  for (const step of synthesis.cycle) {
    for (const a of [step.held, step.asked]) {
      if (!a.instance.rwsem) continue;
      const entry = byKey.get(a.instance.key) ?? { cls: a.instance.cls, modes: new Set<string>(), whys: [] };
      entry.modes.add(a.mode);
      if (a.modeWhy !== '') entry.whys.push(a.modeWhy);
      byKey.set(a.instance.key, entry);
    }
  }
  const readOnly: string[] = [];
  for (const [key, e] of byKey) {
    if (e.modes.size === 1 && e.modes.has('read')) {
      readOnly.push(key);
      reasons.push(`every acquisition of ${e.cls} in the cycle is a read (${[...new Set(e.whys)].join('; ')}): readers do not exclude each other`);
    }
  }
  if (synthesis.tasks.length === 1 && reasons.length === 0) reasons.push('the cycle is one task’s own path: it would need the same task twice');
  return { reasons, readOnly };
}

/** Judge a parsed report: synthesize its scenario, explore it, and try what would close the cycle if it does not. */
export function judge(splat: Splat, limits: VerdictLimits = DEFAULT_VERDICT_LIMITS): JudgeResult {
  const base = synthesize(splat);
  if (!base.ok) return { ok: false, message: base.message };
  const synthesis = base.synthesis;
  const result = run(synthesis, limits);
  const tasks = `${synthesis.tasks.length} task${synthesis.tasks.length === 1 ? '' : 's'}`;
  const found = foundIn(synthesis, result, null);
  if (found !== null) {
    const alone = found.cycleTasks === 1 ? ' by one task on its own' : ` between ${found.cycleTasks} tasks`;
    const closes = found.cycleAt < found.schedule.length ? `the cycle closes at step ${found.cycleAt} of the shortest deadlocking interleaving (${found.schedule.length} steps, until every task is blocked)` : `the shortest interleaving has ${found.schedule.length} steps`;
    return {
      ok: true,
      judged: {
        synthesis,
        verdict: { kind: 'deadlock', headline: `Deadlock reachable${alone}: ${closes}; ${count(result.states)} states explored. ${found.cycle}.`, found, states: result.states },
        open: { scenario: found.scenario, variant: found.variant, schedule: found.schedule },
      },
    };
  }
  if (!result.complete) {
    const why = result.stoppedBy === 'time' ? `the time budget (${limits.timeBudgetMs / 1000} s) ran out` : result.stoppedBy === 'max-states' ? `the state limit (${count(limits.maxStates)}) was reached` : `the search stopped (${result.stoppedBy ?? 'unknown'})`;
    return {
      ok: true,
      judged: {
        synthesis,
        verdict: { kind: 'unknown', headline: `No verdict: ${why} after ${count(result.states)} states of the ${tasks}, with no deadlock found so far.`, states: result.states, why },
        open: { scenario: synthesis.scenario, variant: synthesis.variant, schedule: [] },
      },
    };
  }
  const { reasons, readOnly } = reasonsOf(synthesis);
  const attempts: { options: SynthesisOptions; assumption: string }[] = [];
  for (const s of synthesis.roleSplit) {
    attempts.push({ options: { mergeRoles: true }, assumption: `if the ${s.cls} → … dependency lockdep printed for a directory is also taken on the regular file (lockdep keeps only the first stack of a dependency)` });
  }
  // One writer at a time (mmap_lock first: any thread's mmap() is one), then all of them.
  const writerSets = [...[...readOnly].sort((a, b) => (a === 'mmap_lock' ? -1 : b === 'mmap_lock' ? 1 : 0)).map((k) => [k]), ...(readOnly.length > 1 ? [readOnly] : [])];
  for (const keys of writerSets) {
    const names = keys.map((k) => synthesis.instances.find((i) => i.key === k)?.cls ?? k);
    attempts.push({ options: { writers: keys }, assumption: `if a writer queues for ${names.join(' and ')} between the readers (a reader waits behind a queued writer${keys.includes('mmap_lock') ? '; for the mmap lock, any thread calling mmap()' : ''})` });
  }
  if (synthesis.roleSplit.length > 0 && readOnly.length > 0) attempts.push({ options: { mergeRoles: true, writers: readOnly }, assumption: 'if both hold: the dependency is also taken on the regular file, and a writer queues between the readers' });
  let closing: Found | null = null;
  for (const a of attempts) {
    const other = synthesize(splat, a.options);
    if (!other.ok) continue;
    const r = run(other.synthesis, limits);
    closing = foundIn(other.synthesis, r, a.assumption);
    if (closing !== null) break;
  }
  const headline = `No interleaving of these ${tasks} deadlocks: all ${count(result.states)} states explored.`;
  return {
    ok: true,
    judged: {
      synthesis,
      verdict: { kind: 'no-deadlock', headline, states: result.states, reasons: reasons.length > 0 ? reasons : ['no reason could be named from the report'], closing },
      open: closing !== null ? { scenario: closing.scenario, variant: closing.variant, schedule: closing.schedule } : { scenario: synthesis.scenario, variant: synthesis.variant, schedule: [] },
    },
  };
}
