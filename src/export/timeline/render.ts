/**
 * The timeline's marks, drawn once for every back-end: the grid, steps by
 * depth, fault frames by nesting level, hold bars by lock kind, hatched
 * waits, retry paths and outcome markers. Where a mark goes, what colour
 * and font it has, when its label fits and what is skipped off screen are
 * decided here; a `Renderer` only knows how to put a rect, a text, a line or
 * a dot on its surface (as Perfetto's `Renderer` stands between its tracks
 * and the canvas). Two back-ends implement it: the page's canvas
 * (ui/timeline/paint.ts) and the SVG document (svg.ts), which the page's
 * export and `cli export --format svg` write.
 *
 * Marks are drawn in groups (SVG `<g>`, a fill set once on the canvas):
 * many sub-pixel steps become one rect per lane and pixel column, spans are
 * sorted by start so a pass stops at the first one past the window, and a
 * label is drawn only where it fits. Pure: no DOM, no D3.
 */
import { FAULT_ROW, HOLD_ROW, MARK_ROW, STEP_ROW, TEXT_PAD, WAIT_ROW, pathY, type LaneBand, type TimelineLayout } from './layout.ts';
import { EVENT_KINDS, LOCK_KINDS, MARKER_KINDS, PATH_KINDS, markAt, markerText, type Points, type Spans, type TimelineModel } from './model.ts';
import { BACKGROUND, DEPTHS, EVENT_COLOURS, FAULT_LEVELS, GRID, INK, LANE_RULE, LOCK_SWATCHES, MARKER_COLOURS, PATH_COLOURS, PATH_LINE, PATH_SHORT, WAIT, depthColour, type Swatch } from './palette.ts';

/** A solid colour, or a colour with the dark diagonal hatching that marks blocked time. */
export type Fill = string | { readonly hatched: string };

export interface Group {
  /** The SVG element's id and class; the canvas ignores both. */
  readonly id?: string;
  readonly cls?: string;
  /** The fill of the group's rects (and, unless a text says otherwise, its texts). */
  readonly fill?: Fill;
  /** A tooltip for the whole group (an SVG <title>). */
  readonly title?: string;
  /** Font size of the group's texts, in px. */
  readonly fontSize?: number;
}

