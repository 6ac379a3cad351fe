import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../sim/outcome.ts';
import { findPreset } from '../scenarios/index.ts';
import { gfs2DioRing } from '../scenarios/ring.ts';
import { seededRandom } from '../sim/seeded.ts';
import { createFaultlineStore, type FaultlineStoreApi } from './faultline.ts';
import { linkOf, storeFromLink } from './link.ts';

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
    expect(s.trace.map((t) => [t.pid, t.machine, t.event])).toEqual([
      [101, 'task', 'sys.call'],
      [102, 'task', 'sys.call'],
    ]);
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

describe('a refused step changes nothing', () => {
  it('gfs2-abba-dio under gfs2-5.15 at step 21 of 22: stepping the blocked pid 101 keeps the schedule, the cursor and the link', () => {
    const store = createFaultlineStore({ scenario: findPreset('gfs2-abba-dio'), variant: 'gfs2-5.15' });
    expect(store.getState().schedule).toHaveLength(22);
    store.getState().jumpTo(21);
    const before = store.getState();
    const link = linkOf(before);
    store.getState().stepTask(101);
    const after = store.getState();
    expect(after.notice).toContain('pid 101 is blocked');
    expect(after.schedule).toBe(before.schedule);
    expect(after.states).toBe(before.states);
    expect([after.cursor, after.loaded]).toEqual([21, before.loaded]);
    expect(linkOf(after)).toBe(link);
  });
});

describe('the loaded schedule is named for what it is', () => {
  it('a scenario opens on the interleaving documented for its variant; stepping off it makes the schedule the user\'s own', () => {
    const store = createFaultlineStore({ scenario: findPreset('gfs2-abba-dio') });
    expect(store.getState().loaded).toEqual({ kind: 'named', name: 'both-take-DF-first' });
    // The next scheduled task: still the documented run.
    store.getState().stepTask(101);
    expect(store.getState().loaded.kind).toBe('named');
    store.getState().stepTask(102);
    expect(store.getState().loaded).toEqual({ kind: 'custom' });
    // Picking the named interleaving again loads it again.
    store.getState().loadSchedule('both-take-DF-first');
    expect([store.getState().loaded, store.getState().cursor]).toEqual([{ kind: 'named', name: 'both-take-DF-first' }, 0]);
    store.getState().clearSchedule();
    expect([store.getState().loaded, store.getState().schedule]).toEqual([{ kind: 'custom' }, []]);
  });

  it('a link names its schedule "from link", unless it is exactly a documented interleaving; the explorer\'s schedule says where it came from', () => {
    const scenario = findPreset('gfs2-abba-dio');
    if (scenario === undefined) throw new Error('no preset');
    const documented = createFaultlineStore({ scenario });
    expect(storeFromLink(linkOf(documented.getState())).getState().loaded).toEqual({ kind: 'named', name: 'both-take-DF-first' });
    const own = storeFromLink(linkOf({ ...documented.getState(), schedule: [101, 102, 101] }));
    expect(own.getState().loaded).toEqual({ kind: 'link' });
    own.getState().openView({ scenario, variant: 'gfs2-5.15', schedule: [102, 101], cursor: 2 }, { kind: 'explored', outcome: 'deadlock' });
    expect(own.getState().loaded).toEqual({ kind: 'explored', outcome: 'deadlock' });
  });

  it('switching kernel with a documented interleaving loaded loads the one documented for the new variant, whose documented outcome the run reaches', () => {
    const store = createFaultlineStore({ scenario: findPreset('gfs2-abba-dio'), variant: 'gfs2-5.15' });
    store.getState().jumpTo(5);
    store.getState().selectVariant('gfs2-5.18');
    const s = store.getState();
    const named = s.scenario.schedules.find((x) => s.loaded.kind === 'named' && x.name === s.loaded.name);
    expect(named?.expect['gfs2-5.18']?.kind).toBe('completed');
    expect(s.cursor).toBe(5);
    s.jumpTo(s.schedule.length);
    expect(outcomeAtCursor(store)).toBe('completed');
  });

  it('switching kernel with a schedule of the user\'s own replays it under the new variant, still named as the user\'s', () => {
    const store = createFaultlineStore({ scenario: findPreset('gfs2-abba-dio'), variant: 'gfs2-5.15', schedule: [] });
    for (const pid of [102, 101, 102, 101]) store.getState().stepTask(pid);
    store.getState().selectVariant('gfs2-5.18');
    const s = store.getState();
    expect(s.loaded).toEqual({ kind: 'custom' });
    expect(s.schedule.slice(0, 4)).toEqual([102, 101, 102, 101]);
  });
});

describe('links without a position, and what a link keeps of the view', () => {
  it('a link with no schedule and no step opens the documented interleaving at its start', () => {
    const store = storeFromLink('#v=1&s=gfs2-abba-dio&k=gfs2-5.15');
    const s = store.getState();
    expect(s.notice).toBeNull();
    expect([s.cursor, s.loaded]).toEqual([0, { kind: 'named', name: 'both-take-DF-first' }]);
    expect(s.schedule).toEqual(createFaultlineStore({ scenario: findPreset('gfs2-abba-dio'), variant: 'gfs2-5.15' }).getState().schedule);
  });

  it('the statechart\'s task and the timeline\'s zoom survive a link', () => {
    const store = createFaultlineStore({ scenario: findPreset('gfs2-abba-dio') });
    store.getState().showStatechart(102);
    store.getState().setTimelineWindow([4, 12.5]);
    const opened = storeFromLink(linkOf(store.getState())).getState();
    expect([opened.statechartPid, opened.timelineWindow, opened.notice]).toEqual([102, [4, 12.5], null]);
  });

  it('a link\'s statechart task that is not in the scenario, or a zoom outside the schedule, is dropped with a note', () => {
    const s = storeFromLink('#v=1&s=gfs2-read-self&k=gfs2-5.15&p=4.AA&c=2&t=555&w=3-9999').getState();
    expect([s.statechartPid, s.timelineWindow]).toEqual([null, null]);
    expect(s.notice).toContain("statechart task '555'");
    expect(s.notice).toContain("timeline zoom '3-9999'");
  });
});
