// The explorer's one pass over the waits (scanWaits) and its step without
// a second wait check (stepRunnable) against the functions they stand in
// for, on every state of random runs of every preset and variant: the same
// runnable tasks, a blocked cycle exactly where findCycle finds one, and the
// same next state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VariantId } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import { PRESETS } from '../scenarios/index.ts';
import { gfs2DioRing } from '../scenarios/ring.ts';
import { createInterner } from './explore/intern.ts';
import { findCycle, outcomeOf, runnablePids, scanWaits, waitEdges } from './outcome.ts';
import { step, stepRunnable } from './step.ts';
import { initialSystem, type SystemSetup } from './system.ts';

const pairs = [...PRESETS, gfs2DioRing(3)].flatMap((scenario) => scenario.variants.map((variant) => ({ scenario, variant })));

function check(setup: SystemSetup, variant: VariantId, choices: readonly number[]): number {
  const interner = createInterner();
  let state = initialSystem(setup, variant);
  let cycles = 0;
  for (let i = 0; i < 400; i++) {
    const scan = scanWaits(state);
    expect(scan.runnable).toEqual(runnablePids(state));
    const cycle = state.stopped === null && findCycle(waitEdges(state)) !== null;
    expect(scan.blockedCycle).toBe(cycle);
    if (cycle) cycles++;
    if (outcomeOf(state) !== null) break;
    const pid = scan.runnable[(choices[i % choices.length] ?? 0) % scan.runnable.length];
    if (pid === undefined) break;
    const full = step(state, pid);
    const quick = stepRunnable(state, pid);
    if (!full.ok || !quick.ok) throw new Error(`runnable pid ${pid} refused`);
    expect(interner.idOf(quick.state)).toBe(interner.idOf(full.state));
    state = full.state;
  }
  return cycles;
}

describe('scanWaits and stepRunnable agree with runnablePids, findCycle and step', () => {
  it.each(pairs.map((p) => [p.scenario.id === 'gfs2-dio-ring' ? 'gfs2-dio-ring/3' : p.scenario.id, p.variant, p] as const))('%s under %s', (_id, _variant, { scenario, variant }) => {
    const setup = buildSetup(scenario);
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 32 }), (choices) => {
        check(setup, variant, choices);
      }),
      { numRuns: 20 },
    );
  });

  it('is not vacuous: random runs of the ring of 3 under 5.15 reach states with a blocked cycle, and scanWaits sees them', () => {
    const setup = buildSetup(gfs2DioRing(3));
    const runs = fc.sample(fc.array(fc.nat(), { minLength: 1, maxLength: 32 }), { numRuns: 60, seed: 18 });
    expect(runs.reduce((n, choices) => n + check(setup, 'gfs2-5.15', choices), 0)).toBeGreaterThan(0);
  });
});
