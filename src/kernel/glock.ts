/**
 * gfs2 glocks (fs/gfs2/glock.c), one per inode per cluster node.
 *
 * Owns: the node's cached lock state (UN/SH/DF/EX), the queue of holders
 * (granted first, then waiters, strictly FIFO), the recursion trap, trylocks,
 * the demote a conflicting request from another node asks for, and 5.16's
 * weak (HIF_MAY_DEMOTE) holders.
 *
 * Granting follows `do_promote` and `may_grant` as v5.16 has them ("gfs2:
 * Clean up function may_grant" and dc732906c245, read as the 5.15.y
 * backport of the series, which 5.15.37 took): a waiter is compared with the
 * first granted strong holder (`find_first_strong_holder`): it shares with
 * an SH or DF holder of its own mode and with no EX holder; with no strong
 * holder it is compared with the glock's state (an EX state also serves SH
 * and DF). Before 5.16 `may_grant` compared with the first holder of the
 * queue; with no weak holders the two give the same answers, so one rule
 * serves every variant. A waiter that cannot be granted at the head of the
 * queue makes `run_queue` change the state (`do_xmote`); anywhere else it
 * waits (`do_error` fails only trylocks). A pending demote stops all
 * promotion on the node until its holders are gone (`run_queue` tests
 * GLF_DEMOTE before `do_promote`). Across nodes the DLM lets SH share with
 * SH and DF with DF; EX shares with nothing.
 *
 * 5.16 auto-demotion, as the code is written (not as its commit message
 * describes it): `gfs2_holder_allow_demote` only sets the bit and runs no
 * queue; `do_promote` calls `demote_incompat_holders(gl, first_gh)` for
 * the first waiter it grants, with `first_gh` the strong holder (NULL when
 * there is none), so a local waiter never demotes a weak holder: one that
 * may_grant refuses waits behind it, and one it allows is granted beside it
 * ("holder stealing", fixed by "gfs2: do_promote glock holder stealing fix",
 * 2022). Weak holders go only on a remote request: `gfs2_glock_cb` dequeues
 * those incompatible with the requested state when no strong holder is left,
 * and `__gfs2_glock_dq` of the last strong holder dequeues the rest while a
 * demote is pending.
 *
 * Not modelled: the minimum hold time, LM_FLAG_ANY/GL_EXACT/
 * LM_FLAG_NODE_SCOPE, DLM deadlock detection, and the glock workqueue's
 * latency: a demote or promote happens within the step that made it
 * possible.
 */
import type { Ino, NodeId, Pid } from './ids.ts';
import { glockIndex, inodeName, type Glock, type GlockHolder, type GlockMode, type HolderMode, type KernelState } from './state.ts';

export type { Glock, GlockHolder, GlockMode, HolderMode } from './state.ts';

/** LM_ST_* numbers, as the recursion report prints them (fs/gfs2/glock.h). */
const LM_ST: Record<GlockMode, number> = { UN: 0, EX: 1, DF: 2, SH: 3 };

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

/**
 * find_first_strong_holder (v5.16): the first granted holder not marked
 * HIF_MAY_DEMOTE, looking no further than the granted holders.
 */
function firstStrongHolder(holders: readonly GlockHolder[]): GlockHolder | null {
  for (const h of holders) {
    if (!h.granted) return null;
    if (!h.mayDemote) return h;
  }
  return null;
}

/**
 * may_grant (v5.16): against `current`, a granted holder, an SH or DF holder
 * shares with its own mode and an EX holder with nothing (LM_FLAG_NODE_SCOPE
 * is not modelled); with no current holder, the glock's state decides, and
 * an EX state serves SH and DF too.
 */
function mayGrant(gl: Glock, current: GlockHolder | null, gh: GlockHolder): boolean {
  if (current !== null) return current.mode !== 'EX' && gh.mode === current.mode;
  if (gl.state === gh.mode) return true;
  return gl.state === 'EX' && gh.mode !== 'EX';
}

/**
 * demote_incompat_holders: dequeue the granted weak holders that may_grant
 * would not let share with `current`; their tasks find them gone
 * (gfs2_holder_queued is false).
 */
