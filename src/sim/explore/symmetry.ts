/**
 * Symmetry reduction: states that differ only by a relabelling of
 * interchangeable tasks are explored once.
 *
 * The group. An automorphism of a scenario is a permutation of its tasks,
 * carried to everything they name: pids, processes (mms), cluster nodes,
 * inodes (and so glocks per node, the file names in page contents, the
 * blocks of the files), such that the initial state maps onto itself. The
 * ring of N (scenarios/ring.ts) has the N rotations; lock-page-retry's
 * three identical processes on one DAX file have all six permutations.
 * `symmetryOf` finds the group from the initial state, with no knowledge of
 * presets: a backtracking search over task permutations, where pairing two
 * tasks pairs their processes, nodes and the files their programs and
 * mappings name, each map kept injective; each complete candidate is then
 * checked exactly (its image of the initial state, interned, is the initial
 * state).
 *
 * Page frames and free blocks are not permuted: page frames are handed out
 * by allocation order (kernel/pagecache.ts freePageFrame: the lowest free
 * frame), and a step that allocates does the same at g(s) as at s, so the
 * frame numbers of g(s) are those of s. The files' own blocks are permuted
 * with their files, which is only equivariant while no block returns to
 * the free pool (kernel/blocks.ts allocateBlock takes the lowest free one):
 * a candidate that moves a block is refused when any program truncates or
 * punches (freeBlocks's only callers, threads/truncate.ts). Likewise a
 * candidate that moves a page cached at the start is refused (frames leave
 * the page cache in truncate, punch, direct writes and DAX). What a
 * register or a content tag names is relabelled by threads/regs.ts `REGISTER_KINDS` and
 * `relabelContent`: the one place to adapt when registers are renamed.
 *
 * Canonical form. Each state is mapped to the least, in lexicographic order,
 * of the word vectors of its images g(s), g in G: a vector lists the
 * interned ids (intern.ts) of the relabelled tasks, inodes, pages, blocks,
 * mms, glocks and named locks, in their new places. Interning is exact, so
 * two states get the same vector exactly when one is an image of the other.
 * Relabelled elements are memoized per group element by the element's
 * interned id: a step changes a few elements, so per state and per g the
 * work is one table lookup per element. (|G| images per state: at most 8
 * for the rings here; a fully symmetric scenario of many tasks would want
 * sorted per-task encodings instead, and `MAX_GROUP` turns the reduction
 * off above 720.) SIGBUS messages are left out of the vector: no step reads
 * them (sim/step.ts only appends to `signals`), so states that differ only
 * there have the same futures; states where the run has stopped are not
 * merged at all (their messages name pids).
 *
 * Why outcome kinds are preserved (Emerson and Sistla, "Symmetry and model
 * checking", 1996; Ip and Dill, "Better verification through symmetry",
 * 1996). Every g in G is an automorphism of the state graph: s --p--> t iff
 * g(s) --g(p)--> g(t), because steps never depend on the numbers of the
 * objects they touch, only on their contents, with the exceptions the
 * group search refuses above (checked by symmetry.test.ts for every g and
 * every runnable task at each state along random schedules of every preset
 * with a group and of the ring of 2 and 3 under every variant). Every outcome kind is invariant under relabelling:
 * completed (every task finished), deadlock and partial deadlock (a
 * wait-for cycle, of the same length), sigbus (a signal was delivered),
 * bug, use-after-free, invariant-violation and livelock (a stop set by a
 * step, whatever its message says; livelock as unreachability of the
 * states where runs end, itself a symmetric property). The messages and
 * returns by pid do change, and are not part of the kind. So the quotient
 * graph (one node per orbit) reaches exactly the kinds the full graph
 * reaches, at the same depths: a path in the full graph maps to one in the
 * quotient step by step, and a quotient path lifts to a real one (below).
 * What changes: state and transition counts are the quotient's (up to |G|
 * times fewer), and an outcome's count counts orbits.
 *
 * With the partial-order reduction (reduce.ts). Which tasks are reducible
 * (their mm is theirs alone) and whether a step is local (sim/local.ts) do
 * not depend on numbering, so at g(s) the local step of g(a) is local
 * whenever a's is at s: the persistent set the search uses at a
 * representative r, carried by g, is a valid persistent set at g(r).
 * The same holds for the footprint rule (reduce.ts createFootprintRule):
 * footprints and claims (claims.ts) name pages and blocks by their file,
 * PTEs by (mm, user page), glocks by (inode, node), never by a page frame,
 * so g carries the footprint of a's step at s and every task's claim to
 * those at g(s); and the rule is evaluated on the queued state, a real
 * reachable one. Its cycle proviso takes a step alone only into a node one
 * level deeper, which stays true of orbits. (A review checked equivariance
 * along random paths on the symmetric presets and rings: no mismatch.)
 * The reduced graph's proof (reduce.ts) needs only that each expanded state
 * be expanded with some valid persistent set; the quotient expands the
 * representative of each orbit with its own, and stands for every other
 * member through g. Induction on the length of the full path to a terminal
 * state, as in reduce.ts, with the length invariant under g, then gives
 * every terminal kind. `symmetry.test.ts` compares the kinds, and the
 * lengths of the shortest deadlock and completion, with the unreduced graph
 * for every preset and variant that has a group, the ring of 2 under every
 * variant and the ring of 3 under 5.15; the ring of 3 under 5.18 and the
 * ring of 4 are too big for a unit test without reduction, and their
 * verdicts are compared with the rows without symmetry and with Spin's in
 * `npm run bench`.
 *
 * Not combined with: a preemption bound (a node is then a state and its
 * last task, and the bound counts switches along one labelling), path
 * counts (they count paths of the full graph), and lockdep over every
 * transition where the group moves inodes (glock classes are per inode,
 * sim/lockdep.ts, so the image of an edge would go unrecorded). Where the
 * group fixes every inode (lock-page-retry), lockdep runs on the quotient:
 * its classes are per lock type and per inode, never per pid, mm or node,
 * so a transition and its image add the same edges, and every transition
 * of the full graph is the image of one the quotient takes; the sites'
 * schedules are lifted like the others. The explorer turns symmetry off
 * where it does not apply and says so.
 *
 * Schedules. The explorer records, for each node, the pid stepped from its
 * parent's representative, so a path in the quotient is a list of pids each
 * relative to a different representative. `liftSchedule` replays it in the
 * real engine: at each real state s it finds the node T of s and the
 * relabelling h with s = h(r_T), from the canonicalizing elements of s and
 * of r_T, and steps h(p). By the automorphism property the real run reaches
 * a member of each node's orbit in turn, and so an outcome of the same kind.
 */
