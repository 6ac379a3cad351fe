/**
 * The timeline's data: a replay (trace and states) flattened into typed
 * arrays that the canvas paints from without allocating per event. One lane
 * per task, in the order the caller gives; logical time i..i+1 is step i.
 *
 * A span covers step i when its condition holds in states[i + 1], the state
 * after the step. A hold bar therefore starts with the step that took the
 * lock and stops before the step that released it, and what the bars show
 * just left of the cursor line (x = cursor) is what the state at the cursor
 * holds. Fault frames are flame-chart boxes over the steps run inside them.
 *
 * Pure: no DOM, no React, no D3. Strings are interned once in `strings`;
 * spans and points refer to them by index.
 */
import type { Pid } from '../../kernel/ids.ts';
import { holdsIn } from '../../sim/holds.ts';
import { baseMachine } from '../../threads/registry.ts';
import { OUTCOME_KINDS, outcomeOf, waitEdges, type OutcomeKind } from '../../sim/outcome.ts';
import { FAULT_FRAMES, PATH_EVENTS, PATH_KINDS, faultFrameOf, pathEventsOf, pathKindOf, type PathEvent, type PathKind } from '../../sim/pathevents.ts';
import type { TraceStep } from '../../sim/step.ts';
import type { SystemState } from '../../sim/system.ts';

/** Lock kinds, by index: the `kind` of a hold or wait span. Each gets its own colour. */
export const LOCK_KINDS = ['glock', 'mmap_sem', 'i_rwsem', 'page', 'i_mmap', 'invalidate_lock', 'named'] as const;
export type LockKind = (typeof LOCK_KINDS)[number];

/** Fault handlers, whose frames are drawn as nested fault spans: the `kind` of a fault span (sim/pathevents.ts). */
export const FAULT_MACHINES = FAULT_FRAMES;

/** The points of a retry path (sim/pathevents.ts). */
export { PATH_KINDS, type PathKind };

/** How a run can end, each drawn as a marker at the step that ended it. */
export type MarkerKind = Exclude<OutcomeKind, 'completed'>;
export const MARKER_KINDS: readonly MarkerKind[] = OUTCOME_KINDS.filter((k): k is MarkerKind => k !== 'completed');

/**
 * Kernel events marked above the step that took them, as the engine names
 * them (sim/pathevents.ts, the events the compare view counts). The -EFAULT
 * retry has its own path and SIGBUS its outcome marker; a fault's
 * VM_FAULT_RETRY (lock_page_or_retry dropping mmap_sem) and a glock try
 * that failed would otherwise show only as a gap.
 */
export const EVENT_KINDS = ['VM_FAULT_RETRY', 'GLR_TRYFAILED'] as const satisfies readonly PathEvent[];

/** Intervals in logical time, sorted by start, so a painter can stop at the first one past the right edge. */
export interface Spans {
  readonly count: number;
  readonly lane: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  /** Index into LOCK_KINDS (holds, waits) or FAULT_MACHINES (faults). */
  readonly kind: Uint8Array;
  /** Row inside the lane's band: the hold slot, or the fault's nesting level. */
  readonly row: Uint8Array;
  /** Index into `TimelineModel.strings`. */
  readonly label: Int32Array;
}

/** Points at steps, sorted by step. */
export interface Points {
  readonly count: number;
  readonly lane: Int32Array;
  readonly step: Int32Array;
  /** Index into PATH_KINDS (path) or MARKER_KINDS (markers). */
  readonly kind: Uint8Array;
  /** Points with the same group are one connected retry path; -1 for markers. */
  readonly group: Int32Array;
  readonly label: Int32Array;
}

export interface TimelineModel {
  /** Number of steps: the x domain is [0, steps]. */
  readonly steps: number;
  readonly lanes: number;
  /** The task shown in each lane. */
  readonly pids: readonly Pid[];
  /** Per step: the stepping task's lane (-1 if it has none) and its frame depth. */
  readonly stepLane: Int32Array;
  readonly stepDepth: Uint8Array;
  readonly maxDepth: number;
  readonly holds: Spans;
  readonly waits: Spans;
  readonly faults: Spans;
  /** Per lane: how many hold slots and fault nesting levels its band needs. */
  readonly holdRows: Uint8Array;
  readonly faultRows: Uint8Array;
  readonly path: Points;
  readonly markers: Points;
  /** Index into EVENT_KINDS. */
  readonly events: Points;
  readonly strings: readonly string[];
}

