import { describe, expect, it } from 'vitest';
import { buildSetup } from '../../scenarios/build.ts';
import { findPreset } from '../../scenarios/index.ts';
import { lockdepOfRun } from '../../sim/lockdep.ts';
import { replay } from '../../sim/replay.ts';
import { lockOrderModel } from './model.ts';

function modelOf(id: string, variant: 'dax-imutex-fault' | 'dax-2015', name: string) {
  const scenario = findPreset(id);
  if (scenario === undefined) throw new Error(id);
  const steps = scenario.schedules.find((s) => s.name === name)?.steps ?? [];
  const run = replay(buildSetup(scenario), variant, steps, { finish: true });
  return lockOrderModel(lockdepOfRun(run.states, run.trace));
}

describe('lockOrderModel', () => {
  it('marks both edges of the i_mutex/mmap_sem cycle and no other, and says who made each', () => {
    const model = modelOf('imutex-mmapsem', 'dax-imutex-fault', 'no-deadlock-lockdep-warns');
    expect(model.arrows.filter((a) => a.inCycle).map((a) => a.id).sort()).toEqual(['i_rwsem>mmap_sem', 'mmap_sem>i_rwsem']);
    expect(model.arrows.find((a) => a.id === 'i_rwsem>i_mmap')?.inCycle).toBe(false);
    expect(model.arrows.find((a) => a.id === 'i_rwsem>mmap_sem')?.sentence).toMatch(/^i_mutex → mmap_sem: pid 101 took mmap_sem for read while holding i_mutex for write \(might_fault in a user copy\), step \d+: copy_from_iter/);
    expect(model.warnings).toEqual(['possible circular locking dependency: i_mutex → mmap_sem → i_mutex']);
  });

  it('keeps every box inside the picture', () => {
    const model = modelOf('imutex-mmapsem', 'dax-imutex-fault', 'three-task-cycle');
    for (const n of model.nodes) {
      expect(n.x - n.width / 2).toBeGreaterThanOrEqual(0);
      expect(n.x + n.width / 2).toBeLessThanOrEqual(model.width);
      expect(n.y - n.height / 2).toBeGreaterThanOrEqual(0);
      expect(n.y + n.height / 2).toBeLessThanOrEqual(model.height);
    }
  });
});
