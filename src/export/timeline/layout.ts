/**
 * Where each lane and each row inside it sits, in CSS pixels from the top of
 * the plot. Both renderers (render.ts), the page's lane labels and the SVG
 * document's read it, so a label always lines up with its band. Lanes grow with the hold slots and fault
 * levels they need; the retry row is there only when some lane has a retry
 * path (every lane the same rows in the same order either way).
 */
import type { TimelineModel } from './model.ts';

/** Outcome markers and kernel events (VM_FAULT_RETRY) sit above the steps, so they never cover a step's label. */
export const MARK_ROW = 15;
/** Two lines of a step's label. */
export const STEP_ROW = 28;
export const FAULT_ROW = 10;
export const HOLD_ROW = 13;
export const WAIT_ROW = 13;
export const PATH_ROW = 22;
/** Space between a bar's edge and its label. */
export const TEXT_PAD = 3;
/** Where each retry-path point sits in its row (0 top, 1 bottom): the path dips into the fault-in and climbs back. */
const PATH_Y = [0.3, 0.6, 0.88, 0.6, 0.12];
const PAD = 5;
const GAP = 2;

export interface LaneBand {
  readonly top: number;
  readonly height: number;
  readonly markTop: number;
  readonly stepTop: number;
  readonly faultTop: number;
  readonly faultRows: number;
  readonly holdTop: number;
  readonly holdRows: number;
  readonly waitTop: number;
  readonly pathTop: number;
  /** 1 when the timeline has a retry path, else 0: the row takes no room. */
  readonly pathRows: number;
}

export interface TimelineLayout {
  readonly lanes: readonly LaneBand[];
  readonly height: number;
}

export function laneLayout(model: Pick<TimelineModel, 'lanes' | 'holdRows' | 'faultRows'> & { readonly path?: { readonly count: number } }): TimelineLayout {
  const lanes: LaneBand[] = [];
  const pathRows = (model.path?.count ?? 1) > 0 ? 1 : 0;
  let top = 0;
  for (let lane = 0; lane < model.lanes; lane++) {
    // At least one row each, so every lane has the same rows in the same order.
    const faultRows = Math.max(1, model.faultRows[lane] ?? 0);
    const holdRows = Math.max(1, model.holdRows[lane] ?? 0);
    const markTop = top + PAD;
    const stepTop = markTop + MARK_ROW + GAP;
    const faultTop = stepTop + STEP_ROW + GAP;
    const holdTop = faultTop + faultRows * FAULT_ROW + GAP;
    const waitTop = holdTop + holdRows * HOLD_ROW + GAP;
    const pathTop = waitTop + WAIT_ROW + GAP;
    const bottom = pathTop + pathRows * (PATH_ROW + GAP) - GAP + PAD;
    lanes.push({ top, height: bottom - top, markTop, stepTop, faultTop, faultRows, holdTop, holdRows, waitTop, pathTop, pathRows });
    top = bottom;
  }
  return { lanes, height: Math.max(top, 40) };
}

/** The lane under a y position, or -1. */
export function laneAt(layout: TimelineLayout, y: number): number {
  return layout.lanes.findIndex((b) => y >= b.top && y < b.top + b.height);
}

/** The y of a retry-path point of `kind` (an index into PATH_KINDS) in a lane. */
export function pathY(band: LaneBand, kind: number): number {
  return band.pathTop + 2 + (PATH_ROW - 4) * (PATH_Y[kind] ?? 0.5);
}

/**
 * Ticks at whole steps only, about one per 90 px of a plot showing logical
 * time [from, to]: a tick is a cursor position. The spacing is D3's for a
 * linear scale (d3-array's tickSpec: 1, 2 or 5 times a power of ten, the
 * nearest to the span over the count), written out here because the engine
 * does not import D3 and the CLI's SVG needs the page's ticks;
 * layout.test.ts holds it to `scaleLinear().ticks()`.
 */
export function stepTicks(from: number, to: number, width: number): number[] {
  const count = Math.max(2, Math.floor(width / 90));
  if (!(to > from)) return from === to && Number.isInteger(from) ? [from] : [];
  const raw = (to - from) / count;
  const power = Math.floor(Math.log10(raw));
  const error = raw / 10 ** power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  // Below one step apart every whole step is a tick (D3's fractional ticks, filtered to the integers).
  const spacing = power < 0 ? 1 : 10 ** power * factor;
  let first = Math.round(from / spacing);
  let last = Math.round(to / spacing);
  if (first * spacing < from) first++;
  if (last * spacing > to) last--;
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(i * spacing);
  return ticks;
}
