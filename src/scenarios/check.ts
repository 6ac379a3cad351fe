/**
 * Does a schedule reach the outcome a scenario documents for it? Replays it
 * and lists every difference in words: refusal, outcome kind, returns, user
 * and file page contents. An empty list means it matches.
 */
import type { VariantId } from '../kernel/variants.ts';
import { readUser } from '../kernel/uaccess.ts';
import { describeOutcome } from '../sim/outcome.ts';
import { replay } from '../sim/replay.ts';
import { buildSetup, filePageContent } from './build.ts';
import type { Expectation, NamedSchedule, Scenario } from './types.ts';

export function checkSchedule(scenario: Scenario, variant: VariantId, schedule: NamedSchedule, expectation: Expectation): string[] {
  const run = replay(buildSetup(scenario), variant, schedule.steps, { finish: true });
  if (run.refused !== null) return [`the schedule is refused at step ${run.refused.at + 1}: ${run.refused.error.message}`];
  const problems: string[] = [];
  if (run.outcome?.kind !== expectation.kind) problems.push(`expected ${expectation.kind}, got ${run.outcome === null ? 'no outcome' : describeOutcome(run.outcome)}`);
  const last = run.states[run.states.length - 1];
  if (last === undefined) return [...problems, 'no state'];
  for (const [pid, expected] of Object.entries(expectation.returns ?? {})) {
    const got = last.tasks.find((t) => String(t.pid) === pid)?.returns ?? [];
    if (JSON.stringify(got) !== JSON.stringify(expected)) problems.push(`pid ${pid} returned [${got.join(', ')}], expected [${expected.join(', ')}]`);
  }
  for (const [where, content] of Object.entries(expectation.userPages ?? {})) {
    const [process, vpage] = where.split(':').map(Number);
    const got = readUser(last.kernel, process ?? -1, vpage ?? -1);
    if (got !== content) problems.push(`user page ${where} holds ${got}, expected ${content}`);
  }
  for (const [where, content] of Object.entries(expectation.filePages ?? {})) {
    const [file, index] = where.split(':');
    const got = filePageContent(last.kernel, scenario.files.findIndex((f) => f.name === file), Number(index));
    if (got !== content) problems.push(`file page ${where} holds ${got}, expected ${content}`);
  }
  return problems;
}
