// Kernel facts the engine must reproduce, stated as a reviewer would state them.
import { describe, expect, it } from 'vitest';
import { buildSetup } from '../scenarios/build.ts';
import { findPreset } from '../scenarios/index.ts';
import { runs } from '../scenarios/schedule.ts';
import type { Scenario } from '../scenarios/types.ts';
import { copyStates, type CopyRegs } from '../threads/copy.ts';
import type { StepInput } from '../threads/types.ts';
import { outcomeOf, partialDeadlock, runnablePids, waitEdges } from './outcome.ts';
import { replay } from './replay.ts';
import { replaying, runFrom, startAt } from './schedulers.ts';
import { initialSystem } from './system.ts';

function preset(id: string): Scenario {
  const s = findPreset(id);
  if (s === undefined) throw new Error(`no preset ${id}`);
  return s;
}

function labels(run: ReturnType<typeof replay>, machine?: string): string[] {
  return run.trace.filter((t) => machine === undefined || t.machine === machine).map((t) => t.label);
}

describe('gfs2-read-self', () => {
  const setup = buildSetup(preset('gfs2-read-self'));

  it('under gfs2-5.15 BUGs with a second holder of the same pid on the same glock', () => {
    const run = replay(setup, 'gfs2-5.15', [], { finish: true });
    expect(run.outcome?.kind).toBe('bug');
    if (run.outcome?.kind !== 'bug') return;
    expect(run.outcome.pid).toBe(101);
    expect(run.outcome.log).toEqual(expect.arrayContaining(['gfs2: original: gfs2_file_read_iter', 'gfs2: new: gfs2_fault', 'gfs2: pid: 101']));
    expect(run.outcome.log.filter((l) => l === 'gfs2: pid: 101')).toHaveLength(2);
    // The task dies holding the glock and mmap_sem.
    const last = run.states[run.states.length - 1];
    expect(last?.kernel.glocks[0]?.holders.map((h) => [h.pid, h.mode, h.granted])).toEqual([[101, 'SH', true]]);
    expect(last?.kernel.mms[0]?.mmap_sem.readers).toEqual([101]);
  });

  it('under gfs2-5.18 returns 4096 after exactly one -EFAULT, glock drop, fault-in and re-acquire', () => {
    const run = replay(setup, 'gfs2-5.18', [], { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    expect(run.states[run.states.length - 1]?.tasks[0]?.returns).toEqual([4096]);
    const read = labels(run, 'gfs2_file_read_iter (5.18)');
    expect(read.filter((l) => l.includes('-EFAULT'))).toHaveLength(1);
    expect(read.filter((l) => l.startsWith('gfs2_glock_dq'))).toHaveLength(2);
    expect(read.filter((l) => l.startsWith('gfs2_glock_nq(SH)'))).toHaveLength(2);
    expect(read.filter((l) => l.startsWith('fault_in_iov_iter_writeable'))).toHaveLength(1);
    // The fault taken during fault-in runs with the read's glock dropped: gfs2_fault gets its own SH holder.
    expect(labels(run, 'gfs2_fault')).toContain('gfs2_glock_nq(SH) on glock 2/F → granted');
  });

  it('under the RFC the write fault wants EX, which the task’s SH does not cover: -EFAULT, drop, fault in with EX, retry', () => {
    const run = replay(setup, 'gfs2-rfc-2021', [], { finish: true });
    const fault = labels(run, 'gfs2_fault');
    expect(fault).toContain('gfs2_fault(F:0): glock 2/F held SH by this task does not cover EX → set_current_needs_retry → VM_FAULT_SIGBUS');
    // The fault taken during the retry's fault-in holds no outer glock: a plain EX request.
    expect(fault).toContain('gfs2_glock_nq(EX) on glock 2/F → granted');
    expect(run.states[run.states.length - 1]?.tasks[0]?.returns).toEqual([4096]);
  });
});

describe('gfs2-abba-dio', () => {
  const setup = buildSetup(preset('gfs2-abba-dio'));

  it('under gfs2-5.15 deadlocks in a wait-for cycle of two: each task holds its glock DF and waits for the other SH', () => {
    const run = replay(setup, 'gfs2-5.15', runs([101, 3], [102, 3]), { finish: true });
    expect(run.outcome?.kind).toBe('deadlock');
    if (run.outcome?.kind !== 'deadlock') return;
    expect(run.outcome.cycle.map((e) => [e.pid, e.lockName, e.holders])).toEqual([
      [101, 'glock 2/F2', [102]],
      [102, 'glock 2/F1', [101]],
    ]);
    expect(run.outcome.cycle.map((e) => e.reason)).toEqual(['waiting for glock 2/F2 in SH: held DF by pid 102', 'waiting for glock 2/F1 in SH: held DF by pid 101']);
  });

  it('under the RFC both faults fail their trylock with GLR_TRYFAILED and both reads retry to 4096', () => {
    const run = replay(setup, 'gfs2-rfc-2021', runs([101, 3], [102, 3]), { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    expect(labels(run).filter((l) => l.endsWith('→ GLR_TRYFAILED'))).toHaveLength(2);
  });

  it('with a third, unrelated task still running, the cycle is a partial deadlock', () => {
    const scenario = preset('gfs2-abba-dio');
    const withThird: Scenario = {
      ...scenario,
      files: [...scenario.files, { name: 'F3', pages: ['disk', 'disk'] }],
      mappings: [...scenario.mappings, { process: 2, file: 'F3', at: 0, pages: 2, shared: false }],
      tasks: [...scenario.tasks, { pid: 103, process: 2, program: [{ call: 'touch', vpage: 0, write: false }, { call: 'touch', vpage: 1, write: false }] }],
    };
    const run = runFrom(startAt(initialSystem(buildSetup(withThird), 'gfs2-5.15')), replaying(runs([101, 3], [102, 3], [101, 8], [102, 8])));
    expect(run.refused).toBeNull();
    const state = run.states[run.states.length - 1];
    if (state === undefined) throw new Error('no state');
    expect(runnablePids(state)).toEqual([103]);
    expect(outcomeOf(state)).toBeNull();
    expect(partialDeadlock(state)?.cycle.map((e) => e.pid)).toEqual([101, 102]);
    expect(waitEdges(state).map((e) => e.pid)).toEqual([101, 102]);
  });
});

describe('dax-truncate', () => {
  const setup = buildSetup(preset('dax-truncate'));

  it('under dax-2015 the i_size re-check under i_mmap turns the lost race into -EIO and SIGBUS', () => {
    const run = replay(setup, 'dax-2015', runs([101, 10], [102, 14]), { finish: true });
    expect(labels(run, 'do_dax_fault')).toContain('i_size re-checked under i_mmap: truncated → -EIO');
    expect(run.outcome?.kind).toBe('sigbus');
  });

  it('truncate sets i_size, then unmaps, then frees: in that order', () => {
    const run = replay(setup, 'dax-2015', runs([101, 21], [102, 14]), { finish: true });
    const t = labels(run, 'do_truncate');
    const at = (prefix: string) => t.findIndex((l) => l.startsWith(prefix));
    expect(at('truncate_setsize → i_size_write')).toBeLessThan(at('unmap_mapping_range'));
    expect(at('unmap_mapping_range')).toBeLessThan(at('__ext2_truncate_blocks → frees block'));
  });

  it('under dax-2015-norecheck the same interleaving maps a freed block: use-after-free of storage', () => {
    const run = replay(setup, 'dax-2015-norecheck', runs([101, 10], [102, 14]), { finish: true });
    expect(run.outcome?.kind).toBe('use-after-free');
    expect(run.outcome && 'message' in run.outcome ? run.outcome.message : '').toMatch(/maps block \d+, which is free/);
  });
});

describe('gfs2_page_mkwrite', () => {
  const shared: Scenario = {
    id: 'mkwrite',
    title: 'store to a shared gfs2 mapping',
    story: '',
    fs: 'gfs2',
    variants: ['gfs2-5.15'],
    files: [{ name: 'F', pages: ['disk'] }],
    mappings: [{ process: 0, file: 'F', at: 0, pages: 1, shared: true }],
    tasks: [{ pid: 101, process: 0, program: [{ call: 'touch', vpage: 0, write: true }] }],
    schedules: [],
    sources: [],
  };

  it('a store to a MAP_SHARED gfs2 mapping runs ->fault (SH), unlocks the page, then ->page_mkwrite (EX)', () => {
    const run = replay(buildSetup(shared), 'gfs2-5.15', [], { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    const l = labels(run);
    const fault = l.indexOf('gfs2_glock_nq(SH) on glock 2/F → granted');
    const mkwrite = l.indexOf('do_shared_fault → unlock_page → ->page_mkwrite = gfs2_page_mkwrite');
    const ex = l.indexOf('gfs2_glock_nq(EX) on glock 2/F → granted');
    expect(fault).toBeGreaterThan(0);
    expect(mkwrite).toBeGreaterThan(fault);
    expect(ex).toBeGreaterThan(mkwrite);
    expect(l).toContain('do_shared_fault → set_pte (writable) → unlock_page');
  });
});

describe('livelock bound', () => {
  it('a copy that keeps faulting on the same user page without progress is reported as a livelock', () => {
    const states = copyStates('copy', { call: 'copy_page_to_iter', userWrite: true, transfer: () => ({ label: '' }), next: 'done', short: 'short' });
    const run = states['copy'];
    const step = run?.step;
    if (step === undefined) throw new Error('no copy state');
    const kernel = buildSetup(preset('gfs2-read-self')).kernel;
    const input: StepInput<CopyRegs> = {
      kernel,
      task: { pid: 101, mm: 0, node: 0, pagefaultDisabled: 0, outerGlock: false, needsRetry: false, program: [], returns: [], killed: false },
      regs: { buf: 0, done: 0, retries: 8 },
      variant: { fs: 'gfs2', era: '5.x', daxSizeRecheck: true, faultTakesIMutex: false, invalidateLock: false, gfs2Fix: 'none' },
    };
    expect(step.run(input).outcome?.kind).toBe('livelock');
    expect(step.run({ ...input, regs: { ...input.regs, retries: 7 } }).outcome).toBeUndefined();
  });
});

describe('write faults on a present read-only PTE (do_wp_page)', () => {
  const readThenFill: Scenario = {
    id: 'read-then-fill',
    title: 'load, then pread into the same private page',
    story: '',
    fs: 'gfs2',
    variants: ['gfs2-5.15'],
    files: [{ name: 'F', pages: ['disk', 'disk'] }],
    mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: false }],
    tasks: [{ pid: 101, process: 0, program: [{ call: 'touch', vpage: 0, write: false }, { call: 'pread', file: 'F', pos: 1, len: 1, buf: 0 }] }],
    schedules: [],
    sources: [],
  };

  it('under gfs2-5.15 a pread into a private page mapped read-only copies it in do_wp_page, takes no glock in the fault, and returns 4096', () => {
    const run = replay(buildSetup(readThenFill), 'gfs2-5.15', [], { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    expect(labels(run)).toContain('do_wp_page → wp_page_copy: copy to an anonymous page → set_pte (writable)');
    expect(run.states[run.states.length - 1]?.tasks[0]?.returns).toEqual([0, 4096]);
  });
});

describe('O_DIRECT read of a hole', () => {
  it('zeroes the user buffer with a CPU copy (iov_iter_zero), which 5.18 runs with page faults disabled', () => {
    const run = replay(buildSetup(preset('xfstests-647')), 'gfs2-5.18', [], { finish: true });
    expect(labels(run)).toContain('iomap_dio_rw: Fe:0 is a hole → iomap_dio_hole_iter');
    expect(labels(run)).toContain('iov_iter_zero → user page 8 not present, page faults disabled → short copy');
  });
});