function demoteIncompatHolders(gl: Glock, holders: readonly GlockHolder[], current: GlockHolder | null): GlockHolder[] {
  return holders.filter((h) => !(h.granted && h.mayDemote && !mayGrant(gl, current, h)));
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
    // run_queue: GLF_DEMOTE with any holder granted, weak or strong (find_first_holder) → nothing to do.
    if (gl.holders.some((h) => h.granted)) return kernel;
    // The DLM grants the remote request this demote was for before this
    // node's own waiters can ask again (fs/dlm/lock.c: do_convert_effects →
    // grant_pending_locks), so promotion waits for the next pass.
    return withGlock(kernel, { ...gl, state: demote, demote: null });
  }
  // do_promote
  let holders = gl.holders.slice();
  let current = firstStrongHolder(holders);
  let demoted = false;
  for (let i = 0; i < holders.length; i++) {
    const gh = holders[i];
    if (gh === undefined || gh.granted) continue;
    if (mayGrant(gl, current, gh)) {
      const promoted = { ...gh, granted: true };
      if (!demoted) {
        // v5.16 passes the strong holder it compared with, not the new one:
        // with none, nothing the glock's state allows is incompatible.
        holders = demoteIncompatHolders(gl, holders, current);
        i = holders.indexOf(gh);
        demoted = true;
        current = promoted;
      }
      holders[i] = promoted;
      continue;
    }
    if (i === 0) {
      // Head of the queue, nothing granted: do_xmote to the mode it wants, if the DLM allows.
      const conflicts = otherNodes(next, gl).filter((o) => !nodesCompatible(o.state, gh.mode));
      if (conflicts.length === 0) {
        gl = { ...gl, state: gh.mode };
        holders[i] = { ...gh, granted: true };
        current = holders[i] ?? null;
        continue;
      }
      for (const other of conflicts) {
        if (other.demote === null) next = withGlock(next, remoteCallback(other, demoteTarget(gh.mode)));
      }
    }
    // Anywhere else: do_error fails trylocks (glockNq does), the rest wait.
    break;
  }
  const updated = { ...gl, holders };
  return sameGlock(updated, start) ? next : withGlock(next, updated);
}

/**
 * gfs2_glock_cb on the node asked to demote (gdlm_bast), as v5.16 (with
 * "gfs2: Fix remote demote of weak glock holders", 5.16-rc4) has it: only
 * when no strong holder is left, the weak holders incompatible with a mock
 * holder in the requested state (EX for UN) are dequeued; then GLF_DEMOTE is
 * set. Holders that turn weak later are not looked at again.
 */
function remoteCallback(gl: Glock, target: GlockMode): Glock {
  let holders = gl.holders;
  if (firstStrongHolder(holders) === null) {
    const mock: GlockHolder = { pid: 0, mode: target === 'UN' ? 'EX' : target, try: false, mayDemote: false, caller: 'gfs2_glock_cb', granted: true };
    holders = demoteIncompatHolders(gl, holders, mock);
  }
  return { ...gl, holders, demote: target };
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

/**
 * gfs2_glock_dq: drop the holder and let the queues run. With a demote
 * pending and no strong holder left, __gfs2_glock_dq (v5.16) dequeues the
 * weak holders too, so the glock can be demoted.
 */
export function glockDq(kernel: KernelState, node: NodeId, ino: Ino, pid: Pid, caller: string): { ok: true; kernel: KernelState } | { ok: false; violation: string } {
  const gl = glockAt(kernel, node, ino);
  const holder = findHolder(kernel, node, ino, pid, caller);
  if (gl === undefined || holder === undefined || !holder.granted) {
    return { ok: false, violation: `pid ${pid} dequeued glock 2/${inodeName(kernel, ino)} it does not hold (${caller})` };
  }
  let holders = gl.holders.filter((h) => h !== holder);
  if (gl.demote !== null && firstStrongHolder(holders) === null) holders = holders.filter((h) => !h.granted);
  return { ok: true, kernel: runGlockQueues(withGlock(kernel, { ...gl, holders }), ino) };
}

/**
 * gfs2_holder_allow_demote / gfs2_holder_disallow_demote (v5.16 glock.h):
 * set or clear HIF_MAY_DEMOTE under the glock's spinlock, and nothing else:
 * no queue runs, so a waiter already refused stays queued.
 */
export function setMayDemote(kernel: KernelState, node: NodeId, ino: Ino, pid: Pid, caller: string, mayDemote: boolean): KernelState {
  const gl = glockAt(kernel, node, ino);
  if (gl === undefined) return kernel;
  const holders = gl.holders.map((h) => (h.pid === pid && h.caller === caller ? { ...h, mayDemote } : h));
  return withGlock(kernel, { ...gl, holders });
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
