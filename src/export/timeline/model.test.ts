import { describe, expect, it } from 'vitest';
import type { VariantId } from '../../kernel/variants.ts';
import { buildSetup } from '../../scenarios/build.ts';
import { findPreset } from '../../scenarios/index.ts';
import { documentedSchedule } from '../../scenarios/schedule.ts';
import { replay } from '../../sim/replay.ts';
import { EVENT_KINDS, LOCK_KINDS, MARKER_KINDS, PATH_KINDS, buildTimeline, type Spans, type TimelineModel } from './model.ts';
import { syntheticTimeline } from './synthetic.ts';

/** A preset's documented schedule under a variant, finished round-robin, as the page replays it. */
function replayed(id: string, variant: VariantId) {
  const scenario = findPreset(id);
  if (scenario === undefined) throw new Error(`no preset ${id}`);
  const schedule = documentedSchedule(scenario, variant);
  const run = replay(buildSetup(scenario), variant, schedule?.steps ?? [], { finish: true });
  const pids = scenario.tasks.map((t) => t.pid);
  return { run, pids, model: buildTimeline(run.trace, run.states, pids) };
}

interface Span {
  readonly lane: number;
  readonly start: number;
  readonly end: number;
  readonly kind: string;
  readonly label: string;
}

function spans(model: TimelineModel, set: Spans, kinds: readonly string[]): Span[] {
  return Array.from({ length: set.count }, (_, i) => ({
    lane: set.lane[i] ?? -1,
    start: set.start[i] ?? NaN,
    end: set.end[i] ?? NaN,
    kind: kinds[set.kind[i] ?? 255] ?? '?',
    label: model.strings[set.label[i] ?? -1] ?? '',
  }));
}

function points(model: TimelineModel, which: 'path' | 'markers' | 'events') {
  const set = model[which];
  const kinds: readonly string[] = which === 'path' ? PATH_KINDS : which === 'markers' ? MARKER_KINDS : EVENT_KINDS;
  return Array.from({ length: set.count }, (_, i) => ({ lane: set.lane[i] ?? -1, step: set.step[i] ?? -1, kind: kinds[set.kind[i] ?? 255] ?? '?', group: set.group[i] ?? -1 }));
}

describe('buildTimeline on gfs2-read-self under gfs2-5.18 (the fault-in fix)', () => {
  const { run, model } = replayed('gfs2-read-self', 'gfs2-5.18');
  const marksOf = (i: number) => run.trace[i]?.marks ?? [];

  it('has one lane and one entry per step, with the trace depths', () => {
    expect(model.lanes).toBe(1);
    expect(model.steps).toBe(run.trace.length);
    expect(Array.from(model.stepLane).every((l) => l === 0)).toBe(true);
    expect(Array.from(model.stepDepth)).toEqual(run.trace.map((t) => t.depth));
  });

  it('interrupts the read’s glock hold exactly once, around the fault-in', () => {
    const read = spans(model, model.holds, LOCK_KINDS).filter((s) => s.kind === 'glock' && run.trace[s.start]?.machine === 'gfs2_file_read_iter (5.18)');
    expect(read).toHaveLength(2);
    const [before, after] = read;
    if (before === undefined || after === undefined) throw new Error('two spans expected');
    // The bar starts with the step that was granted the glock and stops before the dq.
    for (const span of [before, after]) {
      expect(marksOf(span.start)).toContain('glock-granted');
      expect(marksOf(span.end)).toContain('glock-dq');
    }
    const gap = run.trace.slice(before.end, after.start);
    expect(gap.some((t) => t.machine === 'fault_in_iov_iter')).toBe(true);
    expect(gap.some((t) => t.machine === 'gfs2_fault')).toBe(true);
  });

  it('shows the fault’s own glock holder inside the gap, twice (gfs2_fault runs again after VM_FAULT_RETRY), and mmap_lock and the page lock during the fault', () => {
    const holds = spans(model, model.holds, LOCK_KINDS);
    const fault = holds.filter((s) => s.kind === 'glock' && s.label.includes('gfs2_fault'));
    expect(fault.map((f) => f.label)).toEqual(['glock 2/F SH · gfs2_fault', 'glock 2/F SH · gfs2_fault']);
    expect(holds.some((s) => s.kind === 'mmap_sem' && s.label === 'mmap_lock of mm 0 read')).toBe(true);
    expect(holds.some((s) => s.kind === 'page')).toBe(true);
  });

  it('draws the retry path: short copy, glock dropped, fault-in, glock re-acquired, copy succeeds', () => {
    const path = points(model, 'path');
    expect(path.map((p) => p.kind)).toEqual(['copy-short', 'glock-dropped', 'fault-in', 'glock-reacquired', 'copy-done']);
    expect(new Set(path.map((p) => p.group)).size).toBe(1);
    const at = path.map((p) => p.step);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(marksOf(at[0] ?? -1)).toContain('copy-short');
    expect(run.trace[at[4] ?? -1]).toMatchObject({ machine: 'filemap_read', from: 'copy_page_to_iter', marks: ['copy-done'] });
  });

  it('nests gfs2_fault and filemap_fault inside do_page_fault, twice: the first attempt returns VM_FAULT_RETRY', () => {
    const faults = spans(model, model.faults, ['do_page_fault', 'gfs2_fault', 'filemap_fault', 'do_dax_fault', 'gfs2_page_mkwrite']);
    expect(faults.map((f) => f.label)).toEqual(['do_page_fault', 'gfs2_fault', 'filemap_fault', 'gfs2_fault', 'filemap_fault']);
    const [pf, gfs2, filemap, gfs2Again, filemapAgain] = faults;
    if (pf === undefined || gfs2 === undefined || filemap === undefined || gfs2Again === undefined || filemapAgain === undefined) throw new Error('five faults expected');
    for (const [outer, inner] of [[pf, gfs2], [gfs2, filemap], [pf, gfs2Again], [gfs2Again, filemapAgain]] as const) {
      expect(inner.start).toBeGreaterThan(outer.start);
      expect(inner.end).toBeLessThanOrEqual(outer.end);
    }
    expect(gfs2Again.start).toBeGreaterThanOrEqual(gfs2.end);
    expect(Array.from(model.faults.row)).toEqual([0, 1, 2, 1, 2]);
    // Every step inside the do_page_fault box runs at depth 3 or deeper.
    expect(run.trace.slice(pf.start, pf.end).every((t) => t.depth >= 3)).toBe(true);
  });

  it('has no waits and no outcome marker, only the VM_FAULT_RETRY of the first attempt: the run completes', () => {
    expect(model.waits.count).toBe(0);
    expect(model.markers.count).toBe(0);
    const marks = points(model, 'events');
    expect(marks.map((m) => m.kind)).toEqual(['VM_FAULT_RETRY']);
    expect(model.strings[model.events.label[0] ?? -1]).toMatch(/^VM_FAULT_RETRY: /);
  });
});

