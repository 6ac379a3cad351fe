// Random schedules over every preset and variant: the engine never throws,
// never leaves a broken invariant unreported, and is deterministic.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../kernel/invariants.ts';
import type { VariantId } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import { PRESETS } from '../scenarios/index.ts';
import { explore } from './explore/explore.ts';
import { createInterner } from './explore/intern.ts';
import { outcomeOf } from './outcome.ts';
import { choosing, runFrom, startAt } from './schedulers.ts';
import type { Engine } from './step.ts';
import { initialSystem, type SystemSetup } from './system.ts';

const pairs = PRESETS.flatMap((scenario) => scenario.variants.map((variant) => ({ scenario, variant })));

/** Run to an outcome, choosing among runnable tasks by the random choices. */
function randomRun(setup: SystemSetup, variant: VariantId, choices: readonly number[], engine: Engine = 'compiled') {
  const run = runFrom(startAt(initialSystem(setup, variant)), choosing(choices), { engine, maxSteps: 2000 });
  // A runnable task is never refused.
  expect(run.refused).toBeNull();
  const interner = createInterner();
  const seen = new Set<number>();
  let revisits = 0;
  for (const state of run.states.slice(0, -1)) {
    const id = interner.idOf(state);
    if (seen.has(id)) revisits++;
    seen.add(id);
  }
  // A broken invariant must be an outcome of the run, never silent.
  for (const state of run.states) if (state.stopped === null) expect(checkInvariants(state.kernel)).toBeNull();
  const state = run.states[run.states.length - 1];
  if (state === undefined) throw new Error('a run has at least its initial state');
  return { state, trace: run.trace, schedule: run.schedule, revisits };
}

describe('random schedules', () => {
  it.each(pairs.map((p) => [p.scenario.id, p.variant, p] as const))(
    '%s under %s: never throws, always reaches an outcome or goes round a livelock the explorer proves, invariants hold or are reported',
    (_id, _variant, { scenario, variant }) => {
      const setup = buildSetup(scenario);
      let livelock: boolean | undefined;
      fc.assert(
        fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 64 }), (choices) => {
          const run = randomRun(setup, variant, choices);
          if (outcomeOf(run.state) !== null) return;
          // 2000 steps without an outcome: only in a livelock, where every run goes round and round.
          livelock ??= explore(setup, variant).outcomes.livelock !== undefined;
          expect(livelock, 'a run without an outcome in a scenario with no livelock').toBe(true);
          expect(run.revisits).toBeGreaterThan(0);
        }),
        { numRuns: 60 },
      );
    },
  );

  it('replaying the same schedule gives the same trace, through the compiled tables and through XState', () => {
    fc.assert(
      fc.property(fc.constantFrom(...pairs), fc.array(fc.nat(), { minLength: 1, maxLength: 32 }), ({ scenario, variant }, choices) => {
        const setup = buildSetup(scenario);
        const first = randomRun(setup, variant, choices);
        const again = randomRun(setup, variant, choices);
        const reference = randomRun(setup, variant, choices, 'xstate');
        expect(again.trace).toEqual(first.trace);
        expect(reference.trace).toEqual(first.trace);
        expect(reference.state).toEqual(first.state);
      }),
      { numRuns: 40 },
    );
  });
});