import type { Pid } from '../../kernel/ids.ts';
import type { LockWaiter, SleepLock } from '../../kernel/sleeplock.ts';
import type { Block, Glock, Inode, KernelState, LockRef, Mm, NamedLock, Page, Pte, Vma } from '../../kernel/state.ts';
import { REGISTER_KINDS, type AnyRegs, type RegisterKind, type RegisterName } from '../../threads/regs.ts';
import type { Frame, Syscall } from '../../threads/types.ts';
import { step, type Engine } from '../step.ts';
import type { SimTask, SystemState } from '../system.ts';
import { createInterner, type Interner } from './intern.ts';
import { createStateSet } from './stateset.ts';

/** One automorphism of a scenario: where each kind of object goes. */
export interface Relabelling {
  /** Per task position: the position of its image (and so its pid). */
  readonly task: Int32Array;
  readonly ino: Int32Array;
  readonly mm: Int32Array;
  readonly node: Int32Array;
  /** Per block at the start; blocks never grow. */
  readonly block: Int32Array;
  /** File name → file name, for the content tags (`F1:0`). */
  readonly names: ReadonlyMap<string, string>;
  /** Pid → pid. */
  readonly pid: ReadonlyMap<Pid, Pid>;
}

export interface Symmetry {
  /** The group, identity first. Of order 1 when the scenario has no symmetry. */
  readonly group: readonly Relabelling[];
  /** Why the reduction does not apply although there may be symmetry, or null. */
  readonly refused: string | null;
}

/** Above this order the per-state cost (|G| images) outweighs the saving. */
export const MAX_GROUP = 720;

/** A content tag under g: file pages (`F1:0`, scenarios/build.ts diskTag) and user stores (`w101`, threads/fault.ts). */
function relabelContent(g: Relabelling, content: string): string {
  if (content.startsWith('w')) {
    const pid = Number(content.slice(1));
    const to = g.pid.get(pid);
    if (to !== undefined && `w${pid}` === content) return `w${to}`;
  }
  const colon = content.lastIndexOf(':');
  if (colon > 0) {
    const name = g.names.get(content.slice(0, colon));
    if (name !== undefined) return `${name}${content.slice(colon)}`;
  }
  return content;
}

