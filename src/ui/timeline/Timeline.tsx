/**
 * The timeline: one swimlane per task, steps, fault frames, lock holds,
 * waits, retry paths and outcome markers over logical time (step i is
 * i..i+1; the cursor line at x = cursor is the state after that many steps).
 *
 * D3 does the math: a linear scale for x, and d3-zoom on the canvas for
 * zoom and pan (x only). The events are painted on a canvas from the model's
 * typed arrays in a requestAnimationFrame, outside React renders; React
 * owns the DOM around it: axis ticks (from `scale.ticks()`), lane labels,
 * the step labels of the steps in view (two wrapped lines each, so a kernel
 * function's name is read whole), the badges of outcome markers and kernel
 * events in each lane's mark row above the steps, the cursor line, the
 * tooltip and the legend.
 *
 * The view is a window of steps. A caller may ask for one (a link's zoom)
 * and hear of the user's zooms and pans; without one, the timeline opens
 * zoomed so that a step is at least `readableStepPx` wide, around the
 * cursor, and follows the cursor when it leaves the window.
 */
import { select, scaleLinear, zoom, zoomIdentity, zoomTransform, type D3ZoomEvent, type ScaleLinear, type ZoomBehavior, type ZoomTransform } from 'd3';
import { useEffect, useId, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState, type MouseEvent, type PointerEvent, type ReactNode, type Ref } from 'react';
import { flushSync } from 'react-dom';
import { FrameScheduler, type FrameCost } from './frames.ts';
import { FAULT_ROW, HOLD_ROW, MARK_ROW, PATH_ROW, STEP_ROW, WAIT_ROW, laneAt, laneLayout, stepTicks, type TimelineLayout } from '../../export/timeline/layout.ts';
import { EVENT_KINDS, LOCK_KINDS, MARKER_KINDS, PATH_KINDS, markAt, markerText, spansAt, type Points, type TimelineModel } from '../../export/timeline/model.ts';
import { TextMeasure, paintTimeline } from './paint.ts';
import { EVENT_COLOURS, FAULT_LEVELS, LOCK_NAMES, LOCK_SWATCHES, MARKER_COLOURS, PATH_COLOURS, PATH_SHORT } from '../../export/timeline/palette.ts';
import './timeline.css';

export interface TimelineHandle {
  /** Pan by dx CSS pixels (positive brings earlier steps into view). */
  panBy(dx: number): void;
  /** Zoom about the middle of the plot. */
  zoomBy(factor: number): void;
  /** Show every step. */
  fit(): void;
}

export interface TimelineProps {
  readonly model: TimelineModel;
  /** Steps applied: the cursor line sits at x = cursor. */
  readonly cursor: number;
  /** Called with the cursor a click asks for: the clicked step applied (i + 1). */
  readonly onSelectStep: (cursor: number) => void;
  readonly laneLabels: readonly string[];
  readonly stepLabel?: (i: number) => string;
  readonly ref?: Ref<TimelineHandle>;
  /** After each frame, what it cost (for the bench). */
  readonly onFrame?: (cost: FrameCost) => void;
  /** The steps to show, [from, to] in logical time; null or absent: the timeline picks (see readableStepPx). */
  readonly window?: readonly [number, number] | null;
  /** Called with the window after the user zooms, pans or presses a zoom button. */
  readonly onWindowChange?: (window: [number, number]) => void;
  /** Without a window, open zoomed so that a step is at least this wide; absent: show every step. */
  readonly readableStepPx?: number;
  /** Shown at the start of the bar above the plot (the panel's heading). */
  readonly title?: ReactNode;
}

/** The widest a step may get when zoomed in, in CSS pixels. */
const MAX_STEP_PX = 240;
/** Below this a step's label is not drawn: the tooltip names it. */
const LABEL_STEP_PX = 44;
/** Windows closer than this (in steps) are the same view: no zoom is echoed back and forth. */
const WINDOW_EPSILON = 0.05;

interface Hover {
  readonly step: number;
  /** The lane under the pointer (not necessarily the stepping task's). */
  readonly lane: number;
  readonly x: number;
  readonly y: number;
}

