/**
 * `replay --scenario <id> --variant <id> [--schedule <pid,pid,...>] [--json]`:
 * run one schedule (default: the scenario's schedule for that variant),
 * continue round-robin until an outcome, print each step and the outcome.
 * `--scenario-file <path.json>` takes a custom scenario instead of a preset.
 */
import { findVariant, type VariantId } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import type { Scenario } from '../scenarios/types.ts';
import { describeOutcome, type Outcome } from '../sim/outcome.ts';
import { replay, type Replay } from '../sim/replay.ts';
import { describeReturn } from '../threads/task.ts';
import { UsageError, type CliIo } from './io.ts';
import { checkVariant, defaultSchedule, parseSchedule } from './options.ts';

/** One schedule, finished round-robin; a step that cannot be taken is a usage error. */
export function replayOrRefuse(scenario: Scenario, variant: VariantId, schedule: readonly number[]): Replay {
  const run = replay(buildSetup(scenario), variant, schedule, { finish: true });
  if (run.refused !== null) throw new UsageError(`step ${run.refused.at + 1}: ${run.refused.error.message}`);
  return run;
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
    io.out(JSON.stringify({ scenario: scenario.id, variant, steps: run.trace.map((t) => ({ task: t.pid, label: t.label, depth: t.depth, machine: t.machine, state: t.from, event: t.event, marks: t.marks })), outcome: outcomeJson(run.outcome), returns }));
    return 0;
  }
  io.out(`${scenario.id} under ${variant} (${findVariant(variant)?.title ?? ''})`);
  run.trace.forEach((t, i) => io.out(`${String(i + 1).padStart(4)}  pid ${t.pid}  ${'  '.repeat(t.depth)}${t.label}`));
  io.out(`outcome: ${run.outcome ? describeOutcome(run.outcome) : run.limited ? `none: still running after ${run.trace.length} steps, and not going round a cycle` : 'none'}`);
  if (run.outcome?.kind === 'bug') for (const line of run.outcome.log) io.out(`  ${line}`);
  for (const [pid, values] of Object.entries(returns)) io.out(`pid ${pid} returned: ${values.length > 0 ? values.join(', ') : '(nothing: did not finish)'}`);
  return 0;
}