/**
 * What each register holds (threads/regs.ts REGISTER_KINDS, the one table
 * of register kinds). Only `ino`, `block` and `content` registers name
 * something a relabelling moves: pages are frames in allocation order and
 * stay (see the header); user pages are the same in every process of an
 * orbit (their mappings are equal); the rest are counts, offsets and flags.
 * Tests pass a table with a kind left out to see the automorphism check fail.
 */
export type RegisterKinds = Readonly<Partial<Record<RegisterName, RegisterKind>>>;

const MOVED_KINDS: ReadonlySet<RegisterKind> = new Set(['ino', 'block', 'content']);

/** The registers a relabelling rewrites, per kinds table (computed once per table). */
const movedRegisters = new WeakMap<RegisterKinds, readonly (readonly [RegisterName, RegisterKind])[]>();

function movedOf(kinds: RegisterKinds): readonly (readonly [RegisterName, RegisterKind])[] {
  let moved = movedRegisters.get(kinds);
  if (moved === undefined) {
    moved = (Object.entries(kinds) as [RegisterName, RegisterKind][]).filter(([, kind]) => MOVED_KINDS.has(kind));
    movedRegisters.set(kinds, moved);
  }
  return moved;
}

function relabelRegs(g: Relabelling, regs: AnyRegs, kinds: RegisterKinds = REGISTER_KINDS): AnyRegs {
  let out: Partial<Record<RegisterName, unknown>> | null = null;
  const values: Readonly<Partial<Record<RegisterName, unknown>>> = regs;
  for (const [key, kind] of movedOf(kinds)) {
    const value = values[key];
    if (value === undefined) continue;
    const to = kind === 'ino' ? (g.ino[value as number] ?? value) : kind === 'block' ? (g.block[value as number] ?? value) : relabelContent(g, value as string);
    if (to === value) continue;
    out ??= { ...values };
    out[key] = to;
  }
  // The copy has regs's own fields, each the same type (a number for a number, a tag for a tag).
  return out === null ? regs : (out as unknown as AnyRegs);
}

function relabelPid(g: Relabelling, pid: Pid): Pid {
  return g.pid.get(pid) ?? pid;
}

function relabelLock(g: Relabelling, lock: SleepLock): SleepLock {
  return {
    writer: lock.writer === null ? null : relabelPid(g, lock.writer),
    readers: lock.readers.map((p) => relabelPid(g, p)),
    waiters: lock.waiters.map((w): LockWaiter => ({ pid: relabelPid(g, w.pid), write: w.write })),
  };
}

function relabelLockRef(g: Relabelling, ref: LockRef): LockRef {
  switch (ref.kind) {
    case 'i_rwsem':
    case 'i_mmap':
    case 'invalidate_lock':
      return { kind: ref.kind, ino: g.ino[ref.ino] ?? ref.ino };
    case 'mmap_sem':
      return { kind: 'mmap_sem', mm: g.mm[ref.mm] ?? ref.mm };
    case 'glock':
      return { kind: 'glock', node: g.node[ref.node] ?? ref.node, ino: g.ino[ref.ino] ?? ref.ino };
    case 'page':
    case 'named':
      return ref;
  }
}

function relabelSyscall(g: Relabelling, call: Syscall): Syscall {
  switch (call.call) {
    case 'pread':
    case 'pwrite':
    case 'truncate':
    case 'punch':
    case 'mmap':
      return { ...call, ino: g.ino[call.ino] ?? call.ino };
    case 'lock':
      return { ...call, lock: relabelLockRef(g, call.lock), body: call.body.map((c) => relabelSyscall(g, c)) };
    case 'touch':
    case 'copy':
      return call;
  }
}

function relabelTask(g: Relabelling, task: SimTask, kinds: RegisterKinds = REGISTER_KINDS): SimTask {
  return {
    ...task,
    pid: relabelPid(g, task.pid),
    mm: g.mm[task.mm] ?? task.mm,
    node: g.node[task.node] ?? task.node,
    program: task.program.map((c) => relabelSyscall(g, c)),
    stack: task.stack.map((f): Frame => ({ ...f, regs: relabelRegs(g, f.regs, kinds) })),
  };
}

function relabelInode(g: Relabelling, inode: Inode): Inode {
  return {
    ...inode,
    name: g.names.get(inode.name) ?? inode.name,
    map: inode.map.map((b) => (b === null ? null : (g.block[b] ?? b))),
    i_rwsem: relabelLock(g, inode.i_rwsem),
    i_mmap: relabelLock(g, inode.i_mmap),
    invalidate_lock: relabelLock(g, inode.invalidate_lock),
  };
}

