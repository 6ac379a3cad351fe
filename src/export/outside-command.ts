/**
 * The command line that takes a search the page could not finish out of the
 * browser: `explore --engine spin` (src/cli/explore-spin.ts) on the Promela
 * export where Spin models the scenario, else the command-line explorer with
 * larger limits. The page shows it when an exploration stops at a limit or
 * is cancelled.
 */
import type { VariantId } from '../kernel/variants.ts';
import { PRESETS } from '../scenarios/index.ts';
import { MAX_RING_TASKS, gfs2DioRing } from '../scenarios/ring.ts';
import type { Scenario } from '../scenarios/types.ts';
import { promelaRefusal } from './promela.ts';
import { scenarioFileName } from './scenario-json.ts';

export interface OutsideCommand {
  /** The command, to be run in a checkout of Faultline. */
  readonly command: string;
  /** What it does, and what to do first. */
  readonly note: string;
  /** The scenario must be saved as a file first (it is neither a preset nor a ring). */
  readonly needsFile: boolean;
}

const same = (a: Scenario, b: Scenario): boolean => JSON.stringify(a) === JSON.stringify(b);

/** How the command line names the scenario: a preset by id, the ring by its size, anything else by its file. */
function scenarioArgs(scenario: Scenario): { readonly args: string; readonly needsFile: boolean } {
  const n = scenario.tasks.length;
  if (scenario.id === 'gfs2-dio-ring' && n >= 2 && n <= MAX_RING_TASKS && same(scenario, gfs2DioRing(n))) return { args: `--scenario gfs2-dio-ring --tasks ${n}`, needsFile: false };
  const preset = PRESETS.find((p) => p.id === scenario.id);
  if (preset !== undefined && same(preset, scenario)) return { args: `--scenario ${scenario.id}`, needsFile: false };
  return { args: `--scenario-file ${scenarioFileName(scenario)}`, needsFile: true };
}

export function outsideCommand(scenario: Scenario, variant: VariantId): OutsideCommand {
  const { args, needsFile } = scenarioArgs(scenario);
  const first = needsFile ? `Export the scenario JSON (Export view) as ${scenarioFileName(scenario)}, then run` : 'Run';
  const refusal = promelaRefusal(scenario, variant);
  if (refusal === null) {
    return {
      command: `npm run -s cli -- explore --engine spin ${args} --variant ${variant}`,
      note: `${first} this in a Faultline checkout: Spin searches the Promela export (raise --spin-time and --spin-memory for bigger models), and each deadlock or BUG it finds comes back as a schedule and a share link.`,
      needsFile,
    };
  }
  return {
    command: `npm run -s cli -- explore ${args} --variant ${variant} --max-states 50000000 --time-limit 3600`,
    note: `${first} this in a Faultline checkout: the command-line explorer, with limits the page does not have. (Spin cannot take it: ${refusal.split(':')[0] ?? refusal}.)`,
    needsFile,
  };
}
