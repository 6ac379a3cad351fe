/**
 * The timeline as a standalone SVG document, for a bug report: the same
 * rows as layout.ts and the same marks as paint.ts (steps by depth, fault
 * frames by nesting level, hold bars by lock kind, hatched waits, retry
 * paths, outcome markers), plus what the page draws in the DOM around the
 * canvas (title, lane labels, step axis, cursor, legend).
 *
 * Pure: builds a string and never touches the page, so it runs in Node.
 * D3 does the math (the x scale and its ticks); text widths are estimated
 * from the characters, since there is nothing to measure with. Every bar
 * carries a <title> with its full label, and elements are grouped by kind
 * with ids and classes so the file is easy to edit by hand.
 */
import { scaleLinear } from 'd3';
import { FAULT_ROW, HOLD_ROW, MARK_ROW, PATH_ROW, STEP_ROW, TEXT_PAD, WAIT_ROW, axisTicks, laneLayout, pathY, type LaneBand, type TimelineLayout } from './layout.ts';
import { EVENT_KINDS, LOCK_KINDS, MARKER_KINDS, PATH_KINDS, markAt, markerText, type Points, type Spans, type TimelineModel } from './model.ts';
import {
  BACKGROUND,
  DEPTHS,
  EVENT_COLOURS,
  FAULT_LEVELS,
  GRID,
  LANE_RULE,
  LOCK_NAMES,
  LOCK_SWATCHES,
  MARKER_COLOURS,
  PATH_COLOURS,
  PATH_LINE,
  PATH_SHORT,
  WAIT,
  depthColour,
  type Swatch,
} from './palette.ts';

export interface TimelineSvgOptions {
  /** The heading: scenario, variant and outcome, as the caller words them. */
  readonly title: string;
  readonly subtitle?: string;
  readonly laneLabels: readonly string[];
  /** What step i did; labels steps wide enough for it and titles each step box. */
  readonly stepLabel?: (i: number) => string;
  /** Steps applied: a line at x = cursor, when inside the window. */
  readonly cursor?: number;
  /** Width of the whole document in pixels. */
  readonly width?: number;
  /** The window of steps shown, [from, to); the whole run by default. */
  readonly from?: number;
  readonly to?: number;
}

/* ------------------------------------------------------------------ */
/* Geometry and type: what the page's CSS sets, in one place.         */
/* ------------------------------------------------------------------ */

const DEFAULT_WIDTH = 1200;
const MARGIN = 12;
/** The lane-label column, as wide as the page's (timeline.css, .tl-body). */
const LABEL_COLUMN = 112;
const AXIS_HEIGHT = 24;
const LEGEND_ROW = 18;
const FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', sans-serif";
/** From timeline.css; the palette has no entry for the DOM's own colours. */
const INK = '#1b1f2a';
const MUTED = '#5b6270';
const SIDE = '#f4f5f8';
const CURSOR = '#2563eb';
const HATCH_ID = 'tl-hatch';
const CLIP_ID = 'tl-plot-clip';