/** What the painter and the pointer handlers read between React renders. */
interface Live {
  model: TimelineModel;
  layout: TimelineLayout;
  base: ScaleLinear<number, number>;
  width: number;
  transform: ZoomTransform;
  hover: Hover | null;
  stepLabel: ((i: number) => string) | undefined;
  onFrame: ((cost: FrameCost) => void) | undefined;
}

/** Ticks at whole steps only: a tick is a cursor position. */
function maxZoom(steps: number, width: number): number {
  return Math.max(1, (steps * MAX_STEP_PX) / Math.max(1, width));
}

function paint(canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, text: TextMeasure, live: Live): void {
  const { width, layout, model, base, transform, hover } = live;
  if (width <= 0) return;
  const dpr = window.devicePixelRatio || 1;
  const pw = Math.round(width * dpr);
  const ph = Math.round(layout.height * dpr);
  if (canvas.width !== pw || canvas.height !== ph) {
    canvas.width = pw;
    canvas.height = ph;
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const x = transform.rescaleX(base);
  const offset = x(0);
  paintTimeline(ctx, { model, layout, scale: x(1) - offset, offset, width, height: layout.height, ticks: ticksOf(x, width), hoverStep: hover?.step ?? -1 }, text);
}

/** The zoom transform that shows [from, to] of `steps` on a plot `width` wide. */
function transformOf(window: readonly [number, number], steps: number, width: number): ZoomTransform {
  const k = Math.max(1, steps / Math.max(1e-6, window[1] - window[0]));
  return zoomIdentity.translate((-k * window[0] * width) / Math.max(1, steps), 0).scale(k);
}

/** The steps a transform shows. */
function windowOf(transform: ZoomTransform, base: ScaleLinear<number, number>, width: number): [number, number] {
  const x = transform.rescaleX(base);
  return [Math.max(0, x.invert(0)), x.invert(width)];
}

/** Steps at least `px` wide, around the cursor (a quarter in from the left, so what comes next is in view). */
function readableWindow(steps: number, width: number, px: number, cursor: number): [number, number] {
  const visible = width / px;
  if (visible >= steps) return [0, Math.max(1, steps)];
  const from = Math.max(0, Math.min(steps - visible, cursor - visible / 4));
  return [from, from + visible];
}

/** The axis ticks of the steps the x scale shows (the SVG export's too: layout.ts). */
function ticksOf(x: ScaleLinear<number, number>, width: number): number[] {
  const [from = 0, to = 0] = x.domain();
  return stepTicks(from, to, width);
}

function hoverAt(live: Live, event: MouseEvent<HTMLCanvasElement>): Hover | null {
  const rect = event.currentTarget.getBoundingClientRect();
  const x = event.clientX - rect.left;
  const y = event.clientY - rect.top;
  const step = Math.floor(live.transform.rescaleX(live.base).invert(x));
  if (step < 0 || step >= live.model.steps) return null;
  return { step, lane: laneAt(live.layout, y), x, y };
}

export function Timeline({ model, cursor, onSelectStep, laneLabels, stepLabel, ref, onFrame, window: asked = null, onWindowChange, readableStepPx, title }: TimelineProps) {
  const captionId = useId();
  const plotRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [view, setView] = useState<{ transform: ZoomTransform; hover: Hover | null }>({ transform: zoomIdentity, hover: null });
  const layout = useMemo(() => laneLayout(model), [model]);
  const base = useMemo(() => scaleLinear().domain([0, Math.max(1, model.steps)]).range([0, Math.max(1, width)]), [model.steps, width]);
  const x = useMemo(() => view.transform.rescaleX(base), [view.transform, base]);
  const ticks = useMemo(() => ticksOf(x, width), [x, width]);

  const live = useRef<Live>({ model, layout, base, width, transform: zoomIdentity, hover: null, stepLabel, onFrame });
  const scheduler = useRef<FrameScheduler | null>(null);
  const zoomer = useRef<{ behavior: ZoomBehavior<HTMLCanvasElement, unknown>; canvas: HTMLCanvasElement } | null>(null);
  const reportWindow = useRef(onWindowChange);
  const cursorNow = useRef(cursor);
  useLayoutEffect(() => {
    reportWindow.current = onWindowChange;
    cursorNow.current = cursor;
  });

  // One scheduler per mounted canvas: it paints from `live` and commits the DOM with flushSync, so both change in the same frame.
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d') ?? null;
    if (canvas === null || ctx === null) return;
    const text = new TextMeasure(ctx);
    const frames = new FrameScheduler({
      paintCanvas: () => paint(canvas, ctx, text, live.current),
      commitDom: () => flushSync(() => setView({ transform: live.current.transform, hover: live.current.hover })),
      measured: (cost) => live.current.onFrame?.(cost),
    });
    scheduler.current = frames;
    frames.request({ canvas: true });
    return () => {
      frames.dispose();
      scheduler.current = null;
    };
  }, []);

  useLayoutEffect(() => {
    Object.assign(live.current, { model, layout, base, width, stepLabel, onFrame });
    scheduler.current?.request({ canvas: true });
  }, [model, layout, base, width, stepLabel, onFrame]);

  useLayoutEffect(() => {
    const plot = plotRef.current;
    if (plot === null) return;
    // The first observation arrives before the first paint, so there is no frame at width 0.
    const observer = new ResizeObserver(() => setWidth(Math.floor(plot.clientWidth)));
    observer.observe(plot);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas === null || width === 0) return;
    const extent: [[number, number], [number, number]] = [
      [0, 0],
      [width, layout.height],
    ];
    let started: [number, number] = [0, 0];
    const behavior = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([1, maxZoom(model.steps, width)])
      .extent(extent)
      .translateExtent(extent)
      .clickDistance(4)
      .on('zoom', (event: D3ZoomEvent<HTMLCanvasElement, unknown>) => {
        live.current.transform = event.transform;
        scheduler.current?.request({ canvas: true, dom: true });
      })
      .on('start', (event: D3ZoomEvent<HTMLCanvasElement, unknown>) => {
        started = windowOf(event.transform, live.current.base, live.current.width);
      })
      .on('end', (event: D3ZoomEvent<HTMLCanvasElement, unknown>) => {
        // Only the user's own zooms and pans (a wheel, a drag; not a click) are reported here; the buttons report theirs.
        const now = windowOf(event.transform, live.current.base, live.current.width);
        if (event.sourceEvent != null && (Math.abs(now[0] - started[0]) > WINDOW_EPSILON || Math.abs(now[1] - started[1]) > WINDOW_EPSILON)) reportWindow.current?.(now);
      });
    const selection = select(canvas);
    // A double click is two step selections, not a zoom.
    selection.call(behavior).on('dblclick.zoom', null);
    zoomer.current = { behavior, canvas };
    return () => {
      selection.on('.zoom', null);
      zoomer.current = null;
    };
  }, [width, layout.height, model.steps]);

  // The window asked for, or a readable one around the cursor; kept across a resize or a longer trace.
  const [askedFrom, askedTo] = asked ?? [NaN, NaN];
  useEffect(() => {
    const z = zoomer.current;
    if (z === null || width === 0) return;
    const steps = Math.max(1, model.steps);
    const want: readonly [number, number] | null = Number.isNaN(askedFrom) ? (readableStepPx === undefined ? null : readableWindow(steps, width, readableStepPx, cursorNow.current)) : [askedFrom, askedTo];
    const now = windowOf(zoomTransform(z.canvas), live.current.base, width);
    const target = want === null ? zoomTransform(z.canvas) : transformOf(want, steps, width);
    if (want !== null && Math.abs(now[0] - want[0]) < WINDOW_EPSILON && Math.abs(now[1] - want[1]) < WINDOW_EPSILON) return;
    select(z.canvas).call(z.behavior.transform, target);
  }, [askedFrom, askedTo, readableStepPx, width, layout.height, model.steps]);

  // Keep the cursor in view when it moves off screen while zoomed in (stepping with the keyboard).
  useEffect(() => {
    const z = zoomer.current;
    if (z === null) return;
    const t = zoomTransform(z.canvas);
    const at = t.rescaleX(live.current.base)(cursor);
    if (t.k > 1 && (at < 0 || at > live.current.width)) select(z.canvas).call(z.behavior.translateTo, live.current.base(cursor), 0);
  }, [cursor]);

  const panBy = (dx: number) => {
    const z = zoomer.current;
    if (z !== null) select(z.canvas).call(z.behavior.translateBy, dx / zoomTransform(z.canvas).k, 0);
  };
  const report = () => {
    const z = zoomer.current;
    if (z !== null) onWindowChange?.(windowOf(zoomTransform(z.canvas), live.current.base, live.current.width));
  };
  const zoomBy = (factor: number) => {
    const z = zoomer.current;
    if (z === null) return;
    select(z.canvas).call(z.behavior.scaleBy, factor);
    report();
  };
  const fit = () => {
    const z = zoomer.current;
    if (z === null) return;
    select(z.canvas).call(z.behavior.transform, zoomIdentity);
    report();
  };
  useImperativeHandle(ref, () => ({ panBy, zoomBy, fit }));

  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    const hover = hoverAt(live.current, event);
    const before = live.current.hover;
    live.current.hover = hover;
    // The highlight only moves when the step does; the tooltip follows the pointer.
    scheduler.current?.request({ canvas: before?.step !== hover?.step, dom: true });
  };
  const onPointerLeave = () => {
    live.current.hover = null;
    scheduler.current?.request({ canvas: true, dom: true });
  };
  const onClick = (event: MouseEvent<HTMLCanvasElement>) => {
    const hover = hoverAt(live.current, event);
    if (hover !== null) onSelectStep(hover.step + 1);
  };

  const cursorX = x(cursor);
  const hover = view.hover;
  return (
    <div className="tl" role="figure" aria-labelledby={captionId}>
      <div className="tl-bar">
        {title}
        <p id={captionId} className="tl-caption visually-hidden">
          Steps, fault frames, lock holds, waits and retry paths per task. Drag to pan, wheel to zoom, click a step to move the cursor after it.
        </p>
        <Legend />
        <div className="tl-buttons" role="group" aria-label="Zoom">
          <button type="button" onClick={() => zoomBy(2)}>
            Zoom in
          </button>
          <button type="button" onClick={() => zoomBy(0.5)}>
            Zoom out
          </button>
          <button type="button" onClick={fit}>
            Fit
          </button>
        </div>
      </div>
      <div className="tl-body">
        <div className="tl-corner" aria-hidden="true">
          steps →
        </div>
        <div className="tl-plot-head">
          <ol className="tl-axis" aria-label="Step axis">
            {ticks.map((t) => (
              <li key={t} style={{ transform: `translateX(${x(t)}px)` }}>
                <span>{t}</span>
              </li>
            ))}
          </ol>
          {cursorX >= 0 && cursorX <= width && (
            <div className="tl-cursor-head" aria-label={`Cursor after step ${cursor}`} style={{ transform: `translateX(${cursorX}px)` }}>
              {cursor}
            </div>
          )}
        </div>
        <ul className="tl-lanes" aria-label="Tasks" style={{ height: layout.height }}>
          {layout.lanes.map((band, lane) => (
            <li key={lane} style={{ top: band.top, height: band.height }}>
              <span className="tl-lane-name">{laneLabels[lane] ?? `lane ${lane + 1}`}</span>
              <RowCaption top={band.faultTop - band.top} height={FAULT_ROW} text="faults" />
              <RowCaption top={band.holdTop - band.top} height={HOLD_ROW} text="holds" />
              <RowCaption top={band.waitTop - band.top} height={WAIT_ROW} text="waits" />
              {band.pathRows > 0 && <RowCaption top={band.pathTop - band.top} height={PATH_ROW} text="retry" />}
            </li>
          ))}
        </ul>
        <div className="tl-plot" ref={plotRef} style={{ height: layout.height }}>
          <canvas
            ref={canvasRef}
            className="tl-canvas"
            role="img"
            aria-label="Timeline"
            aria-describedby={captionId}
            style={{ height: layout.height }}
            onPointerMove={onPointerMove}
            onPointerLeave={onPointerLeave}
            onClick={onClick}
          />
          {stepLabel !== undefined && <StepLabels model={model} layout={layout} x={x} width={width} stepLabel={stepLabel} />}
          <Marks model={model} layout={layout} x={x} width={width} />
          {cursorX >= 0 && cursorX <= width && (
            <div className="tl-cursor" aria-hidden="true" style={{ transform: `translateX(${cursorX}px)` }} />
          )}
          {hover !== null && <Tooltip model={model} hover={hover} width={width} height={layout.height} laneLabels={laneLabels} stepLabel={stepLabel} />}
        </div>
      </div>
    </div>
  );
}

