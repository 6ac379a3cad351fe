/**
 * Paints a timeline model onto a 2D canvas, in CSS pixels (the caller sets
 * the device-pixel-ratio transform). Reads only the model's typed arrays and
 * the current x mapping; allocates nothing per event.
 *
 * Habits borrowed from trace viewers (Perfetto's slice tracks): skip what is
 * off screen (spans are sorted by start, so a pass stops at the first one
 * past the right edge), draw many sub-pixel steps as one pixel column, batch
 * fills by colour so fillStyle is set a handful of times per frame, and
 * label only boxes wide enough for their text. Step labels and the badges of
 * outcome markers and kernel events are DOM over the canvas (Timeline.tsx):
 * they wrap, and a test can read them; the canvas draws the markers' lines.
 */
import { FAULT_ROW, HOLD_ROW, STEP_ROW, TEXT_PAD, WAIT_ROW, pathY, type LaneBand, type TimelineLayout } from './layout.ts';
import { LOCK_KINDS, PATH_KINDS, markAt, type Spans, type TimelineModel } from './model.ts';
import {
  BACKGROUND,
  DEPTHS,
  FAULT_LEVELS,
  GRID,
  HOVER,
  LANE_RULE,
  LOCK_SWATCHES,
  MARKER_COLOURS,
  PATH_COLOURS,
  PATH_LINE,
  PATH_SHORT,
  WAIT,
  depthColour,
  faultSwatch,
  type Swatch,
} from './palette.ts';

export interface PaintScene {
  readonly model: TimelineModel;
  readonly layout: TimelineLayout;
  /** x in CSS pixels = scale * t + offset, for logical time t. */
  readonly scale: number;
  readonly offset: number;
  readonly width: number;
  readonly height: number;
  /** Grid lines, in logical time. */
  readonly ticks: readonly number[];
  readonly hoverStep: number;
}

const FONT = '10px system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif';
const BOLD = `600 ${FONT}`;

/** Text widths, measured once per string and font. */
export class TextMeasure {
  private readonly widths = new Map<string, number>();
  private charWidth = 0;
  constructor(private readonly ctx: CanvasRenderingContext2D) {}

  width(text: string): number {
    const key = `${this.ctx.font}\u0000${text}`;
    let w = this.widths.get(key);
    if (w === undefined) {
      if (this.widths.size > 4000) this.widths.clear();
      w = this.ctx.measureText(text).width;
      this.widths.set(key, w);
    }
    return w;
  }

  /** The text if it fits in `room` pixels, else a prefix with an ellipsis, else null. */
  fit(text: string, room: number): string | null {
    if (room < 24) return null;
    if (this.width(text) + 2 * TEXT_PAD <= room) return text;
    if (this.charWidth === 0) this.charWidth = this.ctx.measureText('abcdefghijklmnopqrstuvwxyz0123456789').width / 36;
    // Estimate from an average character, then shorten until it really fits (wide glyphs).
    for (let chars = Math.floor((room - 2 * TEXT_PAD) / this.charWidth) - 1; chars >= 6; chars--) {
      const short = `${text.slice(0, chars)}…`;
      if (this.width(short) + 2 * TEXT_PAD <= room) return short;
    }
    // Fewer than six characters says nothing and clutters; leave those to the tooltip.
    return null;
  }
}

/** Per-model scratch space, so a frame does not allocate. */
interface Scratch {
  readonly lastPx: Float64Array;
  readonly groupX: Float64Array;
  readonly groupY: Float64Array;
  /** Per path point: the step of the next point in its group, or -1. */
  readonly nextStep: Int32Array;
}
const scratchOf = new WeakMap<TimelineModel, Scratch>();

function scratch(model: TimelineModel): Scratch {
  let s = scratchOf.get(model);
  if (s !== undefined) return s;
  let groups = 0;
  for (const g of model.path.group) groups = Math.max(groups, g + 1);
  const nextStep = new Int32Array(model.path.count).fill(-1);
  const lastIndex = new Int32Array(groups).fill(-1);
  for (let i = 0; i < model.path.count; i++) {
    const g = model.path.group[i] ?? -1;
    if (g < 0) continue;
    const prev = lastIndex[g] ?? -1;
    if (prev >= 0) nextStep[prev] = model.path.step[i] ?? -1;
    lastIndex[g] = i;
  }
  s = { lastPx: new Float64Array(Math.max(1, model.lanes * 8)), groupX: new Float64Array(groups), groupY: new Float64Array(groups), nextStep };
  scratchOf.set(model, s);
  return s;
}

