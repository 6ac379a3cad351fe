/**
 * The wait-for graph of a system state: tasks and the locks they sleep on,
 * an edge from each sleeping task to the lock it waits for and from that lock
 * to each task the waiter waits behind (an owner, or a sleeper queued ahead
 * of it: rwsems are FIFO), with the deadlock cycle marked and named.
 *
 * Pure: the edges come from `waitEdges` (the scheduler's own view), the
 * layout from D3 scales, and nothing here touches the DOM. The layout is a
 * deterministic function of the input, so the picture does not jump between
 * two renders of the same step.
 */
import { scalePoint } from 'd3';
import { glockAt } from '../../kernel/glock.ts';
import type { Pid } from '../../kernel/ids.ts';
import { sleepLockOf, type Era, type LockRef } from '../../kernel/locks.ts';
import { holdOf } from '../../kernel/sleeplock.ts';
import type { KernelState } from '../../kernel/state.ts';
import { findCycle, outcomeOf, runnablePids, waitEdges, type WaitEdge } from '../../sim/outcome.ts';
import type { SystemState } from '../../sim/system.ts';
import { lockKey, lockType } from '../inspector/model.ts';

export interface Box {
  /** Centre. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface GraphNode extends Box {
  readonly id: string;
  readonly kind: 'task' | 'lock';
  readonly label: string;
  readonly inCycle: boolean;
}

/** waits: task → lock; holds: lock → its owner; ahead: lock → a sleeper queued before the waiter. */
export type EdgeKind = 'waits' | 'holds' | 'ahead';

export interface GraphEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** Short, on the arrow: "waits SH", "holds DF", "ahead (write)". */
  readonly label: string;
  /** The same in a sentence, for the text alternative. */
  readonly sentence: string;
  readonly inCycle: boolean;
  /** SVG path from the source box's edge to the target box's edge. */
  readonly path: string;
  readonly labelX: number;
  readonly labelY: number;
}

export type CycleKind = 'deadlock' | 'partial deadlock' | 'cycle';

export interface NamedCycle {
  readonly kind: CycleKind;
  /** "pid 101 → glock 2/F2 → pid 102 → glock 2/F1 → pid 101". */
  readonly name: string;
  readonly pids: readonly Pid[];
}

export interface WaitForModel {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly cycle: NamedCycle | null;
  /** Each sleeping task and why, in the scheduler's words. */
  readonly waits: readonly { readonly pid: Pid; readonly reason: string }[];
  readonly width: number;
  readonly height: number;
}

export const taskId = (pid: Pid): string => `task:${pid}`;
export const lockId = (ref: LockRef): string => `lock:${lockKey(ref)}`;
const waitEdgeId = (pid: Pid): string => `wait:${pid}`;
const holdEdgeId = (ref: LockRef, pid: Pid): string => `hold:${lockKey(ref)}:${pid}`;

// --- what each edge means ---------------------------------------------------

interface Relation {
  readonly kind: EdgeKind;
  /** Mode in kernel words, or null for a mutex or page lock. */
  readonly mode: string | null;
  readonly where: string;
}

function glockRelation(kernel: KernelState, ref: Extract<LockRef, { kind: 'glock' }>, pid: Pid): Relation {
  for (let node = 0; node < kernel.nodes; node++) {
    const holder = glockAt(kernel, node, ref.ino)?.holders.find((h) => h.pid === pid);
    if (holder === undefined) continue;
    const where = node === ref.node ? '' : ` on node ${node}`;
    return { kind: holder.granted ? 'holds' : 'ahead', mode: holder.mode, where };
  }
  return { kind: 'holds', mode: null, where: '' };
}

