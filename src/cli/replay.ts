/**
 * `replay --scenario <id> --variant <id> [--schedule <pid,pid,...>] [--json]`:
 * run one schedule (default: the scenario's schedule for that variant),
 * continue round-robin until an outcome, print each step and the outcome.
 * `--scenario-file <path.json>` takes a custom scenario instead of a preset.
 */
import { readFileSync, statSync } from 'node:fs';
import { findVariant, type VariantId } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import type { Scenario } from '../scenarios/types.ts';
import { MAX_SCENARIO_JSON_BYTES, parseScenarioJson } from '../scenarios/validate.ts';
import { describeOutcome, type Outcome } from '../sim/outcome.ts';
import { replay, type Replay } from '../sim/replay.ts';
import { describeReturn } from '../threads/task.ts';
import type { CliIo } from './run.ts';

export class UsageError extends Error {}

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

/** One schedule, finished round-robin; a step that cannot be taken is a usage error. */
export function replayOrRefuse(scenario: Scenario, variant: VariantId, schedule: readonly number[]): Replay {
  const run = replay(buildSetup(scenario), variant, schedule, { finish: true });
  if (run.refused !== null) throw new UsageError(`step ${run.refused.at + 1}: ${run.refused.error.message}`);
  return run;
}

export function defaultSchedule(scenario: Scenario, variant: VariantId): readonly number[] {
  return scenario.schedules.find((s) => s.expect[variant] !== undefined)?.steps ?? scenario.schedules[0]?.steps ?? [];
}

export function checkVariant(scenario: Scenario, id: string): VariantId {
  const variant = findVariant(id);
  if (variant === undefined) throw new UsageError(`unknown variant '${id}'`);
  if (!scenario.variants.includes(variant.id)) throw new UsageError(`scenario ${scenario.id} does not apply to variant ${id} (it applies to ${scenario.variants.join(', ')})`);
  return variant.id;
}

function outcomeJson(outcome: Outcome | null): Record<string, unknown> {
  if (outcome === null) return { kind: 'none' };
  return { ...outcome, description: describeOutcome(outcome) };
}

export function runReplay(scenario: Scenario, variantId: string, scheduleText: string | undefined, json: boolean, io: CliIo): number {
  const variant = checkVariant(scenario, variantId);
  const schedule = scheduleText === undefined ? defaultSchedule(scenario, variant) : parseSchedule(scheduleText);
  const setup = buildSetup(scenario);
  const pids = new Set(setup.tasks.map((t) => t.pid));
  const stranger = schedule.find((pid) => !pids.has(pid));
  if (stranger !== undefined) throw new UsageError(`--schedule: no task with pid ${stranger} in ${scenario.id} (tasks: ${[...pids].join(', ')})`);

  const run = replay(setup, variant, schedule, { finish: true });
  if (run.refused !== null) throw new UsageError(`--schedule: step ${run.refused.at + 1}: ${run.refused.error.message}`);
  const last = run.states[run.states.length - 1];
  const returns = Object.fromEntries(
    (last?.tasks ?? []).map((t) => [String(t.pid), t.returns.map((ret, i) => {
      const sys = t.program[i];
      return sys === undefined ? ret : sys.call === 'touch' ? describeReturn(sys, ret) : ret;
    })]),
  );
  if (json) {
    io.out(JSON.stringify({ scenario: scenario.id, variant, steps: run.trace.map((t) => ({ task: t.pid, label: t.label, depth: t.depth, machine: t.machine })), outcome: outcomeJson(run.outcome), returns }));
    return 0;
  }
  io.out(`${scenario.id} under ${variant} (${findVariant(variant)?.title ?? ''})`);
  run.trace.forEach((t, i) => io.out(`${String(i + 1).padStart(4)}  pid ${t.pid}  ${'  '.repeat(t.depth)}${t.label}`));
  io.out(`outcome: ${run.outcome ? describeOutcome(run.outcome) : run.limited ? `none: still running after ${run.trace.length} steps, and not going round a cycle` : 'none'}`);
  if (run.outcome?.kind === 'bug') for (const line of run.outcome.log) io.out(`  ${line}`);
  for (const [pid, values] of Object.entries(returns)) io.out(`pid ${pid} returned: ${values.length > 0 ? values.join(', ') : '(nothing: did not finish)'}`);
  return 0;
}
