import { describe, expect, it } from 'vitest';
import { buildSetup } from '../scenarios/build.ts';
import { findPreset } from '../scenarios/index.ts';
import { describeOutcome, outcomeOf } from './outcome.ts';
import { replay } from './replay.ts';

function endOf(id: string, variant: 'dax-imutex-fault' | 'gfs2-5.15', name: string) {
  const scenario = findPreset(id);
  const steps = scenario?.schedules.find((s) => s.name === name)?.steps;
  if (scenario === undefined || steps === undefined) throw new Error(`${id}/${name}`);
  const run = replay(buildSetup(scenario), variant, steps, { finish: true });
  const last = run.states.at(-1);
  const outcome = last === undefined ? null : outcomeOf(last);
  if (outcome === null) throw new Error('the run did not end');
  return outcome;
}

describe('describeOutcome names who holds a lock and whom a waiter is queued behind', () => {
  it('three-task cycle through the fair rwsem: pid 101 waits for mmap_sem held by reader pid 102, queued behind writer pid 103 (which holds nothing)', () => {
    const text = describeOutcome(endOf('imutex-mmapsem', 'dax-imutex-fault', 'three-task-cycle'));
    expect(text).toContain('pid 101 waits for mmap_sem of mm 0 held by pid 102, queued behind writer pid 103');
    expect(text).toContain('pid 103 waits for mmap_sem of mm 0 held by pid 102;');
    expect(text).not.toContain('held by pid 103');
  });

  it('gfs2-abba-dio under gfs2-5.15: each glock is held by the other task, no one is queued ahead', () => {
    expect(describeOutcome(endOf('gfs2-abba-dio', 'gfs2-5.15', 'both-take-DF-first'))).toBe('deadlock: pid 101 waits for glock 2/F2 held by pid 102; pid 102 waits for glock 2/F1 held by pid 101');
  });
});