/* ------------------------------------------------------------------ */
/* Builders: plain arrays while collecting, typed arrays when done.    */
/* ------------------------------------------------------------------ */

export class Strings {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  id(text: string): number {
    const known = this.index.get(text);
    if (known !== undefined) return known;
    this.list.push(text);
    this.index.set(text, this.list.length - 1);
    return this.list.length - 1;
  }
}

export interface RawSpan {
  readonly lane: number;
  readonly start: number;
  readonly end: number;
  readonly kind: number;
  readonly row: number;
  readonly label: number;
}

/** Greedy interval partitioning per lane: each span takes the first row free at its start. */
function packRows(sorted: readonly RawSpan[], lanes: number): { spans: RawSpan[]; rows: Uint8Array } {
  const rowEnds: number[][] = Array.from({ length: lanes }, () => []);
  const rows = new Uint8Array(lanes);
  const spans = sorted.map((s) => {
    const ends = rowEnds[s.lane];
    if (ends === undefined) return s;
    let row = ends.findIndex((end) => end <= s.start);
    if (row < 0) row = ends.length;
    ends[row] = s.end;
    rows[s.lane] = Math.max(rows[s.lane] ?? 0, Math.min(255, row + 1));
    return { ...s, row: Math.min(255, row) };
  });
  return { spans, rows };
}

function byStart(a: RawSpan, b: RawSpan): number {
  return a.start - b.start || a.lane - b.lane || a.row - b.row;
}

function toSpans(raw: readonly RawSpan[]): Spans {
  const count = raw.length;
  const spans = {
    count,
    lane: new Int32Array(count),
    start: new Float64Array(count),
    end: new Float64Array(count),
    kind: new Uint8Array(count),
    row: new Uint8Array(count),
    label: new Int32Array(count),
  };
  raw.forEach((s, i) => {
    spans.lane[i] = s.lane;
    spans.start[i] = s.start;
    spans.end[i] = s.end;
    spans.kind[i] = s.kind;
    spans.row[i] = s.row;
    spans.label[i] = s.label;
  });
  return spans;
}

/** Per-lane row counts when each span's row is already decided (fault nesting). */
function rowsUsed(raw: readonly RawSpan[], lanes: number): Uint8Array {
  const rows = new Uint8Array(lanes);
  for (const s of raw) rows[s.lane] = Math.max(rows[s.lane] ?? 0, Math.min(255, s.row + 1));
  return rows;
}

export interface RawPoint {
  readonly lane: number;
  readonly step: number;
  readonly kind: number;
  readonly group: number;
  readonly label: number;
}

function toPoints(raw: readonly RawPoint[]): Points {
  const sorted = raw.slice().sort((a, b) => a.step - b.step || a.lane - b.lane);
  const count = sorted.length;
  const points = { count, lane: new Int32Array(count), step: new Int32Array(count), kind: new Uint8Array(count), group: new Int32Array(count), label: new Int32Array(count) };
  sorted.forEach((p, i) => {
    points.lane[i] = p.lane;
    points.step[i] = p.step;
    points.kind[i] = p.kind;
    points.group[i] = p.group;
    points.label[i] = p.label;
  });
  return points;
}

/**
 * Spans of a condition that is on or off per step. `open` starts one (or
 * keeps it going), and `closeMissing` ends every span not touched since the
 * previous call.
 */
class Intervals {
  private readonly live = new Map<string, { lane: number; start: number; kind: number; label: number; seen: boolean }>();
  readonly done: RawSpan[] = [];
  open(key: string, lane: number, at: number, kind: number, label: number): void {
    const span = this.live.get(key);
    if (span !== undefined) span.seen = true;
    else this.live.set(key, { lane, start: at, kind, label, seen: true });
  }
  closeMissing(at: number): void {
    for (const [key, span] of this.live) {
      if (span.seen) {
        span.seen = false;
        continue;
      }
      if (at > span.start) this.done.push({ lane: span.lane, start: span.start, end: at, kind: span.kind, row: 0, label: span.label });
      this.live.delete(key);
    }
  }
  closeAll(at: number): void {
    for (const span of this.live.values()) span.seen = false;
    this.closeMissing(at);
  }
}

