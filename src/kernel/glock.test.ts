import { describe, expect, it } from 'vitest';
import {
  glockAt,
  glockBlockers,
  glockDq,
  glockNq,
  holdersOf,
  isGranted,
  newGlock,
  nodesCompatible,
  setMayDemote,
  type Glock,
  type HolderMode,
  type NqRequest,
  type NqResult,
} from './glock.ts';
import type { Ino, NodeId, Pid } from './ids.ts';
import { checkInvariants } from './invariants.ts';
import { UNLOCKED } from './sleeplock.ts';
import { glockIndex, type Inode, type KernelState } from './state.ts';

function inode(name: string): Inode {
  return { name, size: 4096, map: [null], shortExtents: [], cache: [null], i_rwsem: UNLOCKED, i_mmap: UNLOCKED, invalidate_lock: UNLOCKED };
}

/** A kernel with `nodes` cluster nodes and the named inodes, every glock UN with no holders. */
function cluster(nodes: number, names: readonly string[] = ['F']): KernelState {
  const glocks: Glock[] = [];
  for (let node = 0; node < nodes; node++) {
    for (let ino = 0; ino < names.length; ino++) glocks.push(newGlock(node, ino));
  }
  const kernel: KernelState = { inodes: names.map(inode), pages: [], blocks: [], mms: [], glocks, nodes };
  // The layout glockIndex promises: node * inodes + ino.
  for (const gl of glocks) expect(glocks[glockIndex(kernel, gl.node, gl.ino)]).toBe(gl);
  return kernel;
}

/** The caller name each pid's holder records (gh_ip). */
const callerOf = (pid: Pid): string => `caller_${pid}`;

interface Nq {
  readonly pid: Pid;
  readonly mode: HolderMode;
  readonly node?: NodeId;
  readonly ino?: Ino;
  readonly try?: boolean;
  readonly caller?: string;
  readonly recursionSkipsMayDemote?: boolean;
}

function request(r: Nq): NqRequest {
  return {
    pid: r.pid,
    node: r.node ?? 0,
    ino: r.ino ?? 0,
    mode: r.mode,
    try: r.try ?? false,
    caller: r.caller ?? callerOf(r.pid),
    recursionSkipsMayDemote: r.recursionSkipsMayDemote ?? false,
  };
}

function nq(kernel: KernelState, r: Nq): NqResult {
  return glockNq(kernel, request(r));
}

/** gfs2_glock_nq that must queue a holder (granted or waiting); the new state. */
function enqueue(kernel: KernelState, r: Nq, expected: 'granted' | 'queued'): KernelState {
  const result = nq(kernel, r);
  expect(result.kind).toBe(expected);
  if (result.kind !== 'granted' && result.kind !== 'queued') throw new Error(`unexpected ${result.kind}`);
  expect(checkInvariants(result.kernel)).toBeNull();
  return result.kernel;
}

/** gfs2_glock_dq that must succeed; the new state. */
function dequeue(kernel: KernelState, pid: Pid, node: NodeId = 0, ino: Ino = 0): KernelState {
  const result = glockDq(kernel, node, ino, pid, callerOf(pid));
  if (!result.ok) throw new Error(result.violation);
  expect(checkInvariants(result.kernel)).toBeNull();
  return result.kernel;
}

function glock(kernel: KernelState, node: NodeId = 0, ino: Ino = 0): Glock {
  const gl = glockAt(kernel, node, ino);
  if (gl === undefined) throw new Error(`no glock for node ${node} ino ${ino}`);
  return gl;
}

const granted = (kernel: KernelState, pid: Pid, node: NodeId = 0, ino: Ino = 0): boolean => isGranted(kernel, node, ino, pid, callerOf(pid));

const MODES: readonly HolderMode[] = ['SH', 'DF', 'EX'];

