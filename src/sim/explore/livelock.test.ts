// Livelock as the explorer reports it (livelock.ts): states from which no
// outcome can be reached. xfstests generic/729 is the case: an O_DIRECT
// write of a mapped page onto itself, whose page-cache invalidation undoes
// every fault-in, under gfs2 5.18 (and the RFC); 6.4 falls back to a buffered write.
// 5.16 hangs earlier, on its own weak glock holder (see the test below).
import { describe, expect, it } from 'vitest';
import { buildSetup } from '../../scenarios/build.ts';
import { findPreset } from '../../scenarios/index.ts';
import type { Scenario } from '../../scenarios/types.ts';
import { replay } from '../replay.ts';
import { createInterner } from './intern.ts';
import { explore, summarize } from './explore.ts';
import { createEdgeStore, findLivelock, type Graph } from './livelock.ts';

/** A graph from adjacency lists (state i's successors, each edge taken by pid 100 + target). */
function graphOf(adjacency: readonly (readonly number[])[], local: readonly number[] = []): Graph {
  const store = createEdgeStore();
  adjacency.forEach((targets, id) => {
    store.open(id);
    for (const t of targets) store.add(t, 100 + t);
  });
  for (const id of local) store.markLocal(id);
  return store.graph(adjacency.length);
}

describe('findLivelock', () => {
  it('a graph without cycles has none', () => {
    expect(findLivelock(graphOf([[1, 2], [3], [3], []]), new Set([3]))).toEqual({ kind: 'none' });
  });

  it('a retry loop with a way out is not a livelock', () => {
    // 0 → 1 → 2 → 1 (the loop), and 2 → 3, which ends.
    expect(findLivelock(graphOf([[1], [2], [1, 3], []]), new Set([3]))).toEqual({ kind: 'none' });
  });

  it('a loop with no way out is, from the first state that cannot end, once round the loop', () => {
    // 0 → 1 (ends) or 0 → 2 → 3 → 4 → 2.
    const found = findLivelock(graphOf([[1, 2], [], [3], [4], [2]]), new Set([1]));
    expect(found).toEqual({ kind: 'livelock', states: 3, entry: 2, lap: [103, 104, 102] });
  });

  it('a loop made only of single local steps is left to the full search', () => {
    expect(findLivelock(graphOf([[1, 3], [2], [1], []], [1, 2]), new Set([3]))).toEqual({ kind: 'local-cycle' });
  });
});

function preset(id: string): Scenario {
  const s = findPreset(id);
  if (s === undefined) throw new Error(`no preset ${id}`);
  return s;
}

