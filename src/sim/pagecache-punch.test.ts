// Seed 000's "the same problem exists with non-DAX files too": a page fault racing hole punch on ext4 in 2015, and XFS's i_mmaplock.
import { describe, expect, it } from 'vitest';
import { buildSetup, filePageContent } from '../scenarios/build.ts';
import { findPreset } from '../scenarios/index.ts';
import type { Scenario } from '../scenarios/types.ts';
import { validateScenario } from '../scenarios/validate.ts';
import { explore } from './explore/explore.ts';
import { lockdepOfRun } from './lockdep.ts';
import { replay } from './replay.ts';
import { indexWhere, stepsWhere } from './trace-query.ts';

function preset(id: string): Scenario {
  const s = findPreset(id);
  if (s === undefined) throw new Error(`no preset ${id}`);
  return s;
}

const scenario = preset('pagecache-punch-fault');

function scheduled(name: string): readonly number[] {
  const steps = scenario.schedules.find((s) => s.name === name)?.steps;
  if (steps === undefined) throw new Error(`no schedule ${name}`);
  return steps;
}

describe('ext4 in 4.0: fault vs hole punch, unsynchronized', () => {
  it('the read-around looks up blocks 0–2 with page 0, the punch frees block 1 meanwhile, and page 1 is then read from the freed block: use-after-free of storage', () => {
    const run = replay(buildSetup(scenario), 'ext4-2015', scheduled('read-around-across-punch'), { finish: true });
    expect(run.outcome?.kind).toBe('use-after-free');
    const readpage = { pid: 101, machine: 'do_sync_mmap_readahead', from: 'readpage', event: 'ra.page' } as const;
    const lookup = indexWhere(run.trace, readpage);
    const free = indexWhere(run.trace, { pid: 102, machine: 'punch_hole', from: 'free_blocks' });
    const stale = indexWhere(run.trace, readpage, lookup + 1);
    expect(lookup).toBeGreaterThanOrEqual(0);
    expect(free).toBeGreaterThan(lookup);
    expect(stale).toBeGreaterThan(free);
    // Page 0's read looked up the extent while block 1 was still F's; page 1's reuses it after the free.
    expect(run.states[lookup + 1]?.kernel.inodes[0]?.map[1]).toBe(1);
    expect(run.states[free + 1]?.kernel.inodes[0]?.map[1]).toBeNull();
    expect(run.states[stale + 1]?.kernel.inodes[0]?.cache[1]).not.toBeNull();
    // The punch had returned: both its page-cache drops found nothing to drop.
    expect(indexWhere(run.trace, { pid: 102, machine: 'task', event: 'sys.returned' })).toBeLessThan(stale);
    expect(stepsWhere(run.trace, { pid: 102, machine: 'punch_hole', from: 'truncate_inode_pages' }).map((t) => t.event)).toEqual(['pages.none', 'pages.done']);
    // Page 1 was read from block 1 after the punch freed it.
    expect(run.states[stale]?.kernel.blocks[1]?.owner).toBeNull();
    const last = run.states[run.states.length - 1];
    // What a reader then sees: the page cache holds the old data, the block map a hole.
    expect(last?.kernel.inodes[0]?.map[1]).toBeNull();
    expect(last === undefined ? '' : filePageContent(last.kernel, 0, 1)).toBe('F:1');
  });

  it('ext4_punch_hole drops the page cache again after freeing the blocks, which catches a page read before the free', () => {
    const run = replay(buildSetup(scenario), 'ext4-2015', scheduled('second-drop-catches-it'), { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    const punch = stepsWhere(run.trace, { pid: 102, machine: 'punch_hole' });
    const free = punch.findIndex((t) => t.from === 'free_blocks');
    // "Now release the pages again to reduce race window": back to truncate_pagecache_range, which this time drops page 1.
    expect(punch[free]?.event).toBe('step.again');
    expect(punch[free + 1]).toMatchObject({ from: 'i_mmap_lock_write', event: 'lock.granted' });
    expect(punch.slice(free).filter((t) => t.from === 'delete_from_page_cache')).toHaveLength(1);
    const last = run.states[run.states.length - 1];
    expect(last?.kernel.mms[0]?.ptes[1] ?? null).toBeNull();
    expect(last?.kernel.inodes[0]?.cache[1] ?? null).toBeNull();
  });

  it('across every interleaving: the use-after-free is reachable under ext4-2015 and not under XFS with i_mmaplock', () => {
    const ext4 = explore(buildSetup(scenario), 'ext4-2015');
    const xfs = explore(buildSetup(scenario), 'xfs-2015-mmaplock');
    expect(ext4.complete && xfs.complete).toBe(true);
    expect(ext4.outcomes['use-after-free']).toBeDefined();
    expect(xfs.outcomes['use-after-free']).toBeUndefined();
    expect(Object.keys(xfs.outcomes)).toEqual(['completed']);
  });
});

describe('XFS 4.1: i_mmaplock serializes the fault and the punch', () => {
  it('xfs_filemap_fault holds XFS_MMAPLOCK_SHARED across filemap_fault, so fallocate sleeps on XFS_MMAPLOCK_EXCL until the fault is done', () => {
    const run = replay(buildSetup(scenario), 'xfs-2015-mmaplock', scheduled('mmaplock-serializes'), { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    // The model keeps i_mmaplock in the inode's invalidate_lock slot.
    const mmaplock = (i: number) => run.states[i + 1]?.kernel.inodes[0]?.invalidate_lock;
    const shared = indexWhere(run.trace, { pid: 101, machine: 'xfs_filemap_fault', from: 'xfs_ilock', event: 'lock.granted' });
    expect(mmaplock(shared)?.readers).toEqual([101]);
    const sleeps = indexWhere(run.trace, { pid: 102, machine: 'punch_hole', event: 'lock.queued' });
    expect(sleeps).toBeGreaterThan(shared);
    expect(mmaplock(sleeps)).toMatchObject({ readers: [101], waiters: [{ pid: 102 }] });
    const unlock = indexWhere(run.trace, { pid: 101, machine: 'xfs_filemap_fault', from: 'xfs_iunlock' });
    expect(mmaplock(unlock)?.writer).toBe(102);
    expect(unlock).toBeLessThan(indexWhere(run.trace, { pid: 102, machine: 'punch_hole', from: 'free_blocks' }));
    const last = run.states[run.states.length - 1];
    expect(last === undefined ? '' : filePageContent(last.kernel, 0, 1)).toBe('0');
  });

  it('lockdep sees the order the series states, mmap_sem → i_mmaplock → page lock, and no cycle', () => {
    const run = replay(buildSetup(scenario), 'xfs-2015-mmaplock', scheduled('mmaplock-serializes'), { finish: true });
    const result = lockdepOfRun(run.states, run.trace);
    expect(result.reports).toEqual([]);
    expect(result.classes.find((c) => c.key === 'invalidate_lock')?.lockdepName).toBe('&(&ip->i_mmaplock)->mr_lock');
    expect(result.edges.map((e) => `${e.from} → ${e.to}`)).toEqual(expect.arrayContaining(['mmap_sem → invalidate_lock', 'invalidate_lock → page']));
  });
});

describe('the ext4 and xfs scenario format', () => {
  const base = { id: 'p', title: 't', story: '', fs: 'ext4', files: [{ name: 'F', pages: ['disk'] }], mappings: [{ process: 0, file: 'F', at: 0, pages: 1, shared: true }], schedules: [], sources: [] };

  it('lets an ext4 scenario run under the XFS variant, but not under a gfs2 one', () => {
    const ok = validateScenario({ ...base, variants: ['ext4-2015', 'xfs-2015-mmaplock'], tasks: [{ pid: 101, process: 0, program: [{ call: 'touch', vpage: 0, write: false }] }] });
    expect(ok.ok).toBe(true);
    const bad = validateScenario({ ...base, variants: ['gfs2-5.15'], tasks: [{ pid: 101, process: 0, program: [{ call: 'touch', vpage: 0, write: false }] }] });
    expect(bad.ok ? [] : bad.errors.map((e) => e.message)).toContain("gfs2-5.15 is a gfs2 variant, but the scenario's fs is ext4");
  });

  it('refuses read and write syscalls on ext4 and xfs, whose read_iter and write_iter are not modelled', () => {
    const result = validateScenario({ ...base, fs: 'xfs', variants: ['xfs-2015-mmaplock'], tasks: [{ pid: 101, process: 0, program: [{ call: 'pread', file: 'F', pos: 0, len: 1, buf: 0 }] }] });
    expect(result.ok ? [] : result.errors).toContainEqual({ path: 'tasks[0].program[0].call', message: 'pread on xfs is not modelled: xfs scenarios may use mmap, loads and stores, truncate and hole punch' });
  });
});