const patterns = new WeakMap<CanvasRenderingContext2D, CanvasPattern | null>();

/** Diagonal hatching for waits: blocked time must read as different from any hold, even in greyscale. */
function hatch(ctx: CanvasRenderingContext2D): CanvasPattern | null {
  if (patterns.has(ctx)) return patterns.get(ctx) ?? null;
  const tile = document.createElement('canvas');
  tile.width = 6;
  tile.height = 6;
  const t = tile.getContext('2d');
  let pattern: CanvasPattern | null = null;
  if (t !== null) {
    t.strokeStyle = 'rgba(80, 0, 0, 0.45)';
    t.lineWidth = 1.5;
    t.beginPath();
    t.moveTo(-1, 7);
    t.lineTo(7, -1);
    t.moveTo(5, 7);
    t.lineTo(7, 5);
    t.moveTo(-1, 1);
    t.lineTo(1, -1);
    t.stroke();
    pattern = ctx.createPattern(tile, 'repeat');
  }
  patterns.set(ctx, pattern);
  return pattern;
}

export function paintTimeline(ctx: CanvasRenderingContext2D, scene: PaintScene, text: TextMeasure): void {
  const { width, height } = scene;
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, width, height);
  ctx.font = FONT;
  ctx.textBaseline = 'middle';
  paintHover(ctx, scene);
  paintGrid(ctx, scene);
  paintSteps(ctx, scene);
  paintFaults(ctx, scene, text);
  paintHolds(ctx, scene, text);
  paintWaits(ctx, scene, text);
  paintPaths(ctx, scene, text);
  paintMarkers(ctx, scene);
}

/** Text with a halo of the colour under it, so it stays legible over hatching and path lines. */
function haloText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, ink: string, halo: string): void {
  ctx.strokeStyle = halo;
  ctx.lineWidth = 3;
  ctx.lineJoin = 'round';
  ctx.strokeText(text, x, y);
  ctx.fillStyle = ink;
  ctx.fillText(text, x, y);
}

function paintHover(ctx: CanvasRenderingContext2D, scene: PaintScene): void {
  if (scene.hoverStep < 0) return;
  const x0 = scene.scale * scene.hoverStep + scene.offset;
  ctx.fillStyle = HOVER;
  ctx.fillRect(x0, 0, Math.max(1, scene.scale), scene.height);
}

function paintGrid(ctx: CanvasRenderingContext2D, scene: PaintScene): void {
  ctx.fillStyle = GRID;
  for (const t of scene.ticks) ctx.fillRect(Math.round(scene.scale * t + scene.offset), 0, 1, scene.height);
  ctx.fillStyle = LANE_RULE;
  for (const band of scene.layout.lanes) ctx.fillRect(0, band.top + band.height - 1, scene.width, 1);
}

/** Visible steps [first, last): the x range inverted, clamped to the domain. */
function visibleSteps(scene: PaintScene): [number, number] {
  const first = Math.max(0, Math.floor(-scene.offset / scene.scale));
  const last = Math.min(scene.model.steps, Math.ceil((scene.width - scene.offset) / scene.scale));
  return [first, last];
}

function paintSteps(ctx: CanvasRenderingContext2D, scene: PaintScene): void {
  const { model, layout, scale, offset } = scene;
  const [first, last] = visibleSteps(scene);
  const { lastPx } = scratch(model);
  // A hairline between steps once they are wide enough to tell apart.
  const w = scale >= 4 ? scale - 1 : scale;
  const top = DEPTHS.length - 1;
  for (let pass = 0; pass <= Math.min(model.maxDepth, top); pass++) {
    ctx.fillStyle = depthColour(pass);
    lastPx.fill(-Infinity);
    for (let i = first; i < last; i++) {
      if (Math.min(model.stepDepth[i] ?? 0, top) !== pass) continue;
      const lane = model.stepLane[i] ?? -1;
      const band = layout.lanes[lane];
      if (band === undefined) continue;
      const x0 = scale * i + offset;
      if (scale >= 1) {
        ctx.fillRect(x0, band.stepTop, w, STEP_ROW);
        continue;
      }
      // Many steps in one pixel column: the first one stands for them all.
      const column = Math.floor(x0);
      if (column === lastPx[lane]) continue;
      lastPx[lane] = column;
      ctx.fillRect(column, band.stepTop, 1, STEP_ROW);
    }
  }
}

