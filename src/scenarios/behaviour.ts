/**
 * The behaviour of every preset, as data: what `behaviour.test.ts` holds the
 * code to while the step contract changes under it (issue 17). Per preset,
 * variant and documented schedule: the replay's outcome, returns, the digest
 * of its last state (sim/digest.ts) and a digest of its trace (machine, states,
 * event, label of each step, and the wait reason of every blocked task after
 * it), so a changed label or reason shows as well as a changed state. Per
 * preset and variant: the explorer's states, transitions, outcome kinds with
 * their counts and shortest schedules, and the path counts through each path
 * event (sim/pathevents.ts) when the unreduced graph is small enough.
 *
 * `npx tsx scripts/behaviour-table.ts` writes the table from the code as it is.
 */
import type { VariantId } from '../kernel/variants.ts';
import { digestState } from '../sim/digest.ts';
import { explore, type ExploreResult } from '../sim/explore/explore.ts';
import { replay } from '../sim/replay.ts';
import { waitOf } from '../sim/step.ts';
import { buildSetup } from './build.ts';
import { PRESETS } from './index.ts';

export interface ScheduleRow {
  readonly preset: string;
  readonly variant: VariantId;
  readonly schedule: string;
  readonly outcome: string | null;
  readonly steps: number;
  readonly returns: Readonly<Record<string, readonly number[]>>;
  readonly digest: string;
  readonly trace: string;
}

export interface ExploreRow {
  readonly preset: string;
  readonly variant: VariantId;
  readonly states: number;
  readonly transitions: number;
  readonly terminal: number;
  readonly complete: boolean;
  readonly outcomes: Readonly<Record<string, { readonly count: number; readonly shortest: readonly number[] }>>;
  /** Schedules through each path event in the unreduced graph; null when it has more than PATHS_MAX_STATES states. */
  readonly paths: { readonly total: number; readonly byEvent: Readonly<Record<string, number>> } | null;
}

export interface BehaviourTable {
  readonly schedules: readonly ScheduleRow[];
  readonly explorer: readonly ExploreRow[];
}

const PATHS_MAX_STATES = 20_000;

function fnv(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

export function scheduleRows(presets = PRESETS): ScheduleRow[] {
  return presets.flatMap((scenario) =>
    scenario.schedules.flatMap((schedule) =>
      scenario.variants
        .filter((variant) => schedule.expect[variant] !== undefined)
        .map((variant) => {
          const run = replay(buildSetup(scenario), variant, schedule.steps, { finish: true });
          const last = run.states[run.states.length - 1];
          if (last === undefined) throw new Error(`${scenario.id}: no state`);
          const lines = run.trace.map((t, i) => {
            const after = run.states[i + 1];
            const waits = after === undefined ? [] : after.tasks.map((task) => waitOf(after, task)?.reason ?? '');
            return `${t.pid}|${t.depth}|${t.machine}|${t.from}|${t.to}|${t.event}|${t.label}|${t.call ?? ''}|${t.returned}|${waits.join(';')}`;
          });
          return {
            preset: scenario.id,
            variant,
            schedule: schedule.name,
            outcome: run.outcome?.kind ?? null,
            steps: run.trace.length,
            returns: Object.fromEntries(last.tasks.map((t) => [String(t.pid), t.returns])),
            digest: digestState(last),
            trace: fnv(lines.join('\n')),
          };
        }),
    ),
  );
}

function outcomesOf(result: ExploreResult): ExploreRow['outcomes'] {
  return Object.fromEntries(Object.entries(result.outcomes).flatMap(([kind, found]) => (found === undefined ? [] : [[kind, { count: found.count, shortest: found.shortest.schedule }]])));
}

export function exploreRows(presets = PRESETS): ExploreRow[] {
  return presets.flatMap((scenario) =>
    scenario.variants.map((variant) => {
      // Without symmetry (sim/explore/symmetry.ts): the table holds the engine's graph, which the quotient's counts and representatives would hide.
      const result = explore(buildSetup(scenario), variant, { maxStates: 200_000, symmetry: false });
      const full = explore(buildSetup(scenario), variant, { reduction: 'none', paths: true, maxStates: PATHS_MAX_STATES });
      return {
        preset: scenario.id,
        variant,
        states: result.states,
        transitions: result.transitions,
        terminal: result.terminal,
        complete: result.complete,
        outcomes: outcomesOf(result),
        paths: full.complete && full.paths !== null ? { total: full.paths.total, byEvent: full.paths.byEvent } : null,
      };
    }),
  );
}
