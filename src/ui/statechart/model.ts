/**
 * A thread machine drawn as a statechart: its states (kernel steps, named as
 * the machine names them) in layers by distance from the initial state, its
 * transitions labelled with the step results that take them, and which state
 * a task's frame is in.
 *
 * Pure: reads the compiled transition table (the same one the simulator
 * steps with), computes positions with D3 scales, touches no DOM. The layout
 * depends only on the machine, so a frame's chart keeps its shape while the
 * task steps through it.
 */
import { scaleBand, scaleLinear } from 'd3';
import type { Pid } from '../../kernel/ids.ts';
import type { TraceStep } from '../../sim/step.ts';
import { taskByPid, type SystemState } from '../../sim/system.ts';
import type { CompiledMachine } from '../../threads/define.ts';

export interface ChartNode {
  readonly name: string;
  readonly final: boolean;
  readonly initial: boolean;
  /** BFS distance from the initial state; unreachable states go one layer past the last. */
  readonly layer: number;
  /** Centre and size. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export type EdgeShape = 'forward' | 'back' | 'self';

export interface ChartEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** The step results (events) that take this transition, in table order. */
  readonly events: readonly string[];
  readonly shape: EdgeShape;
  readonly path: string;
  readonly labelX: number;
  readonly labelY: number;
}

export interface ChartLayout {
  readonly machine: string;
  readonly initial: string;
  readonly nodes: readonly ChartNode[];
  readonly edges: readonly ChartEdge[];
  readonly layers: number;
  readonly width: number;
  readonly height: number;
}

/** Node boxes are sized for 12px monospace text (see statechart.css). */
const CHAR_WIDTH = 7.3;
const NODE_HEIGHT = 26;
const ROW_HEIGHT = 64;
const COLUMN_GAP = 28;
const MARGIN = 16;
/** Room on each side for the arcs of transitions that go back up. */
const BACK_LANE = 90;
/** Wider layers wrap: the chart sits in a column beside the task panels. */
const MAX_ROW_WIDTH = 620;

function nodeWidth(name: string): number {
  return Math.ceil(name.length * CHAR_WIDTH + 20);
}

/** BFS layers from the initial state, following transitions in table order; discovery order breaks ties. */
export function bfsLayers(machine: CompiledMachine): Map<string, number> {
  const layer = new Map<string, number>([[machine.initial, 0]]);
  const queue = [machine.initial];
  for (let head = 0; head < queue.length; head++) {
    const name = queue[head];
    if (name === undefined) continue;
    const depth = layer.get(name) ?? 0;
    for (const target of machine.states.get(name)?.on.values() ?? []) {
      if (layer.has(target) || !machine.states.has(target)) continue;
      layer.set(target, depth + 1);
      queue.push(target);
    }
  }
  const last = Math.max(...layer.values());
  for (const name of machine.states.keys()) if (!layer.has(name)) layer.set(name, last + 1);
  return layer;
}

