/**
 * What a fix changes, as rows a reviewer reads: how many schedules end in
 * each outcome, and pass through each path event, under the variant before
 * and after; and the bug schedule replayed under both.
 */
import type { Pid } from '../../kernel/ids.ts';
import type { VariantId } from '../../kernel/variants.ts';
import { buildSetup } from '../../scenarios/build.ts';
import type { Scenario } from '../../scenarios/types.ts';
import { EXPLORED_KINDS, type ExploreResult, type ExploredKind } from '../../sim/explore/explore.ts';
import { PATH_EVENTS } from '../../sim/pathevents.ts';
import { replay, type Replay } from '../../sim/replay.ts';

export type Change = 'removed' | 'added' | 'fewer' | 'more' | 'same';

export interface CompareRow {
  readonly name: string;
  readonly before: number;
  readonly after: number;
  readonly change: Change;
  /** "BUG: 3 paths → 0". */
  readonly text: string;
}

const OUTCOME_NAMES: Record<Exclude<ExploredKind, 'partial-deadlock'>, string> = {
  completed: 'completed',
  sigbus: 'ends with SIGBUS',
  deadlock: 'deadlock',
  bug: 'BUG',
  'use-after-free': 'use-after-free of storage',
  livelock: 'livelock',
  'invariant-violation': 'model invariant broken',
};

/** Exact below 10^15; beyond that, the float count is shown as what it is, an approximation. */
export function formatCount(n: number): string {
  if (n < 1e15) return Math.round(n).toLocaleString('en-US');
  const [mantissa, exponent] = n.toExponential(1).split('e');
  return `≈${mantissa ?? ''}×10^${Number(exponent)}`;
}

function count(n: number): string {
  if (n === 0) return '0';
  return `${formatCount(n)} path${n === 1 ? '' : 's'}`;
}

function changeOf(before: number, after: number): Change {
  if (before > 0 && after === 0) return 'removed';
  if (before === 0 && after > 0) return 'added';
  if (after < before) return 'fewer';
  if (after > before) return 'more';
  return 'same';
}

function row(name: string, before: number, after: number): CompareRow {
  return { name, before, after, change: changeOf(before, after), text: `${name}: ${count(before)} → ${count(after)}` };
}

/** One row per outcome and event that occurs under either variant, then lockdep's warnings. */
export function compareRows(before: ExploreResult, after: ExploreResult): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const kind of EXPLORED_KINDS) {
    if (kind === 'partial-deadlock') continue;
    const b = before.paths?.byOutcome[kind] ?? 0;
    const a = after.paths?.byOutcome[kind] ?? 0;
    if (b > 0 || a > 0) rows.push(row(OUTCOME_NAMES[kind], b, a));
  }
  for (const event of PATH_EVENTS) {
    const b = before.paths?.byEvent[event] ?? 0;
    const a = after.paths?.byEvent[event] ?? 0;
    if (b > 0 || a > 0) rows.push(row(event === 'SIGBUS' ? 'SIGBUS delivered' : event, b, a));
  }
  const warnings = (r: ExploreResult) => r.lockdep?.reports.length ?? 0;
  const wb = warnings(before);
  const wa = warnings(after);
  rows.push({ name: 'lockdep warnings', before: wb, after: wa, change: changeOf(wb, wa), text: `lockdep warnings: ${wb} → ${wa}` });
  return rows;
}

export interface ComparedRun {
  readonly variant: VariantId;
  readonly run: Replay;
  /** Set when the schedule could not be followed to its end under this variant. */
  readonly note: string | null;
}

export interface BugSchedule {
  readonly name: string;
  readonly description: string;
  readonly runs: readonly [ComparedRun, ComparedRun];
}

/**
 * The scenario's schedule that shows the bug under `before` (the first whose
 * expected outcome there is not a completion), replayed under both variants
 * and finished round-robin. Where a fix changes the steps, the schedule's
 * valid prefix is kept and the rest goes round-robin, as switching variants does.
 */
export function bugSchedule(scenario: Scenario, before: VariantId, after: VariantId): BugSchedule | null {
  const named = scenario.schedules.find((s) => s.expect[before] !== undefined && s.expect[before]?.kind !== 'completed') ?? scenario.schedules.find((s) => s.expect[before] !== undefined) ?? scenario.schedules[0];
  if (named === undefined) return null;
  const setup = buildSetup(scenario);
  const follow = (variant: VariantId): ComparedRun => {
    const full = replay(setup, variant, named.steps, { finish: true });
    if (full.refused === null) return { variant, run: full, note: null };
    const prefix: readonly Pid[] = full.schedule;
    return { variant, run: replay(setup, variant, prefix, { finish: true }), note: `steps 1–${prefix.length} of the schedule apply here; step ${full.refused.at + 1} does not (${full.refused.error.message}), so the run goes on round-robin` };
  };
  return { name: named.name, description: named.description, runs: [follow(before), follow(after)] };
}
