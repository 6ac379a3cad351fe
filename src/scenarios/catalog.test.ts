// Every preset replays to the outcome kernel-semantics.md §4 documents for it,
// under every variant its schedules name.
import { describe, expect, it } from 'vitest';
import type { VariantId } from '../kernel/variants.ts';
import { describeOutcome } from '../sim/outcome.ts';
import { replay } from '../sim/replay.ts';
import { buildSetup } from './build.ts';
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
    if (expectation.returns !== undefined) {
      const last = run.states[run.states.length - 1];
      const returns = Object.fromEntries((last?.tasks ?? []).map((t) => [String(t.pid), t.returns]));
      expect(returns).toEqual(expectation.returns);
    }
  });

  it.each(PRESETS)('$id names an expected outcome for every variant it applies to', (scenario) => {
    const covered = new Set(scenario.schedules.flatMap((s) => Object.keys(s.expect)));
    expect([...covered].sort()).toEqual([...scenario.variants].sort());
  });
});