/* ------------------------------------------------------------------ */
/* Holds and waits, read off each state's kernel.                     */
/* ------------------------------------------------------------------ */

/** A hold as the timeline draws it: `key` tells holds apart across states within one lane. */
interface HoldRef {
  readonly pid: Pid;
  readonly key: string;
  readonly kind: LockKind;
  readonly label: string;
}

export function lockKindIndex(kind: LockKind): number {
  return LOCK_KINDS.indexOf(kind);
}

/** Every hold in a state (sim/holds.ts), keyed and labelled for a bar. */
function holdRefsIn(state: SystemState): readonly HoldRef[] {
  return holdsIn(state).map((h) => ({
    pid: h.pid,
    key: h.caller === null ? `${h.lockKey}:${h.mode ?? ''}` : `${h.lockKey}:${h.mode ?? ''}:${h.caller}`,
    kind: h.lock.kind,
    label: h.caller !== null ? `${h.name} ${h.mode ?? ''} · ${h.caller}` : h.mode === null ? h.name : `${h.name} ${h.mode}`,
  }));
}

function holdSpans(states: readonly SystemState[], steps: number, laneOf: ReadonlyMap<Pid, number>, strings: Strings): RawSpan[] {
  const spans = new Intervals();
  for (let k = 1; k <= steps; k++) {
    const state = states[k];
    if (state === undefined) break;
    for (const hold of holdRefsIn(state)) {
      const lane = laneOf.get(hold.pid);
      if (lane === undefined) continue;
      spans.open(`${lane}|${hold.key}`, lane, k - 1, lockKindIndex(hold.kind), strings.id(hold.label));
    }
    spans.closeMissing(k - 1);
  }
  spans.closeAll(steps);
  return spans.done;
}

function waitSpans(states: readonly SystemState[], steps: number, laneOf: ReadonlyMap<Pid, number>, strings: Strings): RawSpan[] {
  const spans = new Intervals();
  for (let k = 1; k <= steps; k++) {
    const state = states[k];
    if (state === undefined) break;
    for (const edge of waitEdges(state)) {
      const lane = laneOf.get(edge.pid);
      if (lane === undefined) continue;
      spans.open(`${lane}|${edge.lockName}`, lane, k - 1, lockKindIndex(edge.lock.kind), strings.id(`waits for ${edge.lockName}`));
    }
    spans.closeMissing(k - 1);
  }
  spans.closeAll(steps);
  return spans.done;
}

/* ------------------------------------------------------------------ */
/* Fault frames and retry paths, read off the trace.                  */
/* ------------------------------------------------------------------ */

function faultSpans(trace: readonly TraceStep[], steps: number, laneOf: ReadonlyMap<Pid, number>, strings: Strings): RawSpan[] {
  const done: RawSpan[] = [];
  const open = new Map<Pid, { depth: number; kind: number; start: number; lane: number; label: number }[]>();
  const close = (frame: { kind: number; start: number; lane: number; label: number }, level: number, end: number) => {
    if (end > frame.start) done.push({ lane: frame.lane, start: frame.start, end, kind: frame.kind, row: level, label: frame.label });
  };
  for (let i = 0; i < steps; i++) {
    const t = trace[i];
    if (t === undefined) break;
    const lane = laneOf.get(t.pid);
    if (lane === undefined) continue;
    const frames = open.get(t.pid) ?? [];
    open.set(t.pid, frames);
    // Frames deeper than the stepping one have ended (the stack was cut under them).
    let top = frames.at(-1);
    while (top !== undefined && top.depth > t.depth) {
      close(top, frames.length - 1, i);
      frames.pop();
      top = frames.at(-1);
    }
    if (t.returned && top !== undefined && top.depth === t.depth) {
      close(top, frames.length - 1, i + 1);
      frames.pop();
    }
    const kind = faultFrameOf(t.call);
    const depth = t.returned ? t.depth : t.depth + 1;
    if (t.call !== null && kind >= 0 && depth >= 2) frames.push({ depth, kind, start: i + 1, lane, label: strings.id(baseMachine(t.call)) });
  }
  for (const frames of open.values()) frames.forEach((f, level) => close(f, level, steps));
  return done;
}

