import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pid } from '../kernel/ids.ts';
import { buildSetup } from '../scenarios/build.ts';
import { PRESETS, findPreset } from '../scenarios/index.ts';
import type { Scenario } from '../scenarios/types.ts';
import { runnablePids } from './outcome.ts';
import { MAX_STEPS, choosing, randomScheduler, replaying, roundRobin, runFrom, startAt, steppingUntil, type Run, type Scheduler } from './schedulers.ts';
import { initialSystem } from './system.ts';

function preset(id: string): Scenario {
  const found = findPreset(id);
  if (found === undefined) throw new Error(`no preset ${id}`);
  return found;
}

function start(id: string, variant: Parameters<typeof initialSystem>[1]): Run {
  return startAt(initialSystem(buildSetup(preset(id)), variant));
}

/** Records what each call to nextTask was offered. */
function spying(inner: Scheduler): { scheduler: Scheduler; offered: (readonly Pid[])[] } {
  const offered: (readonly Pid[])[] = [];
  return { offered, scheduler: { ...inner, nextTask: (runnable, current, state) => (offered.push(runnable), inner.nextTask(runnable, current, state)) } };
}

const pairs = PRESETS.flatMap((scenario) => scenario.variants.map((variant) => ({ scenario, variant })));

describe('schedulers', () => {
  it('round-robin takes the first runnable task after the last one in task order: gfs2-abba-dio alternates 101 and 102 until one blocks, and deadlocks under 5.15', () => {
    const run = runFrom(start('gfs2-abba-dio', 'gfs2-5.15'), roundRobin());
    expect(run.schedule.slice(0, 4)).toEqual([101, 102, 101, 102]);
    expect(run.outcome?.kind).toBe('deadlock');
    expect(run.refused).toBeNull();
    expect(run.limited).toBe(false);
  });

  it('every scheduler that chooses is offered only runnable tasks, in task order, and stops at the outcome', () => {
    fc.assert(
      fc.property(fc.constantFrom(...pairs), fc.nat(), fc.constantFrom('round-robin', 'random'), ({ scenario, variant }, seed, kind) => {
        const spy = spying(kind === 'random' ? randomScheduler(seed) : roundRobin());
        const run = runFrom(startAt(initialSystem(buildSetup(scenario), variant)), spy.scheduler);
        expect(run.refused).toBeNull();
        run.schedule.forEach((pid, i) => {
          const before = run.states[i];
          if (before === undefined) throw new Error('a state per step');
          expect(spy.offered[i]).toEqual(runnablePids(before));
          expect(spy.offered[i]).toContain(pid);
        });
        // It is not asked again once the run has an outcome.
        if (run.outcome !== null) expect(spy.offered).toHaveLength(run.schedule.length);
      }),
      { numRuns: 60 },
    );
  });

  it('a random run is the same run again from the same seed, and another seed finds another schedule somewhere', () => {
    const runs = [1, 2, 3, 4, 5].map((seed) => runFrom(start('gfs2-abba-dio', 'gfs2-5.15'), randomScheduler(seed)).schedule);
    const again = [1, 2, 3, 4, 5].map((seed) => runFrom(start('gfs2-abba-dio', 'gfs2-5.15'), randomScheduler(seed)).schedule);
    expect(again).toEqual(runs);
    expect(new Set(runs.map((s) => s.join())).size).toBeGreaterThan(1);
  });

  it('replaying a schedule refuses the first step the kernel would not take, at its position, keeping the valid prefix', () => {
    // pid 101 then 102 take their first glocks; after the deadlock 101 is blocked on 102's glock.
    const full = runFrom(start('gfs2-abba-dio', 'gfs2-5.15'), roundRobin()).schedule;
    const run = runFrom(start('gfs2-abba-dio', 'gfs2-5.15'), replaying([...full, 101, 102]));
    expect(run.schedule).toEqual(full);
    expect(run.refused?.at).toBe(full.length);
    expect(run.refused?.error.kind).toBe('blocked');
    expect(run.outcome?.kind).toBe('deadlock');
    const stranger = runFrom(start('gfs2-abba-dio', 'gfs2-5.15'), replaying([101, 7]));
    expect(stranger.schedule).toEqual([101]);
    expect(stranger.refused).toEqual({ at: 1, error: { kind: 'no-such-task', message: 'no task with pid 7' } });
  });

  it('runs on from the end of a run: a schedule replayed, then round-robin, is one run', () => {
    const prefix = runFrom(start('gfs2-abba-dio', 'gfs2-5.18'), replaying([102, 102, 102]));
    const run = runFrom(prefix, roundRobin());
    expect(run.schedule.slice(0, 3)).toEqual([102, 102, 102]);
    // Round-robin goes on after 102, the last task of the prefix.
    expect(run.schedule[3]).toBe(101);
    expect(run.states).toHaveLength(run.schedule.length + 1);
    expect(run.states.slice(0, 4)).toEqual(prefix.states);
    expect(run.outcome?.kind).toBe('completed');
  });

  it('round-robin ends xfstests generic/729 under gfs2-5.18 as the livelock it goes round, on the state that closes the cycle', () => {
    const run = runFrom(start('xfstests-729', 'gfs2-5.18'), roundRobin());
    expect(run.outcome?.kind).toBe('livelock');
    expect(run.limited).toBe(false);
    const last = run.states[run.states.length - 1];
    expect(last?.stopped?.kind === 'livelock' ? last.stopped.message : '').toMatch(/^round-robin scheduling brings the run back to the state after step \d+ every \d+ steps/);
    // The state before it had no outcome: the cycle closes on the last step.
    expect(run.states[run.states.length - 2]?.stopped).toBeNull();
  });

  it('a scheduler that chooses stops at the step bound without an outcome (limited); a random run round the same livelock has no cycle watch', () => {
    const run = runFrom(start('xfstests-729', 'gfs2-5.18'), randomScheduler(7), { maxSteps: 300 });
    expect(run.schedule).toHaveLength(300);
    expect(run.outcome).toBeNull();
    expect(run.limited).toBe(true);
    expect(MAX_STEPS).toBe(10_000);
  });

  it('a given schedule is stepped as written, past the step bound', () => {
    const rr = runFrom(start('xfstests-729', 'gfs2-5.18'), randomScheduler(7), { maxSteps: 300 });
    const given = runFrom(start('xfstests-729', 'gfs2-5.18'), replaying(rr.schedule), { maxSteps: 100 });
    expect(given.schedule).toEqual(rr.schedule);
    expect(given.limited).toBe(false);
  });

  it('choosing(choices) picks the i-th runnable task by the numbers, cycling through them', () => {
    const run = runFrom(start('gfs2-abba-dio', 'gfs2-5.18'), choosing([1, 0]), { maxSteps: 4 });
    expect(run.schedule).toEqual([102, 101, 102, 101]);
    expect(runFrom(start('gfs2-abba-dio', 'gfs2-5.18'), choosing([])).schedule).toEqual([]);
  });

  it('steppingUntil steps one task until the state is as wanted, and is refused if the task can no longer step first', () => {
    // gfs2-abba-dio under 5.15: pid 101 alone until it holds its first glock.
    const held = runFrom(start('gfs2-abba-dio', 'gfs2-5.15'), steppingUntil(101, (s) => s.kernel.glocks.some((g) => g.holders.some((h) => h.pid === 101))));
    expect(held.refused).toBeNull();
    expect(new Set(held.schedule)).toEqual(new Set([101]));
    const before = held.states[held.states.length - 2];
    expect(before?.kernel.glocks.some((g) => g.holders.some((h) => h.pid === 101))).toBe(false);
    const never = runFrom(start('gfs2-abba-dio', 'gfs2-5.18'), steppingUntil(101, () => false));
    expect(never.refused?.error.kind).toBe('finished');
  });
});
