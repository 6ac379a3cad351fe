/**
 * `export --format scenario|trace|promela --scenario <id> | --scenario-file <path> --variant <id> [--schedule … | --named …]`:
 * the page's exports, on standard output, for scripts and for scenarios
 * that outgrow the browser (`--format promela` for gfs2-dio-ring at many
 * tasks, then `spin -a`).
 */
import { promelaOf } from '../export/promela.ts';
import { scenarioFileText } from '../export/scenario-json.ts';
import { traceEventsOf } from '../export/trace-event.ts';
import { buildSetup } from '../scenarios/build.ts';
import type { Scenario } from '../scenarios/types.ts';
import { replay } from '../sim/replay.ts';
import { UsageError, checkVariant, defaultSchedule, parseSchedule } from './replay.ts';
import type { CliIo } from './run.ts';

export const EXPORT_FORMATS = ['scenario', 'trace', 'promela'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  readonly format: string | undefined;
  readonly schedule: string | undefined;
  readonly named: string | undefined;
}

function checkFormat(text: string | undefined): ExportFormat {
  const format = EXPORT_FORMATS.find((f) => f === text);
  if (format === undefined) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}${text === undefined ? '' : `, not '${text}'`}`);
  return format;
}

export function runExport(scenario: Scenario, variantId: string, options: ExportOptions, io: CliIo): number {
  const format = checkFormat(options.format);
  const variant = checkVariant(scenario, variantId);
  if (format === 'scenario') {
    io.out(scenarioFileText(scenario).trimEnd());
    return 0;
  }
  if (format === 'promela') {
    const model = promelaOf(scenario, variant);
    if (!model.ok) {
      io.err(`faultline export: ${model.message}`);
      return 1;
    }
    io.out(model.model.trimEnd());
    return 0;
  }
  if (options.schedule !== undefined && options.named !== undefined) throw new UsageError('give --schedule or --named, not both');
  const named = options.named === undefined ? undefined : scenario.schedules.find((s) => s.name === options.named);
  if (options.named !== undefined && named === undefined) throw new UsageError(`--named: ${scenario.id} has no schedule '${options.named}' (it has ${scenario.schedules.map((s) => s.name).join(', ') || 'none'})`);
  const schedule = named?.steps ?? (options.schedule !== undefined ? parseSchedule(options.schedule) : defaultSchedule(scenario, variant));
  const run = replay(buildSetup(scenario), variant, schedule, { finish: true });
  if (run.refused !== null) throw new UsageError(`step ${run.refused.at + 1}: ${run.refused.error.message}`);
  io.out(JSON.stringify(traceEventsOf({ scenario, variant, trace: run.trace, states: run.states })));
  return 0;
}
