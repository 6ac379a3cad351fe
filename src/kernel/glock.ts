/**
 * gfs2 glocks (fs/gfs2/glock.c), one per inode per cluster node.
 *
 * Owns: the node's cached lock state (UN/SH/DF/EX), the queue of holders
 * (granted first, then waiters, strictly FIFO), the recursion trap, trylocks,
 * and the demote a conflicting request from another node asks for.
 *
 * Granting follows `may_grant`: a holder other than the first may share the
 * glock only if neither it nor the first holder wants EX, and the glock's
 * state must equal the requested mode (an EX state also serves SH or DF
 * requests when the first holder wants the same). A state change happens only
 * for the first holder, when no holder is granted (`do_promote` returns 1 and
 * `run_queue` calls `do_xmote`). A pending demote stops all promotion on the
 * node until its holders are gone (`run_queue` tests GLF_DEMOTE before
 * `do_promote`). Across nodes the DLM lets SH share with SH and DF with DF;
 * EX shares with nothing.
 *
 * Not modelled: the minimum hold time, LM_FLAG_ANY/GL_EXACT, DLM deadlock
 * detection, and the glock workqueue's latency: a demote or promote happens
 * within the step that made it possible.
 */
import type { Ino, NodeId, Pid } from './ids.ts';
import { glockIndex, inodeName, type KernelState } from './state.ts';

export type GlockMode = 'UN' | 'SH' | 'DF' | 'EX';
export type HolderMode = Exclude<GlockMode, 'UN'>;

/** LM_ST_* numbers, as the recursion report prints them (fs/gfs2/glock.h). */
const LM_ST: Record<GlockMode, number> = { UN: 0, EX: 1, DF: 2, SH: 3 };

export interface GlockHolder {
  readonly pid: Pid;
  readonly mode: HolderMode;
  /** LM_FLAG_TRY: fail with GLR_TRYFAILED instead of waiting. */
  readonly try: boolean;
  /** HIF_MAY_DEMOTE (5.16): the holder may be dequeued for a conflicting request. */
  readonly mayDemote: boolean;
  /** The function that queued it (gh_ip), as the BUG report names it. */
  readonly caller: string;
  /** HIF_HOLDER: granted. */
  readonly granted: boolean;
}

export interface Glock {
  readonly node: NodeId;
  readonly ino: Ino;
  readonly state: GlockMode;
  readonly holders: readonly GlockHolder[];
  /** gl_demote_state, set by a callback from another node (GLF_DEMOTE), or null. */
  readonly demote: GlockMode | null;
}

export function newGlock(node: NodeId, ino: Ino): Glock {
  return { node, ino, state: 'UN', holders: [], demote: null };
}

/** DLM compatibility between the states of two nodes. */
export function nodesCompatible(a: GlockMode, b: GlockMode): boolean {
  if (a === 'UN' || b === 'UN') return true;
  return a === b && a !== 'EX';
}

/** The state another node must demote to so that `wanted` can be granted here (gdlm_bast). */
function demoteTarget(wanted: HolderMode): GlockMode {
  return wanted === 'EX' ? 'UN' : wanted;
}

/** fs/gfs2/glock.c: may_grant, for a holder whose glock is already in some state. */
function mayGrant(gl: Glock, gh: GlockHolder, head: GlockHolder): boolean {
  if (gh !== head && (gh.mode === 'EX' || head.mode === 'EX')) return false;
  if (gl.state === gh.mode) return true;
  return gl.state === 'EX' && gh.mode === head.mode && gh.mode !== 'EX';
}

export function glockAt(kernel: KernelState, node: NodeId, ino: Ino): Glock | undefined {
  return kernel.glocks[glockIndex(kernel, node, ino)];
}

function withGlock(kernel: KernelState, gl: Glock): KernelState {
  const glocks = kernel.glocks.slice();
  glocks[glockIndex(kernel, gl.node, gl.ino)] = gl;
  return { ...kernel, glocks };
}

function otherNodes(kernel: KernelState, gl: Glock): Glock[] {
  const others: Glock[] = [];
  for (let node = 0; node < kernel.nodes; node++) {
    const other = glockAt(kernel, node, gl.ino);
    if (node !== gl.node && other !== undefined) others.push(other);
  }
  return others;
}

/** Remove may-demote holders of a glock (5.16 demote_incompat_holders): their tasks find them lost. */
function dropMayDemoteHolders(gl: Glock, incompatibleWith: HolderMode | null): Glock {
  const holders = gl.holders.filter((h) => !(h.granted && h.mayDemote && (incompatibleWith === null || !localShare(h.mode, incompatibleWith))));
  return holders.length === gl.holders.length ? gl : { ...gl, holders };
}

function localShare(a: HolderMode, b: HolderMode): boolean {
  return a === b && a !== 'EX';
}

