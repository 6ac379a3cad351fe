// Every preset replays to the outcome kernel-semantics.md §4 documents for it,
// under every variant its schedules name.
import { checkSchedule } from './check.ts';
import { describe, expect, it } from 'vitest';
import type { VariantId } from '../kernel/variants.ts';
import { PRESETS } from './index.ts';

const cases = PRESETS.flatMap((scenario) =>
  scenario.schedules.flatMap((schedule) =>
    Object.entries(schedule.expect).flatMap(([variant, expectation]) => (expectation === undefined ? [] : [{ scenario, schedule, variant: variant as VariantId, expectation }])),
  ),
);

describe('preset catalog', () => {
  it.each(cases)('$scenario.id / $schedule.name under $variant: $expectation.summary', ({ scenario, schedule, variant, expectation }) => {
    expect(checkSchedule(scenario, variant, schedule, expectation)).toEqual([]);
  });

  it.each(PRESETS)('$id names an expected outcome for every variant it applies to', (scenario) => {
    const covered = new Set(scenario.schedules.flatMap((s) => Object.keys(s.expect)));
    expect([...covered].sort()).toEqual([...scenario.variants].sort());
  });
});

describe('checkSchedule', () => {
  it('reports a wrong expectation in words', () => {
    const scenario = PRESETS[0];
    const schedule = scenario?.schedules[0];
    if (scenario === undefined || schedule === undefined) throw new Error('no preset');
    const problems = checkSchedule(scenario, 'gfs2-5.18', schedule, { kind: 'deadlock', summary: '', returns: { '101': [1] }, basis: 'inferred' });
    expect(problems).toEqual(['expected deadlock, got completed', 'pid 101 returned [4096], expected [1]']);
  });
});
