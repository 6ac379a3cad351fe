// Every preset replays to the outcome kernel-semantics.md §4 documents for it,
// under every variant its schedules name.
import { describe, expect, it } from 'vitest';
import type { VariantId } from '../kernel/variants.ts';
import { describeOutcome } from '../sim/outcome.ts';
import { replay } from '../sim/replay.ts';
import { readUser } from '../kernel/uaccess.ts';
import { buildSetup, filePageContent } from './build.ts';
import { PRESETS } from './index.ts';

const cases = PRESETS.flatMap((scenario) =>
  scenario.schedules.flatMap((schedule) =>
    Object.entries(schedule.expect).flatMap(([variant, expectation]) => (expectation === undefined ? [] : [{ scenario, schedule, variant: variant as VariantId, expectation }])),
  ),
);

describe('preset catalog', () => {
  it.each(cases)('$scenario.id / $schedule.name under $variant: $expectation.summary', ({ scenario, schedule, variant, expectation }) => {
    const run = replay(buildSetup(scenario), variant, schedule.steps, { finish: true });
    expect(run.refused, run.refused?.error.message).toBeNull();
    expect(run.outcome?.kind, run.outcome ? describeOutcome(run.outcome) : 'no outcome').toBe(expectation.kind);
    const last = run.states[run.states.length - 1];
    if (last === undefined) throw new Error('no state');
    if (expectation.returns !== undefined) {
      const returns = Object.fromEntries(last.tasks.map((t) => [String(t.pid), t.returns]));
      expect(returns).toEqual(expectation.returns);
    }
    for (const [where, content] of Object.entries(expectation.userPages ?? {})) {
      const [process, vpage] = where.split(':').map(Number);
      expect(readUser(last.kernel, process ?? 0, vpage ?? 0), `user page ${where}`).toBe(content);
    }
    for (const [where, content] of Object.entries(expectation.filePages ?? {})) {
      const [file, index] = where.split(':');
      const ino = scenario.files.findIndex((f) => f.name === file);
      expect(filePageContent(last.kernel, ino, Number(index)), `file page ${where}`).toBe(content);
    }
  });

  it.each(PRESETS)('$id names an expected outcome for every variant it applies to', (scenario) => {
    const covered = new Set(scenario.schedules.flatMap((s) => Object.keys(s.expect)));
    expect([...covered].sort()).toEqual([...scenario.variants].sort());
  });
});