describe('xfstests generic/729 (mmap-rw-fault -2)', () => {
  const setup = buildSetup(preset('xfstests-729'));

  it('under gfs2-5.16 the fault-in waits behind the write’s own weak DF holder: a deadlock of one task, found before any loop', () => {
    const result = explore(setup, 'gfs2-5.16');
    expect(result.complete).toBe(true);
    expect(Object.keys(result.outcomes)).toEqual(['deadlock']);
    const run = replay(setup, 'gfs2-5.16', result.outcomes.deadlock?.shortest.schedule ?? [], { finish: true });
    expect(run.outcome?.kind).toBe('deadlock');
    if (run.outcome?.kind !== 'deadlock') return;
    expect(run.outcome.cycle.map((e) => [e.pid, e.lock.kind, e.owners])).toEqual([[101, 'glock', [101]]]);
  });

  it.each(['gfs2-5.18', 'gfs2-rfc-2021'] as const)('under %s the explorer finishes and finds a livelock, and nothing else: no completion, no state limit', (variant) => {
    const result = explore(setup, variant);
    expect(result.complete).toBe(true);
    expect(result.stoppedBy).toBeNull();
    expect(Object.keys(result.outcomes)).toEqual(['livelock']);
    expect(result.outcomes.livelock?.count).toBe(result.states);
    expect(summarize(result)).toMatch(/^explored all [\d,]+ states \(partial-order reduced\); reachable: livelock$/);
    // The same without the reduction.
    expect(Object.keys(explore(setup, variant, { reduction: 'none' }).outcomes)).toEqual(['livelock']);
  });

  it('under gfs2-5.18 the witness goes once round the loop: invalidate, -EFAULT, glock dropped, fault-in, and back to a state it was in', () => {
    const found = explore(setup, 'gfs2-5.18').outcomes.livelock;
    const run = replay(setup, 'gfs2-5.18', found?.shortest.schedule ?? []);
    expect(run.refused).toBeNull();
    expect(run.outcome).toBeNull();
    const interner = createInterner();
    const ids = run.states.map((s) => interner.idOf(s));
    const last = ids[ids.length - 1];
    const first = ids.indexOf(last ?? -1);
    expect(first).toBeLessThan(ids.length - 1);
    const lap = run.trace.slice(first);
    // In the lap: the write's invalidation unmaps user page 1, get_user_pages fails without faulting, the glock goes, a fault maps the page again.
    const invalidated = lap.findIndex((t) => t.machine === 'iomap_dio_rw' && t.from === 'invalidate_page');
    expect(invalidated).toBeGreaterThanOrEqual(0);
    expect(run.states[first + invalidated + 1]?.kernel.mms[0]?.ptes[1] ?? null).toBeNull();
    expect(run.states[first + invalidated + 1]?.kernel.inodes[0]?.cache[1] ?? null).toBeNull();
    expect(lap.some((t) => t.machine === 'iomap_dio_rw' && t.event === 'copy.short')).toBe(true);
    expect(lap.some((t) => t.machine === 'gfs2_file_write_iter (5.18)' && t.from === 'glock_dq_retry')).toBe(true);
    expect(lap.some((t) => t.call === 'gfs2_fault')).toBe(true);
    expect(run.states[run.states.length - 1]?.kernel.mms[0]?.ptes[1]).toMatchObject({ kind: 'page' });
    // Finished round-robin, the replay itself says livelock.
    const finished = replay(setup, 'gfs2-5.18', [], { finish: true });
    expect(finished.outcome?.kind).toBe('livelock');
    expect(finished.limited).toBe(false);
    expect(finished.states[finished.states.length - 1]?.tasks[0]?.returns).toEqual([]);
  });

  it('under gfs2-6.4 the second round has made no progress with a one-page window: enough_retries, buffered fallback, 4096 bytes', () => {
    const result = explore(setup, 'gfs2-6.4');
    expect(Object.keys(result.outcomes)).toEqual(['completed']);
    const run = replay(setup, 'gfs2-6.4', [], { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    expect(run.states[run.states.length - 1]?.tasks[0]?.returns).toEqual([4096]);
    const write = run.trace.filter((t) => t.machine === 'gfs2_file_write_iter (6.4)');
    // Two direct rounds, the second with enough_retries, then the buffered write.
    const granted = run.trace.flatMap((t, i) => (t.machine === 'gfs2_file_write_iter (6.4)' && t.from === 'glock_nq' && t.event === 'glock.granted' ? [run.states[i + 1]?.kernel.glocks[0]?.holders.find((h) => h.pid === t.pid && h.granted)?.mode] : []));
    expect(granted).toEqual(['DF', 'DF', 'EX']);
    expect(write.filter((t) => t.event === 'faultin.enough')).toHaveLength(1);
    expect(write.filter((t) => t.event === 'retry.fallback')).toHaveLength(1);
    expect(run.trace.some((t) => t.call === 'iomap_file_buffered_write')).toBe(true);
  });

  it('under gfs2-5.15 the fault BUGs on the recursive glock before any retry', () => {
    expect(Object.keys(explore(setup, 'gfs2-5.15').outcomes)).toEqual(['bug']);
  });
});
