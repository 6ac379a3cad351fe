import { describe, expect, it } from 'vitest';
import type { VariantId } from '../../kernel/variants.ts';
import { buildSetup } from '../../scenarios/build.ts';
import { findPreset } from '../../scenarios/index.ts';
import { replay } from '../../sim/replay.ts';
import { laneLayout, stepTicks } from './layout.ts';
import { buildTimeline, type TimelineModel } from './model.ts';
import { drawPlot, fitLabel, stepsInView, type Group, type PlotScene, type Renderer, type TextStyle } from './render.ts';
import { textWidth } from './svg.ts';
import { syntheticTimeline } from './synthetic.ts';

type Op = { op: 'rect'; x: number; y: number; w: number; h: number; fill: string } | { op: 'text'; x: number; y: number; text: string; ink: string } | { op: 'circle'; x: number; y: number; fill: string } | { op: 'polyline'; points: number };

/** A renderer that writes down what it is asked to draw, with the fill each rect gets from its groups. */
function recorder(titles: boolean): Renderer & { ops: Op[]; depth: () => number } {
  const fills: (string | undefined)[] = [undefined];
  const ops: Op[] = [];
  return {
    titles,
    ops,
    depth: () => fills.length - 1,
    open: (g: Group) => fills.push(g.fill === undefined ? fills[fills.length - 1] : typeof g.fill === 'string' ? g.fill : `hatched ${g.fill.hatched}`),
    close: () => {
      fills.pop();
    },
    rect: (x, y, w, h) => ops.push({ op: 'rect', x, y, w, h, fill: fills[fills.length - 1] ?? 'none' }),
    text: (x, y, text, style: TextStyle) => ops.push({ op: 'text', x, y, text, ink: style.ink }),
    circle: (x, y, _r, fill) => ops.push({ op: 'circle', x, y, fill }),
    polyline: (points) => ops.push({ op: 'polyline', points: points.length / 2 }),
    measure: (s, size, bold) => textWidth(s, size, bold),
  };
}

function scene(model: TimelineModel, width: number, extra: Partial<PlotScene> = {}): PlotScene {
  const scale = width / Math.max(1, model.steps);
  const layout = laneLayout(model);
  return { model, layout, scale, offset: 0, width, height: layout.height, from: 0, to: model.steps, ticks: stepTicks(0, model.steps, width), badges: false, ...extra };
}

function replayed(id: string, variant: VariantId): { model: TimelineModel; labels: readonly string[] } {
  const scenario = findPreset(id);
  if (scenario === undefined) throw new Error(`no preset ${id}`);
  const named = scenario.schedules.find((s) => s.expect[variant] !== undefined);
  const run = replay(buildSetup(scenario), variant, named?.steps ?? [], { finish: true });
  return { model: buildTimeline(run.trace, run.states, scenario.tasks.map((t) => t.pid)), labels: run.trace.map((t) => t.label) };
}

describe('drawPlot', () => {
  it('draws the same marks for a back-end with tooltips and one without, and closes every group it opens', () => {
    const { model } = replayed('gfs2-read-self', 'gfs2-5.18');
    const svgLike = recorder(true);
    const canvasLike = recorder(false);
    drawPlot(svgLike, scene(model, 1100));
    drawPlot(canvasLike, scene(model, 1100));
    expect(canvasLike.ops).toEqual(svgLike.ops);
    expect(svgLike.depth()).toBe(0);
  });

  it('gfs2-abba-dio under 5.15: a box per step, a hold bar per hold, a hatched wait per wait, a marker line per deadlocked task; badges only when asked', () => {
    const { model } = replayed('gfs2-abba-dio', 'gfs2-5.15');
    const r = recorder(false);
    drawPlot(r, scene(model, 1100));
    const rects = r.ops.filter((o) => o.op === 'rect');
    const layout = laneLayout(model);
    const steps = rects.filter((o) => layout.lanes.some((b) => o.y === b.stepTop && o.h === 28));
    expect(steps).toHaveLength(model.steps);
    expect(rects.filter((o) => o.fill.startsWith('hatched'))).toHaveLength(model.waits.count);
    // Marker lines are 2 px wide and run down their lane.
    expect(rects.filter((o) => o.w === 2 && o.fill === '#d42a2a')).toHaveLength(2);
    expect(r.ops.some((o) => o.op === 'text' && o.text === 'deadlock')).toBe(false);
    const badged = recorder(false);
    drawPlot(badged, scene(model, 1100, { badges: true }));
    expect(badged.ops.filter((o) => o.op === 'text' && o.text === 'deadlock')).toHaveLength(2);
  });

  it('draws nothing outside the steps in view, and labels only what fits its bar', () => {
    const model = syntheticTimeline(5000, 4, 3);
    const width = 900;
    const scale = 2;
    const offset = -1500 * scale;
    const [from, to] = stepsInView(model.steps, scale, offset, width);
    expect([from, to]).toEqual([1500, 1950]);
    const r = recorder(false);
    drawPlot(r, { ...scene(model, width), scale, offset, from, to, ticks: stepTicks(from, to, width) });
    for (const o of r.ops) {
      if (o.op === 'rect' && o.h !== 1) {
        expect(o.x).toBeGreaterThanOrEqual(-1);
        expect(o.x + o.w).toBeLessThanOrEqual(width + 1);
      }
      if (o.op === 'circle') expect(o.x).toBeGreaterThanOrEqual(0);
    }
    expect(r.ops.filter((o) => o.op === 'text').length).toBeGreaterThan(0);
  });

  it('below a pixel per step, draws at most one step rect per lane and pixel column', () => {
    const model = syntheticTimeline(20_000, 6, 1);
    const r = recorder(false);
    drawPlot(r, scene(model, 1000));
    const layout = laneLayout(model);
    const steps = r.ops.filter((o) => o.op === 'rect' && layout.lanes.some((b) => o.y === b.stepTop && o.h === 28));
    expect(steps.length).toBeLessThanOrEqual(6 * 1001);
    expect(steps.length).toBeGreaterThan(100);
  });
});

describe('fitLabel', () => {
  const width = (s: string) => textWidth(s, 10);
  it('keeps what fits, else the longest prefix that fits with an ellipsis, else nothing below six characters', () => {
    const text = 'glock 2/F1 DF · gfs2_file_direct_read';
    expect(fitLabel(text, width(text) + 6, width)).toBe(text);
    const short = fitLabel(text, 90, width) ?? '';
    expect(short).toMatch(/^glock 2.*…$/);
    expect(width(short)).toBeLessThanOrEqual(90 - 6);
    // One more character would not fit.
    const longer = `${Array.from(text).slice(0, Array.from(short).length).join('')}…`;
    expect(width(longer)).toBeGreaterThan(90 - 6);
    expect(fitLabel(text, 30, width)).toBeNull();
    expect(fitLabel('ok', 20, width)).toBeNull();
  });
});
