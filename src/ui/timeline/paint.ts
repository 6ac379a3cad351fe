/**
 * The canvas back-end of the timeline's renderer (export/timeline/render.ts
 * decides every mark; this puts them on a 2D canvas), in CSS pixels: the
 * caller sets the device-pixel-ratio transform. A group's fill is set once
 * for all its rects, text widths are measured once per string and font, and
 * without tooltips to write nothing is allocated per step or per bar (only
 * for the labels that fit and the retry paths in view).
 *
 * Step labels and the badges of outcome markers and kernel events are DOM
 * over the canvas (Timeline.tsx): they wrap, and a test can read them; the
 * canvas draws the markers' lines. The hover highlight is the page's own.
 */
import { stepsInView, FONT_FAMILY, LABEL_SIZE, drawPlot, type Fill, type Group, type PlotScene, type Renderer, type TextStyle } from '../../export/timeline/render.ts';
import { BACKGROUND, HOVER } from '../../export/timeline/palette.ts';

/** What the page paints: the plot in view, without the SVG's step labels and badges (DOM here), with the step under the pointer. */
export type PaintScene = Omit<PlotScene, 'from' | 'to' | 'stepLabel' | 'badges'> & { readonly hoverStep: number };

function font(size: number, bold: boolean): string {
  return `${bold ? '600 ' : ''}${size}px ${FONT_FAMILY}`;
}

/** Text widths, measured once per string and font. */
export class TextMeasure {
  private readonly widths = new Map<string, number>();
  constructor(private readonly ctx: CanvasRenderingContext2D) {}

  width(text: string, size = LABEL_SIZE, bold = false): number {
    const f = font(size, bold);
    const key = `${f}\u0000${text}`;
    let w = this.widths.get(key);
    if (w === undefined) {
      if (this.widths.size > 4000) this.widths.clear();
      const before = this.ctx.font;
      this.ctx.font = f;
      w = this.ctx.measureText(text).width;
      this.ctx.font = before;
      this.widths.set(key, w);
    }
    return w;
  }
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

interface Frame {
  readonly fill: string | undefined;
  /** The hatched group's rects, filled again with the pattern when it closes. */
  readonly hatched: number[] | null;
}

class CanvasRenderer implements Renderer {
  readonly titles = false;
  private readonly stack: Frame[] = [{ fill: undefined, hatched: null }];
  /** What ctx.fillStyle was last set to by a group, so a text's ink is undone only when needed. */
  private applied: string | undefined = undefined;
  private font = '';

  constructor(
    private readonly ctx: CanvasRenderingContext2D,
    private readonly measured: TextMeasure,
  ) {}

  private get top(): Frame {
    return this.stack[this.stack.length - 1] ?? { fill: undefined, hatched: null };
  }

  open(group: Group): void {
    const fill: Fill | undefined = group.fill;
    if (fill === undefined) this.stack.push({ fill: this.top.fill, hatched: null });
    else if (typeof fill === 'string') this.stack.push({ fill, hatched: null });
    else this.stack.push({ fill: fill.hatched, hatched: [] });
  }

  close(): void {
    const frame = this.stack.pop();
    const rects = frame?.hatched;
    if (rects === null || rects === undefined || rects.length === 0) return;
    const pattern = hatch(this.ctx);
    if (pattern === null) return;
    this.ctx.fillStyle = pattern;
    this.applied = undefined;
    for (let i = 0; i + 3 < rects.length; i += 4) this.ctx.fillRect(rects[i] ?? 0, rects[i + 1] ?? 0, rects[i + 2] ?? 0, rects[i + 3] ?? 0);
  }

  private useFill(): void {
    const fill = this.top.fill;
    if (fill !== undefined && this.applied !== fill) {
      this.ctx.fillStyle = fill;
      this.applied = fill;
    }
  }

  rect(x: number, y: number, width: number, height: number): void {
    this.useFill();
    this.ctx.fillRect(x, y, width, height);
    this.top.hatched?.push(x, y, width, height);
  }

  text(x: number, middle: number, content: string, style: TextStyle): void {
    const { ctx } = this;
    const f = font(style.size, style.bold === true);
    if (this.font !== f) {
      ctx.font = f;
      this.font = f;
    }
    const clip = style.clip;
    if (clip !== undefined) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(clip.x, clip.y, clip.width, clip.height);
      ctx.clip();
    }
    if (style.halo !== undefined) {
      ctx.strokeStyle = style.halo;
      ctx.lineWidth = 3;
      ctx.lineJoin = 'round';
      ctx.strokeText(content, x, middle);
    }
    ctx.fillStyle = style.ink;
    this.applied = undefined;
    ctx.fillText(content, x, middle);
    if (clip !== undefined) ctx.restore();
  }

  polyline(points: readonly number[], stroke: string, width: number): void {
    const { ctx } = this;
    ctx.strokeStyle = stroke;
    ctx.lineWidth = width;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(points[0] ?? 0, points[1] ?? 0);
    for (let i = 2; i + 1 < points.length; i += 2) ctx.lineTo(points[i] ?? 0, points[i + 1] ?? 0);
    ctx.stroke();
  }

  circle(x: number, y: number, r: number, fill: string): void {
    const { ctx } = this;
    ctx.fillStyle = fill;
    this.applied = undefined;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fill();
  }

  measure(content: string, size: number, bold: boolean): number {
    return this.measured.width(content, size, bold);
  }
}

export function paintTimeline(ctx: CanvasRenderingContext2D, scene: PaintScene, text: TextMeasure): void {
  const { width, height, model, scale, offset } = scene;
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'middle';
  if (scene.hoverStep >= 0) {
    ctx.fillStyle = HOVER;
    ctx.fillRect(scale * scene.hoverStep + offset, 0, Math.max(1, scale), height);
  }
  const [from, to] = stepsInView(model.steps, scale, offset, width);
  drawPlot(new CanvasRenderer(ctx, text), { ...scene, from, to, badges: false });
}
