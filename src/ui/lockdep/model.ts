/**
 * The lock-order graph as a picture, laid out by ELK's layered algorithm
 * (elkjs): lock classes as boxes, taken-before classes above the ones taken
 * after them where the order allows, one arrow per recorded dependency with
 * its step as a label that ELK places clear of every other label and box,
 * and a loop for a class taken while already held (lockdep's "possible
 * recursive locking"), the edges of every reported cycle marked.
 *
 * ELK runs asynchronously and is loaded on first use, so the page fetches
 * it only when the graph is first shown.
 */
import type { ElkEdgeSection, ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk-api';
import type { DepEdge, LockdepResult, LockMode, Site } from '../../sim/lockdep.ts';
import { reportTitle } from '../../sim/lockdep-format.ts';

export interface ClassNode {
  readonly key: string;
  readonly label: string;
  readonly lockdepName: string;
  /** Centre of the box. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly inCycle: boolean;
}

/** An edge's label: its own box, so each is clicked on its own. */
export interface ArrowLabel {
  readonly text: string;
  /** Top-left corner. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface DepArrow {
  readonly id: string;
  /** The dependency, or for a recursion the class it re-takes (from === to). */
  readonly from: string;
  readonly to: string;
  /** The step that made it: clicking the arrow puts the cursor right after it. */
  readonly site: Site;
  /** SVG path from box edge to box edge. */
  readonly path: string;
  readonly label: ArrowLabel;
  /** What the arrow means, for its accessible name and tooltip. */
  readonly sentence: string;
  readonly inCycle: boolean;
  readonly recursive: boolean;
}

export interface LockOrderModel {
  readonly nodes: readonly ClassNode[];
  readonly arrows: readonly DepArrow[];
  readonly width: number;
  readonly height: number;
  readonly warnings: readonly string[];
}

/** Box and label sizes: 12 px monospace class names, 11 px labels (lockdep.css). */
const NODE_CHAR_PX = 7.3;
const LABEL_CHAR_PX = 6.4;
const NODE_H = 28;
const LABEL_H = 15;
const MARGIN = 12;

function modeWord(mode: LockMode): string {
  return mode === 'read' || mode === 'write' ? `for ${mode}` : `in ${mode}`;
}

/** A dependency, or a recursion, before layout. */
interface Dep {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly site: Site;
  readonly text: string;
  readonly sentence: string;
  readonly inCycle: boolean;
  readonly recursive: boolean;
}

function depsOf(result: LockdepResult): Dep[] {
  const name = (key: string) => result.classes.find((c) => c.key === key)?.name ?? key;
  const cycleEdges = new Set<string>();
  for (const r of result.reports) if (r.kind === 'circular') for (const e of r.chain) cycleEdges.add(`${e.from}\u0000${e.to}`);
  const deps: Dep[] = result.edges.map((edge: DepEdge) => {
    const via = edge.via === 'might_fault' ? 'might_fault, ' : edge.via === 'wait' ? 'waits, ' : '';
    return {
      id: `${edge.from}>${edge.to}`,
      from: edge.from,
      to: edge.to,
      site: edge.site,
      text: `${via}step ${edge.site.step + 1}`,
      sentence: `${name(edge.from)} → ${name(edge.to)}: pid ${edge.site.pid} ${edge.via === 'wait' ? 'asked for' : 'took'} ${name(edge.to)} ${modeWord(edge.toMode)} while holding ${name(edge.from)} ${modeWord(edge.fromMode)}${edge.via === 'might_fault' ? ' (might_fault in a user copy)' : ''}, step ${edge.site.step + 1}: ${edge.site.label}`,
      inCycle: cycleEdges.has(`${edge.from}\u0000${edge.to}`),
      recursive: false,
    };
  });
  // A recursion records no dependency (lockdep reports it before adding one): it is drawn as a loop on its class.
  for (const r of result.reports) {
    if (r.kind !== 'recursive') continue;
    const cls = r.acquiring.cls;
    const site = r.acquiring.site;
    deps.push({
      id: `${cls}>${cls}`,
      from: cls,
      to: cls,
      site,
      text: `recursive, step ${site.step + 1}`,
      sentence: `${name(cls)} → ${name(cls)}: pid ${r.pid} asked for ${name(cls)} ${modeWord(r.acquiring.mode)} while holding it ${modeWord(r.holding.mode)} (possible recursive locking), step ${site.step + 1}: ${site.label}`,
      inCycle: true,
      recursive: true,
    });
  }
  return deps;
}

function labelWidth(text: string): number {
  return Math.ceil(text.length * LABEL_CHAR_PX + 8);
}

type Layout = (graph: ElkNode) => Promise<ElkNode>;

let elkLayout: Promise<Layout> | null = null;

/** One ELK instance for the page, loaded the first time a graph is laid out. */
function loadElk(): Promise<Layout> {
  elkLayout ??= import('elkjs/lib/elk.bundled.js').then(({ default: ELK }) => {
    const elk = new ELK();
    return (graph: ElkNode) => elk.layout(graph);
  });
  return elkLayout;
}

function xy(p: ElkPoint): string {
  return `${p.x.toFixed(1)},${p.y.toFixed(1)}`;
}

/**
 * ELK's spline routing gives the control points of a chain of cubic Bézier
 * curves between start and end (3n - 1 bend points for n curves); anything
 * else is drawn as the polyline through its points.
 */
function pathOf(sections: readonly ElkEdgeSection[]): string {
  return sections
    .map((s) => {
      const bends = s.bendPoints ?? [];
      if (bends.length % 3 === 2) {
        const controls = [...bends, s.endPoint];
        const curves = [];
        for (let i = 0; i < controls.length; i += 3) curves.push(`C${controls.slice(i, i + 3).map(xy).join(' ')}`);
        return `M${xy(s.startPoint)}${curves.join('')}`;
      }
      return [s.startPoint, ...bends, s.endPoint].map((p, i) => `${i === 0 ? 'M' : 'L'}${xy(p)}`).join('');
    })
    .join('');
}

/**
 * ELK routes a self-loop as a flat bend hugging the box; drawn from the same
 * two ends, bulging into the room ELK reserved beside the box (and no further
 * than its label), it reads as a loop.
 */
function loopOf(sections: readonly ElkEdgeSection[]): string {
  const first = sections[0];
  const last = sections.at(-1);
  if (first === undefined || last === undefined) return '';
  const start = first.startPoint;
  const end = last.endPoint;
  const out = [...(first.bendPoints ?? []), ...sections.slice(1).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? [])])];
  // Which side ELK put the loop on: where its bend points go.
  const side = out.reduce((sum, p) => sum + p.x - start.x, 0) < 0 ? -1 : 1;
  const reach = 30;
  return `M${xy(start)}C${xy({ x: start.x + side * reach, y: start.y - 16 })} ${xy({ x: end.x + side * reach, y: end.y + 16 })} ${xy(end)}`;
}

