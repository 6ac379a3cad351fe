// gfs2 5.16 auto-demotion as the v5.16 code is written (dc732906c245 with
// "gfs2: Clean up function may_grant"; fs/gfs2/glock.c do_promote,
// demote_incompat_holders, gfs2_glock_cb, __gfs2_glock_dq; glock.h
// gfs2_holder_allow_demote), over every interleaving of the presets it
// changes. Each assertion is a kernel fact of 5.16, not a label.
import { describe, expect, it } from 'vitest';
import { buildSetup } from '../../scenarios/build.ts';
import { findPreset } from '../../scenarios/index.ts';
import { gfs2DioRing } from '../../scenarios/ring.ts';
import type { Scenario } from '../../scenarios/types.ts';
import { replay } from '../replay.ts';
import { explore } from './explore.ts';

function preset(id: string): Scenario {
  const scenario = findPreset(id);
  if (scenario === undefined) throw new Error(`no preset ${id}`);
  return scenario;
}

const reachable = (scenario: Scenario) => Object.keys(explore(buildSetup(scenario), 'gfs2-5.16', { maxStates: 200_000 }).outcomes).sort();

/** A deadlocked 5.16 run's wait-for cycle, and each glock's holders at the end: (pid, mode, granted, HIF_MAY_DEMOTE). */
function deadlockOf(scenario: Scenario) {
  const found = explore(buildSetup(scenario), 'gfs2-5.16').outcomes.deadlock;
  const run = replay(buildSetup(scenario), 'gfs2-5.16', found?.shortest.schedule ?? []);
  if (run.outcome?.kind !== 'deadlock') throw new Error(`expected a deadlock, got ${run.outcome?.kind ?? 'none'}`);
  const glocks = (run.states.at(-1)?.kernel.glocks ?? []).map((g) => g.holders.map((h) => [h.pid, h.mode, h.granted, h.mayDemote]));
  return { cycle: run.outcome.cycle, glocks };
}

describe('gfs2 5.16: a local waiter never demotes a weak (HIF_MAY_DEMOTE) holder', () => {
  it('a buffered read into an mmap of its own file completes: gfs2_fault’s SH shares the SH glock beside the weak holder, in every interleaving', () => {
    expect(reachable(preset('gfs2-read-self'))).toEqual(['completed']);
  });

  it('an O_DIRECT read into an mmap of its own file hangs: the fault’s SH waits behind the task’s own weak DF holder, in every interleaving', () => {
    expect(reachable(preset('gfs2-dio-read-self'))).toEqual(['deadlock']);
    const { cycle, glocks } = deadlockOf(preset('gfs2-dio-read-self'));
    expect(cycle).toMatchObject([{ pid: 101, holders: [101], lock: { kind: 'glock', node: 0, ino: 0 } }]);
    // The fault's SH waits behind the task's own DF holder, which may be demoted but is not, since the waiter is local.
    expect(glocks).toEqual([
      [
        [101, 'DF', true, true],
        [101, 'SH', false, false],
      ],
    ]);
  });

  it('a wait behind a weak holder says so in its reason (HIF_MAY_DEMOTE)', () => {
    const [edge] = deadlockOf(preset('gfs2-dio-read-self')).cycle;
    expect(edge?.reason).toBe('waiting for glock 2/F in SH: held DF by pid 101 (HIF_MAY_DEMOTE)');
  });

  it('Jan Kara’s two O_DIRECT reads on one node still deadlock when both take DF before either faults; one that finishes first lets the other complete', () => {
    expect(reachable(preset('gfs2-abba-dio'))).toEqual(['completed', 'deadlock']);
    const { cycle, glocks } = deadlockOf(preset('gfs2-abba-dio'));
    expect(cycle.map((e) => [e.pid, e.holders])).toEqual([
      [101, [102]],
      [102, [101]],
    ]);
    expect(glocks).toEqual([
      [
        [101, 'DF', true, true],
        [102, 'SH', false, false],
      ],
      [
        [102, 'DF', true, true],
        [101, 'SH', false, false],
      ],
    ]);
  });

  it('the O_DIRECT ring of three deadlocks when every task takes DF first', () => {
    const ring = gfs2DioRing(3);
    const [schedule] = ring.schedules;
    const run = replay(buildSetup(ring), 'gfs2-5.16', schedule?.steps ?? [], { finish: true });
    expect(run.outcome?.kind === 'deadlock' ? run.outcome.cycle.length : 0).toBe(3);
  });

  it('xfstests generic/647 stops at step 2 (O_DIRECT read into its own mapping): the whole program reaches only that hang', () => {
    expect(reachable(preset('xfstests-647'))).toEqual(['deadlock']);
    const run = replay(buildSetup(preset('xfstests-647')), 'gfs2-5.16', [], { finish: true });
    expect(run.states.at(-1)?.tasks[0]?.returns).toEqual([4096]);
  });
});

describe('gfs2 5.16: xfstests generic/647, one case at a time', () => {
  // src/mmap-rw-fault.c runs the cases in order; each on its own shows what 5.16 does with it.
  const program = preset('xfstests-647').tasks[0]?.program ?? [];
  const alone = (n: number): Scenario => {
    const base = preset('xfstests-647');
    const call = program[n - 1];
    if (call === undefined) throw new Error(`no case ${n}`);
    return { ...base, id: `xfstests-647-case-${n}`, tasks: [{ pid: 101, process: 0, program: [call] }], schedules: [] };
  };
  it.each([
    [1, 'completed'],
    [2, 'deadlock'],
    [3, 'completed'],
    [4, 'completed'],
    [5, 'deadlock'],
  ] as const)('case %i alone: %s', (n, kind) => {
    const run = replay(buildSetup(alone(n)), 'gfs2-5.16', [], { finish: true });
    expect(run.outcome?.kind).toBe(kind);
    if (kind === 'completed') expect(run.states.at(-1)?.tasks[0]?.returns).toEqual([4096]);
  });

  it('in cases 3 and 4 the fault’s SH is granted beside the write’s weak EX holder (holder stealing), not after demoting it', () => {
    for (const n of [3, 4]) {
      const run = replay(buildSetup(alone(n)), 'gfs2-5.16', [], { finish: true });
      const granted = run.trace.findIndex((t) => t.machine === 'gfs2_fault' && t.event === 'glock.granted');
      const gl = run.states[granted + 1]?.kernel.glocks.find((g) => g.holders.some((h) => h.caller === 'gfs2_fault'));
      expect(gl?.holders.map((h) => [h.caller, h.mode, h.granted, h.mayDemote])).toEqual([
        ['gfs2_file_buffered_write', 'EX', true, true],
        ['gfs2_fault', 'SH', true, false],
      ]);
    }
  });
});

describe('gfs2 5.16: gfs2_holder_allow_demote runs no queue, and do_promote steals', () => {
  it('write-vs-mmap: gfs2_mmap’s SH refused while EX was strong stays refused after EX turns weak (deadlock); asked after, it is granted beside the weak EX, and the EX made strong again conflicts with it', () => {
    expect(reachable(preset('gfs2-write-vs-mmap'))).toEqual(['completed', 'deadlock', 'invariant-violation']);
  });
});

describe('gfs2 5.16: a remote request demotes weak holders (gfs2_glock_cb, __gfs2_glock_dq)', () => {
  it('two nodes writing each file from an mmap of the other complete in every interleaving: each fault-in’s remote request finds the other holder weak, or its demote waits for the dq', () => {
    expect(reachable(preset('gfs2-two-node-write'))).toEqual(['completed']);
  });
});
