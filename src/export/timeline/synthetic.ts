/**
 * A made-up timeline for the bench and the renderers' size tests: `events`
 * steps spread over `lanes` tasks in bursts, with holds, waits, nested
 * faults, retry paths and a few markers in proportions like a busy replay's.
 * Deterministic for a seed. Not a replay: nothing here comes from the kernel.
 */
import { seededRandom } from '../../sim/seeded.ts';
import { FAULT_MACHINES, LOCK_KINDS, MARKER_KINDS, MARKER_TEXT, PATH_KINDS, PATH_LABELS, Strings, assemble, type RawPoint, type RawSpan, type TimelineModel } from './model.ts';

interface SynthLane {
  depth: number;
  lastStep: number;
  holds: Map<number, { start: number; label: number }>;
  faults: { depth: number; kind: number; start: number; label: number }[];
  path: { group: number; next: number } | null;
}

export function syntheticTimeline(events: number, lanes: number, seed: number): TimelineModel {
  const steps = Math.max(0, Math.floor(events));
  const laneCount = Math.max(1, Math.floor(lanes));
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const strings = new Strings();
  const pids = Array.from({ length: laneCount }, (_, i) => 101 + i);
  const files = ['F', 'F1', 'F2', 'F3'];
  const holdLabel = (kind: number) => {
    const file = files[pick(files.length)] ?? 'F';
    const names = [`glock 2/${file} SH · gfs2_file_read_iter`, 'mmap_lock of mm 0 read', `i_rwsem of ${file} write`, `page lock of page ${file}:${pick(8)}`, `i_mmap_rwsem of ${file} read`, `invalidate_lock of ${file} read`];
    return strings.id(names[kind] ?? 'lock');
  };
  const state: SynthLane[] = pids.map(() => ({ depth: 0, lastStep: -1, holds: new Map(), faults: [], path: null }));
  const stepLane = new Int32Array(steps);
  const stepDepth = new Uint8Array(steps);
  const holds: RawSpan[] = [];
  const waits: RawSpan[] = [];
  const faults: RawSpan[] = [];
  const path: RawPoint[] = [];
  const markers: RawPoint[] = [];
  let groups = 0;
  let lane = 0;
  let burst = 0;
  for (let i = 0; i < steps; i++) {
    if (burst <= 0) {
      lane = pick(laneCount);
      burst = 1 + pick(8);
    }
    burst--;
    const s = state[lane];
    if (s === undefined) continue;
    // A task that sat out a long stretch was blocked for part of it.
    if (i - s.lastStep > 6 && random() < 0.6) {
      const kind = pick(LOCK_KINDS.length);
      waits.push({ lane, start: s.lastStep + 1 + pick(3), end: i, kind, row: 0, label: strings.id(`waits for ${LOCK_KINDS[kind] ?? 'lock'}`) });
    }
    s.lastStep = i;
    s.depth = Math.max(0, Math.min(5, s.depth + pick(3) - 1));
    stepLane[i] = lane;
    stepDepth[i] = s.depth;
    while (s.faults.length > 0 && (s.faults.at(-1)?.depth ?? 0) > s.depth) {
      const f = s.faults.pop();
      if (f !== undefined) faults.push({ lane, start: f.start, end: i, kind: f.kind, row: s.faults.length, label: f.label });
    }
    if (s.depth >= 2 && s.faults.length < 3 && (s.faults.at(-1)?.depth ?? 0) < s.depth && random() < 0.3) {
      const kind = pick(FAULT_MACHINES.length);
      s.faults.push({ depth: s.depth, kind, start: i, label: strings.id(FAULT_MACHINES[kind] ?? 'fault') });
    }
    for (const [kind, h] of s.holds) {
      if (random() < 0.05) {
        holds.push({ lane, start: h.start, end: i, kind, row: 0, label: h.label });
        s.holds.delete(kind);
      }
    }
    if (s.holds.size < 3 && random() < 0.1) {
      const kind = pick(LOCK_KINDS.length);
      if (!s.holds.has(kind)) s.holds.set(kind, { start: i, label: holdLabel(kind) });
    }
    if (s.path === null && random() < 0.01) s.path = { group: groups++, next: 0 };
    if (s.path !== null && random() < 0.5) {
      const kind = s.path.next;
      path.push({ lane, step: i, kind, group: s.path.group, label: strings.id(PATH_LABELS[PATH_KINDS[kind] ?? 'copy-done']) });
      s.path = kind + 1 < PATH_KINDS.length ? { group: s.path.group, next: kind + 1 } : null;
    }
    if (random() < 0.0005) {
      const kind = pick(MARKER_KINDS.length);
      markers.push({ lane, step: i, kind, group: -1, label: strings.id(`${MARKER_TEXT[MARKER_KINDS[kind] ?? 'bug']}: synthetic`) });
    }
  }
  state.forEach((s, l) => {
    for (const [kind, h] of s.holds) holds.push({ lane: l, start: h.start, end: steps, kind, row: 0, label: h.label });
    s.faults.forEach((f, level) => faults.push({ lane: l, start: f.start, end: steps, kind: f.kind, row: level, label: f.label }));
  });
  return assemble({ steps, pids, stepLane, stepDepth, holds, waits: waits.filter((w) => w.end > w.start), faults: faults.filter((f) => f.end > f.start), path, markers, events: [], strings });
}
