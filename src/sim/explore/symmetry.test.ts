// Symmetry reduction (symmetry.ts): the groups found from the scenarios, the
// automorphism property on reachable states, and the quotient's outcome
// kinds and schedules against the full graph.
import { describe, expect, it } from 'vitest';
import type { Pid } from '../../kernel/ids.ts';
import type { VariantId } from '../../kernel/variants.ts';
import { buildSetup } from '../../scenarios/build.ts';
import { PRESETS } from '../../scenarios/index.ts';
import { gfs2DioRing } from '../../scenarios/ring.ts';
import type { Scenario } from '../../scenarios/types.ts';
import { runnablePids } from '../outcome.ts';
import { replay } from '../replay.ts';
import { seededRandom } from '../seeded.ts';
import { step } from '../step.ts';
import { initialSystem, type SystemState } from '../system.ts';
import { explore } from './explore.ts';
import { createInterner } from './intern.ts';
import { relabelState, symmetryOf, type Relabelling, type RegisterKinds } from './symmetry.ts';

const groupOf = (scenario: Scenario, variant: VariantId = scenario.variants[0] ?? 'gfs2-5.15') => symmetryOf(initialSystem(buildSetup(scenario), variant)).group;
const pidMap = (g: Relabelling) => Object.fromEntries(g.pid);
const preset = (id: string): Scenario => {
  const found = PRESETS.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no preset ${id}`);
  return found;
};

describe('the group of a scenario', () => {
  it('every preset: only the mirrored ABBA pairs and lock-page-retry’s three identical processes have symmetry', () => {
    const orders = Object.fromEntries(PRESETS.map((p) => [p.id, groupOf(p).length]));
    const symmetric = Object.entries(orders).filter(([, n]) => n > 1);
    // gfs2-abba-dio: each task reads its file into a mapping of the other's; gfs2-two-node-write the same across two nodes.
    expect(Object.fromEntries(symmetric)).toEqual({ 'gfs2-abba-dio': 2, 'gfs2-two-node-write': 2, 'lock-page-retry': 6 });
  });

  it.each([2, 3, 4, 5, 6, 7, 8])('the ring of %i: its rotations, and nothing else', (n) => {
    const group = groupOf(gfs2DioRing(n));
    expect(group).toHaveLength(n);
    const shifts = group.map((g) => ((g.pid.get(101) ?? 0) - 101 + n) % n).sort((a, b) => a - b);
    expect(shifts).toEqual(Array.from({ length: n }, (_, k) => k));
    for (const g of group) {
      const k = ((g.pid.get(101) ?? 0) - 101 + n) % n;
      for (let i = 0; i < n; i++) {
        expect(g.pid.get(101 + i)).toBe(101 + ((i + k) % n));
        // The task's file and its process move with it: F(i+1) → F(i+k+1).
        expect(g.ino[i]).toBe((i + k) % n);
        expect(g.mm[i]).toBe((i + k) % n);
        expect(g.names.get(`F${i + 1}`)).toBe(`F${((i + k) % n) + 1}`);
      }
    }
  });

  it('lock-page-retry: all six permutations of the three processes, the one file fixed', () => {
    const group = groupOf(preset('lock-page-retry'));
    expect(group).toHaveLength(6);
    expect(pidMap(group[0] as Relabelling)).toEqual({ 101: 101, 102: 102, 103: 103 });
    expect(new Set(group.map((g) => [101, 102, 103].map((p) => g.pid.get(p)).join()))).toEqual(new Set(['101,102,103', '101,103,102', '102,101,103', '102,103,101', '103,101,102', '103,102,101']));
    for (const g of group) expect([...g.ino]).toEqual([0]);
  });

  it('gfs2-two-node-write: swapping the tasks swaps their nodes too', () => {
    const [, swap] = groupOf(preset('gfs2-two-node-write'));
    expect(swap === undefined ? null : { pid: pidMap(swap), node: [...swap.node], ino: [...swap.ino] }).toEqual({ pid: { 101: 102, 102: 101 }, node: [1, 0], ino: [1, 0] });
  });

  it.each([preset('lock-page-retry'), gfs2DioRing(4)])('%s: the group is closed under composition', (scenario) => {
    const group = groupOf(scenario);
    const key = (m: ReadonlyMap<Pid, Pid>) => [...m.entries()].map(([a, b]) => `${a}>${b}`).join();
    const all = new Set(group.map((g) => key(g.pid)));
    for (const a of group) for (const b of group) expect(all.has(key(new Map([...b.pid].map(([p, q]) => [p, a.pid.get(q) ?? q]))))).toBe(true);
  });

  it('seven identical processes: 5,040 relabellings, over the 720 that keep the per-state cost sensible, so the explorer says why it did not use them', () => {
    const base = preset('lock-page-retry');
    const n = 7;
    const scenario: Scenario = {
      ...base,
      mappings: Array.from({ length: n }, (_, i) => ({ process: i, file: 'F', at: 0, pages: 2, shared: true })),
      tasks: Array.from({ length: n }, (_, i) => ({ pid: 101 + i, process: i, program: [{ call: 'touch' as const, vpage: 1, write: false }] })),
      schedules: [],
    };
    const found = symmetryOf(initialSystem(buildSetup(scenario), 'dax-2015'));
    expect(found.refused).toBe('a group of more than 720 task permutations');
    expect(found.group).toHaveLength(1);
    expect(explore(buildSetup(scenario), 'dax-2015', { maxStates: 100 }).symmetry).toEqual({ order: 1, off: 'a group of more than 720 task permutations' });
  });

  it('two tasks that truncate their own file and then write it: the swap would move blocks that go back to the free pool, so no symmetry is used', () => {
    const scenario: Scenario = {
      id: 'truncate-and-write-twice',
      title: '',
      story: '',
      fs: 'gfs2',
      variants: ['gfs2-5.18'],
      files: [
        { name: 'F1', pages: ['disk'] },
        { name: 'F2', pages: ['disk'] },
      ],
      mappings: [],
      tasks: [
        { pid: 101, process: 0, program: [{ call: 'truncate', file: 'F1', size: 0 }] },
        { pid: 102, process: 1, program: [{ call: 'truncate', file: 'F2', size: 0 }] },
      ],
      schedules: [],
      sources: [],
    };
    expect(groupOf(scenario)).toHaveLength(1);
    // The same tasks on files that have no blocks yet: nothing to move, and the swap is used.
    expect(groupOf({ ...scenario, files: scenario.files.map((f) => ({ ...f, pages: ['hole'] })) })).toHaveLength(2);
  });
});

/** A state with what a relabelling cannot reach left out: SIGBUS messages and a stop's words (symmetry.ts). */
function comparable(state: SystemState): object {
  return { ...state, signals: state.signals.map((s) => s.pid), stopped: state.stopped?.kind ?? null };
}

/**
 * Along random schedules, at every state s, for every g and every runnable
 * task p: g(s) has runnable tasks g(runnable(s)), and g(step(s, p)) is
 * step(g(s), g(p)). This is what makes the quotient sound.
 */
function checkAutomorphisms(scenario: Scenario, variant: VariantId, group: readonly Relabelling[], walks: number, seed: number, registers?: RegisterKinds): string[] {
  const relabel = (g: Relabelling, s: SystemState) => relabelState(g, s, registers);
  const interner = createInterner();
  const same = (a: SystemState, b: SystemState) => interner.idOf(comparable(a)) === interner.idOf(comparable(b));
  const random = seededRandom(seed);
  const failures: string[] = [];
  for (let walk = 0; walk < walks && failures.length === 0; walk++) {
    let state = initialSystem(buildSetup(scenario), variant);
    for (let depth = 0; depth < 400 && failures.length === 0; depth++) {
      const runnable = runnablePids(state);
      if (runnable.length === 0) break;
      for (const g of group) {
        const image = relabel(g, state);
        const mapped = runnable.map((p) => g.pid.get(p) ?? p).sort((a, b) => a - b);
        if (runnablePids(image).slice().sort((a, b) => a - b).join() !== mapped.join()) failures.push(`walk ${walk} depth ${depth}: runnable tasks differ under ${JSON.stringify(pidMap(g))}`);
        for (const p of runnable) {
          const a = step(state, p);
          const b = step(image, g.pid.get(p) ?? p);
          if (!a.ok || !b.ok || !same(relabel(g, a.state), b.state)) failures.push(`walk ${walk} depth ${depth}: step of ${p} under ${JSON.stringify(pidMap(g))}`);
        }
      }
      const next = step(state, runnable[Math.floor(random() * runnable.length)] ?? 0);
      if (!next.ok) break;
      state = next.state;
    }
  }
  return failures;
}

const symmetricCases = PRESETS.filter((p) => groupOf(p).length > 1).flatMap((scenario) => scenario.variants.map((variant) => ({ scenario, variant })));
const ringCases = ([2, 3] as const).flatMap((n) => (['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'] as const).map((variant) => ({ scenario: gfs2DioRing(n), variant })));

describe('every relabelling in the group is an automorphism of the state graph', () => {
  it.each([...symmetricCases, ...ringCases].map((c) => [c.scenario.id, c.scenario.tasks.length, c.variant, c] as const))('%s (%i tasks) under %s', (_id, _n, _v, { scenario, variant }) => {
    expect(checkAutomorphisms(scenario, variant, groupOf(scenario, variant), 4, 7)).toEqual([]);
  });

  it('and the check can fail: rotating the ring without renaming the file a frame works on (the ino register) is caught', () => {
    expect(checkAutomorphisms(gfs2DioRing(3), 'gfs2-5.15', groupOf(gfs2DioRing(3)), 4, 7, { page: 'page', vmfPage: 'page', block: 'block', mapBlock: 'block', cow: 'content' }).length).toBeGreaterThan(0);
  });
});

describe('the quotient against the full graph', () => {
  // Every interleaving with no reduction at all, against the default search (partial-order and symmetry reduced).
  // The ring of 3 under the RFC and 5.18 has 270,000 to 400,000 states unreduced, the ring of 4 millions: those are in the bench.
  const compared = [...symmetricCases, ...ringCases.filter((c) => c.scenario.tasks.length === 2 || c.variant === 'gfs2-5.15')];
  it.each(compared.map((c) => [c.scenario.id, c.scenario.tasks.length, c.variant, c] as const))(
    '%s (%i tasks) under %s: the same outcome kinds, deadlocks and completions at the same length, schedules that replay in real pids',
    { timeout: 60_000 },
    (_id, _n, _v, { scenario, variant }) => {
      const full = explore(buildSetup(scenario), variant, { reduction: 'none', symmetry: false });
      const quotient = explore(buildSetup(scenario), variant);
      expect(full.complete && quotient.complete).toBe(true);
      expect(quotient.symmetry.order).toBe(groupOf(scenario, variant).length);
      expect(Object.keys(quotient.outcomes).sort()).toEqual(Object.keys(full.outcomes).sort());
      // An orbit has at most |G| states: the quotient has at least full / |G| of them (fewer still with the partial-order reduction).
      expect(quotient.states).toBeLessThan(full.states);
      // No partial-order reduction applies on DAX (reduce.ts): there the quotient is exact, orbits of at most |G| states.
      if (quotient.reducedTasks === 0) expect(quotient.states * quotient.symmetry.order).toBeGreaterThanOrEqual(full.states);
      for (const kind of ['deadlock', 'completed'] as const) {
        expect(quotient.outcomes[kind]?.shortest.length, kind).toBe(full.outcomes[kind]?.shortest.length);
        expect(quotient.outcomes[kind]?.shortest.switches ?? 0, kind).toBeLessThanOrEqual(full.outcomes[kind]?.shortest.switches ?? 0);
      }
      for (const [kind, found] of Object.entries(quotient.outcomes)) {
        if (kind === 'partial-deadlock' || found === undefined) continue;
        expect(replay(buildSetup(scenario), variant, found.shortest.schedule, { finish: kind === 'livelock' }).outcome?.kind, kind).toBe(kind);
      }
    },
  );

  it('lockdep on the quotient of lock-page-retry (the group fixes the one file, so every lock class): the same reports as on every state', () => {
    const scenario = preset('lock-page-retry');
    const full = explore(buildSetup(scenario), 'dax-2015', { lockdep: true, symmetry: false });
    const quotient = explore(buildSetup(scenario), 'dax-2015', { lockdep: true });
    expect(quotient.symmetry.order).toBe(6);
    const reports = (r: typeof full) => (r.lockdep?.reports ?? []).map((x) => JSON.stringify({ ...x, acquiring: { ...x.acquiring, site: null } }));
    const edges = (r: typeof full) => (r.lockdep?.edges ?? []).map((e) => `${e.from} ${e.fromMode} → ${e.to} ${e.toMode} (${e.via})`).sort();
    expect(edges(quotient)).toEqual(edges(full));
    expect(edges(full).length).toBeGreaterThan(0);
    expect(reports(quotient)).toEqual(reports(full));
  });

  it('off where it would not be sound or not mean the same: under lockdep where inodes move, and path counts, the counts are of every state', () => {
    const abba = preset('gfs2-abba-dio');
    expect(explore(buildSetup(abba), 'gfs2-5.15', { lockdep: true }).symmetry).toEqual({ order: 1, off: 'lockdep over every transition' });
    expect(explore(buildSetup(abba), 'gfs2-5.15', { paths: true, reduction: 'none' }).symmetry).toEqual({ order: 1, off: 'path counts' });
    expect(explore(buildSetup(abba), 'gfs2-5.15', { symmetry: false }).symmetry).toEqual({ order: 1, off: null });
  });
});
