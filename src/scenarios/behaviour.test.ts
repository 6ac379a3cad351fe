// Behaviour stays the same through a refactor of the step contract (issue
// 17): every documented schedule replays to the same states, trace, labels and
// wait reasons, and every exploration finds the same graph and outcomes, as
// the table generated before the change (scripts/behaviour-table.ts) says.
// A change that is meant to alter behaviour regenerates the table, and its
// diff is the review of what changed.
import { describe, expect, it } from 'vitest';
import { exploreRows, scheduleRows, type BehaviourTable } from './behaviour.ts';
import table from './behaviour-table.json' with { type: 'json' };
import { PRESETS } from './index.ts';

const expected = table as unknown as BehaviourTable;

describe('behaviour table', () => {
  it('lists every preset', () => {
    expect(new Set(expected.explorer.map((r) => r.preset))).toEqual(new Set(PRESETS.map((p) => p.id)));
  });

  it.each(PRESETS.map((p) => [p.id, p] as const))('%s: documented schedules replay as before', (id, preset) => {
    expect(scheduleRows([preset])).toEqual(expected.schedules.filter((r) => r.preset === id));
  });

  it.each(PRESETS.map((p) => [p.id, p] as const))('%s: the explorer finds what it found before', { timeout: 120_000 }, (id, preset) => {
    expect(exploreRows([preset])).toEqual(expected.explorer.filter((r) => r.preset === id));
  });
});
