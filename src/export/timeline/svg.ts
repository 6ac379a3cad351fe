/**
 * The timeline as a standalone SVG document, for a bug report: the plot
 * drawn by render.ts through an SVG back-end (the same marks the page's
 * canvas shows), plus what the page draws in the DOM around the canvas
 * (title, lane labels, step axis, cursor, step labels, marker badges,
 * legend).
 *
 * Pure: builds a string and never touches the page, so it runs in Node (the
 * CLI's `export --format svg`). Text widths are estimated from the
 * characters, since there is nothing to measure with. Every bar carries a
 * <title> with its full label, and elements are grouped by kind with ids and
 * classes so the file is easy to edit by hand.
 */
import { pidName } from '../../kernel/state.ts';
import type { VariantId } from '../../kernel/variants.ts';
import type { Scenario } from '../../scenarios/types.ts';
import { describeOutcome, outcomeOf } from '../../sim/outcome.ts';
import type { TraceStep } from '../../sim/step.ts';
import type { SystemState } from '../../sim/system.ts';
import { FAULT_ROW, HOLD_ROW, PATH_ROW, TEXT_PAD, WAIT_ROW, laneLayout, stepTicks, type LaneBand } from './layout.ts';
import { LOCK_KINDS, MARKER_KINDS, PATH_KINDS, buildTimeline, markerText, type TimelineModel } from './model.ts';
import { BACKGROUND, FAULT_LEVELS, INK, LANE_RULE, LOCK_NAMES, LOCK_SWATCHES, MARKER_COLOURS, PATH_COLOURS, PATH_LINE, PATH_SHORT, WAIT } from './palette.ts';
import { FONT_FAMILY, LABEL_SIZE, drawPlot, fitLabel, type Fill, type Group, type PlotScene, type Renderer, type TextStyle } from './render.ts';

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
/** From timeline.css; the palette has no entry for the DOM's own colours. */
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

/** render.ts's fitLabel with the estimated widths. */
export function fitText(text: string, room: number, size: number, bold = false): string | null {
  return fitLabel(text, room, (t) => textWidth(t, size, bold));
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

function titled(element: string, attrs: string, title: string): string {
  return `<${element} ${attrs}><title>${escapeXml(title)}</title></${element}>`;
}

/* ------------------------------------------------------------------ */
/* The SVG back-end of render.ts's Renderer.                          */
/* ------------------------------------------------------------------ */

interface Frame {
  readonly open: string;
  readonly parts: string[];
  /** Kept when empty (it has an id a reader may look for); others are dropped. */
  readonly keep: boolean;
  readonly fill: string | undefined;
  readonly fontSize: number;
  readonly bold: boolean;
}

function paint(fill: Fill): string {
  return typeof fill === 'string' ? fill : `url(#${HATCH_ID})`;
}

/**
 * Elements grouped as render.ts opens groups; what a group sets (fill, font
 * size) is written once on the <g> and left off its children that inherit it.
 */
class SvgRenderer implements Renderer {
  readonly titles = true;
  private readonly stack: Frame[] = [{ open: '', parts: [], keep: true, fill: undefined, fontSize: LABEL_SIZE, bold: false }];

  private get top(): Frame {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) throw new Error('SvgRenderer: closed more groups than it opened');
    return top;
  }

  /** The markup written so far, at the outermost level. */
  markup(): string {
    return this.top.parts.join('');
  }

  open(group: Group): void {
    const parent = this.top;
    const fill = group.fill === undefined ? undefined : paint(group.fill);
    let attrs = '';
    if (group.id !== undefined) attrs += ` id="${group.id}"`;
    if (group.cls !== undefined) attrs += ` class="${group.cls}"`;
    if (fill !== undefined) attrs += ` fill="${fill}"`;
    if (group.fontSize !== undefined && group.fontSize !== parent.fontSize) attrs += ` font-size="${num(group.fontSize)}"`;
    const title = group.title === undefined ? '' : `<title>${escapeXml(group.title)}</title>`;
    this.stack.push({ open: `<g${attrs}>${title}`, parts: [], keep: group.id !== undefined, fill: fill ?? parent.fill, fontSize: group.fontSize ?? parent.fontSize, bold: parent.bold });
  }

  close(): void {
    const frame = this.stack.pop();
    if (frame === undefined || this.stack.length === 0) throw new Error('SvgRenderer: closed more groups than it opened');
    if (frame.parts.length > 0 || frame.keep) this.top.parts.push(`${frame.open}${frame.parts.join('')}</g>`);
  }

  rect(x: number, y: number, width: number, height: number, extra?: { readonly title?: string; readonly rx?: number }): void {
    const attrs = `x="${num(x)}" y="${num(y)}" width="${num(width)}" height="${num(height)}"${extra?.rx === undefined ? '' : ` rx="${num(extra.rx)}"`}`;
    this.top.parts.push(extra?.title === undefined ? `<rect ${attrs}/>` : titled('rect', attrs, extra.title));
  }

  text(x: number, middle: number, content: string, style: TextStyle): void {
    const { fill, fontSize, bold } = this.top;
    const font = (style.size === fontSize ? '' : ` font-size="${num(style.size)}"`) + ((style.bold ?? false) === bold ? '' : ` font-weight="${style.bold === true ? '600' : 'normal'}"`);
    const y = baseline(middle, style.size);
    // The halo is a stroke of its colour drawn first (paint-order is not SVG 1.1).
    if (style.halo !== undefined) this.top.parts.push(text(x, y, content, ` fill="${style.halo}" stroke="${style.halo}" stroke-width="3" stroke-linejoin="round"${font}`));
    this.top.parts.push(text(x, y, content, (style.ink === fill && style.halo === undefined ? '' : ` fill="${style.ink}"`) + font));
  }

  polyline(points: readonly number[], stroke: string, width: number): void {
    const coords: string[] = [];
    for (let i = 0; i + 1 < points.length; i += 2) coords.push(`${num(points[i] ?? 0)},${num(points[i + 1] ?? 0)}`);
    this.top.parts.push(`<polyline points="${coords.join(' ')}" fill="none" stroke="${stroke}" stroke-width="${num(width)}" stroke-linejoin="round"/>`);
  }

  circle(x: number, y: number, r: number, fill: string, extra?: { readonly cls?: string; readonly title?: string }): void {
    const attrs = `${extra?.cls === undefined ? '' : `class="${extra.cls}" `}cx="${num(x)}" cy="${num(y)}" r="${num(r)}" fill="${fill}"`;
    this.top.parts.push(extra?.title === undefined ? `<circle ${attrs}/>` : titled('circle', attrs, extra.title));
  }

  measure(content: string, size: number, bold: boolean): number {
    return textWidth(content, size, bold);
  }
}