function relabelPage(g: Relabelling, page: Page): Page {
  return { ...page, mapping: page.mapping === null ? null : (g.ino[page.mapping] ?? page.mapping), lock: relabelLock(g, page.lock), content: relabelContent(g, page.content) };
}

function relabelBlock(g: Relabelling, block: Block): Block {
  return { ...block, owner: block.owner === null ? null : { ino: g.ino[block.owner.ino] ?? block.owner.ino, index: block.owner.index }, content: relabelContent(g, block.content) };
}

function relabelPte(g: Relabelling, pte: Pte | null): Pte | null {
  if (pte === null) return null;
  if (pte.kind === 'anon') return { kind: 'anon', content: relabelContent(g, pte.content) };
  if (pte.kind === 'dax') return { ...pte, block: g.block[pte.block] ?? pte.block };
  return pte;
}

function relabelMm(g: Relabelling, mm: Mm): Mm {
  return {
    mmap_sem: relabelLock(g, mm.mmap_sem),
    vmas: mm.vmas.map((v): Vma => {
      const moved = { ...v, ino: g.ino[v.ino] ?? v.ino };
      return v.fault === undefined ? moved : { ...moved, fault: { ...v.fault, locks: v.fault.locks.map((l) => ({ ...l, lock: relabelLockRef(g, l.lock) })) } };
    }),
    ptes: mm.ptes.map((p) => relabelPte(g, p)),
  };
}

function relabelGlock(g: Relabelling, glock: Glock): Glock {
  return { ...glock, node: g.node[glock.node] ?? glock.node, ino: g.ino[glock.ino] ?? glock.ino, holders: glock.holders.map((h) => ({ ...h, pid: relabelPid(g, h.pid) })) };
}

function relabelNamed(g: Relabelling, named: NamedLock): NamedLock {
  return { ...named, lock: relabelLock(g, named.lock) };
}

/**
 * The whole image g(s), as an object; the explorer never builds one (it
 * works on ids), tests and `symmetryOf` do. `registers` is for the test
 * that shows a register left out of the table is caught.
 */
export function relabelState(g: Relabelling, state: SystemState, registers: RegisterKinds = REGISTER_KINDS): SystemState {
  const k = state.kernel;
  const place = <T>(items: readonly T[], to: (i: number) => number, relabel: (item: T) => T): T[] => {
    const out: T[] = items.slice();
    items.forEach((item, i) => {
      out[to(i)] = relabel(item);
    });
    return out;
  };
  const kernel: KernelState = {
    ...k,
    inodes: place(k.inodes, (i) => g.ino[i] ?? i, (x) => relabelInode(g, x)),
    pages: k.pages.map((p) => relabelPage(g, p)),
    blocks: place(k.blocks, (i) => g.block[i] ?? i, (x) => relabelBlock(g, x)),
    mms: place(k.mms, (i) => g.mm[i] ?? i, (x) => relabelMm(g, x)),
    glocks: place(k.glocks, (i) => glockPlace(g, k, i), (x) => relabelGlock(g, x)),
    ...(k.named !== undefined ? { named: k.named.map((n) => relabelNamed(g, n)) } : {}),
  };
  return { ...state, kernel, tasks: place(state.tasks, (i) => g.task[i] ?? i, (t) => relabelTask(g, t, registers)), signals: state.signals.map((s) => ({ ...s, pid: relabelPid(g, s.pid) })) };
}

function glockPlace(g: Relabelling, kernel: KernelState, index: number): number {
  const n = kernel.inodes.length;
  const node = Math.floor(index / n);
  return (g.node[node] ?? node) * n + (g.ino[index % n] ?? index % n);
}

// ---------------------------------------------------------------------------
// The group of a scenario.

/** An injective partial map on 0..n-1, with an undo trail for backtracking. */
class PartialPerm {
  readonly to: Int32Array;
  readonly from: Int32Array;
  constructor(n: number) {
    this.to = new Int32Array(n).fill(-1);
    this.from = new Int32Array(n).fill(-1);
  }
  /** Pairs a with b; false if either is already paired otherwise. */
  unify(a: number, b: number, trail: (() => void)[]): boolean {
    if (a < 0 || b < 0 || a >= this.to.length || b >= this.to.length) return false;
    if (this.to[a] === b) return true;
    if (this.to[a] !== -1 || this.from[b] !== -1) return false;
    this.to[a] = b;
    this.from[b] = a;
    trail.push(() => {
      this.to[a] = -1;
      this.from[b] = -1;
    });
    return true;
  }
  /** The map completed by fixing every unpaired point, or null if that is not a permutation. */
  completed(): Int32Array | null {
    const out = this.to.slice();
    for (let i = 0; i < out.length; i++) {
      if (out[i] !== -1) continue;
      if (this.from[i] !== -1) return null;
      out[i] = i;
    }
    return out;
  }
}

