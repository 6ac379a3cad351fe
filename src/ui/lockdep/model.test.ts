import { describe, expect, it } from 'vitest';
import type { VariantId } from '../../kernel/variants.ts';
import { buildSetup } from '../../scenarios/build.ts';
import { findPreset } from '../../scenarios/index.ts';
import { lockdepOfRun } from '../../sim/lockdep.ts';
import { replay } from '../../sim/replay.ts';
import { layoutLockOrder, type ArrowLabel } from './model.ts';

function modelOf(id: string, variant: VariantId, name: string) {
  const scenario = findPreset(id);
  if (scenario === undefined) throw new Error(id);
  const steps = scenario.schedules.find((s) => s.name === name)?.steps ?? [];
  const run = replay(buildSetup(scenario), variant, steps, { finish: true });
  return layoutLockOrder(lockdepOfRun(run.states, run.trace));
}

function overlap(a: ArrowLabel, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe('layoutLockOrder', () => {
  it('marks both edges of the i_mutex/mmap_sem cycle and no other, and says who made each', async () => {
    const model = await modelOf('imutex-mmapsem', 'dax-imutex-fault', 'no-deadlock-lockdep-warns');
    expect(model.arrows.filter((a) => a.inCycle).map((a) => a.id).sort()).toEqual(['i_rwsem>mmap_sem', 'mmap_sem>i_rwsem']);
    expect(model.arrows.find((a) => a.id === 'i_rwsem>i_mmap')?.inCycle).toBe(false);
    expect(model.arrows.find((a) => a.id === 'i_rwsem>mmap_sem')?.sentence).toMatch(/^i_mutex → mmap_sem: pid 101 took mmap_sem for read while holding i_mutex for write \(might_fault in a user copy\), step \d+: copy_from_iter/);
    expect(model.warnings).toEqual(['possible circular locking dependency: i_mutex → mmap_sem → i_mutex']);
  });

  it('keeps every box and label inside the picture', async () => {
    const model = await modelOf('imutex-mmapsem', 'dax-imutex-fault', 'three-task-cycle');
    for (const n of model.nodes) {
      expect(n.x - n.width / 2).toBeGreaterThanOrEqual(0);
      expect(n.x + n.width / 2).toBeLessThanOrEqual(model.width);
      expect(n.y - n.height / 2).toBeGreaterThanOrEqual(0);
      expect(n.y + n.height / 2).toBeLessThanOrEqual(model.height);
    }
    for (const a of model.arrows) {
      expect(a.label.x).toBeGreaterThanOrEqual(0);
      expect(a.label.x + a.label.width).toBeLessThanOrEqual(model.width);
    }
  });

  it('gfs2-abba-dio under gfs2-5.15: the opposite glock arrows and every other label sit apart, each clear of every box', async () => {
    const model = await modelOf('gfs2-abba-dio', 'gfs2-5.15', 'both-take-DF-first');
    const ids = model.arrows.map((a) => a.id);
    expect(ids).toContain('glock 2/F1>glock 2/F2');
    expect(ids).toContain('glock 2/F2>glock 2/F1');
    for (const [i, a] of model.arrows.entries()) {
      for (const b of model.arrows.slice(i + 1)) expect(overlap(a.label, b.label), `${a.id} / ${b.id}`).toBe(false);
      for (const n of model.nodes) expect(overlap(a.label, { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height }), `${a.id} on ${n.key}`).toBe(false);
    }
    const steps = Object.fromEntries(model.arrows.map((a) => [a.id, a.site.step + 1]));
    expect([steps['glock 2/F1>glock 2/F2'], steps['glock 2/F2>glock 2/F1']]).toEqual([21, 22]);
  });

  it('gfs2-read-self under gfs2-5.15: the recursive glock is a loop on its class, labelled with the step that asked again', async () => {
    const model = await modelOf('gfs2-read-self', 'gfs2-5.15', 'read-faults-on-own-mapping');
    const loop = model.arrows.find((a) => a.recursive);
    expect(loop?.id).toBe('glock 2/F>glock 2/F');
    expect(loop?.inCycle).toBe(true);
    expect(loop?.label.text).toBe('recursive, step 15');
    expect(loop?.sentence).toMatch(/^glock 2\/F → glock 2\/F: pid 101 asked for glock 2\/F in SH while holding it in SH \(possible recursive locking\), step 15/);
    // A drawn loop: a path that leaves the box and bends back to it.
    expect(loop?.path).toMatch(/^M[\d.]+,[\d.]+[CL]/);
    expect(loop?.path.length).toBeGreaterThan(20);
  });
});
