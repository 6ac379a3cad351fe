// The one classifier reads typed marks and machine roles, never labels: the
// retry path of a fix, the events the compare view counts, and the fault
// frames the timeline nests, asserted in kernel terms on real runs.
import { describe, expect, it } from 'vitest';
import type { VariantId } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import { findPreset } from '../scenarios/index.ts';
import { FAULT_FRAMES, PATH_EVENTS, faultFrameOf, pathEventsOf, pathKindOf, type PathEvent, type PathKind } from './pathevents.ts';
import { replay, type Replay } from './replay.ts';
import type { TraceStep } from './step.ts';

function run(id: string, variant: VariantId): Replay {
  const scenario = findPreset(id);
  const schedule = scenario?.schedules[0];
  if (scenario === undefined || schedule === undefined) throw new Error(`no preset ${id}`);
  return replay(buildSetup(scenario), variant, schedule.steps, { finish: true });
}

/** The retry path points of one task, in order, as the timeline draws them (a path never outlives its syscall). */
function pathOf(trace: readonly TraceStep[], pid: number): PathKind[] {
  const out: PathKind[] = [];
  let last: PathKind | undefined;
  for (const t of trace) {
    if (t.pid !== pid) continue;
    if (t.depth === 0) {
      last = undefined;
      continue;
    }
    const kind = pathKindOf(t, last !== undefined);
    if (kind === null || kind === last) continue;
    out.push(kind);
    last = kind === 'copy-done' ? undefined : kind;
  }
  return out;
}

function eventsOf(r: Replay): PathEvent[] {
  return r.trace.flatMap((t, i) => {
    const before = r.states[i];
    const after = r.states[i + 1];
    if (before === undefined || after === undefined) return [];
    const bits = pathEventsOf(t, before, after);
    return PATH_EVENTS.filter((_, b) => (bits & (1 << b)) !== 0);
  });
}

describe('path classifier', () => {
  it('gfs2-read-self under 5.18: the copy comes up short, the glock is dropped, the page faulted in, the glock re-acquired and the copy goes through', () => {
    const r = run('gfs2-read-self', 'gfs2-5.18');
    expect(r.outcome?.kind).toBe('completed');
    expect(pathOf(r.trace, 101)).toEqual(['copy-short', 'glock-dropped', 'fault-in', 'glock-reacquired', 'copy-done']);
    expect(eventsOf(r)).toContain('-EFAULT retry');
  });

  it('gfs2-read-self under 5.15: the fault BUGs on the recursive glock before any retry', () => {
    const r = run('gfs2-read-self', 'gfs2-5.15');
    expect(r.outcome?.kind).toBe('bug');
    expect(pathOf(r.trace, 101)).toEqual([]);
    expect(eventsOf(r)).not.toContain('-EFAULT retry');
  });

  it('a step with a mark but outside a read/write path is not on the retry path: gfs2_page_mkwrite takes its own glock', () => {
    const r = run('gfs2-read-mkwrite', 'gfs2-5.18');
    const mkwrite = r.trace.filter((t) => t.machine === 'gfs2_page_mkwrite' && t.marks.includes('glock-granted'));
    expect(mkwrite.length).toBeGreaterThan(0);
    for (const t of mkwrite) expect(pathKindOf(t, true)).toBeNull();
  });

  it('a step counts as VM_FAULT_RETRY by its mark alone, whatever its label says', () => {
    const r = run('gfs2-read-self', 'gfs2-5.18');
    const i = r.trace.findIndex((t) => t.marks.includes('vm-fault-retry'));
    const t = r.trace[i];
    const before = r.states[i];
    const after = r.states[i + 1];
    if (t === undefined || before === undefined || after === undefined) throw new Error('no VM_FAULT_RETRY in the run');
    expect(pathEventsOf({ ...t, label: '' }, before, after) & (1 << PATH_EVENTS.indexOf('VM_FAULT_RETRY'))).not.toBe(0);
    expect(pathEventsOf({ ...t, marks: [] }, before, after)).toBe(0);
  });

  it('fault frames are the machines whose role is fault', () => {
    expect(FAULT_FRAMES).toEqual(expect.arrayContaining(['do_page_fault', 'filemap_fault', 'gfs2_fault', 'gfs2_page_mkwrite', 'do_dax_fault', 'vm_ops_fault', 'xfs_filemap_fault']));
    expect(faultFrameOf('gfs2_file_read_iter (5.18)')).toBe(-1);
    expect(faultFrameOf('do_page_fault')).toBeGreaterThanOrEqual(0);
  });
});