interface Maps {
  readonly ino: PartialPerm;
  readonly mm: PartialPerm;
  readonly node: PartialPerm;
}

function sameScalars(a: object, b: object, skip: readonly string[]): boolean {
  const ka = Object.keys(a).filter((k) => !skip.includes(k));
  const kb = Object.keys(b).filter((k) => !skip.includes(k));
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => JSON.stringify(ra[k]) === JSON.stringify(rb[k]));
}

function unifyLockRef(maps: Maps, a: LockRef, b: LockRef, trail: (() => void)[]): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'i_rwsem':
    case 'i_mmap':
    case 'invalidate_lock':
      return b.kind === a.kind && maps.ino.unify(a.ino, b.ino, trail);
    case 'mmap_sem':
      return b.kind === 'mmap_sem' && maps.mm.unify(a.mm, b.mm, trail);
    case 'glock':
      return b.kind === 'glock' && maps.node.unify(a.node, b.node, trail) && maps.ino.unify(a.ino, b.ino, trail);
    case 'page':
    case 'named':
      return JSON.stringify(a) === JSON.stringify(b);
  }
}

function unifyProgram(maps: Maps, a: readonly Syscall[], b: readonly Syscall[], trail: (() => void)[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i];
    if (y === undefined || x.call !== y.call) return false;
    if (x.call === 'lock' && y.call === 'lock') return sameScalars(x, y, ['lock', 'body']) && unifyLockRef(maps, x.lock, y.lock, trail) && unifyProgram(maps, x.body, y.body, trail);
    if ('ino' in x && 'ino' in y && !maps.ino.unify(x.ino, y.ino, trail)) return false;
    return sameScalars(x, y, ['ino']);
  });
}

function unifyMm(maps: Maps, a: Mm, b: Mm, trail: (() => void)[]): boolean {
  if (a.vmas.length !== b.vmas.length) return false;
  return a.vmas.every((v, i) => {
    const w = b.vmas[i];
    if (w === undefined || !sameScalars(v, w, ['ino', 'fault']) || !maps.ino.unify(v.ino, w.ino, trail)) return false;
    if (v.fault === undefined || w.fault === undefined) return v.fault === w.fault;
    return v.fault.handler === w.fault.handler && v.fault.locks.length === w.fault.locks.length && v.fault.locks.every((l, j) => {
      const m = w.fault?.locks[j];
      return m !== undefined && l.write === m.write && l.at === m.at && unifyLockRef(maps, l.lock, m.lock, trail);
    });
  });
}

/** Whether any program may return a block to the free pool (truncate and punch: freeBlocks). */
function freesBlocks(state: SystemState): boolean {
  const frees = (calls: readonly Syscall[]): boolean => calls.some((c) => c.call === 'truncate' || c.call === 'punch' || (c.call === 'lock' && frees(c.body)));
  return state.tasks.some((t) => frees(t.program));
}

/**
 * The scenario's automorphisms, identity first (see the header). `refused`
 * says why a group was found but is not to be used.
 */
