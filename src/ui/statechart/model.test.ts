import { describe, expect, it } from 'vitest';
import type { VariantId } from '../../kernel/variants.ts';
import { buildSetup } from '../../scenarios/build.ts';
import { findPreset } from '../../scenarios/index.ts';
import { replay } from '../../sim/replay.ts';
import { allCompiled, compiledMachine } from '../../threads/registry.ts';
import { bfsLayers, edgeOfMove, lastTransition, layoutMachine, outgoing, taskFrames, type ChartNode } from './model.ts';

function machine(id: string) {
  const m = compiledMachine(id);
  if (m === undefined) throw new Error(`no machine ${id}`);
  return m;
}

function finishedRun(id: string, variant: VariantId) {
  const scenario = findPreset(id);
  if (scenario === undefined) throw new Error(`no preset ${id}`);
  const steps = scenario.schedules.find((s) => s.expect[variant] !== undefined)?.steps ?? [];
  const run = replay(buildSetup(scenario), variant, steps, { finish: true });
  const state = run.states[run.states.length - 1];
  if (state === undefined) throw new Error('no states');
  return { run, state, last: run.trace[run.trace.length - 1] };
}

function overlap(a: ChartNode, b: ChartNode): boolean {
  return Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height;
}

describe('layoutMachine, for every registered machine', () => {
  for (const m of allCompiled()) {
    describe(m.id, () => {
      const layout = layoutMachine(m);

      it('draws every state once, with no two boxes overlapping, inside the picture', () => {
        expect(layout.nodes.map((n) => n.name).sort()).toEqual([...m.states.keys()].sort());
        layout.nodes.forEach((a, i) => layout.nodes.slice(i + 1).forEach((b) => expect(overlap(a, b), `${a.name} / ${b.name}`).toBe(false)));
        for (const n of layout.nodes) {
          expect(n.x - n.width / 2).toBeGreaterThanOrEqual(0);
          expect(n.x + n.width / 2).toBeLessThanOrEqual(layout.width);
          expect(n.y + n.height / 2).toBeLessThanOrEqual(layout.height);
        }
      });

      it('puts the initial state, and only it, in layer 0; every transition goes at most one layer down', () => {
        expect(layout.nodes.filter((n) => n.layer === 0).map((n) => n.name)).toEqual([m.initial]);
        const layer = new Map(layout.nodes.map((n) => [n.name, n.layer]));
        for (const e of layout.edges) expect(layer.get(e.to) ?? 0).toBeLessThanOrEqual((layer.get(e.from) ?? 0) + 1);
      });

      it('draws every transition of the table, grouped by source and target', () => {
        const events = [...m.states.values()].flatMap((s) => [...s.on].map(([event, to]) => `${s.name}>${to}:${event}`)).sort();
        expect(layout.edges.flatMap((e) => e.events.map((ev) => `${e.from}>${e.to}:${ev}`)).sort()).toEqual(events);
        expect(new Set(layout.edges.map((e) => e.id)).size).toBe(layout.edges.length);
      });

      it('is deterministic', () => {
        expect(layoutMachine(m)).toEqual(layout);
      });
    });
  }
});

describe('bfsLayers', () => {
  it('gives gfs2_fault its BFS distances from gfs2_fault', () => {
    const layers = bfsLayers(machine('gfs2_fault'));
    expect(layers.get('gfs2_fault')).toBe(0);
    expect(layers.get('glock_nq')).toBe(1);
    expect(layers.get('bug')).toBe(2);
    expect(layers.get('glock_dq')).toBe(3);
  });
});

describe('taskFrames and the current state', () => {
  it('gfs2-read-self under gfs2-5.15: at the BUG the top frame is gfs2_fault, left at glock_nq, where the task died', () => {
    const { state, last } = finishedRun('gfs2-read-self', 'gfs2-5.15');
    expect(state.stopped?.kind).toBe('bug');
    const frames = taskFrames(state, 101, last);
    expect(frames.map((f) => f.machine)).toEqual(['task', 'gfs2_file_read_iter', 'filemap_read', 'do_page_fault', 'gfs2_fault']);
    const top = frames[frames.length - 1];
    expect(top).toEqual({ index: 4, machine: 'gfs2_fault', state: 'glock_nq', ended: true });
    if (top === undefined) return;
    // The step that BUGged tried glock.recursive, the edge to `bug`.
    const move = lastTransition(top, last, 101);
    expect(move).toEqual({ from: 'glock_nq', to: 'glock_nq', event: 'glock.recursive' });
    expect(edgeOfMove(layoutMachine(machine('gfs2_fault')), move)?.to).toBe('bug');
    // Frames below the top did not step.
    const below = frames[3];
    if (below !== undefined) expect(lastTransition(below, last, 101)).toBeNull();
  });

  it('gfs2-abba-dio under gfs2-5.15: pid 101 sleeps in gfs2_fault at glock_nq_wait, which glock.granted leaves for filemap_fault', () => {
    const { state, last } = finishedRun('gfs2-abba-dio', 'gfs2-5.15');
    const frames = taskFrames(state, 101, last);
    const top = frames[frames.length - 1];
    expect(top).toMatchObject({ machine: 'gfs2_fault', state: 'glock_nq_wait', ended: false });
    const out = outgoing(layoutMachine(machine('gfs2_fault')), 'glock_nq_wait');
    expect(out.map((e) => [e.events, e.to])).toEqual([[['glock.granted'], 'filemap_fault']]);
    // The last step was pid 102's.
    if (top !== undefined) expect(lastTransition(top, last, 101)).toBeNull();
  });

  it('gives the task frame alone at the start, and nothing for an unknown pid', () => {
    const scenario = findPreset('gfs2-abba-dio');
    if (scenario === undefined) throw new Error('no preset');
    const first = replay(buildSetup(scenario), 'gfs2-5.15', []).states[0];
    if (first === undefined) throw new Error('no state');
    expect(taskFrames(first, 101, undefined)).toEqual([{ index: 0, machine: 'task', state: 'next_syscall', ended: false }]);
    expect(taskFrames(first, 999, undefined)).toEqual([]);
  });
});