/**
 * run_queue for one inode across every node, to a fixed point: demote where
 * asked and no holder is left, then promote waiters in FIFO order; a waiter
 * that needs a state change another node's state forbids sends that node a
 * demote request.
 */
export function runGlockQueues(kernel: KernelState, ino: Ino): KernelState {
  let current = kernel;
  for (let round = 0; round < 4 * kernel.nodes + 4; round++) {
    let changed = false;
    for (let node = 0; node < current.nodes; node++) {
      const before = glockAt(current, node, ino);
      if (before === undefined) continue;
      const after = runQueue(current, before);
      if (after !== current) {
        current = after;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return current;
}

function runQueue(kernel: KernelState, start: Glock): KernelState {
  let gl = start;
  let next = kernel;
  const demote = gl.demote;
  if (demote !== null) {
    // 5.16 gfs2_glock_cb: holders that agreed to be demoted go first (demote_incompat_holders).
    if (gl.holders.some((h) => h.granted)) gl = dropMayDemoteHolders(gl, null);
    if (gl.holders.some((h) => h.granted)) return gl === start ? kernel : withGlock(kernel, gl);
    // The DLM grants the remote request this demote was for before this
    // node's own waiters can ask again (fs/dlm/lock.c: do_convert_effects →
    // grant_pending_locks), so promotion waits for the next pass.
    return withGlock(kernel, { ...gl, state: demote, demote: null });
  }
  const holders = gl.holders.slice();
  for (let i = 0; i < holders.length; i++) {
    const gh = holders[i];
    const head = holders[0];
    if (gh === undefined || head === undefined || gh.granted) continue;
    if (gl.state !== 'UN' && mayGrant(gl, gh, head)) {
      holders[i] = { ...gh, granted: true };
      continue;
    }
    if (i === 0 || !holders.slice(0, i).some((h) => h.granted)) {
      // First in line and nothing granted: do_xmote to the mode it wants, if the DLM allows.
      const conflicts = otherNodes(next, gl).filter((o) => !nodesCompatible(o.state, gh.mode));
      if (conflicts.length === 0 && i === 0) {
        gl = { ...gl, state: gh.mode };
        holders[i] = { ...gh, granted: true };
        continue;
      }
      for (const other of conflicts) {
        if (other.demote === null) next = withGlock(next, { ...other, demote: demoteTarget(gh.mode) });
      }
    } else if (holders.slice(0, i).every((h) => !h.granted || h.mayDemote)) {
      // 5.16: the granted holders in the way agreed to be demoted.
      const kept = dropMayDemoteHolders({ ...gl, holders }, gh.mode);
      if (kept.holders.length !== holders.length) {
        // The dropped holders are gone whatever the next pass does: a pass that
        // changes nothing more still hands back the glock without them.
        const after = runQueue(next, kept);
        return after === next ? withGlock(next, kept) : after;
      }
    }
    break;
  }
  const updated = { ...gl, holders };
  return sameGlock(updated, start) ? next : withGlock(next, updated);
}

function sameGlock(a: Glock, b: Glock): boolean {
  return a.state === b.state && a.demote === b.demote && a.holders.length === b.holders.length && a.holders.every((h, i) => {
    const o = b.holders[i];
    return o !== undefined && o.pid === h.pid && o.granted === h.granted && o.mode === h.mode && o.caller === h.caller;
  });
}

export type NqResult =
  | { readonly kind: 'granted' | 'queued'; readonly kernel: KernelState }
  | { readonly kind: 'tryfailed' }
  | { readonly kind: 'recursive'; readonly log: readonly string[] };

export interface NqRequest {
  readonly pid: Pid;
  readonly node: NodeId;
  readonly ino: Ino;
  readonly mode: HolderMode;
  readonly try: boolean;
  readonly caller: string;
  /** 5.16 skips holders marked may-demote in the recursion check. */
  readonly recursionSkipsMayDemote: boolean;
}

/**
 * gfs2_glock_nq → add_to_queue. The recursion check looks at every queued
 * holder, granted or waiting, whatever its mode: a second holder for the same
 * pid is `trap_recursive`, which prints both holders and calls BUG().
 */
export function glockNq(kernel: KernelState, req: NqRequest): NqResult {
  const gl = glockAt(kernel, req.node, req.ino);
  if (gl === undefined) return { kind: 'tryfailed' };
  const holder: GlockHolder = { pid: req.pid, mode: req.mode, try: req.try, mayDemote: false, caller: req.caller, granted: false };
  const original = gl.holders.find((h) => h.pid === req.pid && !(req.recursionSkipsMayDemote && h.mayDemote));
  if (original !== undefined) return { kind: 'recursive', log: recursionLog(kernel, gl, original, holder) };

  const queued = runGlockQueues(withGlock(kernel, { ...gl, holders: [...gl.holders, holder] }), req.ino);
  const granted = isGranted(queued, req.node, req.ino, req.pid, req.caller);
  if (granted) return { kind: 'granted', kernel: queued };
  // LM_FLAG_TRY: not grantable at once → GLR_TRYFAILED, and the holder leaves the queue.
  if (req.try) return { kind: 'tryfailed' };
  return { kind: 'queued', kernel: queued };
}

export function findHolder(kernel: KernelState, node: NodeId, ino: Ino, pid: Pid, caller: string): GlockHolder | undefined {
  return glockAt(kernel, node, ino)?.holders.find((h) => h.pid === pid && h.caller === caller);
}

export function isGranted(kernel: KernelState, node: NodeId, ino: Ino, pid: Pid, caller: string): boolean {
  return findHolder(kernel, node, ino, pid, caller)?.granted === true;
}

/** gfs2_glock_dq: drop the holder and let the queues run. */
export function glockDq(kernel: KernelState, node: NodeId, ino: Ino, pid: Pid, caller: string): { ok: true; kernel: KernelState } | { ok: false; violation: string } {
  const gl = glockAt(kernel, node, ino);
  const holder = findHolder(kernel, node, ino, pid, caller);
  if (gl === undefined || holder === undefined || !holder.granted) {
    return { ok: false, violation: `pid ${pid} dequeued glock 2/${inodeName(kernel, ino)} it does not hold (${caller})` };
  }
  const dropped = withGlock(kernel, { ...gl, holders: gl.holders.filter((h) => h !== holder) });
  return { ok: true, kernel: runGlockQueues(dropped, ino) };
}

/** Mark a granted holder may-demote or not (5.16 gfs2_holder_allow_demote / disallow_demote). */
export function setMayDemote(kernel: KernelState, node: NodeId, ino: Ino, pid: Pid, caller: string, mayDemote: boolean): KernelState {
  const gl = glockAt(kernel, node, ino);
  if (gl === undefined) return kernel;
  const holders = gl.holders.map((h) => (h.pid === pid && h.caller === caller ? { ...h, mayDemote } : h));
  return runGlockQueues(withGlock(kernel, { ...gl, holders }), ino);
}

/** A granted holder in someone's way, and the node it is on. */
export type Blocker = GlockHolder & { readonly node: NodeId };

/** The granted holders, on this node or another, that keep a waiting holder from its grant. */
export function glockBlockers(kernel: KernelState, node: NodeId, ino: Ino, pid: Pid, caller: string): readonly Blocker[] {
  const gl = glockAt(kernel, node, ino);
  if (gl === undefined) return [];
  const on = (g: Glock): Blocker[] => g.holders.filter((h) => h.granted).map((h) => ({ ...h, node: g.node }));
  const index = gl.holders.findIndex((h) => h.pid === pid && h.caller === caller);
  const local = gl.holders.slice(0, Math.max(0, index)).filter((h) => h.granted);
  if (local.length > 0 || gl.demote !== null) return on(gl);
  const me = gl.holders[index];
  if (me === undefined) return [];
  return otherNodes(kernel, gl)
    .filter((o) => !nodesCompatible(o.state, me.mode))
    .flatMap(on);
}

/** Every glock holder a task has, granted or queued. */
export function holdersOf(kernel: KernelState, pid: Pid): readonly (GlockHolder & { readonly node: NodeId; readonly ino: Ino })[] {
  return kernel.glocks.flatMap((gl) => gl.holders.filter((h) => h.pid === pid).map((h) => ({ ...h, node: gl.node, ino: gl.ino })));
}

/** dump_holder: "H: s:SH f:H e:0 p:101 [task] gfs2_file_read_iter". */
export function describeHolder(h: GlockHolder): string {
  const flags = `${h.granted ? 'H' : 'W'}${h.try ? 't' : ''}${h.mayDemote ? 'D' : ''}`;
  return `H: s:${h.mode} f:${flags} e:0 p:${h.pid} ${h.caller}`;
}

/** trap_recursive's report, as fs/gfs2/glock.c prints it before BUG(). */
function recursionLog(kernel: KernelState, gl: Glock, original: GlockHolder, added: GlockHolder): string[] {
  const name = inodeName(kernel, gl.ino);
  return [
    `gfs2: original: ${original.caller}`,
    `gfs2: pid: ${original.pid}`,
    `gfs2: lock type: 2 req lock state : ${LM_ST[original.mode]}`,
    `gfs2: new: ${added.caller}`,
    `gfs2: pid: ${added.pid}`,
    `gfs2: lock type: 2 req lock state : ${LM_ST[added.mode]}`,
    `G:  s:${gl.state} n:2/${name} t:${gl.state}`,
    ...gl.holders.map((h) => ` ${describeHolder(h)}`),
    'kernel BUG at fs/gfs2/glock.c: add_to_queue (trap_recursive)',
  ];
}