/** A label with places to break a long kernel identifier (after "_", before "(" or "→"), so a line ends at a word's joint rather than anywhere. */
function breakable(label: string): ReactNode[] {
  return label.split(/(?<=_)|(?=[(→])/).flatMap((part, i) => (i === 0 ? [part] : [<wbr key={i} />, part]));
}

/** The labels of the steps in view, each in its own box: two lines, wrapped, cut with an ellipsis only when even that is too short. */
function StepLabels({ model, layout, x, width, stepLabel }: { model: TimelineModel; layout: TimelineLayout; x: ScaleLinear<number, number>; width: number; stepLabel: (i: number) => string }) {
  const px = x(1) - x(0);
  if (px < LABEL_STEP_PX || width === 0) return null;
  const first = Math.max(0, Math.floor(x.invert(0)));
  const last = Math.min(model.steps, Math.ceil(x.invert(width)));
  const labels = [];
  for (let i = first; i < last; i++) {
    const band = layout.lanes[model.stepLane[i] ?? -1];
    if (band === undefined) continue;
    const left = Math.max(0, x(i));
    const right = Math.min(width, x(i + 1));
    if (right - left < LABEL_STEP_PX / 2) continue;
    labels.push(
      <li key={i} className={(model.stepDepth[i] ?? 0) >= 3 ? 'tl-step-label tl-step-label-dark' : 'tl-step-label'} style={{ left, top: band.stepTop, width: right - left - 1, height: STEP_ROW }}>
        {breakable(stepLabel(i))}
      </li>,
    );
  }
  return (
    <ol className="tl-step-labels" aria-label="Steps in view">
      {labels}
    </ol>
  );
}

interface Mark {
  readonly key: string;
  readonly text: string;
  readonly title: string;
  readonly colour: string;
  readonly left: number;
  readonly top: number;
}

/** Badges in the lanes' mark rows, right-aligned to the end of their step (where the marker's line is). */
function Marks({ model, layout, x, width }: { model: TimelineModel; layout: TimelineLayout; x: ScaleLinear<number, number>; width: number }) {
  const marks: Mark[] = [];
  const add = (set: 'markers' | 'events', points: Points, text: (kind: number) => string, colour: (kind: number) => string) => {
    for (let i = 0; i < points.count; i++) {
      const step = points.step[i] ?? 0;
      const at = x(markAt(step));
      if (at < 0 || at > width + 1) continue;
      const kind = points.kind[i] ?? 0;
      const band = layout.lanes[points.lane[i] ?? -1];
      marks.push({ key: `${set}${i}`, text: text(kind), title: `step ${step + 1}: ${model.strings[points.label[i] ?? -1] ?? ''}`, colour: colour(kind), left: at, top: band?.markTop ?? 0 });
    }
  };
  add('markers', model.markers, (k) => markerText(k) || (MARKER_KINDS[k] ?? ''), (k) => MARKER_COLOURS[k] ?? '#000000');
  add('events', model.events, (k) => EVENT_KINDS[k] ?? '', (k) => EVENT_COLOURS[k] ?? '#000000');
  return (
    <ul className="tl-marks" aria-label="Marks">
      {marks.map((m) => (
        <li key={m.key} className="tl-mark" title={m.title} style={{ left: m.left, top: m.top, height: MARK_ROW, background: m.colour }}>
          {m.text}
          <span className="visually-hidden"> at {m.title}</span>
        </li>
      ))}
    </ul>
  );
}

/** Names a row of the lane's band, centred on the row's first line. */
function RowCaption({ top, height, text }: { top: number; height: number; text: string }) {
  return (
    <span className="tl-row" aria-hidden="true" style={{ top, height, lineHeight: `${height}px` }}>
      {text}
    </span>
  );
}

function Tooltip({ model, hover, width, height, laneLabels, stepLabel }: { model: TimelineModel; hover: Hover; width: number; height: number; laneLabels: readonly string[]; stepLabel: ((i: number) => string) | undefined }) {
  const stepper = model.stepLane[hover.step] ?? -1;
  const lane = hover.lane;
  const names = (set: 'holds' | 'waits' | 'faults') => spansAt(model[set], lane, hover.step).map((i) => model.strings[model[set].label[i] ?? -1] ?? '');
  const holds = lane >= 0 ? names('holds') : [];
  const waits = lane >= 0 ? names('waits') : [];
  const faults = lane >= 0 ? names('faults') : [];
  // Keep it inside the plot: left of the pointer near the right edge, above it in the lower half.
  const left = hover.x + 340 > width ? Math.max(0, hover.x - 334) : hover.x + 14;
  const below = hover.y < height / 2;
  return (
    <div className="tl-tooltip" role="tooltip" style={{ left, top: below ? hover.y + 16 : hover.y - 10, transform: below ? undefined : 'translateY(-100%)' }}>
      <div className="tl-tooltip-head">
        step {hover.step + 1} · {laneLabels[stepper] ?? 'no lane'}
      </div>
      {stepLabel !== undefined && <div className="tl-tooltip-label">{stepLabel(hover.step)}</div>}
      {lane >= 0 && (holds.length > 0 || waits.length > 0 || faults.length > 0) && (
        <dl className="tl-tooltip-state">
          <dt>{laneLabels[lane] ?? `lane ${lane + 1}`} after it</dt>
          {faults.length > 0 && <dd>in {faults.join(' → ')}</dd>}
          {holds.map((h) => (
            <dd key={`h${h}`}>holds {h}</dd>
          ))}
          {waits.map((w) => (
            <dd key={`w${w}`} className="tl-tooltip-wait">
              {w}
            </dd>
          ))}
        </dl>
      )}
    </div>
  );
}

/** Folded into a button: open, it lies over the plot instead of taking its room. */
function Legend() {
  return (
    <details className="tl-legend-box">
      <summary>Legend</summary>
      <LegendList />
    </details>
  );
}

function LegendList() {
  return (
    <ul className="tl-legend" aria-label="Legend">
      {LOCK_KINDS.map((kind, i) => (
        <li key={kind}>
          <span className="tl-swatch" style={{ background: LOCK_SWATCHES[i]?.fill }} />
          {LOCK_NAMES[kind]}
        </li>
      ))}
      <li>
        <span className="tl-swatch tl-swatch-wait" />
        waiting (blocked)
      </li>
      <li>
        <span className="tl-swatch" style={{ background: `linear-gradient(90deg, ${FAULT_LEVELS.map((l) => l.fill).join(', ')})` }} />
        fault frames, nested
      </li>
      <li>
        {PATH_KINDS.map((kind, i) => (
          <span key={kind} className="tl-dot" style={{ background: PATH_COLOURS[i] }} title={PATH_SHORT[i]} />
        ))}
        retry path: {PATH_SHORT.join(' → ')}
      </li>
      {MARKER_KINDS.slice(0, 4).map((kind, i) => (
        <li key={kind}>
          <span className="tl-swatch tl-swatch-marker" style={{ background: MARKER_COLOURS[i] }} />
          {markerText(i)}
        </li>
      ))}
      {EVENT_KINDS.map((kind, i) => (
        <li key={kind}>
          <span className="tl-swatch tl-swatch-marker" style={{ background: EVENT_COLOURS[i] }} />
          {kind}
        </li>
      ))}
    </ul>
  );
}