interface SpanStyle {
  /** How many colour passes, and which pass a span belongs to. */
  readonly passes: number;
  pass(spans: Spans, i: number): number;
  swatch(pass: number): Swatch;
  top(band: LaneBand, row: number): number;
  readonly rowHeight: number;
  readonly pattern?: CanvasPattern | null;
  /** Labels are only drawn for spans at least this wide. */
  readonly labelFrom: number;
}

function spanRange(scene: PaintScene, spans: Spans, i: number): [number, number] | null {
  const x0 = scene.scale * (spans.start[i] ?? 0) + scene.offset;
  const x1 = scene.scale * (spans.end[i] ?? 0) + scene.offset;
  return x1 < 0 ? null : [x0, x1];
}

function paintSpans(ctx: CanvasRenderingContext2D, scene: PaintScene, text: TextMeasure, spans: Spans, style: SpanStyle): void {
  const { layout, width, model } = scene;
  const h = style.rowHeight - 1;
  for (let pass = 0; pass < style.passes; pass++) {
    ctx.fillStyle = style.swatch(pass).fill;
    for (let i = 0; i < spans.count; i++) {
      const range = spanRange(scene, spans, i);
      if (range === null) continue;
      if (range[0] > width) break;
      if (style.pass(spans, i) !== pass) continue;
      const band = layout.lanes[spans.lane[i] ?? -1];
      if (band === undefined) continue;
      const x0 = Math.max(range[0], -1);
      const w = Math.max(1, Math.min(range[1], width + 1) - x0);
      ctx.fillRect(x0, style.top(band, spans.row[i] ?? 0), w, h);
    }
  }
  if (style.pattern != null) {
    ctx.fillStyle = style.pattern;
    for (let i = 0; i < spans.count; i++) {
      const range = spanRange(scene, spans, i);
      if (range === null) continue;
      if (range[0] > width) break;
      const band = layout.lanes[spans.lane[i] ?? -1];
      if (band === undefined) continue;
      const x0 = Math.max(range[0], -1);
      ctx.fillRect(x0, style.top(band, spans.row[i] ?? 0), Math.max(1, Math.min(range[1], width + 1) - x0), h);
    }
  }
  for (let i = 0; i < spans.count; i++) {
    const range = spanRange(scene, spans, i);
    if (range === null) continue;
    if (range[0] > width) break;
    const x0 = Math.max(0, range[0]);
    const room = Math.min(range[1], width) - x0;
    if (room < style.labelFrom) continue;
    const band = layout.lanes[spans.lane[i] ?? -1];
    if (band === undefined) continue;
    const label = text.fit(model.strings[spans.label[i] ?? -1] ?? '', room);
    if (label === null) continue;
    const swatch = style.swatch(style.pass(spans, i));
    const top = style.top(band, spans.row[i] ?? 0);
    if (style.pattern == null) {
      ctx.fillStyle = swatch.ink;
      ctx.fillText(label, x0 + TEXT_PAD, top + h / 2 + 0.5);
      continue;
    }
    // Over hatching, a halo in the fill colour, kept inside the bar.
    ctx.save();
    ctx.beginPath();
    ctx.rect(x0, top, room, h);
    ctx.clip();
    haloText(ctx, label, x0 + TEXT_PAD, top + h / 2 + 0.5, swatch.ink, swatch.fill);
    ctx.restore();
  }
}

function paintFaults(ctx: CanvasRenderingContext2D, scene: PaintScene, text: TextMeasure): void {
  ctx.font = '9px system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif';
  paintSpans(ctx, scene, text, scene.model.faults, {
    passes: FAULT_LEVELS.length,
    pass: (s, i) => Math.min(s.row[i] ?? 0, FAULT_LEVELS.length - 1),
    swatch: faultSwatch,
    top: (band, row) => band.faultTop + Math.min(row, band.faultRows - 1) * FAULT_ROW,
    rowHeight: FAULT_ROW,
    labelFrom: 40,
  });
  ctx.font = FONT;
}

