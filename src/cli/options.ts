/**
 * What the engine commands' options name: a scenario file, a schedule, a
 * variant. Each bad value is a UsageError of one line naming the option.
 */
import { readFileSync, statSync } from 'node:fs';
import { findVariant, type VariantId } from '../kernel/variants.ts';
import { documentedSchedule } from '../scenarios/schedule.ts';
import type { Scenario } from '../scenarios/types.ts';
import { MAX_SCENARIO_JSON_BYTES, parseScenarioJson } from '../scenarios/validate.ts';
import { UsageError } from './io.ts';

/** "101,102,101" → pids; anything else is a usage error naming the bad entry. */
export function parseSchedule(text: string): number[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part, i) => {
    const trimmed = part.trim();
    if (!/^\d+$/.test(trimmed)) throw new UsageError(`--schedule: entry ${i + 1} ('${part}') is not a pid`);
    return Number(trimmed);
  });
}

/** Why a file could not be read, in a few words, from a Node error. */
function readProblem(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'ENOENT':
      return 'cannot read it: no such file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read it: permission denied';
    case 'EISDIR':
      return 'cannot read it: it is a directory';
    default:
      return `cannot read it: ${error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error)}`;
  }
}

/**
 * A custom scenario from a JSON file, validated. Any problem is a usage error
 * of one line: the file, the first problem's field and what is wrong with it.
 */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    // Checked before reading, so a huge file (or /dev/zero) is never read into memory.
    const stat = statSync(path);
    if (stat.isFile() && stat.size > MAX_SCENARIO_JSON_BYTES) throw new UsageError(`${path}: the file is ${stat.size} bytes; a scenario may be at most ${MAX_SCENARIO_JSON_BYTES} (64 KiB)`);
    if (!stat.isFile() && !stat.isDirectory()) throw new UsageError(`${path}: not a regular file`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${path}: ${readProblem(error)}`);
  }
  const result = parseScenarioJson(text);
  if (result.ok) return result.scenario;
  const [first, ...rest] = result.errors;
  const where = first === undefined || first.path === '' ? '' : `${first.path}: `;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
  throw new UsageError(`${path}: ${where}${first?.message ?? 'not a valid scenario'}${more}`);
}

/**
 * The schedule `--schedule` or `--named` chooses, or undefined when neither
 * is given; both at once, or a name the scenario lacks, is a usage error.
 */
export function chosenSchedule(scenario: Scenario, options: { readonly schedule: string | undefined; readonly named: string | undefined }): readonly number[] | undefined {
  if (options.schedule !== undefined && options.named !== undefined) throw new UsageError('give --schedule or --named, not both');
  if (options.named !== undefined) {
    const named = scenario.schedules.find((s) => s.name === options.named);
    if (named === undefined) throw new UsageError(`--named: ${scenario.id} has no schedule '${options.named}' (it has ${scenario.schedules.map((s) => s.name).join(', ') || 'none'})`);
    return named.steps;
  }
  return options.schedule === undefined ? undefined : parseSchedule(options.schedule);
}

export function defaultSchedule(scenario: Scenario, variant: VariantId): readonly number[] {
  return documentedSchedule(scenario, variant)?.steps ?? [];
}

export function checkVariant(scenario: Scenario, id: string): VariantId {
  const variant = findVariant(id);
  if (variant === undefined) throw new UsageError(`unknown variant '${id}'`);
  if (!scenario.variants.includes(variant.id)) throw new UsageError(`scenario ${scenario.id} does not apply to variant ${id} (it applies to ${scenario.variants.join(', ')})`);
  return variant.id;
}