export async function layoutLockOrder(result: LockdepResult): Promise<LockOrderModel> {
  const deps = depsOf(result);
  const warnings = result.reports.map((r) => reportTitle(result, r));
  if (result.classes.length === 0) return { nodes: [], arrows: [], width: 0, height: 0, warnings };
  const cycleNodes = new Set(deps.filter((d) => d.inCycle).flatMap((d) => [d.from, d.to]));
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'SPLINES',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.spacing.nodeNode': '36',
      'elk.spacing.edgeLabel': '3',
      // Room for a recursion's loop to read as one, beside the box it leaves and re-enters.
      'elk.spacing.nodeSelfLoop': '26',
      'elk.spacing.edgeEdge': '14',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.layered.spacing.edgeNodeBetweenLayers': '14',
      'elk.padding': `[top=${MARGIN},left=${MARGIN},bottom=${MARGIN},right=${MARGIN}]`,
    },
    children: result.classes.map((c) => ({ id: c.key, width: Math.max(72, Math.ceil(c.name.length * NODE_CHAR_PX + 20)), height: NODE_H })),
    edges: deps.map(
      (d): ElkExtendedEdge => ({
        id: d.id,
        sources: [d.from],
        targets: [d.to],
        labels: [{ id: `${d.id}#label`, text: d.text, width: labelWidth(d.text), height: LABEL_H }],
      }),
    ),
  };
  const layout = await (await loadElk())(graph);
  const nodes: ClassNode[] = (layout.children ?? []).map((n) => {
    const c = result.classes.find((k) => k.key === n.id);
    const width = n.width ?? 0;
    const height = n.height ?? NODE_H;
    return { key: n.id, label: c?.name ?? n.id, lockdepName: c?.lockdepName ?? n.id, x: (n.x ?? 0) + width / 2, y: (n.y ?? 0) + height / 2, width, height, inCycle: cycleNodes.has(n.id) };
  });
  const laidOut = new Map((layout.edges ?? []).map((e) => [e.id, e]));
  const arrows: DepArrow[] = deps.map((d) => {
    const e = laidOut.get(d.id);
    const l = e?.labels?.[0];
    return {
      id: d.id,
      from: d.from,
      to: d.to,
      site: d.site,
      path: d.recursive ? loopOf(e?.sections ?? []) : pathOf(e?.sections ?? []),
      label: { text: d.text, x: l?.x ?? 0, y: l?.y ?? 0, width: l?.width ?? labelWidth(d.text), height: l?.height ?? LABEL_H },
      sentence: d.sentence,
      inCycle: d.inCycle,
      recursive: d.recursive,
    };
  });
  return { nodes, arrows, width: Math.ceil(layout.width ?? 0), height: Math.ceil(layout.height ?? 0), warnings };
}