export const PATH_LABELS: Record<PathKind, string> = {
  'copy-short': 'copy short → -EFAULT',
  'glock-dropped': 'glock dropped',
  'fault-in': 'fault-in',
  'glock-reacquired': 'glock re-acquired',
  'copy-done': 'copy succeeds',
};

function retryPaths(trace: readonly TraceStep[], steps: number, laneOf: ReadonlyMap<Pid, number>, strings: Strings): RawPoint[] {
  const points: RawPoint[] = [];
  const open = new Map<Pid, { group: number; last: PathKind }>();
  let groups = 0;
  for (let i = 0; i < steps; i++) {
    const t = trace[i];
    if (t === undefined) break;
    const lane = laneOf.get(t.pid);
    if (lane === undefined) continue;
    // The task frame (depth 0) runs between syscalls: a path never outlives its syscall.
    if (t.depth === 0) {
      open.delete(t.pid);
      continue;
    }
    const path = open.get(t.pid);
    const kind = pathKindOf(t, path !== undefined);
    if (kind === null || kind === path?.last) continue;
    const group = path?.group ?? groups++;
    points.push({ lane, step: i, kind: PATH_KINDS.indexOf(kind), group, label: strings.id(PATH_LABELS[kind]) });
    if (kind === 'copy-done') open.delete(t.pid);
    else open.set(t.pid, { group, last: kind });
  }
  return points;
}

/* ------------------------------------------------------------------ */
/* Outcome markers.                                                   */
/* ------------------------------------------------------------------ */

export const MARKER_TEXT: Record<MarkerKind, string> = {
  bug: 'BUG',
  deadlock: 'deadlock',
  sigbus: 'SIGBUS',
  'use-after-free': 'use-after-free',
  livelock: 'livelock',
  'invariant-violation': 'invariant',
};

export function markerText(kind: number): string {
  const name = MARKER_KINDS[kind];
  return name === undefined ? '' : MARKER_TEXT[name];
}

/** Where a mark sits in time: at the end of its step, where the cursor shows the state the step left. */
export function markAt(step: number): number {
  return step + 1;
}

function outcomeMarkers(trace: readonly TraceStep[], states: readonly SystemState[], steps: number, laneOf: ReadonlyMap<Pid, number>, strings: Strings): RawPoint[] {
  const markers: RawPoint[] = [];
  const add = (kind: MarkerKind, pid: Pid | undefined, step: number, message: string) => {
    const lane = pid === undefined ? -1 : (laneOf.get(pid) ?? -1);
    markers.push({ lane, step, kind: MARKER_KINDS.indexOf(kind), group: -1, label: strings.id(`${MARKER_TEXT[kind]}: ${message}`) });
  };
  for (let k = 1; k <= steps; k++) {
    const before = states[k - 1];
    const after = states[k];
    if (before === undefined || after === undefined) break;
    const stepper = trace[k - 1]?.pid;
    const stop = after.stopped;
    if (stop !== null && before.stopped === null) add(stop.kind, 'pid' in stop ? stop.pid : stepper, k - 1, stop.message);
    for (const signal of after.signals.slice(before.signals.length)) add('sigbus', signal.pid, k - 1, signal.message);
  }
  const last = states[steps];
  const outcome = last === undefined || steps === 0 ? null : outcomeOf(last);
  if (outcome?.kind === 'deadlock') {
    const pids = outcome.cycle.length > 0 ? outcome.cycle.map((e) => e.pid) : [undefined];
    for (const pid of pids) add('deadlock', pid, steps - 1, outcome.message);
  }
  return markers;
}

/**
 * The steps that took one of EVENT_KINDS, on the stepping task's lane. A
 * VM_FAULT_RETRY travels up the stack as a return value (filemap_fault
 * returns it, the fault handler acts on it): it is marked once, at the step
 * that decided it, not again at each caller it is returned through.
 */