/** How `pid` stands in the way of a waiter on `ref`: owning it, or queued ahead. */
function relationOf(kernel: KernelState, ref: LockRef, pid: Pid, era: Era): Relation {
  if (ref.kind === 'glock') return glockRelation(kernel, ref, pid);
  const lock = sleepLockOf(kernel, ref);
  if (lock === undefined) return { kind: 'holds', mode: null, where: '' };
  const hold = holdOf(lock, pid);
  const rwsem = lockType(ref, era, kernel) === 'rwsem';
  if (hold !== null) return { kind: 'holds', mode: rwsem ? hold : null, where: '' };
  const waiter = lock.waiters.find((w) => w.pid === pid);
  // Neither owner nor sleeper: the scheduler still names it as what the waiter waits for, so draw it as the holder.
  return { kind: waiter === undefined ? 'holds' : 'ahead', mode: waiter !== undefined && rwsem ? (waiter.write ? 'write' : 'read') : null, where: '' };
}

/** The mode a sleeper asked for, or null where the lock has none (mutex, page lock). */
function waiterMode(kernel: KernelState, ref: LockRef, pid: Pid, era: Era): string | null {
  if (ref.kind === 'glock') return glockAt(kernel, ref.node, ref.ino)?.holders.find((h) => h.pid === pid && !h.granted)?.mode ?? null;
  if (lockType(ref, era, kernel) !== 'rwsem') return null;
  const waiter = sleepLockOf(kernel, ref)?.waiters.find((w) => w.pid === pid);
  return waiter === undefined ? null : waiter.write ? 'write' : 'read';
}

function withMode(verb: string, mode: string | null): string {
  return mode === null ? verb : `${verb} ${mode}`;
}

// --- building the graph --------------------------------------------------------

interface RawNode {
  readonly id: string;
  readonly kind: 'task' | 'lock';
  readonly label: string;
}

interface RawEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label: string;
  readonly sentence: string;
}

function rawGraph(state: SystemState, edges: readonly WaitEdge[]): { nodes: RawNode[]; edges: RawEdge[] } {
  const { kernel } = state;
  const nodes = new Map<string, RawNode>();
  const out = new Map<string, RawEdge>();
  const addTask = (pid: Pid) => {
    if (!nodes.has(taskId(pid))) nodes.set(taskId(pid), { id: taskId(pid), kind: 'task', label: `pid ${pid}` });
  };
  for (const wait of edges) {
    addTask(wait.pid);
    const lock = lockId(wait.lock);
    if (!nodes.has(lock)) nodes.set(lock, { id: lock, kind: 'lock', label: wait.lockName });
    const mode = waiterMode(kernel, wait.lock, wait.pid, state.flags.era);
    out.set(waitEdgeId(wait.pid), {
      id: waitEdgeId(wait.pid),
      from: taskId(wait.pid),
      to: lock,
      kind: 'waits',
      label: withMode('waits', mode),
      sentence: `pid ${wait.pid} waits for ${wait.lockName}${mode === null ? '' : ` (${mode})`}`,
    });
    for (const holder of wait.holders) {
      addTask(holder);
      const id = holdEdgeId(wait.lock, holder);
      if (out.has(id)) continue;
      const rel = relationOf(kernel, wait.lock, holder, state.flags.era);
      const label = rel.kind === 'holds' ? `${withMode('holds', rel.mode)}${rel.where}` : `ahead${rel.mode === null ? '' : ` (${rel.mode})`}`;
      const sentence =
        rel.kind === 'holds'
          ? `${wait.lockName} is held${rel.mode === null ? '' : ` ${rel.mode}`} by pid ${holder}${rel.where}`
          : `pid ${holder} is queued ahead on ${wait.lockName}${rel.mode === null ? '' : ` (${rel.mode})`}, and sleepers are woken in order`;
      out.set(id, { id, from: lock, to: taskId(holder), kind: rel.kind, label, sentence });
    }
  }
  return { nodes: [...nodes.values()], edges: [...out.values()] };
}