export function symmetryOf(initial: SystemState): Symmetry {
  const k = initial.kernel;
  const tasks = initial.tasks;
  const n = tasks.length;
  const maps: Maps = { ino: new PartialPerm(k.inodes.length), mm: new PartialPerm(k.mms.length), node: new PartialPerm(Math.max(1, k.nodes)) };
  const taskTo = new Int32Array(n).fill(-1);
  const used = new Uint8Array(n);
  const interner = createInterner();
  const initialKey = keyOf(interner, initial);
  const blocksMayFree = freesBlocks(initial);
  const group: Relabelling[] = [];
  let candidates = 0;
  let tooLarge = false;

  const accept = (): void => {
    candidates++;
    const ino = maps.ino.completed();
    const mm = maps.mm.completed();
    const node = maps.node.completed();
    if (ino === null || mm === null || node === null) return;
    // A file's blocks go with it; free blocks stay.
    const block = new Int32Array(k.blocks.length).map((_, i) => i);
    for (let i = 0; i < k.inodes.length; i++) {
      const from = k.inodes[i];
      const to = k.inodes[ino[i] ?? i];
      if (from === undefined || to === undefined || from.map.length !== to.map.length || from.cache.length !== to.cache.length) return;
      for (let x = 0; x < from.map.length; x++) {
        const a = from.map[x] ?? null;
        const b = to.map[x] ?? null;
        if ((a === null) !== (b === null)) return;
        if (a !== null && b !== null) block[a] = b;
        // Page frames stay where they are (header): a file with cached pages may not move.
        if ((from.cache[x] ?? null) !== (to.cache[x] ?? null)) return;
      }
    }
    if (blocksMayFree && block.some((b, i) => b !== i)) return;
    const names = new Map<string, string>();
    k.inodes.forEach((inode, i) => names.set(inode.name, k.inodes[ino[i] ?? i]?.name ?? inode.name));
    const pid = new Map<Pid, Pid>();
    tasks.forEach((t, i) => pid.set(t.pid, tasks[taskTo[i] ?? i]?.pid ?? t.pid));
    const g: Relabelling = { task: taskTo.slice(), ino, mm, node, block, names, pid };
    if (!sameKey(keyOf(interner, relabelState(g, initial)), initialKey)) return;
    group.push(g);
    if (group.length > MAX_GROUP) tooLarge = true;
  };

  const assign = (i: number): void => {
    if (tooLarge || candidates > 50 * MAX_GROUP) return;
    if (i === n) {
      accept();
      return;
    }
    const from = tasks[i];
    if (from === undefined) return;
    for (let j = 0; j < n; j++) {
      if (used[j] === 1) continue;
      const to = tasks[j];
      if (to === undefined) continue;
      const trail: (() => void)[] = [];
      const newMm = maps.mm.to[from.mm] === -1;
      const fromMm = k.mms[from.mm];
      const toMm = k.mms[to.mm];
      const ok =
        maps.mm.unify(from.mm, to.mm, trail) &&
        maps.node.unify(from.node, to.node, trail) &&
        (!newMm || (fromMm !== undefined && toMm !== undefined && unifyMm(maps, fromMm, toMm, trail))) &&
        unifyProgram(maps, from.program, to.program, trail);
      if (ok) {
        used[j] = 1;
        taskTo[i] = j;
        assign(i + 1);
        used[j] = 0;
        taskTo[i] = -1;
      }
      for (let u = trail.length - 1; u >= 0; u--) trail[u]?.();
    }
  };
  assign(0);
  // The identity passes the check above whenever anything does; put it first.
  const identity = group.findIndex((g) => g.task.every((t, i) => t === i));
  const ordered = identity <= 0 ? group : [group[identity] as Relabelling, ...group.filter((_, i) => i !== identity)];
  if (tooLarge) return { group: ordered.slice(0, 1), refused: `a group of more than ${MAX_GROUP} task permutations` };
  if (ordered.length === 0) throw new Error('model error: the identity is not an automorphism of the initial state');
  return { group: ordered, refused: null };
}

// ---------------------------------------------------------------------------
// Keys: a state's elements as interned ids, in their places under g.

/** Word vectors of the elements, for the exact check in `symmetryOf` (no memo). */
function keyOf(interner: Interner, state: SystemState): number[] {
  const k = state.kernel;
  const ids = (items: readonly object[]) => items.map((x) => interner.idOf(x));
  return [
    ...ids(state.tasks),
    ...ids(k.inodes),
    k.pages.length,
    ...ids(k.pages),
    ...ids(k.blocks),
    ...ids(k.mms),
    ...ids(k.glocks),
    ...ids(k.named ?? []),
    state.signals.length,
    ...state.signals.map((s) => s.pid),
  ];
}