function eventMarks(trace: readonly TraceStep[], states: readonly SystemState[], steps: number, laneOf: ReadonlyMap<Pid, number>, strings: Strings): RawPoint[] {
  const marks: RawPoint[] = [];
  // Per task: the events still on their way up through returns.
  const returning = new Map<Pid, number>();
  for (let i = 0; i < steps; i++) {
    const t = trace[i];
    const before = states[i];
    const after = states[i + 1];
    if (t === undefined || before === undefined || after === undefined) break;
    const bits = pathEventsOf(t, before, after);
    const carried = returning.get(t.pid) ?? 0;
    returning.set(t.pid, t.returned ? carried | bits : bits);
    const fresh = bits & ~carried;
    if (fresh === 0) continue;
    EVENT_KINDS.forEach((kind, k) => {
      if ((fresh & (1 << PATH_EVENTS.indexOf(kind))) === 0) return;
      marks.push({ lane: laneOf.get(t.pid) ?? -1, step: i, kind: k, group: -1, label: strings.id(`${kind}: ${t.label}`) });
    });
  }
  return marks;
}

/* ------------------------------------------------------------------ */

export function assemble(parts: {
  steps: number;
  pids: readonly Pid[];
  stepLane: Int32Array;
  stepDepth: Uint8Array;
  holds: RawSpan[];
  waits: RawSpan[];
  faults: RawSpan[];
  path: RawPoint[];
  markers: RawPoint[];
  events: RawPoint[];
  strings: Strings;
}): TimelineModel {
  const lanes = parts.pids.length;
  const holds = packRows(parts.holds.sort(byStart), lanes);
  const faults = parts.faults.sort(byStart);
  let maxDepth = 0;
  for (const d of parts.stepDepth) maxDepth = Math.max(maxDepth, d);
  return {
    steps: parts.steps,
    lanes,
    pids: parts.pids,
    stepLane: parts.stepLane,
    stepDepth: parts.stepDepth,
    maxDepth,
    holds: toSpans(holds.spans),
    holdRows: holds.rows,
    waits: toSpans(parts.waits.sort(byStart)),
    faults: toSpans(faults),
    faultRows: rowsUsed(faults, lanes),
    path: toPoints(parts.path),
    markers: toPoints(parts.markers),
    events: toPoints(parts.events),
    strings: parts.strings.list,
  };
}

/**
 * The timeline of a replay: states[i] is the system after i steps, so
 * states.length should be trace.length + 1 (extra entries are ignored).
 */
export function buildTimeline(trace: readonly TraceStep[], states: readonly SystemState[], pids: readonly Pid[]): TimelineModel {
  const steps = Math.max(0, Math.min(trace.length, states.length - 1));
  const laneOf = new Map(pids.map((pid, lane) => [pid, lane]));
  const strings = new Strings();
  const stepLane = new Int32Array(steps);
  const stepDepth = new Uint8Array(steps);
  for (let i = 0; i < steps; i++) {
    const t = trace[i];
    stepLane[i] = t === undefined ? -1 : (laneOf.get(t.pid) ?? -1);
    stepDepth[i] = Math.min(255, t?.depth ?? 0);
  }
  return assemble({
    steps,
    pids,
    stepLane,
    stepDepth,
    holds: holdSpans(states, steps, laneOf, strings),
    waits: waitSpans(states, steps, laneOf, strings),
    faults: faultSpans(trace, steps, laneOf, strings),
    path: retryPaths(trace, steps, laneOf, strings),
    markers: outcomeMarkers(trace, states, steps, laneOf, strings),
    events: eventMarks(trace, states, steps, laneOf, strings),
    strings,
  });
}

/* ------------------------------------------------------------------ */
/* A synthetic timeline for the bench and tests.                      */
/* ------------------------------------------------------------------ */

/** Spans of one lane that cover step i (time i..i+1): what the tooltip lists for the lane under the pointer. */
export function spansAt(spans: Spans, lane: number, step: number): number[] {
  const found: number[] = [];
  for (let i = 0; i < spans.count; i++) {
    if ((spans.start[i] ?? Infinity) > step) break;
    if (spans.lane[i] === lane && (spans.end[i] ?? -Infinity) > step) found.push(i);
  }
  return found;
}

/** The same timeline over a longer x domain, so two runs drawn one above the other line up step for step. */
export function withDomain(model: TimelineModel, steps: number): TimelineModel {
  if (steps <= model.steps) return model;
  const stepLane = new Int32Array(steps).fill(-1);
  stepLane.set(model.stepLane);
  const stepDepth = new Uint8Array(steps);
  stepDepth.set(model.stepDepth);
  return { ...model, steps, stepLane, stepDepth };
}
