import { describe, expect, it } from 'vitest';
import type { VariantId } from '../../kernel/variants.ts';
import { buildSetup } from '../../scenarios/build.ts';
import { findPreset } from '../../scenarios/index.ts';
import { replay } from '../../sim/replay.ts';
import type { SystemState } from '../../sim/system.ts';
import { clearance, waitForModel, type WaitForModel } from './model.ts';

/** A preset's states under a variant: a named schedule, the first one documented for the variant, or exact pids; finished round-robin unless told not to. */
function states(id: string, variant: VariantId, schedule?: readonly number[] | string, finish = true): readonly SystemState[] {
  const scenario = findPreset(id);
  if (scenario === undefined) throw new Error(`no preset ${id}`);
  const named = typeof schedule === 'string' ? scenario.schedules.find((s) => s.name === schedule) : scenario.schedules.find((s) => s.expect[variant] !== undefined);
  const steps = Array.isArray(schedule) ? schedule : (named?.steps ?? []);
  return replay(buildSetup(scenario), variant, steps, { finish }).states;
}

function last(all: readonly SystemState[]): SystemState {
  const state = all[all.length - 1];
  if (state === undefined) throw new Error('no states');
  return state;
}

function edgeSummary(model: WaitForModel): string[] {
  const label = new Map(model.nodes.map((n) => [n.id, n.label]));
  return model.edges.map((e) => `${label.get(e.from) ?? e.from} -[${e.label}]-> ${label.get(e.to) ?? e.to}${e.inCycle ? ' *' : ''}`);
}

function expectNoOverlap(model: WaitForModel) {
  model.nodes.forEach((a, i) =>
    model.nodes.slice(i + 1).forEach((b) => {
      expect(clearance(a, b), `${a.label} / ${b.label}`).toBeGreaterThan(20);
    }),
  );
  for (const n of model.nodes) {
    expect(n.x - n.width / 2).toBeGreaterThanOrEqual(0);
    expect(n.y - n.height / 2).toBeGreaterThanOrEqual(0);
    expect(n.x + n.width / 2).toBeLessThanOrEqual(model.width);
    expect(n.y + n.height / 2).toBeLessThanOrEqual(model.height);
  }
}

const IMUTEX_CYCLE = [101, 101, 102, 102, 102, 103, 103, 101, 101, 101, 102, 102, 102, 102];

describe('waitForModel: gfs2-abba-dio under gfs2-5.15', () => {
  const model = waitForModel(last(states('gfs2-abba-dio', 'gfs2-5.15')));

  it('has two tasks, two glocks and the ABBA cycle through all four edges', () => {
    expect(model.nodes.map((n) => [n.kind, n.label])).toEqual([
      ['task', 'pid 101'],
      ['lock', 'glock 2/F2'],
      ['task', 'pid 102'],
      ['lock', 'glock 2/F1'],
    ]);
    expect(edgeSummary(model)).toEqual([
      'pid 101 -[waits SH]-> glock 2/F2 *',
      'glock 2/F2 -[holds DF]-> pid 102 *',
      'pid 102 -[waits SH]-> glock 2/F1 *',
      'glock 2/F1 -[holds DF]-> pid 101 *',
    ]);
    expect(model.nodes.every((n) => n.inCycle)).toBe(true);
  });

  it('names the cycle in kernel words, as a deadlock', () => {
    expect(model.cycle).toEqual({ kind: 'deadlock', name: 'pid 101 → glock 2/F2 → pid 102 → glock 2/F1 → pid 101', pids: [101, 102] });
  });

  it('keeps the scheduler’s reasons for the text alternative', () => {
    expect(model.waits).toEqual([
      { pid: 101, reason: 'waiting for glock 2/F2 in SH: held DF by pid 102' },
      { pid: 102, reason: 'waiting for glock 2/F1 in SH: held DF by pid 101' },
    ]);
  });

  it('lays the boxes out apart and inside the picture', () => {
    expectNoOverlap(model);
  });
});