function sameKey(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Position permutations, for pids along a lifted schedule. */
function invert(p: Int32Array): Int32Array {
  const out = new Int32Array(p.length);
  p.forEach((to, from) => {
    out[to] = from;
  });
  return out;
}

/**
 * The visited set of the quotient graph: `addOrFind` as in explore.ts, on
 * the canonical key of the state's orbit. `toRep(pid)` names, in the
 * representative of the node last looked up, the task that `pid` is in the
 * state looked up; the explorer counts task switches with it.
 */
export interface SymmetricVisited {
  addOrFind(state: object): number;
  size(): number;
  bytes(): number;
  toRep(pid: Pid): Pid;
  /** A schedule of the quotient graph (pids relative to each node's representative) as one the real engine replays. */
  lift(initial: SystemState, schedule: readonly Pid[], engine: Engine): Pid[];
}

export function createSymmetricVisited(symmetry: Symmetry, initial: SystemState): SymmetricVisited {
  const group = symmetry.group;
  const interner = createInterner();
  const keys = createStateSet();
  const pids = initial.tasks.map((t) => t.pid);
  const positionOf = new Map(pids.map((p, i) => [p, i]));
  const inverses = group.map((g) => invert(g.task));

  // The key's layout: the elements whose number never changes (tasks,
  // inodes, blocks, mms, glocks, named locks), then the page frames (which
  // grow, and stay in place), then the pids of the SIGBUS deliveries.
  const k0 = initial.kernel;
  const sectionLengths = [initial.tasks.length, k0.inodes.length, k0.blocks.length, k0.mms.length, k0.glocks.length, k0.named?.length ?? 0];
  const fixed = sectionLengths.reduce((a, b) => a + b, 0);
  const kindOf = new Uint8Array(fixed);
  // Per group element, per place in the key: which element's image lands there.
  const sourceOf = group.map((g) => {
    const source = new Int32Array(fixed);
    let offset = 0;
    sectionLengths.forEach((n, kind) => {
      for (let i = 0; i < n; i++) {
        const to = kind === TASKS ? g.task[i] : kind === INODES ? g.ino[i] : kind === BLOCKS ? g.block[i] : kind === MMS ? g.mm[i] : kind === GLOCKS ? glockPlace(g, k0, i) : i;
        source[offset + (to ?? i)] = offset + i;
        kindOf[offset + i] = kind;
      }
      offset += n;
    });
    return source;
  });

  // Per state id: the group element that canonicalized its representative.
  let canonOf = new Uint16Array(1 << 12);
  // Dense numbering of elements by interned id, and per group element the interned id + 1 of each one's image.
  let elementOf: Int32Array = new Int32Array(1 << 12);
  let elements = 0;
  const images: Int32Array[] = group.map(() => new Int32Array(1 << 12));
  const grow = (a: Int32Array, size: number): Int32Array => {
    if (size < a.length) return a;
    const bigger = new Int32Array(Math.max(a.length * 2, size + 1));
    bigger.set(a);
    return bigger;
  };

  // The state being looked up: its elements (fixed ones, then pages) and their interned ids.
  const objects: object[] = [];
  let ids = new Uint32Array(fixed + 64);
  let best = new Uint32Array(fixed + 128);
  let length = 0;
  let last = 0;
  let lastPerm = 0;
  // Every group element that maps the state last looked up onto its key: more than one where the state has symmetries of its own.
  const ties: number[] = [];

  const imageOf = (gi: number, slot: number, kind: number): number => {
    const id = ids[slot] ?? 0;
    elementOf = grow(elementOf, id);
    let e = (elementOf[id] ?? 0) - 1;
    if (e < 0) {
      e = elements++;
      elementOf[id] = e + 1;
    }
    let table = images[gi] as Int32Array;
    if (e >= table.length) {
      table = grow(table, e);
      images[gi] = table;
    }
    const known = table[e] ?? 0;
    if (known !== 0) return known - 1;
    const out = interner.idOf(relabelElement(kind, group[gi] as Relabelling, objects[slot] as object));
    table[e] = out + 1;
    return out;
  };

  // One image's key against the best so far, word by word (`word`): most images lose within the first few words.
  let less = false;
  let at = 0;
  /** False once the image is greater than the best; from the first smaller word on, the image overwrites the best. */
  const word = (value: number): boolean => {
    if (!less) {
      const b = best[at] ?? 0;
      if (value > b) return false;
      if (value < b) less = true;
    }
    if (less) best[at] = value;
    at++;
    return true;
  };

  /** Leaves the canonical key in `best[0, length)`; returns the canonicalizing element. */
  const canonicalize = (state: SystemState): number => {
    if (state.stopped !== null) {
      // Stopped runs are not merged (their messages name pids): a key no orbit key can equal.
      best[0] = 0xffffffff;
      best[1] = interner.idOf(state);
      length = 2;
      ties.length = 0;
      ties.push(0);
      return 0;
    }
    const k = state.kernel;
    const pages = k.pages.length;
    const signals = state.signals.length;
    length = fixed + 2 + pages + signals;
    if (length > best.length) {
      best = new Uint32Array(length * 2);
      ids = new Uint32Array(length * 2);
    }
    objects.length = 0;
    for (const section of [state.tasks, k.inodes, k.blocks, k.mms, k.glocks, k.named ?? [], k.pages] as const) for (const x of section) objects.push(x);
    for (let i = 0; i < objects.length; i++) ids[i] = interner.idOf(objects[i] as object);
    // The identity's key: the ids in place.
    best.set(ids.subarray(0, fixed), 0);
    best[fixed] = pages;
    best.set(ids.subarray(fixed, fixed + pages), fixed + 1);
    best[fixed + 1 + pages] = signals;
    state.signals.forEach((s, i) => {
      best[fixed + 2 + pages + i] = s.pid;
    });
    let bestGi = 0;
    ties.length = 0;
    ties.push(0);
    for (let gi = 1; gi < group.length; gi++) {
      const g = group[gi] as Relabelling;
      const source = sourceOf[gi] as Int32Array;
      less = false;
      at = 0;
      let lost = false;
      for (let place = 0; place < fixed && !lost; place++) {
        const slot = source[place] ?? place;
        lost = !word(imageOf(gi, slot, kindOf[slot] ?? TASKS));
      }
      if (!lost) lost = !word(pages);
      for (let i = 0; i < pages && !lost; i++) lost = !word(imageOf(gi, fixed + i, PAGES));
      if (!lost) lost = !word(signals);
      for (let i = 0; i < signals && !lost; i++) lost = !word(relabelPid(g, state.signals[i]?.pid ?? 0));
      if (less) {
        bestGi = gi;
        ties.length = 0;
      }
      if (!lost) ties.push(gi);
    }
    return bestGi;
  };

  const lookup = (state: SystemState): number => {
    const gi = canonicalize(state);
    const found = keys.addOrFindRange(best, 0, length);
    const id = found < 0 ? -found - 1 : found;
    if (found < 0) {
      if (id >= canonOf.length) {
        const bigger = new Uint16Array(canonOf.length * 2);
        bigger.set(canonOf);
        canonOf = bigger;
      }
      canonOf[id] = gi;
    }
    last = id;
    lastPerm = gi;
    return found;
  };

  // The state last looked up is h(r), r its node's representative, with
  // h = inverse(g_state) ∘ g_r as task positions (both map onto the same key).
  const fromRep = (position: number, perm: number): number => inverses[perm]?.[(group[canonOf[last] ?? 0] as Relabelling).task[position] ?? 0] ?? position;
  const toRep = (position: number): number => inverses[canonOf[last] ?? 0]?.[(group[lastPerm] as Relabelling).task[position] ?? 0] ?? position;

  return {
    addOrFind: (state) => lookup(state as SystemState),
    size: keys.size,
    bytes: () => keys.bytes() + interner.bytes() + canonOf.byteLength + elementOf.byteLength + images.reduce((sum, t) => sum + t.byteLength, 0),
    toRep: (pid) => pids[toRep(positionOf.get(pid) ?? 0)] ?? pid,
    lift: (start, schedule, engine) => {
      const out: Pid[] = [];
      let state = start;
      for (const p of schedule) {
        if (lookup(state) < 0) throw new Error('model error: a state on a path the explorer found was never visited');
        // Where the state is symmetric in itself, several tasks are the one the path names: keep to the task that ran last if it is one of them.
        const candidates = ties.map((perm) => pids[fromRep(positionOf.get(p) ?? 0, perm)] ?? p);
        const pid = candidates.find((c) => c === out[out.length - 1]) ?? candidates[0] ?? p;
        out.push(pid);
        const next = step(state, pid, engine);
        if (!next.ok) break;
        state = next.state;
      }
      return out;
    },
  };
}

const TASKS = 0;
const INODES = 1;
const BLOCKS = 2;
const MMS = 3;
const GLOCKS = 4;
const NAMED = 5;
const PAGES = 6;

function relabelElement(kind: number, g: Relabelling, x: object): object {
  switch (kind) {
    case TASKS:
      return relabelTask(g, x as SimTask);
    case INODES:
      return relabelInode(g, x as Inode);
    case BLOCKS:
      return relabelBlock(g, x as Block);
    case MMS:
      return relabelMm(g, x as Mm);
    case GLOCKS:
      return relabelGlock(g, x as Glock);
    case NAMED:
      return relabelNamed(g, x as NamedLock);
    default:
      return relabelPage(g, x as Page);
  }
}