function paintHolds(ctx: CanvasRenderingContext2D, scene: PaintScene, text: TextMeasure): void {
  paintSpans(ctx, scene, text, scene.model.holds, {
    passes: LOCK_KINDS.length,
    pass: (s, i) => s.kind[i] ?? 0,
    swatch: (pass) => LOCK_SWATCHES[pass] ?? WAIT,
    top: (band, row) => band.holdTop + Math.min(row, band.holdRows - 1) * HOLD_ROW,
    rowHeight: HOLD_ROW,
    labelFrom: 40,
  });
}

function paintWaits(ctx: CanvasRenderingContext2D, scene: PaintScene, text: TextMeasure): void {
  paintSpans(ctx, scene, text, scene.model.waits, {
    passes: 1,
    pass: () => 0,
    swatch: () => WAIT,
    top: (band) => band.waitTop,
    rowHeight: WAIT_ROW,
    pattern: hatch(ctx),
    labelFrom: 40,
  });
}

function paintPaths(ctx: CanvasRenderingContext2D, scene: PaintScene, text: TextMeasure): void {
  const { model, layout, scale, offset, width } = scene;
  const { path } = model;
  if (path.count === 0) return;
  const { groupX, groupY, nextStep } = scratch(model);
  groupX.fill(NaN);
  ctx.strokeStyle = PATH_LINE;
  ctx.lineWidth = 1.25;
  ctx.beginPath();
  for (let i = 0; i < path.count; i++) {
    const band = layout.lanes[path.lane[i] ?? -1];
    const g = path.group[i] ?? -1;
    if (band === undefined || g < 0) continue;
    const x = scale * ((path.step[i] ?? 0) + 0.5) + offset;
    const y = pathY(band, path.kind[i] ?? 0);
    const px = groupX[g] ?? NaN;
    // Draw the segment from the previous point unless both ends are off the same side.
    if (!Number.isNaN(px) && !(px < 0 && x < 0) && !(px > width && x > width)) {
      ctx.moveTo(px, groupY[g] ?? y);
      ctx.lineTo(x, y);
    }
    groupX[g] = x;
    groupY[g] = y;
  }
  ctx.stroke();
  const radius = scale >= 3 ? 3.5 : 2.5;
  for (let kind = 0; kind < PATH_KINDS.length; kind++) {
    ctx.fillStyle = PATH_COLOURS[kind] ?? PATH_LINE;
    ctx.beginPath();
    for (let i = 0; i < path.count; i++) {
      if (path.kind[i] !== kind) continue;
      const band = layout.lanes[path.lane[i] ?? -1];
      if (band === undefined) continue;
      const x = scale * ((path.step[i] ?? 0) + 0.5) + offset;
      if (x < -radius || x > width + radius) continue;
      const y = pathY(band, kind);
      ctx.moveTo(x + radius, y);
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
    }
    ctx.fill();
  }
  if (scale < 4) return;
  ctx.font = BOLD;
  for (let i = 0; i < path.count; i++) {
    const band = layout.lanes[path.lane[i] ?? -1];
    if (band === undefined) continue;
    const step = path.step[i] ?? 0;
    const x = scale * (step + 0.5) + offset;
    if (x < -40 || x > width) continue;
    const kind = path.kind[i] ?? 0;
    const label = PATH_SHORT[kind] ?? '';
    const next = nextStep[i] ?? -1;
    const room = next < 0 ? Infinity : scale * (next - step);
    if (text.width(label) + 10 > room) continue;
    haloText(ctx, label, x + radius + 3, pathY(band, kind), PATH_COLOURS[kind] ?? PATH_LINE, BACKGROUND);
  }
  ctx.font = FONT;
}

/** A marker's line down its lane (the whole plot without one), at the end of its step; its badge is DOM, in the lane's mark row. */
function paintMarkers(ctx: CanvasRenderingContext2D, scene: PaintScene): void {
  const { model, layout, scale, offset, width } = scene;
  const { markers } = model;
  for (let i = 0; i < markers.count; i++) {
    const x = scale * markAt(markers.step[i] ?? 0) + offset;
    if (x < -2 || x > width + 2) continue;
    const band = layout.lanes[markers.lane[i] ?? -1];
    const top = band?.markTop ?? 0;
    const bottom = band === undefined ? scene.height : band.top + band.height - 1;
    ctx.fillStyle = MARKER_COLOURS[markers.kind[i] ?? 0] ?? '#000000';
    ctx.fillRect(Math.round(x) - 1, top, 2, bottom - top);
  }
}