describe('waitForModel: imutex-mmapsem three-task cycle under dax-imutex-fault', () => {
  const model = waitForModel(last(states('imutex-mmapsem', 'dax-imutex-fault', IMUTEX_CYCLE)));

  it('names the cycle through mmap_sem twice: behind the waiting writer, then behind the reader', () => {
    expect(model.cycle?.name).toBe('pid 101 → mmap_sem of mm 0 → pid 103 → mmap_sem of mm 0 → pid 102 → i_mutex of F → pid 101');
    expect(model.cycle?.pids).toEqual([101, 103, 102]);
    expect(model.cycle?.kind).toBe('deadlock');
  });

  it('has one node per lock, and says who holds and who is only queued ahead', () => {
    expect(model.nodes.filter((n) => n.kind === 'lock').map((n) => n.label)).toEqual(['mmap_sem of mm 0', 'i_mutex of F']);
    expect(edgeSummary(model)).toEqual([
      'pid 101 -[waits read]-> mmap_sem of mm 0 *',
      'mmap_sem of mm 0 -[ahead (write)]-> pid 103 *',
      'pid 102 -[waits]-> i_mutex of F *',
      'i_mutex of F -[holds]-> pid 101 *',
      'pid 103 -[waits write]-> mmap_sem of mm 0 *',
      'mmap_sem of mm 0 -[holds read]-> pid 102 *',
    ]);
    expect(model.edges.find((e) => e.kind === 'ahead')?.sentence).toBe('pid 103 is queued ahead on mmap_sem of mm 0 (write), and sleepers are woken in order');
  });

  it('bows the two opposite edges between mmap_sem and pid 103 apart, and draws the rest straight', () => {
    const bowed = model.edges.filter((e) => e.path.includes('Q')).map((e) => e.id);
    expect(bowed.sort()).toEqual(['hold:mmap_sem:0:103', 'wait:103']);
    expectNoOverlap(model);
  });
});

describe('waitForModel: layout is deterministic', () => {
  it('gives the same positions for the same state, and for an equal copy of it', () => {
    const state = last(states('imutex-mmapsem', 'dax-imutex-fault', IMUTEX_CYCLE));
    const once = waitForModel(state);
    expect(waitForModel(state)).toEqual(once);
    expect(waitForModel(structuredClone(state))).toEqual(once);
    expect(once.nodes.map((n) => [n.label, n.x, n.y])).toMatchInlineSnapshot(`
      [
        [
          "pid 101",
          64,
          168.3,
        ],
        [
          "mmap_sem of mm 0",
          196.8,
          39,
        ],
        [
          "pid 103",
          411.8,
          88.4,
        ],
        [
          "pid 102",
          411.8,
          248.3,
        ],
        [
          "i_mutex of F",
          196.8,
          297.7,
        ],
      ]
    `);
  });
});

describe('waitForModel: other states', () => {
  it('is empty when no task is waiting', () => {
    const first = states('gfs2-abba-dio', 'gfs2-5.15')[0];
    if (first === undefined) throw new Error('no state');
    const model = waitForModel(first);
    expect(model).toMatchObject({ nodes: [], edges: [], cycle: null, waits: [], width: 0, height: 0 });
  });

  it('calls a cycle with other tasks still runnable a partial deadlock (a task asleep on its own i_mutex)', () => {
    const self = states('imutex-mmapsem', 'dax-imutex-fault', [101, 101, 101, 101, 101, 101, 101, 101, 101], false);
    const model = waitForModel(last(self));
    expect(model.cycle).toEqual({ kind: 'partial deadlock', name: 'pid 101 → i_mutex of F → pid 101', pids: [101] });
    expect(edgeSummary(model)).toEqual(['pid 101 -[waits]-> i_mutex of F *', 'i_mutex of F -[holds]-> pid 101 *']);
    expectNoOverlap(model);
  });

  it('shows a wait with no cycle: truncate asleep on invalidate_lock behind a fault', () => {
    const all = states('dax-truncate', 'dax-invalidate-lock', 'invalidate-lock-serializes');
    const waiting = all.find((s) => waitForModel(s).edges.length > 0);
    if (waiting === undefined) throw new Error('no waiting state');
    const model = waitForModel(waiting);
    expect(model.cycle).toBeNull();
    expect(edgeSummary(model)).toEqual(['pid 102 -[waits write]-> invalidate_lock of F', 'invalidate_lock of F -[holds read]-> pid 101']);
  });

  it('names the other node’s holder across the cluster (gfs2-two-node-write)', () => {
    const model = waitForModel(last(states('gfs2-two-node-write', 'gfs2-5.15')));
    expect(model.cycle?.name).toBe('pid 101 → glock 2/F2 on node 0 → pid 102 → glock 2/F1 on node 1 → pid 101');
    expect(edgeSummary(model)).toContain('glock 2/F2 on node 0 -[holds EX on node 1]-> pid 102 *');
    expectNoOverlap(model);
  });
});