export interface TextStyle {
  readonly size: number;
  readonly bold?: boolean;
  readonly ink: string;
  /** A stroke of this colour under the text, so it stays legible over hatching and lines. */
  readonly halo?: string;
  /** Keep the text inside this box (a label over hatching stays inside its bar). */
  readonly clip?: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

export interface Renderer {
  /** Whether marks carry their full text as a tooltip; the page has a DOM tooltip instead. */
  readonly titles: boolean;
  open(group: Group): void;
  close(): void;
  /** A rect in the innermost group's fill. */
  rect(x: number, y: number, width: number, height: number, extra?: { readonly title?: string; readonly rx?: number }): void;
  /** Text whose vertical middle is at `middle`. */
  text(x: number, middle: number, content: string, style: TextStyle): void;
  /** A line through the points [x0, y0, x1, y1, ...]. */
  polyline(points: readonly number[], stroke: string, width: number): void;
  circle(x: number, y: number, r: number, fill: string, extra?: { readonly cls?: string; readonly title?: string }): void;
  /** The width of `content` in px at a size. */
  measure(content: string, size: number, bold: boolean): number;
}

/** The font of every timeline text, on the page and in the SVG. */
export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', sans-serif";
/** Sizes in px: step, hold and wait labels and the badges; fault frames (their rows are narrower). */
export const LABEL_SIZE = 10;
export const FAULT_LABEL_SIZE = 9;
/** A span narrower than this gets no label (the tooltip has it). */
const LABEL_FROM = 40;
/** Step labels are drawn only this wide (the page puts its own in the DOM). */
const STEP_LABEL_FROM = 30;

/**
 * The text if it fits in `room` pixels with padding, else its longest
 * prefix (six characters at least: fewer say nothing and clutter) that fits
 * with an ellipsis, else null.
 */
export function fitLabel(text: string, room: number, width: (s: string) => number): string | null {
  if (room < 24) return null;
  const avail = room - 2 * TEXT_PAD;
  if (width(text) <= avail) return text;
  const chars = Array.from(text);
  let best: string | null = null;
  // Widths grow with the prefix, so a binary search finds the longest.
  let lo = 6;
  let hi = chars.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const short = `${chars.slice(0, mid).join('').trimEnd()}…`;
    if (width(short) <= avail) {
      best = short;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** What one drawing of the plot reads: the model, its rows, the x mapping x = scale * t + offset, and which steps show. */
export interface PlotScene {
  readonly model: TimelineModel;
  readonly layout: TimelineLayout;
  readonly scale: number;
  readonly offset: number;
  readonly width: number;
  readonly height: number;
  /** Steps in view, [from, to). */
  readonly from: number;
  readonly to: number;
  /** Grid lines, in logical time. */
  readonly ticks: readonly number[];
  /** What step i did: titles each step box and labels the wide ones. The page shows these in the DOM instead. */
  readonly stepLabel?: (i: number) => string;
  /** Badges naming outcome markers and kernel events in the lane's mark row. The page's are DOM. */
  readonly badges: boolean;
}

/** The steps in view for an x mapping: the plot's width inverted, clamped to the domain. */
export function stepsInView(steps: number, scale: number, offset: number, width: number): [number, number] {
  const from = Math.max(0, Math.floor(-offset / scale));
  const to = Math.min(steps, Math.ceil((width - offset) / scale));
  return [from, Math.max(from, to)];
}

export function drawPlot(r: Renderer, scene: PlotScene): void {
  drawGrid(r, scene);
  drawSteps(r, scene);
  for (const style of SPAN_STYLES) drawSpans(r, scene, style.spans(scene.model), style);
  drawPaths(r, scene);
  drawMarkers(r, scene);
}

function px(scene: PlotScene, t: number): number {
  return scene.scale * t + scene.offset;
}

function drawGrid(r: Renderer, scene: PlotScene): void {
  r.open({ id: 'grid', cls: 'grid' });
  r.open({ fill: GRID });
  for (const t of scene.ticks) r.rect(Math.round(px(scene, t)), 0, 1, scene.height);
  r.close();
  r.open({ fill: LANE_RULE });
  for (const band of scene.layout.lanes) r.rect(0, band.top + band.height - 1, scene.width, 1);
  r.close();
  r.close();
}

/**
 * Steps one box each, by depth, with a hairline between them once they are
 * wide enough to tell apart. Below a pixel per step, each run of pixel
 * columns of one lane with the same deepest depth is a single rect, so
 * 20,000 steps cost at most a rect per lane per pixel column.
 */
function drawSteps(r: Renderer, scene: PlotScene): void {
  const { model, layout, scale, from, to, stepLabel } = scene;
  const top = DEPTHS.length - 1;
  r.open({ id: 'steps', cls: 'steps' });
  if (scale >= 1) {
    const w = scale >= 4 ? scale - 1 : scale;
    for (let depth = 0; depth <= Math.min(model.maxDepth, top); depth++) {
      r.open({ cls: `depth-${depth}`, fill: depthColour(depth) });
      for (let i = from; i < to; i++) {
        if (Math.min(model.stepDepth[i] ?? 0, top) !== depth) continue;
        const band = layout.lanes[model.stepLane[i] ?? -1];
        if (band === undefined) continue;
        r.rect(px(scene, i), band.stepTop, w, STEP_ROW, r.titles && stepLabel !== undefined ? { title: `step ${i + 1}: ${stepLabel(i)}` } : undefined);
      }
      r.close();
    }
  } else {
    const columns = Math.ceil(scene.width) + 1;
    const deepest = new Int16Array(model.lanes * columns).fill(-1);
    for (let i = from; i < to; i++) {
      const lane = model.stepLane[i] ?? -1;
      if (lane < 0 || lane >= model.lanes) continue;
      const column = Math.min(columns - 1, Math.max(0, Math.floor(px(scene, i))));
      const at = lane * columns + column;
      deepest[at] = Math.max(deepest[at] ?? -1, Math.min(model.stepDepth[i] ?? 0, top));
    }
    for (let depth = 0; depth <= Math.min(model.maxDepth, top); depth++) {
      r.open({ cls: `depth-${depth}`, fill: depthColour(depth) });
      layout.lanes.forEach((band, lane) => {
        let start = 0;
        for (let c = 1; c <= columns; c++) {
          const here = deepest[lane * columns + start] ?? -1;
          if (c < columns && deepest[lane * columns + c] === here) continue;
          if (here === depth) r.rect(start, band.stepTop, c - start, STEP_ROW);
          start = c;
        }
      });
      r.close();
    }
  }
  if (stepLabel !== undefined && scale >= STEP_LABEL_FROM) {
    r.open({ cls: 'labels' });
    for (let i = from; i < to; i++) {
      const band = layout.lanes[model.stepLane[i] ?? -1];
      if (band === undefined) continue;
      const x0 = Math.max(0, px(scene, i));
      const label = fitLabel(stepLabel(i), Math.min(px(scene, i + 1), scene.width) - x0, (s) => r.measure(s, LABEL_SIZE, false));
      if (label === null) continue;
      r.text(x0 + TEXT_PAD, band.stepTop + STEP_ROW / 2, label, { size: LABEL_SIZE, ink: (model.stepDepth[i] ?? 0) >= 3 ? '#ffffff' : INK });
    }
    r.close();
  }
  r.close();
}

/** How one set of spans is drawn: which group (colour) a span falls in, and where its row is. */
interface SpanStyle {
  readonly id: string;
  readonly groups: readonly { readonly name: string; readonly swatch: Swatch; readonly hatched?: boolean }[];
  group(spans: Spans, i: number): number;
  top(band: LaneBand, row: number): number;
  readonly rowHeight: number;
  readonly fontSize: number;
}

/** Spans overlapping the steps in view, clipped to the plot and at least a pixel wide, a group per colour. */
function drawSpans(r: Renderer, scene: PlotScene, spans: Spans, style: SpanStyle): void {
  const { model, layout, width } = scene;
  const h = style.rowHeight - 1;
  r.open({ id: style.id, cls: style.id, fontSize: style.fontSize });
  style.groups.forEach((group, g) => {
    r.open({ cls: group.name });
    r.open({ cls: 'bars', fill: group.hatched === true ? { hatched: group.swatch.fill } : group.swatch.fill });
    const labels: { x: number; middle: number; text: string; clip: { x: number; y: number; width: number; height: number } }[] = [];
    for (let i = 0; i < spans.count; i++) {
      const start = spans.start[i] ?? 0;
      const end = spans.end[i] ?? 0;
      if (start >= scene.to) break;
      if (end <= scene.from || style.group(spans, i) !== g) continue;
      const band = layout.lanes[spans.lane[i] ?? -1];
      if (band === undefined) continue;
      const top = style.top(band, spans.row[i] ?? 0);
      const x0 = Math.max(px(scene, start), -1);
      const x1 = Math.min(px(scene, end), width + 1);
      const full = model.strings[spans.label[i] ?? -1] ?? '';
      r.rect(x0, top, Math.max(1, x1 - x0), h, r.titles ? { title: full } : undefined);
      const lx = Math.max(0, x0);
      const room = Math.min(x1, width) - lx;
      if (room < LABEL_FROM) continue;
      const label = fitLabel(full, room, (s) => r.measure(s, style.fontSize, false));
      if (label !== null) labels.push({ x: lx + TEXT_PAD, middle: top + h / 2 + 0.5, text: label, clip: { x: lx, y: top, width: room, height: h } });
    }
    r.close();
    r.open({ cls: 'labels', fill: group.swatch.ink });
    for (const l of labels) r.text(l.x, l.middle, l.text, group.hatched === true ? { size: style.fontSize, ink: group.swatch.ink, halo: group.swatch.fill, clip: l.clip } : { size: style.fontSize, ink: group.swatch.ink });
    r.close();
    r.close();
  });
  r.close();
}

/** The three kinds of span, in drawing order: fault frames by nesting level, holds by lock kind, waits hatched. */
const SPAN_STYLES: readonly (SpanStyle & { readonly spans: (model: TimelineModel) => Spans })[] = [
  {
    id: 'faults',
    spans: (model) => model.faults,
    groups: FAULT_LEVELS.map((swatch, level) => ({ name: `level-${level}`, swatch })),
    group: (s, i) => Math.min(s.row[i] ?? 0, FAULT_LEVELS.length - 1),
    top: (band, row) => band.faultTop + Math.min(row, band.faultRows - 1) * FAULT_ROW,
    rowHeight: FAULT_ROW,
    fontSize: FAULT_LABEL_SIZE,
  },
  {
    id: 'holds',
    spans: (model) => model.holds,
    groups: LOCK_KINDS.map((kind, k) => ({ name: kind, swatch: LOCK_SWATCHES[k] ?? WAIT })),
    group: (s, i) => Math.min(s.kind[i] ?? 0, LOCK_KINDS.length - 1),
    top: (band, row) => band.holdTop + Math.min(row, band.holdRows - 1) * HOLD_ROW,
    rowHeight: HOLD_ROW,
    fontSize: LABEL_SIZE,
  },
  { id: 'waits', spans: (model) => model.waits, groups: [{ name: 'wait', swatch: WAIT, hatched: true }], group: () => 0, top: (band) => band.waitTop, rowHeight: WAIT_ROW, fontSize: LABEL_SIZE },
];

/**
 * Each retry path is a line through its points (the plot's clip cuts what
 * is outside), a dot per point in view coloured by kind, and its short name
 * where there is room before the next point.
 */
function drawPaths(r: Renderer, scene: PlotScene): void {
  const { model, layout, scale, from, to } = scene;
  const { path } = model;
  const members = new Map<number, number[]>();
  for (let i = 0; i < path.count; i++) {
    const g = path.group[i] ?? -1;
    if (g < 0 || layout.lanes[path.lane[i] ?? -1] === undefined) continue;
    const list = members.get(g);
    if (list === undefined) members.set(g, [i]);
    else list.push(i);
  }
  const radius = scale >= 3 ? 3.5 : 2.5;
  r.open({ id: 'retry-paths', cls: 'retry-paths' });
  for (const [g, list] of members) {
    const first = path.step[list[0] ?? 0] ?? 0;
    const last = path.step[list[list.length - 1] ?? 0] ?? 0;
    if (last < from || first >= to) continue;
    r.open({ id: `retry-path-${g}`, cls: 'retry-path' });
    const points: number[] = [];
    for (const i of list) {
      const band = layout.lanes[path.lane[i] ?? -1];
      if (band !== undefined) points.push(px(scene, (path.step[i] ?? 0) + 0.5), pathY(band, path.kind[i] ?? 0));
    }
    if (points.length >= 4) r.polyline(points, PATH_LINE, 1.25);
    const names: { x: number; y: number; text: string; colour: string }[] = [];
    list.forEach((i, n) => {
      const band = layout.lanes[path.lane[i] ?? -1];
      const step = path.step[i] ?? 0;
      if (band === undefined || step < from || step >= to) return;
      const kind = path.kind[i] ?? 0;
      const x = px(scene, step + 0.5);
      const y = pathY(band, kind);
      const colour = PATH_COLOURS[kind] ?? PATH_LINE;
      r.circle(x, y, radius, colour, r.titles ? { cls: PATH_KINDS[kind] ?? 'point', title: model.strings[path.label[i] ?? -1] ?? '' } : undefined);
      if (scale < 4) return;
      const short = PATH_SHORT[kind] ?? '';
      const next = list[n + 1];
      const room = next === undefined ? Infinity : scale * ((path.step[next] ?? 0) - step);
      if (r.measure(short, LABEL_SIZE, true) + 10 <= room) names.push({ x: x + radius + 3, y, text: short, colour });
    });
    r.open({ cls: 'labels' });
    for (const name of names) r.text(name.x, name.y, name.text, { size: LABEL_SIZE, bold: true, ink: name.colour, halo: BACKGROUND });
    r.close();
    r.close();
  }
  r.close();
}

/**
 * An outcome marker is a line down its lane (the whole plot without one) at
 * the end of its step; with badges, a badge naming it in the lane's mark row
 * ends at the line. A kernel event (VM_FAULT_RETRY) is the badge alone. The
 * badges sit above the steps, never on a label.
 */
function drawMarkers(r: Renderer, scene: PlotScene): void {
  const { model, layout } = scene;
  const mark = (points: Points, i: number, cls: string, label: string, colour: string, line: boolean) => {
    const step = points.step[i] ?? 0;
    if (step < scene.from || step >= scene.to || (!line && !scene.badges)) return;
    const band = layout.lanes[points.lane[i] ?? -1];
    const x = px(scene, markAt(step));
    const top = band?.markTop ?? 0;
    const bottom = band === undefined ? scene.height : band.top + band.height - 1;
    r.open({ cls, fill: colour, title: r.titles ? `step ${step + 1}: ${model.strings[points.label[i] ?? -1] ?? label}` : undefined });
    if (line) r.rect(Math.round(x) - 1, top, 2, bottom - top);
    if (scene.badges) {
      const w = r.measure(label, LABEL_SIZE, true) + 8;
      const bx = Math.max(0, x - w);
      r.rect(bx, top, w, MARK_ROW, { rx: 2 });
      r.text(bx + 4, top + MARK_ROW / 2 + 0.5, label, { size: LABEL_SIZE, bold: true, ink: '#ffffff' });
    }
    r.close();
  };
  r.open({ id: 'markers', cls: 'markers' });
  for (let i = 0; i < model.markers.count; i++) {
    const kind = model.markers.kind[i] ?? 0;
    mark(model.markers, i, `marker ${MARKER_KINDS[kind] ?? 'marker'}`, markerText(kind) || (MARKER_KINDS[kind] ?? ''), MARKER_COLOURS[kind] ?? '#000000', true);
  }
  for (let i = 0; i < model.events.count; i++) {
    const kind = model.events.kind[i] ?? 0;
    const name = EVENT_KINDS[kind] ?? '';
    mark(model.events, i, `event ${name}`, name, EVENT_COLOURS[kind] ?? '#000000', false);
  }
  r.close();
}