/* ------------------------------------------------------------------ */
/* Text: escaping, width estimates, fitting.                          */
/* ------------------------------------------------------------------ */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text safe in an element or a quoted attribute; characters XML 1.0 cannot hold at all are dropped or replaced. */
export function escapeXml(text: string): string {
  return text
    .replace(/\p{Cc}/gu, (c) => (c === '\t' || c === '\n' || c === '\r' ? c : ''))
    .replace(/\p{Cs}/gu, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * Advance of one character in ems. The figures are DejaVu Sans's, the
 * widest of the fonts `system-ui` resolves to on common systems, so a label
 * judged to fit fits in the others too.
 */
function charEm(c: string): number {
  if ('il.,:;|!\'`'.includes(c)) return 0.3;
  if (c === ' ' || c === '·') return 0.32;
  if ('fjtr/()[]-'.includes(c)) return 0.4;
  if (c === '_') return 0.5;
  if ('mw'.includes(c)) return 0.98;
  if ('MW@%'.includes(c)) return 1.0;
  if (c >= 'a' && c <= 'z') return 0.62;
  if (c >= '0' && c <= '9') return 0.64;
  if (c >= 'A' && c <= 'Z') return 0.74;
  // Arrows, the ellipsis and other symbols are wide.
  return c.charCodeAt(0) < 128 ? 0.6 : 0.84;
}

/** Estimated width of `text` in pixels at a font size; bold is about a tenth wider. */
export function textWidth(text: string, size: number, bold = false): number {
  let em = 0;
  for (const c of text) em += charEm(c);
  return em * size * (bold ? 1.1 : 1);
}

/**
 * The text if it fits in `room` pixels with padding, else its longest prefix
 * that fits with an ellipsis, else null. Like TextMeasure.fit in paint.ts:
 * fewer than six characters say nothing, so those are left to the tooltip.
 */
export function fitText(text: string, room: number, size: number, bold = false): string | null {
  if (room < 24) return null;
  const avail = room - 2 * TEXT_PAD;
  if (textWidth(text, size, bold) <= avail) return text;
  const chars = Array.from(text);
  const budget = avail - textWidth('…', size, bold);
  let used = 0;
  let n = 0;
  for (; n < chars.length; n++) {
    const w = textWidth(chars[n] ?? '', size, bold);
    if (used + w > budget) break;
    used += w;
  }
  return n >= 6 ? `${chars.slice(0, n).join('').trimEnd()}…` : null;
}

/** A coordinate with two decimals at most: enough for any screen, and a smaller file. */
function num(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** A text's baseline so that it is centred on `middle` (canvas textBaseline 'middle' without relying on dominant-baseline). */
function baseline(middle: number, size: number): number {
  return middle + size * 0.35;
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${num(x)}" y="${num(y)}"${attrs}>${escapeXml(content)}</text>`;
}

/** Text over a busy background: a stroke of the background's colour drawn first (paint-order is not SVG 1.1). */
function haloText(x: number, y: number, content: string, ink: string, halo: string): string {
  return text(x, y, content, ` fill="${halo}" stroke="${halo}" stroke-width="3" stroke-linejoin="round"`) + text(x, y, content, ` fill="${ink}"`);
}

function titled(element: string, attrs: string, title: string): string {
  return `<${element} ${attrs}><title>${escapeXml(title)}</title></${element}>`;
}

/* ------------------------------------------------------------------ */
/* The plot: everything in the model, in plot coordinates.            */
/* ------------------------------------------------------------------ */

/** What every plot painter reads: the model, its rows, and the x mapping x = scale * t + offset. */
interface Plot {
  readonly model: TimelineModel;
  readonly layout: TimelineLayout;
  readonly scale: number;
  readonly offset: number;
  readonly width: number;
  readonly height: number;
  readonly from: number;
  readonly to: number;
  readonly ticks: readonly number[];
  readonly stepLabel: ((i: number) => string) | undefined;
}

function px(plot: Plot, t: number): number {
  return plot.scale * t + plot.offset;
}

function grid(plot: Plot): string {
  const lines = plot.ticks.map((t) => `<rect x="${num(Math.round(px(plot, t)))}" y="0" width="1" height="${num(plot.height)}"/>`);
  const rules = plot.layout.lanes.map((b) => `<rect x="0" y="${num(b.top + b.height - 1)}" width="${num(plot.width)}" height="1"/>`);
  return `<g id="grid" class="grid"><g fill="${GRID}">${lines.join('')}</g><g fill="${LANE_RULE}">${rules.join('')}</g></g>`;
}

/**
 * Steps one box each, by depth. Below a pixel per step the page paints a
 * pixel column per lane in the deepest depth stepped there; here each run of
 * columns of one lane and one depth becomes a single rect, so 20,000 steps
 * cost at most a rect per lane per pixel column.
 */
function steps(plot: Plot): string {
  const { model, layout, scale, from, to, stepLabel } = plot;
  const top = DEPTHS.length - 1;
  const byDepth: string[][] = DEPTHS.map(() => []);
  if (scale >= 1) {
    // A hairline between steps once they are wide enough to tell apart.
    const w = scale >= 4 ? scale - 1 : scale;
    for (let i = from; i < to; i++) {
      const band = layout.lanes[model.stepLane[i] ?? -1];
      if (band === undefined) continue;
      const attrs = `x="${num(px(plot, i))}" y="${num(band.stepTop)}" width="${num(w)}" height="${STEP_ROW}"`;
      const box = stepLabel === undefined ? `<rect ${attrs}/>` : titled('rect', attrs, `step ${i + 1}: ${stepLabel(i)}`);
      byDepth[Math.min(model.stepDepth[i] ?? 0, top)]?.push(box);
    }
  } else {
    const columns = Math.ceil(plot.width) + 1;
    const deepest = new Int16Array(model.lanes * columns).fill(-1);
    for (let i = from; i < to; i++) {
      const lane = model.stepLane[i] ?? -1;
      if (lane < 0 || lane >= model.lanes) continue;
      const column = Math.min(columns - 1, Math.max(0, Math.floor(px(plot, i))));
      const at = lane * columns + column;
      deepest[at] = Math.max(deepest[at] ?? -1, Math.min(model.stepDepth[i] ?? 0, top));
    }
    layout.lanes.forEach((band, lane) => {
      let start = 0;
      for (let c = 1; c <= columns; c++) {
        const depth = deepest[lane * columns + start] ?? -1;
        if (c < columns && deepest[lane * columns + c] === depth) continue;
        if (depth >= 0) byDepth[depth]?.push(`<rect x="${start}" y="${num(band.stepTop)}" width="${c - start}" height="${STEP_ROW}"/>`);
        start = c;
      }
    });
  }
  const groups = byDepth.map((rects, depth) => (rects.length === 0 ? '' : `<g class="depth-${depth}" fill="${depthColour(depth)}">${rects.join('')}</g>`));
  return `<g id="steps" class="steps">${groups.join('')}${stepLabels(plot)}</g>`;
}

function stepLabels(plot: Plot): string {
  const { model, layout, scale, stepLabel, from, to } = plot;
  if (stepLabel === undefined || scale < 30) return '';
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const band = layout.lanes[model.stepLane[i] ?? -1];
    if (band === undefined) continue;
    const x0 = Math.max(0, px(plot, i));
    const label = fitText(stepLabel(i), Math.min(px(plot, i + 1), plot.width) - x0, 10);
    if (label === null) continue;
    const ink = (model.stepDepth[i] ?? 0) >= 3 ? '#ffffff' : INK;
    out.push(text(x0 + TEXT_PAD, baseline(band.stepTop + STEP_ROW / 2, 10), label, ` fill="${ink}"`));
  }
  return out.length === 0 ? '' : `<g class="labels" pointer-events="none">${out.join('')}</g>`;
}

/** How one set of spans is drawn: which group (colour) a span falls in, and where its row is. */
interface SpanStyle {
  readonly id: string;
  readonly groups: readonly { readonly name: string; readonly swatch: Swatch; readonly fill?: string }[];
  group(spans: Spans, i: number): number;
  top(band: LaneBand, row: number): number;
  readonly rowHeight: number;
  readonly fontSize: number;
  /** Labels get a halo in the fill colour (over hatching). */
  readonly halo: boolean;
}

/** Spans overlapping the window; spans are sorted by start, so the pass stops at the first one past it. */
function spanBars(plot: Plot, spans: Spans, style: SpanStyle): string {
  const { model, layout, width } = plot;
  const h = style.rowHeight - 1;
  const bars: string[][] = style.groups.map(() => []);
  const labels: string[][] = style.groups.map(() => []);
  for (let i = 0; i < spans.count; i++) {
    const start = spans.start[i] ?? 0;
    const end = spans.end[i] ?? 0;
    if (start >= plot.to) break;
    if (end <= plot.from) continue;
    const band = layout.lanes[spans.lane[i] ?? -1];
    if (band === undefined) continue;
    const g = style.group(spans, i);
    const full = model.strings[spans.label[i] ?? -1] ?? '';
    const top = style.top(band, spans.row[i] ?? 0);
    // Clipped to the plot, at least a pixel wide, as the painter draws them.
    const x0 = Math.max(px(plot, start), -1);
    const x1 = Math.min(px(plot, end), width + 1);
    bars[g]?.push(titled('rect', `x="${num(x0)}" y="${num(top)}" width="${num(Math.max(1, x1 - x0))}" height="${h}"`, full));
    const lx = Math.max(0, x0);
    const room = Math.min(x1, width) - lx;
    const label = room < 40 ? null : fitText(full, room, style.fontSize);
    if (label === null) continue;
    const swatch = style.groups[g]?.swatch ?? WAIT;
    const y = baseline(top + h / 2 + 0.5, style.fontSize);
    labels[g]?.push(style.halo ? haloText(lx + TEXT_PAD, y, label, swatch.ink, swatch.fill) : text(lx + TEXT_PAD, y, label));
  }
  const groups = style.groups.map((group, g) => {
    const rects = bars[g] ?? [];
    if (rects.length === 0) return '';
    const texts = labels[g] ?? [];
    const labelGroup = texts.length === 0 ? '' : `<g class="labels" fill="${group.swatch.ink}" pointer-events="none">${texts.join('')}</g>`;
    return `<g class="${group.name}"><g class="bars" fill="${group.fill ?? group.swatch.fill}">${rects.join('')}</g>${labelGroup}</g>`;
  });
  return `<g id="${style.id}" class="${style.id}" font-size="${style.fontSize}">${groups.join('')}</g>`;
}

function faults(plot: Plot): string {
  return spanBars(plot, plot.model.faults, {
    id: 'faults',
    groups: FAULT_LEVELS.map((swatch, level) => ({ name: `level-${level}`, swatch })),
    group: (s, i) => Math.min(s.row[i] ?? 0, FAULT_LEVELS.length - 1),
    top: (band, row) => band.faultTop + Math.min(row, band.faultRows - 1) * FAULT_ROW,
    rowHeight: FAULT_ROW,
    fontSize: 9,
    halo: false,
  });
}

function holds(plot: Plot): string {
  return spanBars(plot, plot.model.holds, {
    id: 'holds',
    groups: LOCK_KINDS.map((kind, k) => ({ name: kind, swatch: LOCK_SWATCHES[k] ?? WAIT })),
    group: (s, i) => Math.min(s.kind[i] ?? 0, LOCK_KINDS.length - 1),
    top: (band, row) => band.holdTop + Math.min(row, band.holdRows - 1) * HOLD_ROW,
    rowHeight: HOLD_ROW,
    fontSize: 10,
    halo: false,
  });
}

function waits(plot: Plot): string {
  return spanBars(plot, plot.model.waits, {
    id: 'waits',
    groups: [{ name: 'wait', swatch: WAIT, fill: `url(#${HATCH_ID})` }],
    group: () => 0,
    top: (band) => band.waitTop,
    rowHeight: WAIT_ROW,
    fontSize: 10,
    halo: true,
  });
}


/**
 * Each retry path is a polyline through its points (the clip path cuts the
 * parts outside the window), a dot per point coloured by kind, and its short
 * name where there is room before the next point.
 */
function retryPaths(plot: Plot): string {
  const { model, layout, scale, from, to } = plot;
  const { path } = model;
  const members = new Map<number, number[]>();
  for (let i = 0; i < path.count; i++) {
    const g = path.group[i] ?? -1;
    if (g < 0 || layout.lanes[path.lane[i] ?? -1] === undefined) continue;
    const list = members.get(g) ?? [];
    list.push(i);
    members.set(g, list);
  }
  const radius = scale >= 3 ? 3.5 : 2.5;
  const out: string[] = [];
  for (const [g, list] of members) {
    const first = path.step[list[0] ?? 0] ?? 0;
    const last = path.step[list.at(-1) ?? 0] ?? 0;
    if (last < from || first >= to) continue;
    const coords: string[] = [];
    const dots: string[] = [];
    const names: string[] = [];
    list.forEach((i, n) => {
      const band = layout.lanes[path.lane[i] ?? -1];
      if (band === undefined) return;
      const step = path.step[i] ?? 0;
      const kind = path.kind[i] ?? 0;
      const x = px(plot, step + 0.5);
      const y = pathY(band, kind);
      coords.push(`${num(x)},${num(y)}`);
      if (step < from || step >= to) return;
      const colour = PATH_COLOURS[kind] ?? PATH_LINE;
      dots.push(titled('circle', `class="${PATH_KINDS[kind] ?? 'point'}" cx="${num(x)}" cy="${num(y)}" r="${radius}" fill="${colour}"`, model.strings[path.label[i] ?? -1] ?? ''));
      if (scale < 4) return;
      const short = PATH_SHORT[kind] ?? '';
      const next = list[n + 1];
      const room = next === undefined ? Infinity : scale * ((path.step[next] ?? 0) - step);
      if (textWidth(short, 10, true) + 10 <= room) names.push(haloText(x + radius + 3, baseline(y, 10), short, colour, BACKGROUND));
    });
    const line = coords.length < 2 ? '' : `<polyline points="${coords.join(' ')}" fill="none" stroke="${PATH_LINE}" stroke-width="1.25" stroke-linejoin="round"/>`;
    const labels = names.length === 0 ? '' : `<g class="labels" font-weight="600" pointer-events="none">${names.join('')}</g>`;
    out.push(`<g id="retry-path-${g}" class="retry-path">${line}${dots.join('')}${labels}</g>`);
  }
  return `<g id="retry-paths" class="retry-paths">${out.join('')}</g>`;
}

/**
 * As the page draws them: an outcome marker is a line down its lane (the
 * whole plot without one) at the end of its step, and a badge naming it in
 * the lane's mark row, ending at the line; a kernel event (VM_FAULT_RETRY)
 * is the badge alone. The badges sit above the steps, never on a label.
 */
function markers(plot: Plot): string {
  const { model, layout } = plot;
  const out: string[] = [];
  const badge = (points: Points, i: number, cls: string, label: string, colour: string, line: boolean) => {
    const step = points.step[i] ?? 0;
    if (step < plot.from || step >= plot.to) return;
    const band = layout.lanes[points.lane[i] ?? -1];
    const x = px(plot, markAt(step));
    const top = band?.markTop ?? 0;
    const bottom = band === undefined ? plot.height : band.top + band.height - 1;
    const w = textWidth(label, 10, true) + 8;
    const bx = Math.max(0, x - w);
    out.push(
      `<g class="${cls}" fill="${colour}"><title>${escapeXml(`step ${step + 1}: ${model.strings[points.label[i] ?? -1] ?? label}`)}</title>` +
        (line ? `<rect x="${num(Math.round(x) - 1)}" y="${num(top)}" width="2" height="${num(bottom - top)}"/>` : '') +
        `<rect x="${num(bx)}" y="${num(top)}" width="${num(w)}" height="${MARK_ROW}" rx="2"/>` +
        text(bx + 4, baseline(top + MARK_ROW / 2 + 0.5, 10), label, ' fill="#ffffff" font-weight="600"') +
        '</g>',
    );
  };
  for (let i = 0; i < model.markers.count; i++) {
    const kind = model.markers.kind[i] ?? 0;
    badge(model.markers, i, `marker ${MARKER_KINDS[kind] ?? 'marker'}`, markerText(kind) || (MARKER_KINDS[kind] ?? ''), MARKER_COLOURS[kind] ?? '#000000', true);
  }
  for (let i = 0; i < model.events.count; i++) {
    const kind = model.events.kind[i] ?? 0;
    const name = EVENT_KINDS[kind] ?? '';
    badge(model.events, i, `event ${name}`, name, EVENT_COLOURS[kind] ?? '#000000', false);
  }
  return `<g id="markers" class="markers">${out.join('')}</g>`;
}

function cursorLine(plot: Plot, cursor: number | undefined): string {
  if (cursor === undefined || cursor < plot.from || cursor > plot.to) return '';
  return `<rect id="cursor" class="cursor" x="${num(px(plot, cursor) - 1)}" y="0" width="2" height="${num(plot.height)}" fill="${CURSOR}"/>`;
}

/* ------------------------------------------------------------------ */
/* Around the plot: header, axis, lane labels, legend.                */
/* ------------------------------------------------------------------ */

function header(options: TimelineSvgOptions, width: number): { svg: string; height: number } {
  const room = width - 2 * MARGIN + 2 * TEXT_PAD;
  const parts = [textTitled(MARGIN, MARGIN + 14, options.title, room, 15, true, ' font-size="15" font-weight="600"')];
  let height = MARGIN + 26;
  if (options.subtitle !== undefined && options.subtitle !== '') {
    parts.push(textTitled(MARGIN, MARGIN + 33, options.subtitle, room, 12, false, ` font-size="12" fill="${MUTED}"`));
    height += 18;
  }
  return { svg: `<g id="header" class="header" fill="${INK}">${parts.join('')}</g>`, height };
}

/** Text shortened to `room` if it must be, with the whole of it in a tooltip then. */
function textTitled(x: number, y: number, content: string, room: number, size: number, bold: boolean, attrs: string): string {
  const short = textWidth(content, size, bold) + 2 * TEXT_PAD <= room ? content : (fitText(content, room, size, bold) ?? '');
  if (short === content) return text(x, y, content, attrs);
  return `<text x="${num(x)}" y="${num(y)}"${attrs}><title>${escapeXml(content)}</title>${escapeXml(short)}</text>`;
}

/** The step axis: tick labels where the page's axis has them (layout.ts, axisTicks). */
function axis(plot: Plot, cursor: number | undefined): string {
  const ticks = plot.ticks.map((t) => {
    const x = Math.round(px(plot, t));
    const label = String(t);
    // The last label would run off the plot: put it left of its tick.
    const end = x + TEXT_PAD + textWidth(label, 11) > plot.width;
    return `<g class="tick"><rect x="${x}" y="0" width="1" height="${AXIS_HEIGHT - 1}" fill="${LANE_RULE}"/>${text(end ? x - TEXT_PAD : x + TEXT_PAD, AXIS_HEIGHT - 5, label, end ? ' text-anchor="end"' : '')}</g>`;
  });
  let head = '';
  if (cursor !== undefined && cursor >= plot.from && cursor <= plot.to) {
    const x = px(plot, cursor) - 1;
    const label = String(cursor);
    const w = textWidth(label, 11, true) + 10;
    const bx = x + w > plot.width ? x - w + 2 : x;
    head = `<g id="cursor-head" class="cursor-head"><rect x="${num(bx)}" y="3" width="${num(w)}" height="16" rx="3" fill="${CURSOR}"/>${text(bx + 5, baseline(11, 11), label, ' fill="#ffffff" font-weight="600"')}</g>`;
  }
  return `<g id="axis" class="axis" font-size="11" fill="${MUTED}">${ticks.join('')}${head}</g>`;
}

function laneLabels(plot: Plot, labels: readonly string[]): string {
  const captions: readonly [keyof LaneBand, number, string][] = [
    ['faultTop', FAULT_ROW, 'faults'],
    ['holdTop', HOLD_ROW, 'holds'],
    ['waitTop', WAIT_ROW, 'waits'],
    ['pathTop', PATH_ROW, 'retry'],
  ];
  const lanes = plot.layout.lanes.map((band, lane) => {
    const name = labels[lane] ?? `lane ${lane + 1}`;
    const rows = captions.filter(([key]) => key !== 'pathTop' || band.pathRows > 0).map(([key, h, caption]) => text(LABEL_COLUMN - 6, baseline(band[key] + h / 2, 9.5), caption));
    return (
      `<g class="lane" id="lane-${lane}">` +
      textTitled(8, baseline(band.top + 13, 13), name, LABEL_COLUMN - 8, 13, true, ` font-size="13" font-weight="600" fill="${INK}"`) +
      `<g font-size="9.5" text-anchor="end">${rows.join('')}</g>` +
      `<rect x="0" y="${num(band.top + band.height - 1)}" width="${LABEL_COLUMN}" height="1" fill="${LANE_RULE}"/></g>`
    );
  });
  return `<g id="lanes" class="lanes" fill="${MUTED}">${lanes.join('')}</g>`;
}

interface LegendItem {
  readonly cls: string;
  readonly label: string;
  /** The swatch's markup, drawn in a box `width` wide and a row high. */
  readonly swatch: string;
  readonly width: number;
}

function legendItems(model: TimelineModel): LegendItem[] {
  const items: LegendItem[] = LOCK_KINDS.map((kind, k) => ({
    cls: `lock ${kind}`,
    label: LOCK_NAMES[kind],
    swatch: `<rect y="4" width="16" height="10" rx="2" fill="${LOCK_SWATCHES[k]?.fill ?? WAIT.fill}"/>`,
    width: 16,
  }));
  items.push({ cls: 'wait', label: 'waiting (blocked)', swatch: `<rect y="4" width="16" height="10" rx="2" fill="url(#${HATCH_ID})"/>`, width: 16 });
  items.push({ cls: 'fault', label: 'fault frames, nested', swatch: FAULT_LEVELS.map((l, i) => `<rect x="${i * 4}" y="4" width="4" height="10" fill="${l.fill}"/>`).join(''), width: 16 });
  const dots = PATH_KINDS.map((_, i) => `<circle cx="${4 + i * 6}" cy="9" r="3" fill="${PATH_COLOURS[i] ?? PATH_LINE}"/>`).join('');
  items.push({ cls: 'retry-path', label: `retry path: ${PATH_SHORT.join(' → ')}`, swatch: `<rect y="8.4" width="32" height="1.25" fill="${PATH_LINE}"/>${dots}`, width: 32 });
  // The page lists the first four outcomes; a run with another one gets it too.
  const present = new Set(model.markers.kind);
  MARKER_KINDS.forEach((kind, k) => {
    if (k < 4 || present.has(k)) items.push({ cls: `marker ${kind}`, label: markerText(k), swatch: `<rect y="2" width="4" height="14" fill="${MARKER_COLOURS[k] ?? '#000000'}"/>`, width: 4 });
  });
  return items;
}

/** The page's legend (Timeline.tsx), in rows that wrap at the given width. */
function legend(model: TimelineModel, left: number, top: number, width: number): { svg: string; height: number } {
  const out: string[] = [];
  let x = 0;
  let row = 0;
  for (const item of legendItems(model)) {
    const w = item.width + 5 + textWidth(item.label, 12);
    if (x > 0 && x + w > width) {
      x = 0;
      row++;
    }
    out.push(`<g class="${item.cls}" transform="translate(${num(x)},${row * LEGEND_ROW})">${item.swatch}${text(item.width + 5, baseline(9, 12), item.label)}</g>`);
    x += w + 16;
  }
  return { svg: `<g id="legend" class="legend" transform="translate(${left},${num(top)})" font-size="12" fill="${MUTED}">${out.join('')}</g>`, height: (row + 1) * LEGEND_ROW };
}

/** Red with dark diagonals, the canvas's hatch tile drawn as a pattern: blocked time reads as different from any hold, even in greyscale. */
function defs(plotWidth: number, plotHeight: number): string {
  return (
    '<defs>' +
    `<pattern id="${HATCH_ID}" width="6" height="6" patternUnits="userSpaceOnUse">` +
    `<rect width="6" height="6" fill="${WAIT.fill}"/>` +
    '<path d="M-1,7 L7,-1 M5,7 L7,5 M-1,1 L1,-1" stroke="#500000" stroke-opacity="0.45" stroke-width="1.5"/>' +
    '</pattern>' +
    `<clipPath id="${CLIP_ID}"><rect width="${num(plotWidth)}" height="${num(plotHeight)}"/></clipPath>` +
    '</defs>'
  );
}

/* ------------------------------------------------------------------ */

/** The window [from, to) in whole steps, inside the domain and at least a step wide. */
function stepWindow(model: TimelineModel, options: TimelineSvgOptions): [number, number] {
  const domain = Math.max(1, model.steps);
  const from = Math.min(domain - 1, Math.max(0, Math.floor(Number.isFinite(options.from) ? (options.from ?? 0) : 0)));
  const to = Math.min(domain, Math.max(from + 1, Math.ceil(Number.isFinite(options.to) ? (options.to ?? domain) : domain)));
  return [from, to];
}

/** The timeline as a complete SVG 1.1 document. */
export function timelineSvg(model: TimelineModel, options: TimelineSvgOptions): string {
  const width = Math.max(LABEL_COLUMN + 2 * MARGIN + 200, Math.round(options.width ?? DEFAULT_WIDTH));
  const plotLeft = MARGIN + LABEL_COLUMN;
  const plotWidth = width - plotLeft - MARGIN;
  const layout = laneLayout(model);
  const [from, to] = stepWindow(model, options);
  const x = scaleLinear().domain([from, to]).range([0, plotWidth]);
  const offset = x(0);
  const plot: Plot = {
    model,
    layout,
    scale: x(1) - offset,
    offset,
    width: plotWidth,
    height: layout.height,
    from,
    to,
    ticks: axisTicks(x, plotWidth),
    stepLabel: options.stepLabel,
  };
  const head = header(options, width);
  const axisTop = head.height;
  const plotTop = axisTop + AXIS_HEIGHT;
  const body = AXIS_HEIGHT + layout.height;
  const keys = legend(model, MARGIN, plotTop + layout.height + 12, width - 2 * MARGIN);
  const height = Math.ceil(plotTop + layout.height + 12 + keys.height + MARGIN);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FAMILY}" font-size="10">\n`,
    `<title>${escapeXml(options.title)}</title>\n`,
    options.subtitle === undefined ? '' : `<desc>${escapeXml(options.subtitle)}</desc>\n`,
    defs(plotWidth, layout.height),
    '\n',
    `<rect id="background" width="${width}" height="${height}" fill="${BACKGROUND}"/>\n`,
    head.svg,
    '\n',
    // The frame of the page's .tl-body: the label column and axis strip shaded, rules between.
    `<g id="frame" class="frame"><rect x="${MARGIN}" y="${axisTop}" width="${LABEL_COLUMN}" height="${body}" fill="${SIDE}"/>`,
    text(MARGIN + 8, axisTop + AXIS_HEIGHT - 8, 'steps →', ` font-size="11" fill="${MUTED}"`),
    `<rect x="${MARGIN - 0.5}" y="${axisTop - 0.5}" width="${width - 2 * MARGIN + 1}" height="${body + 1}" fill="none" stroke="${LANE_RULE}"/>`,
    `<rect x="${MARGIN}" y="${plotTop - 1}" width="${width - 2 * MARGIN}" height="1" fill="${LANE_RULE}"/>`,
    `<rect x="${plotLeft - 1}" y="${axisTop}" width="1" height="${body}" fill="${LANE_RULE}"/></g>\n`,
    `<g transform="translate(${plotLeft},${axisTop})">${axis(plot, options.cursor)}</g>\n`,
    `<g transform="translate(${MARGIN},${plotTop})">${laneLabels(plot, options.laneLabels)}</g>\n`,
    `<g id="plot" class="plot" transform="translate(${plotLeft},${plotTop})"><g clip-path="url(#${CLIP_ID})">\n`,
    grid(plot),
    '\n',
    steps(plot),
    '\n',
    faults(plot),
    '\n',
    holds(plot),
    '\n',
    waits(plot),
    '\n',
    retryPaths(plot),
    '\n',
    markers(plot),
    '\n',
    cursorLine(plot, options.cursor),
    '</g></g>\n',
    keys.svg,
    '\n</svg>\n',
  ].join('');
}
