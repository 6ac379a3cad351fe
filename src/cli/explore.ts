/**
 * `explore --scenario <id> | --scenario-file <path> --variant <id> [--tasks N] [--max-states N] [--time-limit S] [--reduction footprint|local|none] [--symmetry on|off] [--max-preemptions N] [--json]`:
 * every interleaving, every outcome, the shortest schedule to each.
 */
import { buildSetup } from '../scenarios/build.ts';
import { MAX_RING_TASKS, gfs2DioRing } from '../scenarios/ring.ts';
import type { Scenario } from '../scenarios/types.ts';
import { EXPLORED_KINDS, explore, summarize, type Reduction } from '../sim/explore/explore.ts';
import { UsageError, type CliIo } from './io.ts';
import { checkVariant } from './options.ts';

export function ringScenario(tasksText: string | undefined): Scenario {
  const n = tasksText === undefined ? 2 : Number(tasksText);
  if (!Number.isInteger(n) || n < 2 || n > MAX_RING_TASKS) throw new UsageError(`--tasks: expected a whole number from 2 to ${MAX_RING_TASKS}, not '${tasksText ?? ''}'`);
  return gfs2DioRing(n);
}

export function parseMaxStates(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--max-states: expected a positive whole number, not '${text}'`);
  return n;
}

export function parseReduction(text: string | undefined): Reduction | undefined {
  if (text === undefined || text === 'footprint' || text === 'local' || text === 'none') return text;
  throw new UsageError(`--reduction: expected footprint, local or none, not '${text}'`);
}

export function parseSymmetry(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === 'on' || text === 'off') return text === 'on';
  throw new UsageError(`--symmetry: expected on or off, not '${text}'`);
}

export function parseMaxPreemptions(text: string | undefined): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--max-preemptions: expected a whole number, 0 or more, not '${text}'`);
  return n;
}

export function parseTimeLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--time-limit: expected a number of seconds above 0, not '${text}'`);
  return n * 1000;
}

export interface ExploreOptions {
  readonly maxStates: number | undefined;
  /** The time budget, in ms (the explorer's default when undefined). */
  readonly timeLimitMs?: number | undefined;
  readonly maxPreemptions: number | null;
  readonly reduction: Reduction | undefined;
  /** Symmetry reduction (sim/explore/symmetry.ts); the explorer's default (on) when undefined. */
  readonly symmetry?: boolean | undefined;
  readonly json: boolean;
}

export function runExplore(scenario: Scenario, variantId: string, options: ExploreOptions, io: CliIo, now: () => number): number {
  const { maxStates, maxPreemptions, reduction, symmetry, json, timeLimitMs } = options;
  const variant = checkVariant(scenario, variantId);
  const result = explore(buildSetup(scenario), variant, { now, maxPreemptions, ...(maxStates !== undefined ? { maxStates } : {}), ...(timeLimitMs !== undefined ? { timeBudgetMs: timeLimitMs } : {}), ...(reduction !== undefined ? { reduction } : {}), ...(symmetry !== undefined ? { symmetry } : {}) });
  if (json) {
    io.out(
      JSON.stringify({
        scenario: scenario.id,
        variant,
        states: result.states,
        transitions: result.transitions,
        terminal: result.terminal,
        complete: result.complete,
        outcomes: result.outcomes,
        elapsedMs: Math.round(result.elapsedMs),
        // Beyond the shape: whether the counts are of the reduced graph.
        reduction: result.reducedTasks > 0 ? result.reduction : 'none',
        // The order of the symmetry group the counts are reduced by (1: not reduced), and why symmetry was off if it was.
        symmetry: result.symmetry.order,
        ...(result.symmetry.off !== null ? { symmetryOff: result.symmetry.off } : {}),
        ...(result.maxPreemptions !== null ? { maxPreemptions: result.maxPreemptions } : {}),
      }),
    );
    return 0;
  }
  io.out(`${scenario.id} under ${variant}: ${summarize(result)}`);
  io.out(`${result.states} states, ${result.transitions} transitions, ${result.terminal} terminal, ${Math.round(result.elapsedMs)} ms`);
  for (const kind of EXPLORED_KINDS) {
    const found = result.outcomes[kind];
    if (found === undefined) continue;
    io.out(`  ${kind.padEnd(20)} ${String(found.count).padStart(8)} state(s); shortest: ${found.shortest.length} steps, ${found.shortest.switches} switches: --schedule ${found.shortest.schedule.join(',')}`);
  }
  return 0;
}