/** Transitions grouped by (from, to): several results often lead to the same step. */
function groupedTransitions(machine: CompiledMachine): { from: string; to: string; events: string[] }[] {
  const groups = new Map<string, { from: string; to: string; events: string[] }>();
  for (const state of machine.states.values()) {
    for (const [event, to] of state.on) {
      if (!machine.states.has(to)) continue;
      const key = `${state.name}>${to}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { from: state.name, to, events: [event] });
      else group.events.push(event);
    }
  }
  return [...groups.values()];
}

/**
 * Order within each layer: discovery order, then one downward pass of the
 * barycentre heuristic (mean slot of a node's parents in earlier layers) to
 * cut crossings. Deterministic: ties keep discovery order.
 */
function orderLayers(layers: Map<string, number>, edges: readonly { from: string; to: string }[]): string[][] {
  const count = Math.max(...layers.values()) + 1;
  const rows: string[][] = Array.from({ length: count }, () => []);
  for (const [name, layer] of layers) rows[layer]?.push(name);
  const slot = new Map<string, number>();
  const place = (row: readonly string[]) => row.forEach((name, i) => slot.set(name, i - (row.length - 1) / 2));
  rows.forEach((row, layer) => {
    if (layer > 0) {
      const discovery = new Map(row.map((name, i) => [name, i]));
      const centre = (name: string) => {
        const parents = edges.filter((e) => e.to === name && (layers.get(e.from) ?? 0) < layer).map((e) => slot.get(e.from) ?? 0);
        return parents.length === 0 ? 0 : parents.reduce((a, b) => a + b, 0) / parents.length;
      };
      row.sort((a, b) => centre(a) - centre(b) || (discovery.get(a) ?? 0) - (discovery.get(b) ?? 0));
    }
    place(row);
  });
  return rows;
}

function fmt(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function cubicAt(t: number, p0: number, p1: number, p2: number, p3: number): number {
  const u = 1 - t;
  return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3;
}

function edgePath(from: ChartNode, to: ChartNode, centre: number, lanes: { left: number; right: number }): Pick<ChartEdge, 'shape' | 'path' | 'labelX' | 'labelY'> {
  if (from.name === to.name) {
    // A small loop on the right-hand side of the box.
    const x = from.x + from.width / 2;
    const top = from.y - 6;
    const bottom = from.y + 6;
    return { shape: 'self', path: `M${fmt(x)},${fmt(top)}C${fmt(x + 34)},${fmt(top - 18)} ${fmt(x + 34)},${fmt(bottom + 18)} ${fmt(x + 4)},${fmt(bottom)}`, labelX: x + 30, labelY: from.y };
  }
  if (from.y === to.y && Math.abs(from.x - to.x) < (from.width + to.width) / 2 + 2 * COLUMN_GAP) {
    // Neighbours on one row: a straight arrow between the facing sides.
    const side = to.x > from.x ? 1 : -1;
    const x0 = from.x + (side * from.width) / 2;
    const x3 = to.x - side * (to.width / 2 + 4);
    return { shape: 'back', path: `M${fmt(x0)},${fmt(from.y)}L${fmt(x3)},${fmt(to.y)}`, labelX: (x0 + x3) / 2, labelY: from.y - from.height / 2 - 8 };
  }
  if (to.layer > from.layer) {
    // Down: bottom centre to top centre, leaving and arriving vertically. The label sits nearer the target, where sibling edges have spread apart.
    const x0 = from.x;
    const y0 = from.y + from.height / 2;
    const x3 = to.x;
    const y3 = to.y - to.height / 2 - 4;
    const bend = (y3 - y0) / 2;
    return {
      shape: 'forward',
      path: `M${fmt(x0)},${fmt(y0)}C${fmt(x0)},${fmt(y0 + bend)} ${fmt(x3)},${fmt(y3 - bend)} ${fmt(x3)},${fmt(y3)}`,
      labelX: cubicAt(0.7, x0, x0, x3, x3),
      labelY: cubicAt(0.7, y0, y0 + bend, y3 - bend, y3),
    };
  }
  // Back up (a retry loop) or sideways: out of the side nearer the chart's edge, bowing into that side's lane.
  const left = (from.x + to.x) / 2 < centre;
  const side = left ? -1 : 1;
  const x0 = from.x + (side * from.width) / 2;
  const x3 = to.x + side * (to.width / 2 + 4);
  const bow = 36 + 10 * Math.abs(from.layer - to.layer);
  const reach = left ? Math.max(lanes.left, Math.min(x0, x3) - bow) : Math.min(lanes.right, Math.max(x0, x3) + bow);
  return {
    shape: 'back',
    path: `M${fmt(x0)},${fmt(from.y)}C${fmt(reach)},${fmt(from.y)} ${fmt(reach)},${fmt(to.y)} ${fmt(x3)},${fmt(to.y)}`,
    labelX: cubicAt(0.5, x0, reach, reach, x3),
    labelY: cubicAt(0.5, from.y, from.y, to.y, to.y),
  };
}

/** Split a layer into rows no wider than MAX_ROW_WIDTH, keeping its order (a wide layer would make the chart scroll sideways). */
function wrapLayer(names: readonly string[]): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let width = 0;
  for (const name of names) {
    const w = nodeWidth(name) + COLUMN_GAP;
    if (row.length > 0 && width + w > MAX_ROW_WIDTH) {
      rows.push(row);
      row = [];
      width = 0;
    }
    row.push(name);
    width += w;
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

/** The machine's statechart, laid out top to bottom in BFS layers (a wide layer wraps onto more than one row). */
export function layoutMachine(machine: CompiledMachine): ChartLayout {
  const layers = bfsLayers(machine);
  const transitions = groupedTransitions(machine);
  const rows = orderLayers(layers, transitions).flatMap((names, layer) => wrapLayer(names).map((row) => ({ layer, names: row })));
  const rowWidth = (names: readonly string[]) => names.reduce((sum, n) => sum + nodeWidth(n), 0) + COLUMN_GAP * (names.length - 1);
  const contentWidth = MARGIN * 2 + Math.max(...rows.map((r) => rowWidth(r.names)));
  const totalWidth = contentWidth + 2 * BACK_LANE;
  // Rows are bands from the top; each row is centred, boxes left to right at their own widths.
  const y = scaleBand<number>()
    .domain(rows.map((_, i) => i))
    .range([MARGIN, MARGIN + rows.length * ROW_HEIGHT]);
  const x = scaleLinear().domain([0, 1]).range([BACK_LANE + MARGIN, BACK_LANE + contentWidth - MARGIN]);
  const nodes: ChartNode[] = rows.flatMap((row, i) => {
    let left = x(0.5) - rowWidth(row.names) / 2;
    return row.names.map((name) => {
      const width = nodeWidth(name);
      const node = {
        name,
        final: machine.states.get(name)?.final === true,
        initial: name === machine.initial,
        layer: row.layer,
        x: Math.round((left + width / 2) * 10) / 10,
        y: (y(i) ?? 0) + y.bandwidth() / 2,
        width,
        height: NODE_HEIGHT,
      };
      left += width + COLUMN_GAP;
      return node;
    });
  });
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const lanes = { left: MARGIN, right: totalWidth - MARGIN };
  const edges: ChartEdge[] = transitions.flatMap((t) => {
    const from = byName.get(t.from);
    const to = byName.get(t.to);
    if (from === undefined || to === undefined) return [];
    return [{ id: `${t.from}>${t.to}`, from: t.from, to: t.to, events: t.events, ...edgePath(from, to, x(0.5), lanes) }];
  });
  return {
    machine: machine.id,
    initial: machine.initial,
    nodes,
    edges,
    layers: Math.max(...layers.values()) + 1,
    width: Math.ceil(totalWidth),
    height: Math.ceil(MARGIN * 2 + rows.length * ROW_HEIGHT),
  };
}

/** The transitions out of a state: what each step result leads to. */
export function outgoing(layout: ChartLayout, state: string): readonly ChartEdge[] {
  return layout.edges.filter((e) => e.from === state);
}

export interface FrameEntry {
  /** 0 is the bottom (the task machine). */
  readonly index: number;
  readonly machine: string;
  readonly state: string;
  /**
   * The task died in this frame: BUG() fired at this state (the engine
   * leaves an oopsed task's frames where they stood), or the step that ended
   * the run returned from it (the engine popped it; the view puts it back).
   */
  readonly ended: boolean;
}

/** The state a trace step names as its target, without the engine's notes: "bug (return)" → "bug", "glock_nq (BUG)" → "glock_nq". */
function targetState(step: TraceStep): string {
  return step.to.replace(/ \((return|BUG)\)$/, '');
}

/**
 * A task's frames, bottom first. A task that hit BUG() keeps its frames, and
 * the top one is marked as where it died. When another kind of stop came
 * from a step that popped a frame, that frame comes back on top.
 */
export function taskFrames(state: SystemState, pid: Pid, last: TraceStep | undefined): readonly FrameEntry[] {
  const task = taskByPid(state, pid);
  if (task === undefined) return [];
  const stopped = state.stopped;
  const frames: FrameEntry[] = task.stack.map((f, index) => ({ index, machine: f.machine, state: f.state, ended: false }));
  const top = frames[frames.length - 1];
  if (stopped?.kind === 'bug' && stopped.pid === pid && top !== undefined) {
    frames[frames.length - 1] = { ...top, ended: true };
  } else if (stopped !== null && last !== undefined && last.pid === pid && last.returned && last.depth === task.stack.length) {
    frames.push({ index: frames.length, machine: last.machine, state: targetState(last), ended: true });
  }
  return frames;
}

export interface LastMove {
  readonly from: string;
  readonly to: string;
  readonly event: string;
}

/** The transition the task's last step took (or, at a BUG, tried) in this frame, if this frame is the one that stepped. */
export function lastTransition(frame: FrameEntry, last: TraceStep | undefined, pid: Pid): LastMove | null {
  if (last === undefined || last.pid !== pid || last.depth !== frame.index || last.machine !== frame.machine) return null;
  return { from: last.from, to: targetState(last), event: last.event };
}

/** The drawn edge a move went along: found by its event, since a BUG leaves the task short of the edge's target. */
export function edgeOfMove(layout: ChartLayout, move: LastMove | null): ChartEdge | undefined {
  if (move === null) return undefined;
  return layout.edges.find((e) => e.from === move.from && e.events.includes(move.event));
}