function px(plot: PlotScene, t: number): number {
  return plot.scale * t + plot.offset;
}

function cursorLine(plot: PlotScene, cursor: number | undefined): string {
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
function axis(plot: PlotScene, cursor: number | undefined): string {
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

function laneLabels(plot: PlotScene, labels: readonly string[]): string {
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
  const scale = plotWidth / (to - from);
  const plot: PlotScene = {
    model,
    layout,
    scale,
    offset: -from * scale,
    width: plotWidth,
    height: layout.height,
    from,
    to,
    ticks: stepTicks(from, to, plotWidth),
    stepLabel: options.stepLabel,
    badges: true,
  };
  const marks = new SvgRenderer();
  drawPlot(marks, plot);
  const head = header(options, width);
  const axisTop = head.height;
  const plotTop = axisTop + AXIS_HEIGHT;
  const body = AXIS_HEIGHT + layout.height;
  const keys = legend(model, MARGIN, plotTop + layout.height + 12, width - 2 * MARGIN);
  const height = Math.ceil(plotTop + layout.height + 12 + keys.height + MARGIN);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}" font-size="${LABEL_SIZE}">\n`,
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
    marks.markup(),
    '\n',
    cursorLine(plot, options.cursor),
    '</g></g>\n',
    keys.svg,
    '\n</svg>\n',
  ].join('');
}

/** A run to draw: what the page's export and `cli export --format svg` both have. */
export interface SvgRun {
  readonly scenario: Scenario;
  readonly variant: VariantId;
  readonly trace: readonly TraceStep[];
  /** states[i] is the system after i steps. */
  readonly states: readonly SystemState[];
  /** Steps applied, drawn as the cursor; none without it. */
  readonly cursor?: number;
}

/** The timeline of a whole run, one lane per task, headed by the scenario, the variant and how the run ended. */
export function runTimelineSvg(run: SvgRun): string {
  const pids = run.scenario.tasks.map((t) => t.pid);
  const model = buildTimeline(run.trace, run.states, pids);
  const last = run.states[run.states.length - 1];
  const outcome = last === undefined ? null : outcomeOf(last);
  const steps = run.trace.length;
  return timelineSvg(model, {
    title: `${run.scenario.id} under ${run.variant}`,
    subtitle: `${run.scenario.title}. ${outcome === null ? `${steps} steps, still running` : `After ${steps} steps: ${describeOutcome(outcome)}`}`,
    laneLabels: pids.map(pidName),
    stepLabel: (i) => run.trace[i]?.label ?? '',
    cursor: run.cursor,
  });
}