/** The cycle as the path it walks, and the ids of its nodes and edges. */
function cyclePath(cycle: readonly WaitEdge[]): { name: string; nodeIds: string[]; edgeIds: Set<string>; pids: Pid[] } {
  const parts: string[] = [];
  const nodeIds: string[] = [];
  const edgeIds = new Set<string>();
  cycle.forEach((wait, i) => {
    const next = cycle[(i + 1) % cycle.length] ?? wait;
    parts.push(`pid ${wait.pid}`, wait.lockName);
    nodeIds.push(taskId(wait.pid), lockId(wait.lock));
    edgeIds.add(waitEdgeId(wait.pid));
    edgeIds.add(holdEdgeId(wait.lock, next.pid));
  });
  const first = cycle[0];
  if (first !== undefined) parts.push(`pid ${first.pid}`);
  return { name: parts.join(' → '), nodeIds: [...new Set(nodeIds)], edgeIds, pids: cycle.map((w) => w.pid) };
}

function cycleKind(state: SystemState): CycleKind {
  if (outcomeOf(state)?.kind === 'deadlock') return 'deadlock';
  return runnablePids(state).length > 0 ? 'partial deadlock' : 'cycle';
}

// --- layout ---------------------------------------------------------------------

/** Node boxes are sized for 12px monospace text (see graph.css). */
export const CHAR_WIDTH = 7.3;
const NODE_HEIGHT = 30;
/** Room between any two boxes for an arrow and its label. */
const GAP = 88;
const MARGIN = 24;

function nodeWidth(node: RawNode): number {
  return Math.ceil(node.label.length * CHAR_WIDTH + (node.kind === 'task' ? 28 : 22));
}

/**
 * Every node on an ellipse, cycle first in cycle order, so the cycle runs
 * round the rim; D3's point scale spaces the angles. The first node sits on
 * the left and the order runs clockwise; the ellipse grows until no two boxes
 * come closer than GAP.
 */
function ellipseLayout(nodes: readonly RawNode[]): { boxes: Map<string, Box>; width: number; height: number } {
  const ids = nodes.map((n) => n.id);
  const step = (2 * Math.PI) / Math.max(1, ids.length);
  const angle = scalePoint<string>().domain(ids).range([Math.PI - step / 2, 3 * Math.PI - step / 2]).padding(0.5);
  const widest = Math.max(...nodes.map(nodeWidth), 60);
  const place = (rx: number, ry: number) =>
    new Map(
      nodes.map((n) => {
        const a = angle(n.id) ?? 0;
        return [n.id, { x: rx * Math.cos(a), y: ry * Math.sin(a), width: nodeWidth(n), height: NODE_HEIGHT }] as const;
      }),
    );
  let rx = nodes.length <= 1 ? 0 : widest * 0.75 + GAP;
  // Rounder than the boxes are wide, so neighbours on the rim differ in height and their arrows have room.
  let ry = nodes.length <= 2 ? 0 : Math.max(NODE_HEIGHT * 1.6 + GAP, rx * 0.7);
  let boxes = place(rx, ry);
  for (let round = 0; round < 60 && someOverlap([...boxes.values()]); round++) {
    rx = rx * 1.12 + 4;
    ry = ry * 1.12 + 4;
    boxes = place(rx, ry);
  }
  // Shift into positive coordinates with a margin.
  const all = [...boxes.values()];
  const minX = Math.min(...all.map((b) => b.x - b.width / 2)) - MARGIN;
  const minY = Math.min(...all.map((b) => b.y - b.height / 2)) - MARGIN;
  const maxX = Math.max(...all.map((b) => b.x + b.width / 2)) + MARGIN;
  const maxY = Math.max(...all.map((b) => b.y + b.height / 2)) + MARGIN;
  const shifted = new Map([...boxes].map(([id, b]) => [id, { ...b, x: round1(b.x - minX), y: round1(b.y - minY) }]));
  return { boxes: shifted, width: Math.ceil(maxX - minX), height: Math.ceil(maxY - minY) };
}

/** The shortest distance between two boxes' borders (0 when they touch or overlap). */
export function clearance(a: Box, b: Box): number {
  const dx = Math.max(0, Math.abs(a.x - b.x) - (a.width + b.width) / 2);
  const dy = Math.max(0, Math.abs(a.y - b.y) - (a.height + b.height) / 2);
  return Math.hypot(dx, dy);
}