describe('buildTimeline on failures', () => {
  it('gfs2-read-self under gfs2-5.15: a BUG marker at the last step, and no retry path', () => {
    const { model } = replayed('gfs2-read-self', 'gfs2-5.15');
    expect(points(model, 'markers')).toEqual([{ lane: 0, step: model.steps - 1, kind: 'bug', group: -1 }]);
    expect(model.strings[model.markers.label[0] ?? -1]).toContain('recursive glock');
    expect(model.path.count).toBe(0);
    // The read still holds its glock when the fault's request BUGs.
    const glock = spans(model, model.holds, LOCK_KINDS).filter((s) => s.kind === 'glock');
    expect(glock).toHaveLength(1);
    expect(glock[0]?.end).toBe(model.steps);
  });

  it('gfs2-abba-dio under gfs2-5.15: both tasks wait until the end, and a deadlock marker names the cycle', () => {
    const { model, pids } = replayed('gfs2-abba-dio', 'gfs2-5.15');
    expect(model.lanes).toBe(2);
    const waits = spans(model, model.waits, LOCK_KINDS);
    for (const lane of [0, 1]) {
      const mine = waits.filter((w) => w.lane === lane);
      expect(mine).toHaveLength(1);
      expect(mine[0]?.end).toBe(model.steps);
      expect(mine[0]?.kind).toBe('glock');
    }
    expect(waits.map((w) => w.label).sort()).toEqual(['waits for glock 2/F1', 'waits for glock 2/F2']);
    const markers = points(model, 'markers');
    expect(markers.map((m) => m.kind)).toEqual(['deadlock', 'deadlock']);
    expect(markers.every((m) => m.step === model.steps - 1)).toBe(true);
    expect(markers.map((m) => m.lane).sort()).toEqual([0, 1]);
    expect(model.pids).toEqual(pids);
    // Each holds its own DF glock to the end: the other half of the ABBA.
    const held = spans(model, model.holds, LOCK_KINDS).filter((s) => s.kind === 'glock');
    expect(held.map((h) => [h.lane, h.end])).toEqual([
      [0, model.steps],
      [1, model.steps],
    ]);
  });

  it('dax-truncate under dax-2015: a SIGBUS marker where the signal was sent', () => {
    const { model, run } = replayed('dax-truncate', 'dax-2015');
    const sigbus = points(model, 'markers').filter((m) => m.kind === 'sigbus');
    expect(sigbus).toHaveLength(1);
    const at = sigbus[0]?.step ?? -1;
    expect(run.states[at]?.signals).toHaveLength(0);
    expect(run.states[at + 1]?.signals).toHaveLength(1);
  });

  it('dax-truncate under dax-2015-norecheck: a use-after-free marker', () => {
    const { model } = replayed('dax-truncate', 'dax-2015-norecheck');
    expect(points(model, 'markers').map((m) => m.kind)).toContain('use-after-free');
  });

  it('lanes follow the given pid order, and unknown pids get no lane', () => {
    const { run } = replayed('gfs2-abba-dio', 'gfs2-5.15');
    const reversed = buildTimeline(run.trace, run.states, [102, 101]);
    expect(reversed.stepLane[0]).toBe(1);
    const onlyOne = buildTimeline(run.trace, run.states, [102]);
    expect(Array.from(onlyOne.stepLane).filter((l) => l === -1)).toHaveLength(run.trace.filter((t) => t.pid === 101).length);
    expect(Array.from(onlyOne.waits.lane).every((l) => l === 0)).toBe(true);
  });

  it('an empty replay is an empty timeline', () => {
    const { run, pids } = replayed('gfs2-read-self', 'gfs2-5.18');
    const empty = buildTimeline([], run.states.slice(0, 1), pids);
    expect(empty.steps).toBe(0);
    expect(empty.holds.count + empty.waits.count + empty.faults.count + empty.path.count + empty.markers.count).toBe(0);
  });
});