describe('gfs2 glocks (fs/gfs2/glock.c)', () => {
  it('a fresh glock is UN with no holders and no demote pending, and the empty cluster is legal', () => {
    const kernel = cluster(2, ['F1', 'F2']);
    for (const gl of kernel.glocks) expect(gl).toMatchObject({ state: 'UN', holders: [], demote: null });
    expect(checkInvariants(kernel)).toBeNull();
  });

  describe('one node: may_grant and do_promote', () => {
    it.each(MODES)('the first holder on an UN glock changes its state (run_queue → do_xmote) and is granted: %s', (mode) => {
      const kernel = enqueue(cluster(1), { pid: 101, mode }, 'granted');
      expect(glock(kernel).state).toBe(mode);
      expect(glock(kernel).holders).toEqual([{ pid: 101, mode, try: false, mayDemote: false, caller: callerOf(101), granted: true }]);
    });

    it('SH + SH: two pids on one node share the glock', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'SH' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'SH' }, 'granted');
      expect(glock(kernel).state).toBe('SH');
      expect(glock(kernel).holders.map((h) => [h.pid, h.granted])).toEqual([[101, true], [102, true]]);
    });

    it('DF + DF: two pids on one node share the glock (direct I/O with direct I/O)', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'DF' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'DF' }, 'granted');
      expect(granted(kernel, 102)).toBe(true);
    });

    it('DF then SH on the same node: the SH holder waits (SH ✘ DF, gl_state DF ≠ SH)', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'DF' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'SH' }, 'queued');
      expect(glock(kernel).state).toBe('DF');
      expect(granted(kernel, 102)).toBe(false);
      expect(glockBlockers(kernel, 0, 0, 102, callerOf(102)).map((h) => h.pid)).toEqual([101]);
    });

    it('SH then DF on the same node: the DF holder waits', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'SH' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'DF' }, 'queued');
      expect(granted(kernel, 102)).toBe(false);
    });

    it.each(MODES)('EX excludes a second local holder, even one that wants %s', (mode) => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'EX' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode }, 'queued');
      expect(glock(kernel).holders.filter((h) => h.granted).map((h) => h.pid)).toEqual([101]);
    });

    it('a second EX waits behind SH holders: a holder other than the first may not want EX', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'SH' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'EX' }, 'queued');
      expect(glockBlockers(kernel, 0, 0, 102, callerOf(102)).map((h) => h.pid)).toEqual([101]);
    });

    it('holders of different inodes do not interact', () => {
      let kernel = enqueue(cluster(1, ['F1', 'F2']), { pid: 101, mode: 'EX', ino: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'EX', ino: 1 }, 'granted');
      expect(glock(kernel, 0, 0).state).toBe('EX');
      expect(glock(kernel, 0, 1).state).toBe('EX');
    });
  });

  describe('gfs2_glock_dq hands the glock on in FIFO order', () => {
    it('the next waiter is granted when the holder in its way is dequeued', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'EX' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'EX' }, 'queued');
      kernel = dequeue(kernel, 101);
      expect(granted(kernel, 102)).toBe(true);
      expect(glock(kernel).holders.map((h) => h.pid)).toEqual([102]);
    });

    it('do_promote stops at the first waiter it cannot grant: a compatible SH behind a waiting EX stays queued (strict FIFO)', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'EX' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'SH' }, 'queued');
      kernel = enqueue(kernel, { pid: 103, mode: 'EX' }, 'queued');
      kernel = enqueue(kernel, { pid: 104, mode: 'SH' }, 'queued');

      kernel = dequeue(kernel, 101);
      // The SH head is granted under the cached EX state (may_grant: gl_state EX serves SH when the head wants SH).
      expect(glock(kernel).state).toBe('EX');
      expect([102, 103, 104].map((pid) => granted(kernel, pid))).toEqual([true, false, false]);

      kernel = dequeue(kernel, 102);
      expect([103, 104].map((pid) => granted(kernel, pid))).toEqual([true, false]);

      kernel = dequeue(kernel, 103);
      expect(granted(kernel, 104)).toBe(true);
      kernel = dequeue(kernel, 104);
      expect(glock(kernel).holders).toEqual([]);
    });

    it('a glock left with no holders keeps its cached state (no demote was asked for)', () => {
      const kernel = dequeue(enqueue(cluster(1), { pid: 101, mode: 'SH' }, 'granted'), 101);
      expect(glock(kernel)).toMatchObject({ state: 'SH', holders: [], demote: null });
    });

    it('a dq by a pid with no holder on the glock is a violation', () => {
      const kernel = enqueue(cluster(1), { pid: 101, mode: 'SH' }, 'granted');
      const result = glockDq(kernel, 0, 0, 202, callerOf(202));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.violation).toContain('202');
    });

    it('a dq by a waiter that was never granted is a violation', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'EX' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'SH' }, 'queued');
      expect(glockDq(kernel, 0, 0, 102, callerOf(102)).ok).toBe(false);
    });

    it('a dq naming another caller than the one that queued the holder is a violation', () => {
      const kernel = enqueue(cluster(1), { pid: 101, mode: 'SH' }, 'granted');
      expect(glockDq(kernel, 0, 0, 101, 'gfs2_fault').ok).toBe(false);
    });
  });

  describe('LM_FLAG_TRY', () => {
    it('a TRY request that cannot be granted at once fails with GLR_TRYFAILED and leaves no holder queued', () => {
      const kernel = enqueue(cluster(1), { pid: 101, mode: 'EX' }, 'granted');
      const before = structuredClone(kernel);
      const result = nq(kernel, { pid: 102, mode: 'SH', try: true });
      expect(result).toEqual({ kind: 'tryfailed' });
      expect(kernel).toEqual(before);
      expect(holdersOf(kernel, 102)).toEqual([]);
    });

    it('a TRY request against another node’s conflicting state fails too', () => {
      const kernel = enqueue(cluster(2), { pid: 101, mode: 'EX', node: 0 }, 'granted');
      expect(nq(kernel, { pid: 201, mode: 'SH', node: 1, try: true }).kind).toBe('tryfailed');
    });

    it('a grantable TRY request is granted like any other', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'SH' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'SH', try: true }, 'granted');
      expect(glock(kernel).holders.find((h) => h.pid === 102)?.try).toBe(true);
    });
  });

  describe('add_to_queue: trap_recursive', () => {
    const pairs = MODES.flatMap((first) => MODES.map((second) => [first, second] as const));

    it.each(pairs)('the same pid queueing a second holder hits trap_recursive whatever the modes: %s then %s', (first, second) => {
      const kernel = enqueue(cluster(1), { pid: 101, mode: first, caller: 'gfs2_file_read_iter' }, 'granted');
      const result = nq(kernel, { pid: 101, mode: second, caller: 'gfs2_fault' });
      expect(result.kind).toBe('recursive');
    });

    it('the trap fires when the first holder is still waiting, not only when it is granted', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'EX' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'SH', caller: 'gfs2_file_read_iter' }, 'queued');
      const result = nq(kernel, { pid: 102, mode: 'SH', caller: 'gfs2_fault' });
      expect(result.kind).toBe('recursive');
      if (result.kind === 'recursive') expect(result.log).toContain('gfs2: original: gfs2_file_read_iter');
    });

    it('a TRY request from the same pid traps as well (the holder walk runs before the TRY failure)', () => {
      const kernel = enqueue(cluster(1), { pid: 101, mode: 'SH' }, 'granted');
      expect(nq(kernel, { pid: 101, mode: 'SH', try: true, caller: 'gfs2_fault' }).kind).toBe('recursive');
    });

    it('the report prints "original:", "new:", both pids and lock states (LM_ST_*), then the BUG', () => {
      const kernel = enqueue(cluster(1), { pid: 101, mode: 'SH', caller: 'gfs2_file_read_iter' }, 'granted');
      const result = nq(kernel, { pid: 101, mode: 'EX', caller: 'gfs2_page_mkwrite' });
      if (result.kind !== 'recursive') throw new Error(`expected recursive, got ${result.kind}`);
      const log = result.log;
      const at = (needle: string): number => log.findIndex((line) => line.includes(needle));
      expect(log).toContain('gfs2: original: gfs2_file_read_iter');
      expect(log).toContain('gfs2: new: gfs2_page_mkwrite');
      expect(log.filter((line) => line === 'gfs2: pid: 101')).toHaveLength(2);
      // fs/gfs2/glock.h: LM_ST_SHARED 3, LM_ST_EXCLUSIVE 1; glock type 2 is LM_TYPE_INODE.
      expect(log).toContain('gfs2: lock type: 2 req lock state : 3');
      expect(log).toContain('gfs2: lock type: 2 req lock state : 1');
      expect(at('original:')).toBeLessThan(at('new:'));
      expect(log.some((line) => line.includes('2/F'))).toBe(true);
      expect(log.at(-1)).toContain('kernel BUG at fs/gfs2/glock.c');
    });

    it('another pid on the same glock, or the same pid on another inode’s glock, is no recursion', () => {
      let kernel = enqueue(cluster(1, ['F1', 'F2']), { pid: 101, mode: 'SH', ino: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'SH', ino: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 101, mode: 'EX', ino: 1 }, 'granted');
      expect(holdersOf(kernel, 101).map((h) => [h.ino, h.mode])).toEqual([[0, 'SH'], [1, 'EX']]);
    });

    it('5.16: with the first holder marked may-demote (gfs2_holder_allow_demote), the same pid queueing again does not trap', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'SH', caller: 'gfs2_file_read_iter' }, 'granted');
      kernel = setMayDemote(kernel, 0, 0, 101, 'gfs2_file_read_iter', true);
      expect(glock(kernel).holders[0]?.mayDemote).toBe(true);
      const result = nq(kernel, { pid: 101, mode: 'SH', caller: 'gfs2_fault', recursionSkipsMayDemote: true });
      expect(result.kind).toBe('granted');
      if (result.kind === 'granted') expect(checkInvariants(result.kernel)).toBeNull();
    });

    it('5.16: gfs2_holder_allow_demote only sets HIF_MAY_DEMOTE: a waiter refused before stays queued', () => {
      // fs/gfs2/glock.h (dc732906c245): spin_lock; set_bit(HIF_MAY_DEMOTE); spin_unlock. No run_queue.
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'EX' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'SH' }, 'queued');
      kernel = setMayDemote(kernel, 0, 0, 101, callerOf(101), true);
      expect(glock(kernel).holders.map((h) => [h.pid, h.granted, h.mayDemote])).toEqual([
        [101, true, true],
        [102, false, false],
      ]);
    });

    it('5.16: a weak DF holder is not demoted for its own task’s SH fault; the fault waits behind it (may_grant(gl, NULL, SH) is false under DF, and the waiter is not at the head)', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'DF', caller: 'gfs2_file_direct_read' }, 'granted');
      kernel = setMayDemote(kernel, 0, 0, 101, 'gfs2_file_direct_read', true);
      const result = nq(kernel, { pid: 101, mode: 'SH', caller: 'gfs2_fault', recursionSkipsMayDemote: true });
      if (result.kind !== 'queued') throw new Error(`expected queued, got ${result.kind}`);
      expect(glock(result.kernel).holders.map((h) => [h.caller, h.granted])).toEqual([
        ['gfs2_file_direct_read', true],
        ['gfs2_fault', false],
      ]);
      expect(glockBlockers(result.kernel, 0, 0, 101, 'gfs2_fault').map((h) => [h.pid, h.mode, h.mayDemote])).toEqual([[101, 'DF', true]]);
    });

    it('5.16: a weak EX holder is kept and its task’s SH fault is granted beside it (demote_incompat_holders(gl, NULL) finds nothing incompatible: "holder stealing")', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'EX', caller: 'gfs2_file_buffered_write' }, 'granted');
      kernel = setMayDemote(kernel, 0, 0, 101, 'gfs2_file_buffered_write', true);
      const result = nq(kernel, { pid: 101, mode: 'SH', caller: 'gfs2_fault', recursionSkipsMayDemote: true });
      if (result.kind !== 'granted') throw new Error(`expected granted, got ${result.kind}`);
      expect(glock(result.kernel).holders.map((h) => [h.caller, h.mode, h.granted])).toEqual([
        ['gfs2_file_buffered_write', 'EX', true],
        ['gfs2_fault', 'SH', true],
      ]);
      expect(checkInvariants(result.kernel)).toBeNull();
    });

    it('5.16: the stolen SH and the weak EX made strong again (gfs2_holder_disallow_demote) are two conflicting holders: an invariant violation', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'EX' }, 'granted');
      kernel = setMayDemote(kernel, 0, 0, 101, callerOf(101), true);
      kernel = enqueue(kernel, { pid: 102, mode: 'SH' }, 'granted');
      kernel = setMayDemote(kernel, 0, 0, 101, callerOf(101), false);
      expect(checkInvariants(kernel)?.message).toContain('EX holder shares the glock with 1 other holder(s)');
    });

    it('5.16: a remote request with no strong holder left dequeues the weak holders (gfs2_glock_cb → demote_incompat_holders with a mock EX holder for UN)', () => {
      let kernel = enqueue(cluster(2), { pid: 101, mode: 'EX', node: 0 }, 'granted');
      kernel = setMayDemote(kernel, 0, 0, 101, callerOf(101), true);
      kernel = enqueue(kernel, { pid: 201, mode: 'EX', node: 1 }, 'granted');
      expect(glock(kernel, 0)).toMatchObject({ state: 'UN', holders: [], demote: null });
      expect(glock(kernel, 1).state).toBe('EX');
    });

    it('5.16: a remote SH request keeps a weak SH holder (the mock holder is SH, which may share with it) and waits for it to be dequeued', () => {
      // Node 0 caches EX with no holder; pid 102's SH is granted under it, then made weak.
      let kernel = dequeue(enqueue(cluster(2), { pid: 101, mode: 'EX', node: 0 }, 'granted'), 101, 0);
      kernel = enqueue(kernel, { pid: 102, mode: 'SH', node: 0 }, 'granted');
      kernel = setMayDemote(kernel, 0, 0, 102, callerOf(102), true);
      // gdlm_bast for a DLM_LOCK_PR request: gfs2_glock_cb(gl, LM_ST_SHARED).
      kernel = enqueue(kernel, { pid: 201, mode: 'SH', node: 1 }, 'queued');
      expect(glock(kernel, 0)).toMatchObject({ state: 'EX', demote: 'SH' });
      expect(glock(kernel, 0).holders.map((h) => h.pid)).toEqual([102]);
      kernel = dequeue(kernel, 102, 0);
      expect(glock(kernel, 0).state).toBe('SH');
      expect(granted(kernel, 201, 1)).toBe(true);
    });

    it('5.16: a remote request while a strong holder is left demotes nothing; the weak holder made weak later stays until the strong one is dequeued (__gfs2_glock_dq)', () => {
      let kernel = enqueue(cluster(2), { pid: 101, mode: 'SH', node: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'SH', node: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 201, mode: 'EX', node: 1 }, 'queued');
      expect(glock(kernel, 0).demote).toBe('UN');
      // pid 101's holder turns weak after the callback: nothing looks at it again…
      kernel = setMayDemote(kernel, 0, 0, 101, callerOf(101), true);
      expect(glock(kernel, 0).holders.map((h) => h.pid)).toEqual([101, 102]);
      // …until the last strong holder is dequeued with the demote pending: then the weak one goes too.
      kernel = dequeue(kernel, 102, 0);
      expect(glock(kernel, 0)).toMatchObject({ state: 'UN', holders: [], demote: null });
      expect(granted(kernel, 201, 1)).toBe(true);
    });

    it('5.16: a holder not marked may-demote still traps', () => {
      const kernel = enqueue(cluster(1), { pid: 101, mode: 'SH' }, 'granted');
      expect(nq(kernel, { pid: 101, mode: 'SH', caller: 'gfs2_fault', recursionSkipsMayDemote: true }).kind).toBe('recursive');
    });

    it('5.15 knows no may-demote: the mark does not save the task from the trap', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'SH' }, 'granted');
      kernel = setMayDemote(kernel, 0, 0, 101, callerOf(101), true);
      expect(nq(kernel, { pid: 101, mode: 'SH', caller: 'gfs2_fault', recursionSkipsMayDemote: false }).kind).toBe('recursive');
    });
  });

  describe('across nodes: DLM compatibility and demote callbacks', () => {
    it('the DLM lets SH share with SH and DF with DF; EX shares with nothing; UN conflicts with nothing', () => {
      const states = ['UN', 'SH', 'DF', 'EX'] as const;
      const table = states.map((a) => states.map((b) => (nodesCompatible(a, b) ? 1 : 0)));
      expect(table).toEqual([
        [1, 1, 1, 1],
        [1, 1, 0, 0],
        [1, 0, 1, 0],
        [1, 0, 0, 0],
      ]);
    });

    it.each(['SH', 'DF'] as const)('%s on node 0 and %s on node 1 are both granted', (mode) => {
      let kernel = enqueue(cluster(2), { pid: 101, mode, node: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 201, mode, node: 1 }, 'granted');
      expect([glock(kernel, 0).state, glock(kernel, 1).state]).toEqual([mode, mode]);
      expect(glock(kernel, 0).demote).toBeNull();
    });

    it('node 0 holds EX, node 1 requests SH: node 1 waits and node 0 is asked to demote to SH (gdlm_bast: DLM_LOCK_PR → LM_ST_SHARED)', () => {
      let kernel = enqueue(cluster(2), { pid: 101, mode: 'EX', node: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 201, mode: 'SH', node: 1 }, 'queued');
      expect(glock(kernel, 1).state).toBe('UN');
      expect(glock(kernel, 0).demote).toBe('SH');
      expect(granted(kernel, 101)).toBe(true);
    });

    it('node 0 holds SH, node 1 requests EX: node 0 is asked to demote to UN (gdlm_bast: DLM_LOCK_EX → LM_ST_UNLOCKED)', () => {
      let kernel = enqueue(cluster(2), { pid: 101, mode: 'SH', node: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 201, mode: 'EX', node: 1 }, 'queued');
      expect(glock(kernel, 0).demote).toBe('UN');
    });

    it('a granted holder is never revoked by a demote request: node 0 keeps EX until its holder dq', () => {
      let kernel = enqueue(cluster(2), { pid: 101, mode: 'EX', node: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 201, mode: 'SH', node: 1 }, 'queued');
      expect(glock(kernel, 0).state).toBe('EX');
      expect(glock(kernel, 0).holders).toHaveLength(1);
    });

    it('node 0’s holder dq: node 0 demotes and node 1 is granted', () => {
      let kernel = enqueue(cluster(2), { pid: 101, mode: 'EX', node: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 201, mode: 'SH', node: 1 }, 'queued');
      kernel = dequeue(kernel, 101, 0);
      expect(glock(kernel, 0)).toMatchObject({ state: 'SH', holders: [], demote: null });
      expect(glock(kernel, 1).state).toBe('SH');
      expect(granted(kernel, 201, 1)).toBe(true);
    });

    it('EX against EX: node 0 demotes to UN when its holder is gone, and node 1 takes EX', () => {
      let kernel = enqueue(cluster(2), { pid: 101, mode: 'EX', node: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 201, mode: 'EX', node: 1 }, 'queued');
      expect(glock(kernel, 0).demote).toBe('UN');
      kernel = dequeue(kernel, 101, 0);
      expect(glock(kernel, 0)).toMatchObject({ state: 'UN', demote: null });
      expect(glock(kernel, 1).state).toBe('EX');
      expect(granted(kernel, 201, 1)).toBe(true);
    });

    it('a node with a cached state but no holder demotes at once when another node asks', () => {
      let kernel = dequeue(enqueue(cluster(2), { pid: 101, mode: 'EX', node: 0 }, 'granted'), 101, 0);
      expect(glock(kernel, 0).state).toBe('EX');
      kernel = enqueue(kernel, { pid: 201, mode: 'EX', node: 1 }, 'granted');
      expect(glock(kernel, 0)).toMatchObject({ state: 'UN', demote: null });
    });

    it('while a demote is pending on node 0, a new compatible local request on node 0 is not granted (run_queue tests GLF_DEMOTE before do_promote)', () => {
      let kernel = enqueue(cluster(2), { pid: 101, mode: 'SH', node: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 201, mode: 'EX', node: 1 }, 'queued');
      expect(glock(kernel, 0).demote).toBe('UN');
      // SH + SH would share under may_grant, but GLF_DEMOTE keeps do_promote from running.
      kernel = enqueue(kernel, { pid: 102, mode: 'SH', node: 0 }, 'queued');
      expect(granted(kernel, 102, 0)).toBe(false);
      expect(glockBlockers(kernel, 0, 0, 102, callerOf(102)).map((h) => h.pid)).toEqual([101]);
    });

    // DLM (fs/dlm/lock.c): node 0's down-conversion succeeds and do_convert_effects
    // calls grant_pending_locks, which grants node 1's queued EX conversion in the
    // same operation. Node 0's run_queue only re-requests SH for pid 102 after
    // finish_xmote, and that request queues behind node 1's granted EX.
    it('after the demote, the DLM grants node 1’s queued request before node 0 can re-acquire for a local waiter queued during the demote (grant_pending_locks)', () => {
      let kernel = enqueue(cluster(2), { pid: 101, mode: 'SH', node: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 201, mode: 'EX', node: 1 }, 'queued');
      kernel = enqueue(kernel, { pid: 102, mode: 'SH', node: 0 }, 'queued');
      kernel = dequeue(kernel, 101, 0);
      expect(granted(kernel, 201, 1)).toBe(true);
      expect(granted(kernel, 102, 0)).toBe(false);
    });
  });

  describe('glockBlockers', () => {
    it('names the local granted holders in a waiter’s way', () => {
      let kernel = enqueue(cluster(1), { pid: 101, mode: 'SH' }, 'granted');
      kernel = enqueue(kernel, { pid: 102, mode: 'SH' }, 'granted');
      kernel = enqueue(kernel, { pid: 103, mode: 'EX' }, 'queued');
      expect(glockBlockers(kernel, 0, 0, 103, callerOf(103)).map((h) => h.pid)).toEqual([101, 102]);
    });

    it('names the holders on another node whose state the waiter’s mode conflicts with', () => {
      let kernel = enqueue(cluster(2), { pid: 101, mode: 'EX', node: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 201, mode: 'SH', node: 1 }, 'queued');
      expect(glockBlockers(kernel, 1, 0, 201, callerOf(201)).map((h) => h.pid)).toEqual([101]);
    });

    it('names no one for a granted holder, nor for a pid with no holder', () => {
      let kernel = enqueue(cluster(2), { pid: 101, mode: 'SH', node: 0 }, 'granted');
      kernel = enqueue(kernel, { pid: 201, mode: 'SH', node: 1 }, 'granted');
      expect(glockBlockers(kernel, 0, 0, 101, callerOf(101))).toEqual([]);
      expect(glockBlockers(kernel, 1, 0, 201, callerOf(201))).toEqual([]);
      expect(glockBlockers(kernel, 0, 0, 999, callerOf(999))).toEqual([]);
    });
  });

  describe('checkInvariants', () => {
    it('flags a hand-built illegal cluster: two nodes in EX', () => {
      const kernel = cluster(2);
      const holder = (pid: Pid) => ({ pid, mode: 'EX' as const, try: false, mayDemote: false, caller: callerOf(pid), granted: true });
      const glocks = [
        { ...newGlock(0, 0), state: 'EX' as const, holders: [holder(101)] },
        { ...newGlock(1, 0), state: 'EX' as const, holders: [holder(201)] },
      ];
      expect(checkInvariants({ ...kernel, glocks })?.kind).toBe('invariant-violation');
    });
  });
});
