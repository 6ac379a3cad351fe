/**
 * `lockdep --scenario <id> | --scenario-file <path> --variant <id> [--schedule <pid,pid,...> | --named <name>] [--max-states N] [--json]`:
 * the lock-order validator's reports, across every interleaving by default,
 * or along one schedule (finished round-robin). Prints the reports in
 * lockdep's format, or "no circular dependency"; `--json` gives the lock
 * classes, the dependency edges and the cycles.
 */
import { buildSetup } from '../scenarios/build.ts';
import type { Scenario } from '../scenarios/types.ts';
import { explore } from '../sim/explore/explore.ts';
import { cycleOf, lockdepOfRun, type LockdepResult } from '../sim/lockdep.ts';
import { formatLockdep, reportTitle } from '../sim/lockdep-format.ts';
import type { CliIo } from './io.ts';
import { checkVariant, chosenSchedule } from './options.ts';
import { replayOrRefuse } from './replay.ts';

export interface LockdepOptions {
  /** A schedule as typed (`101,101,102`), a named schedule of the scenario, or neither: every interleaving. */
  readonly schedule: string | undefined;
  readonly named: string | undefined;
  readonly maxStates: number | undefined;
  readonly json: boolean;
}

/** Exit 0 when nothing is reported, 1 when lockdep warns. */
export function runLockdep(scenario: Scenario, variantId: string, options: LockdepOptions, io: CliIo): number {
  const variant = checkVariant(scenario, variantId);
  const schedule = chosenSchedule(scenario, options);
  let result: LockdepResult;
  let scope: string;
  if (schedule !== undefined) {
    const run = replayOrRefuse(scenario, variant, schedule);
    result = lockdepOfRun(run.states, run.trace);
    scope = `along one schedule of ${run.schedule.length} steps, ending in ${run.outcome?.kind ?? 'no outcome'}`;
  } else {
    const explored = explore(buildSetup(scenario), variant, { lockdep: true, ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}) });
    if (explored.lockdep === null) throw new Error('explore returned no lockdep result');
    result = explored.lockdep;
    scope = explored.complete ? `across all ${explored.states.toLocaleString('en-US')} reachable states` : `across the first ${explored.states.toLocaleString('en-US')} states (not complete: raise --max-states)`;
  }
  if (options.json) {
    io.out(
      JSON.stringify({
        scenario: scenario.id,
        variant,
        scope,
        classes: result.classes,
        edges: result.edges.map((e) => ({ from: e.from, to: e.to, fromMode: e.fromMode, toMode: e.toMode, via: e.via, step: e.site.step, pid: e.site.pid, label: e.site.label, ...(e.site.schedule !== undefined ? { schedule: e.site.schedule } : {}) })),
        cycles: result.reports.filter((r) => r.kind === 'circular').map((r) => ({ classes: cycleOf(r), title: reportTitle(result, r) })),
        recursions: result.reports.filter((r) => r.kind === 'recursive').map((r) => ({ class: r.acquiring.cls, pid: r.pid, title: reportTitle(result, r) })),
      }),
    );
  } else {
    io.out(`lockdep: ${scenario.id} under ${variant}, ${scope}`);
    io.out(formatLockdep(result, `${variant} (Faultline model)`));
  }
  return result.reports.length > 0 ? 1 : 0;
}