describe('syntheticTimeline', () => {
  const model = syntheticTimeline(10_000, 6, 1);

  it('has the asked number of steps and lanes, each lane used', () => {
    expect(model.steps).toBe(10_000);
    expect(model.lanes).toBe(6);
    expect(model.stepLane).toHaveLength(10_000);
    expect(new Set(model.stepLane).size).toBe(6);
  });

  it('has spans of every sort, sorted by start and inside the domain', () => {
    for (const set of [model.holds, model.waits, model.faults]) {
      expect(set.count).toBeGreaterThan(100);
      for (let i = 0; i < set.count; i++) {
        const start = set.start[i] ?? NaN;
        const end = set.end[i] ?? NaN;
        expect(start).toBeGreaterThanOrEqual(i > 0 ? (set.start[i - 1] ?? 0) : 0);
        expect(end).toBeGreaterThan(start);
        expect(end).toBeLessThanOrEqual(model.steps);
      }
    }
    expect(new Set(model.holds.kind).size).toBe(LOCK_KINDS.length);
    expect(model.path.count).toBeGreaterThan(50);
    expect(Math.max(...model.holdRows)).toBeLessThanOrEqual(3);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = syntheticTimeline(10_000, 6, 1);
    expect(Array.from(again.stepLane)).toEqual(Array.from(model.stepLane));
    expect(Array.from(again.holds.start)).toEqual(Array.from(model.holds.start));
    expect(Array.from(syntheticTimeline(10_000, 6, 2).stepLane)).not.toEqual(Array.from(model.stepLane));
  });

  it('scales to its size argument', () => {
    expect(syntheticTimeline(0, 3, 1).steps).toBe(0);
    expect(syntheticTimeline(100, 1, 1).lanes).toBe(1);
  });
});

describe('kernel events', () => {
  it('lock-page-retry under dax-2015: one VM_FAULT_RETRY on pid 101, at the step lock_page_or_retry gave up, not again where the handler returns it', () => {
    const { run, model } = replayed('lock-page-retry', 'dax-2015');
    const marks = points(model, 'events');
    expect(marks.map((m) => [m.lane, m.kind])).toEqual([[0, 'VM_FAULT_RETRY']]);
    const step = marks[0]?.step ?? -1;
    expect(run.trace[step]?.event).toBe('fault.retry');
    expect(run.trace[step]?.pid).toBe(101);
  });

  it('gfs2-abba-dio under gfs2-5.15 takes no VM_FAULT_RETRY and no failed glock try', () => {
    expect(replayed('gfs2-abba-dio', 'gfs2-5.15').model.events.count).toBe(0);
  });
});

describe('buildTimeline on pagecache-punch-fault under xfs-2015-mmaplock', () => {
  // XFS 4.1 fs/xfs/xfs_file.c: xfs_filemap_fault takes XFS_MMAPLOCK_SHARED around
  // filemap_fault; the frame a reader of the timeline looks for is that handler's.
  const { model } = replayed('pagecache-punch-fault', 'xfs-2015-mmaplock');

  it('nests filemap_fault inside xfs_filemap_fault inside do_page_fault', () => {
    const faults = spans(model, model.faults, ['?']);
    const labels = faults.map((f) => f.label);
    expect(labels.slice(0, 3)).toEqual(['do_page_fault', 'xfs_filemap_fault', 'filemap_fault']);
    const [pf, xfs, filemap] = faults;
    if (pf === undefined || xfs === undefined || filemap === undefined) throw new Error('three faults expected');
    expect(xfs.start).toBeGreaterThan(pf.start);
    expect(filemap.start).toBeGreaterThan(xfs.start);
    expect(filemap.end).toBeLessThanOrEqual(xfs.end);
    expect(xfs.end).toBeLessThanOrEqual(pf.end);
  });
});