function someOverlap(boxes: readonly Box[]): boolean {
  return boxes.some((a, i) => boxes.slice(i + 1).some((b) => clearance(a, b) < GAP));
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Where the ray from a box's centre towards (tx, ty) leaves the box. */
function exitPoint(box: Box, tx: number, ty: number, pad: number): { x: number; y: number } {
  const dx = tx - box.x;
  const dy = ty - box.y;
  if (dx === 0 && dy === 0) return { x: box.x, y: box.y };
  const hw = box.width / 2 + pad;
  const hh = box.height / 2 + pad;
  const t = Math.min(dx === 0 ? Infinity : hw / Math.abs(dx), dy === 0 ? Infinity : hh / Math.abs(dy));
  return { x: box.x + dx * t, y: box.y + dy * t };
}

/** A straight edge, or a bow to the right of travel when the reverse edge exists too. */
function edgeGeometry(from: Box, to: Box, bowed: boolean): { path: string; labelX: number; labelY: number } {
  const mx = (from.x + to.x) / 2;
  const my = (from.y + to.y) / 2;
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length = Math.hypot(dx, dy) || 1;
  const bow = bowed ? Math.min(60, length / 2.5) : 0;
  // Right-hand normal in SVG coordinates (y down): opposite edges bow to opposite sides.
  const cx = mx - (dy / length) * bow;
  const cy = my + (dx / length) * bow;
  const start = exitPoint(from, cx, cy, 2);
  const end = exitPoint(to, cx, cy, 5);
  const f = (v: number) => round1(v).toString();
  if (!bowed) return { path: `M${f(start.x)},${f(start.y)}L${f(end.x)},${f(end.y)}`, labelX: round1((start.x + end.x) / 2), labelY: round1((start.y + end.y) / 2) };
  return {
    path: `M${f(start.x)},${f(start.y)}Q${f(cx)},${f(cy)} ${f(end.x)},${f(end.y)}`,
    // On the curve's outer side, clear of the twin edge bowing the other way.
    labelX: round1(0.25 * start.x + 0.5 * cx + 0.25 * end.x - (dy / length) * 8),
    labelY: round1(0.25 * start.y + 0.5 * cy + 0.25 * end.y + (dx / length) * 8),
  };
}

/** The wait-for graph at a state, laid out. Empty (no nodes) when no task is waiting. */
export function waitForModel(state: SystemState): WaitForModel {
  const waits = waitEdges(state);
  const raw = rawGraph(state, waits);
  const found = findCycle(waits);
  const path = found === null ? null : cyclePath(found);
  const inCycle = new Set(path?.nodeIds ?? []);
  // Cycle nodes first, in cycle order, so the cycle runs round the rim.
  const ordered = [...(path?.nodeIds ?? []).flatMap((id) => raw.nodes.filter((n) => n.id === id)), ...raw.nodes.filter((n) => !inCycle.has(n.id))];
  const { boxes, width, height } = ellipseLayout(ordered);
  const nodes: GraphNode[] = ordered.flatMap((n) => {
    const box = boxes.get(n.id);
    return box === undefined ? [] : [{ ...n, ...box, inCycle: inCycle.has(n.id) }];
  });
  const pairs = new Set(raw.edges.map((e) => `${e.from}>${e.to}`));
  const edges: GraphEdge[] = raw.edges.flatMap((e) => {
    const from = boxes.get(e.from);
    const to = boxes.get(e.to);
    if (from === undefined || to === undefined) return [];
    return [{ ...e, inCycle: path?.edgeIds.has(e.id) ?? false, ...edgeGeometry(from, to, pairs.has(`${e.to}>${e.from}`)) }];
  });
  return {
    nodes,
    edges,
    cycle: path === null ? null : { kind: cycleKind(state), name: path.name, pids: path.pids },
    waits: waits.map((w) => ({ pid: w.pid, reason: w.reason })),
    width: nodes.length === 0 ? 0 : width,
    height: nodes.length === 0 ? 0 : height,
  };
}
