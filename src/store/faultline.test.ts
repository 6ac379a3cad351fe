import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../sim/outcome.ts';
import { findPreset } from '../scenarios/index.ts';
import { gfs2DioRing } from '../scenarios/ring.ts';
import { seededRandom } from '../sim/seeded.ts';
import { createFaultlineStore, type FaultlineStoreApi } from './faultline.ts';

/** The outcome at the cursor. */
function outcomeAtCursor(store: FaultlineStoreApi) {
  const s = store.getState();
  const state = s.states[s.cursor];
  if (state === undefined) throw new Error('cursor outside the states');
  return outcomeOf(state)?.kind;
}

describe('faultline store', () => {
  it('opens on gfs2-read-self under gfs2-5.15 at step 0, with the interleaving that ends in the BUG loaded', () => {
    const store = createFaultlineStore();
    const s = store.getState();
    expect([s.scenario.id, s.variant, s.cursor]).toEqual(['gfs2-read-self', 'gfs2-5.15', 0]);
    expect(s.states).toHaveLength(s.schedule.length + 1);
    const last = s.states[s.states.length - 1];
    expect(last === undefined ? undefined : outcomeOf(last)?.kind).toBe('bug');
    store.getState().jumpTo(s.schedule.length);
    expect(outcomeAtCursor(store)).toBe('bug');
  });

  it('opens xfstests generic/729 under gfs2-5.18 run round-robin until it comes back to a state: the last state is the livelock', () => {
    const store = createFaultlineStore({ scenario: findPreset('xfstests-729'), variant: 'gfs2-5.18' });
    const s = store.getState();
    expect(s.schedule.length).toBeLessThan(200);
    store.getState().jumpTo(s.schedule.length);
    expect(outcomeAtCursor(store)).toBe('livelock');
    store.getState().selectVariant('gfs2-6.4');
    store.getState().jumpTo(store.getState().schedule.length);
    expect(outcomeAtCursor(store)).toBe('completed');
  });

  it('stepping the task that is next in the schedule keeps the rest of it; stepping another drops it', () => {
    const store = createFaultlineStore({ scenario: findPreset('gfs2-abba-dio') });
    const full = store.getState().schedule;
    expect(full.slice(0, 6)).toEqual([101, 101, 101, 102, 102, 102]);
    store.getState().stepTask(101);
    expect(store.getState().schedule).toEqual(full);
    store.getState().stepTask(102);
    expect(store.getState().schedule).toEqual([101, 102]);
  });

  it('the user is the scheduler: stepping a task appends to the schedule and moves the cursor', () => {
    const store = createFaultlineStore({ scenario: findPreset('gfs2-abba-dio'), schedule: [] });
    store.getState().stepTask(101);
    store.getState().stepTask(102);
    const s = store.getState();
    expect(s.schedule).toEqual([101, 102]);
    expect(s.cursor).toBe(2);
    expect(s.trace.map((t) => t.label)).toEqual(['pread64(F1 O_DIRECT, buf=user page 0, 4096, 0)', 'pread64(F2 O_DIRECT, buf=user page 0, 4096, 0)']);
  });

  it('stepping a blocked task is refused with the reason, and nothing is lost', () => {
    const store = createFaultlineStore({ scenario: findPreset('gfs2-abba-dio'), schedule: [102, 102, 102, ...Array<number>(11).fill(101)] });
    const before = store.getState().schedule;
    store.getState().stepTask(101);
    const s = store.getState();
    expect(s.notice).toContain('pid 101 is blocked: waiting for glock 2/F2 in SH: held DF by pid 102');
    expect(s.schedule).toEqual(before);
  });

  it('back and forward move the cursor without changing the schedule; stepping from the middle drops the steps after it', () => {
    const store = createFaultlineStore({ scenario: findPreset('gfs2-abba-dio'), schedule: [101, 101, 101, 102] });
    store.getState().back();
    store.getState().back();
    expect(store.getState().cursor).toBe(2);
    store.getState().forward();
    expect(store.getState().cursor).toBe(3);
    store.getState().jumpTo(1);
    store.getState().stepTask(102);
    expect(store.getState().schedule).toEqual([101, 102]);
  });

  it('switching variant replays the same schedule: gfs2-abba-dio deadlocks under 5.15 and completes under 5.18', () => {
    const store = createFaultlineStore({ scenario: findPreset('gfs2-abba-dio') });
    store.getState().loadSchedule('both-take-DF-first');
    store.getState().runToEnd({ kind: 'round-robin' });
    expect(outcomeAtCursor(store)).toBe('deadlock');
    store.getState().selectVariant('gfs2-5.18');
    const after = store.getState();
    // The 5.15 schedule ends where both tasks wait; under 5.18 every step of it is still possible.
    expect(after.notice).toBeNull();
    after.runToEnd({ kind: 'round-robin' });
    expect(outcomeAtCursor(store)).toBe('completed');
  });

  it('switching variant keeps the schedule where it applies and runs on to the end: gfs2-read-self under 5.18 completes', () => {
    const store = createFaultlineStore();
    const bugRun = store.getState().schedule;
    store.getState().jumpTo(5);
    store.getState().selectVariant('gfs2-5.18');
    const s = store.getState();
    expect(s.cursor).toBe(5);
    expect(s.schedule.slice(0, bugRun.length)).toEqual(bugRun);
    expect(s.schedule.length).toBeGreaterThan(bugRun.length);
    store.getState().jumpTo(s.schedule.length);
    expect(outcomeAtCursor(store)).toBe('completed');
  });

  it('a seeded random run is replayable from its seed', () => {
    const a = createFaultlineStore({ scenario: findPreset('dax-truncate') });
    const b = createFaultlineStore({ scenario: findPreset('dax-truncate') });
    a.getState().runToEnd({ kind: 'random', seed: 7 });
    b.getState().runToEnd({ kind: 'random', seed: 7 });
    expect(a.getState().schedule).toEqual(b.getState().schedule);
    expect(seededRandom(1)()).toBe(seededRandom(1)());
  });

  it('refuses a variant the scenario does not run under, keeping everything', () => {
    const store = createFaultlineStore();
    store.getState().stepTask(101);
    const before = store.getState();
    store.getState().selectVariant('dax-2015');
    expect(store.getState().notice).toBe('gfs2-read-self does not run under dax-2015');
    expect(store.getState().variant).toBe('gfs2-5.15');
    expect(store.getState().schedule).toEqual(before.schedule);
    expect(store.getState().cursor).toBe(1);
  });
});

describe('custom scenarios', () => {
  it('openCustom runs a scenario that is not a preset, under the variant asked for when it lists it', () => {
    const store = createFaultlineStore();
    const custom = { ...gfs2DioRing(3), id: 'my-ring' };
    store.getState().openCustom(custom, 'gfs2-5.18');
    const s = store.getState();
    expect(s.scenario).toBe(custom);
    expect(s.variant).toBe('gfs2-5.18');
    expect(s.cursor).toBe(0);
    const last = s.states.at(-1);
    expect(last === undefined ? null : outcomeOf(last)?.kind).toBe('completed');
    store.getState().openCustom(custom, 'dax-2015');
    expect(store.getState().variant).toBe('gfs2-5.15');
    const end = store.getState().states.at(-1);
    expect(end === undefined ? null : outcomeOf(end)?.kind).toBe('deadlock');
  });
});
