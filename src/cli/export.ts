/**
 * `export --format scenario|trace|promela|svg --scenario <id> | --scenario-file <path> --variant <id> [--schedule … | --named …]`:
 * the page's exports, on standard output, for scripts and for scenarios
 * that outgrow the browser (`--format promela` for gfs2-dio-ring at many
 * tasks, then `spin -a`; `--format svg` for the timeline the page's
 * export draws, without a cursor).
 */
import { promelaOf } from '../export/promela.ts';
import { scenarioFileText } from '../export/scenario-json.ts';
import { runTimelineSvg } from '../export/timeline/svg.ts';
import { traceEventsOf } from '../export/trace-event.ts';
import type { Scenario } from '../scenarios/types.ts';
import { UsageError, type CliIo } from './io.ts';
import { checkVariant, chosenSchedule, defaultSchedule } from './options.ts';
import { replayOrRefuse } from './replay.ts';

export const EXPORT_FORMATS = ['scenario', 'trace', 'promela', 'svg'] as const;
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
  const run = replayOrRefuse(scenario, variant, chosenSchedule(scenario, options) ?? defaultSchedule(scenario, variant));
  if (format === 'svg') {
    io.out(runTimelineSvg({ scenario, variant, trace: run.trace, states: run.states }).trimEnd());
    return 0;
  }
  io.out(JSON.stringify(traceEventsOf({ scenario, variant, trace: run.trace, states: run.states })));
  return 0;
}
