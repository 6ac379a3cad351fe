// The local step (local.ts) the explorer's reduction rests on: where the
// poisoned kernel lets a step run, it must do exactly what the full step
// does, and steps that touch shared kernel state must be refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSetup } from '../scenarios/build.ts';
import { PRESETS } from '../scenarios/index.ts';
import { gfs2DioRing } from '../scenarios/ring.ts';
import { choosing, replaying, roundRobin, runFrom, startAt } from './schedulers.ts';
import { step, stepLocal } from './step.ts';
import { initialSystem, taskByPid } from './system.ts';

const pairs = [...PRESETS, gfs2DioRing(3)].flatMap((scenario) => scenario.variants.map((variant) => ({ scenario, variant })));

describe('local steps', () => {
  it('wherever a step runs on its own mm alone, it reaches the very state the full step does', () => {
    let locals = 0;
    fc.assert(
      fc.property(fc.constantFrom(...pairs), fc.array(fc.nat(), { minLength: 1, maxLength: 64 }), ({ scenario, variant }, choices) => {
        const run = runFrom(startAt(initialSystem(buildSetup(scenario), variant)), choosing(choices), { maxSteps: 400 });
        expect(run.refused).toBeNull();
        run.schedule.forEach((pid, i) => {
          const before = run.states[i];
          const local = before === undefined ? null : stepLocal(before, pid);
          if (local === null) return;
          locals++;
          expect(local.state).toEqual(run.states[i + 1]);
          expect(local.trace).toEqual(run.trace[i]);
        });
      }),
      { numRuns: 300 },
    );
    // The property would hold vacuously if nothing were ever local.
    expect(locals).toBeGreaterThan(1000);
  });

  it('calling iomap_dio_rw is local; taking the glock before it is not', () => {
    const ring = gfs2DioRing(2);
    // pread64 → gfs2_file_read_iter → about to take the glock.
    const state = runFrom(startAt(initialSystem(buildSetup(ring), 'gfs2-5.15')), replaying([101, 101])).states[2];
    if (state === undefined) throw new Error('pid 101 did not take two steps');
    expect(taskByPid(state, 101)?.stack.at(-1)?.state).toMatch(/glock/i);
    expect(stepLocal(state, 101)).toBeNull();
    const afterGlock = step(state, 101);
    if (!afterGlock.ok) throw new Error(afterGlock.error.message);
    const call = stepLocal(afterGlock.state, 101);
    expect(call?.trace.call).toBe('iomap_dio_rw');
  });

  it('a step that ends the run is never local: the BUG on the recursive glock', () => {
    const readSelf = PRESETS.find((s) => s.id === 'gfs2-read-self');
    if (readSelf === undefined) throw new Error('no preset');
    const run = runFrom(startAt(initialSystem(buildSetup(readSelf), 'gfs2-5.15')), roundRobin());
    expect(run.outcome?.kind).toBe('bug');
    const before = run.states[run.states.length - 2];
    if (before === undefined) throw new Error('no step before the BUG');
    expect(stepLocal(before, 101)).toBeNull();
    // Not for want of local steps before it.
    expect(run.states.slice(0, -2).some((s) => stepLocal(s, 101) !== null)).toBe(true);
  });
});
