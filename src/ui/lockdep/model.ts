/**
 * The lock-order graph as a picture: lock classes on a circle, one arrow per
 * recorded dependency, the edges of every reported cycle marked. D3 does the
 * geometry (the angle scale); the component draws SVG from this model.
 */
import { scaleLinear } from 'd3';
import type { DepEdge, LockdepResult } from '../../sim/lockdep.ts';
import { reportTitle } from '../../sim/lockdep-format.ts';

export interface ClassNode {
  readonly key: string;
  readonly label: string;
  readonly lockdepName: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly inCycle: boolean;
}

export interface DepArrow {
  readonly id: string;
  readonly edge: DepEdge;
  /** SVG path from box edge to box edge, bowed so A → B and B → A stay apart. */
  readonly path: string;
  readonly labelX: number;
  readonly labelY: number;
  /** "step 12" or "might_fault, step 33". */
  readonly label: string;
  /** What the arrow means, for its accessible name and tooltip. */
  readonly sentence: string;
  readonly inCycle: boolean;
}

export interface LockOrderModel {
  readonly nodes: readonly ClassNode[];
  readonly arrows: readonly DepArrow[];
  readonly width: number;
  readonly height: number;
  readonly warnings: readonly string[];
}

const CHAR_PX = 7.2;
const NODE_H = 28;
const BOW = 26;

function modeWord(mode: string): string {
  return mode === 'read' || mode === 'write' ? `for ${mode}` : `in ${mode}`;
}

export function lockOrderModel(result: LockdepResult): LockOrderModel {
  const name = (key: string) => result.classes.find((c) => c.key === key)?.name ?? key;
  const cycleEdges = new Set<string>();
  const cycleNodes = new Set<string>();
  for (const r of result.reports) {
    if (r.kind === 'recursive') cycleNodes.add(r.acquiring.cls);
    else
      for (const e of r.chain) {
        cycleEdges.add(`${e.from}\u0000${e.to}`);
        cycleNodes.add(e.from);
        cycleNodes.add(e.to);
      }
  }
  const n = result.classes.length;
  const widths = result.classes.map((c) => Math.max(72, c.name.length * CHAR_PX + 20));
  const widest = Math.max(72, ...widths);
  const radius = n <= 1 ? 0 : Math.max(110, (n * (widest * 0.6 + 24)) / (2 * Math.PI));
  const angle = scaleLinear().domain([0, Math.max(1, n)]).range([-Math.PI / 2, (3 * Math.PI) / 2]);
  const width = 2 * radius + widest + 40;
  const height = 2 * radius + NODE_H + 60;
  const cx = width / 2;
  const cy = height / 2;
  const nodes: ClassNode[] = result.classes.map((c, i) => ({
    key: c.key,
    label: c.name,
    lockdepName: c.lockdepName,
    x: cx + radius * Math.cos(angle(i)),
    y: cy + radius * Math.sin(angle(i)),
    width: widths[i] ?? widest,
    height: NODE_H,
    inCycle: cycleNodes.has(c.key),
  }));
  const at = new Map(nodes.map((node) => [node.key, node]));
  const arrows: DepArrow[] = [];
  for (const edge of result.edges) {
    const a = at.get(edge.from);
    const b = at.get(edge.to);
    if (a === undefined || b === undefined) continue;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    // Where the centre-to-centre line leaves a box.
    const exit = (box: ClassNode, sx: number, sy: number) => {
      const t = Math.min(box.width / 2 / Math.max(Math.abs(sx), 1e-6), box.height / 2 / Math.max(Math.abs(sy), 1e-6));
      return { x: box.x + sx * t, y: box.y + sy * t };
    };
    const ux = dx / len;
    const uy = dy / len;
    const start = exit(a, ux, uy);
    const end = exit(b, -ux, -uy);
    // Bow to the left of the direction of travel.
    const mx = (start.x + end.x) / 2 - uy * BOW;
    const my = (start.y + end.y) / 2 + ux * BOW;
    const via = edge.via === 'might_fault' ? 'might_fault, ' : edge.via === 'wait' ? 'waits, ' : '';
    arrows.push({
      id: `${edge.from}>${edge.to}`,
      edge,
      path: `M${start.x.toFixed(1)},${start.y.toFixed(1)}Q${mx.toFixed(1)},${my.toFixed(1)} ${end.x.toFixed(1)},${end.y.toFixed(1)}`,
      labelX: (start.x + 2 * mx + end.x) / 4,
      labelY: (start.y + 2 * my + end.y) / 4,
      label: `${via}step ${edge.site.step + 1}`,
      sentence: `${name(edge.from)} → ${name(edge.to)}: pid ${edge.site.pid} ${edge.via === 'wait' ? 'asked for' : 'took'} ${name(edge.to)} ${modeWord(edge.toMode)} while holding ${name(edge.from)} ${modeWord(edge.fromMode)}${edge.via === 'might_fault' ? ' (might_fault in a user copy)' : ''}, step ${edge.site.step + 1}: ${edge.site.label}`,
      inCycle: cycleEdges.has(`${edge.from}\u0000${edge.to}`),
    });
  }
  return { nodes, arrows, width, height, warnings: result.reports.map((r) => reportTitle(result, r)) };
}
