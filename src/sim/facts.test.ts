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
import { indexWhere, stepsWhere, type StepQuery } from './trace-query.ts';

function preset(id: string): Scenario {
  const s = findPreset(id);
  if (s === undefined) throw new Error(`no preset ${id}`);
  return s;
}

type Run = ReturnType<typeof replay>;

/** The glock holders (pid, mode, granted) on glock `index` right after each step that matches. */
function holdersAfter(run: Run, q: StepQuery, glock = 0): [number, string, boolean][][] {
  return run.trace.flatMap((t, i) => (stepsWhere([t], q).length === 0 ? [] : [(run.states[i + 1]?.kernel.glocks[glock]?.holders ?? []).map((h): [number, string, boolean] => [h.pid, h.mode, h.granted])]));
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
    const read = { machine: 'gfs2_file_read_iter' };
    expect(stepsWhere(run.trace, { ...read, mark: 'efault-retry' })).toHaveLength(1);
    expect(stepsWhere(run.trace, { ...read, mark: 'glock-dq' })).toHaveLength(2);
    expect(holdersAfter(run, { ...read, mark: 'glock-granted' })).toEqual([[[101, 'SH', true]], [[101, 'SH', true]]]);
    expect(stepsWhere(run.trace, { ...read, call: 'fault_in_iov_iter' })).toHaveLength(1);
    // The fault taken during fault-in runs with the read's glock dropped: gfs2_fault's SH holder is the only one.
    expect(holdersAfter(run, { machine: 'gfs2_fault', mark: 'glock-granted' })[0]).toEqual([[101, 'SH', true]]);
  });

  it('under the RFC the write fault wants EX, which the task’s SH does not cover: -EFAULT, drop, fault in with EX, retry', () => {
    const run = replay(setup, 'gfs2-rfc-2021', [], { finish: true });
    expect(stepsWhere(run.trace, { machine: 'gfs2_fault', event: 'rfc.incompatible' })).toHaveLength(1);
    // The fault taken during the retry's fault-in holds no outer glock: a plain EX request, the only holder.
    expect(holdersAfter(run, { machine: 'gfs2_fault', mark: 'glock-granted' })[0]).toEqual([[101, 'EX', true]]);
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
    // Each glock: held DF by its reader, the other's fault queued for SH behind it.
    const last = run.states.at(-1);
    expect(last?.kernel.glocks.map((g) => g.holders.map((h) => [h.pid, h.mode, h.granted]))).toEqual([
      [
        [101, 'DF', true],
        [102, 'SH', false],
      ],
      [
        [102, 'DF', true],
        [101, 'SH', false],
      ],
    ]);
  });

  it('under the RFC both faults fail their trylock with GLR_TRYFAILED and both reads retry to 4096', () => {
    const run = replay(setup, 'gfs2-rfc-2021', runs([101, 3], [102, 3]), { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    expect(stepsWhere(run.trace, { machine: 'gfs2_fault', mark: 'glock-tryfailed' }).map((t) => t.pid).sort()).toEqual([101, 102]);
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
    expect(stepsWhere(run.trace, { machine: 'do_dax_fault', from: 'size_recheck', event: 'dax.eio' })).toHaveLength(1);
    expect(run.outcome?.kind).toBe('sigbus');
  });

  it('truncate sets i_size, then unmaps, then frees: in that order', () => {
    const run = replay(setup, 'dax-2015', runs([101, 21], [102, 14]), { finish: true });
    const at = (from: string) => indexWhere(run.trace, { machine: 'do_truncate', from });
    expect(at('i_size_write')).toBeGreaterThan(0);
    expect(at('i_size_write')).toBeLessThan(at('unmap_mapping_range'));
    expect(at('unmap_mapping_range')).toBeLessThan(at('free_blocks'));
    // What each step did to the kernel: i_size first, then the PTE, then the block.
    expect(run.states[at('i_size_write')]?.kernel.inodes[0]?.size).toBeGreaterThan(4096);
    expect(run.states[at('i_size_write') + 1]?.kernel.inodes[0]?.size).toBe(4096);
    expect(run.states[at('unmap_mapping_range')]?.kernel.mms[0]?.ptes[1]).not.toBeNull();
    expect(run.states[at('unmap_mapping_range') + 1]?.kernel.mms[0]?.ptes[1] ?? null).toBeNull();
    expect(run.states[at('free_blocks')]?.kernel.inodes[0]?.map[1]).not.toBeNull();
    expect(run.states[at('free_blocks') + 1]?.kernel.inodes[0]?.map[1]).toBeNull();
  });

  it('under dax-2015-norecheck the same interleaving maps a freed block: use-after-free of storage', () => {
    const run = replay(setup, 'dax-2015-norecheck', runs([101, 10], [102, 14]), { finish: true });
    expect(run.outcome?.kind).toBe('use-after-free');
    // The PTE truncate should have removed points at the block truncate freed.
    const last = run.states.at(-1)?.kernel;
    const pte = last?.mms[0]?.ptes[1];
    expect(pte).toMatchObject({ kind: 'dax', block: 1 });
    expect(last?.blocks[1]?.owner).toBeNull();
  });

  it('the use-after-free report names the user page, the file page it was and the freed block', () => {
    const run = replay(setup, 'dax-2015-norecheck', runs([101, 10], [102, 14]), { finish: true });
    expect(run.outcome?.kind === 'use-after-free' ? run.outcome.message : '').toBe('use-after-free of storage: mm 0 user page 1 (F:1) maps block 1, which is free');
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
    const fault = indexWhere(run.trace, { machine: 'gfs2_fault', mark: 'glock-granted' });
    const mkwrite = indexWhere(run.trace, { machine: 'do_page_fault', from: 'do_shared_fault', call: 'gfs2_page_mkwrite' });
    const ex = indexWhere(run.trace, { machine: 'gfs2_page_mkwrite', mark: 'glock-granted' });
    expect(fault).toBeGreaterThan(0);
    expect(mkwrite).toBeGreaterThan(fault);
    expect(ex).toBeGreaterThan(mkwrite);
    expect(holdersAfter(run, { machine: 'gfs2_fault', mark: 'glock-granted' })[0]).toEqual([[101, 'SH', true]]);
    expect(holdersAfter(run, { machine: 'gfs2_page_mkwrite', mark: 'glock-granted' })).toEqual([[[101, 'EX', true]]]);
    // ->page_mkwrite runs with the page unlocked (do_shared_fault dropped the lock ->fault returned).
    expect(run.states[mkwrite + 1]?.kernel.pages[0]?.lock.writer).toBeNull();
    const mapped = indexWhere(run.trace, { machine: 'do_page_fault', from: 'page_mkwrite_returned', event: 'fault.mapped' });
    expect(run.states[mapped + 1]?.kernel.mms[0]?.ptes[0]).toMatchObject({ writable: true });
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
    const wp = indexWhere(run.trace, { machine: 'do_page_fault', from: 'do_wp_page', event: 'fault.mapped' });
    expect(wp).toBeGreaterThan(0);
    expect(run.states[wp + 1]?.kernel.mms[0]?.ptes[0]).toMatchObject({ kind: 'anon' });
    // The copy-on-write fault takes no glock: only the first fault (the load) ran gfs2_fault.
    expect(stepsWhere(run.trace.slice(indexWhere(run.trace, { machine: 'do_page_fault', event: 'fault.wp' })), { machine: 'gfs2_fault' })).toEqual([]);
    expect(run.states[run.states.length - 1]?.tasks[0]?.returns).toEqual([0, 4096]);
  });
});

describe('O_DIRECT read of a hole', () => {
  it('zeroes the user buffer with a CPU copy (iov_iter_zero), which 5.18 runs with page faults disabled', () => {
    const run = replay(buildSetup(preset('xfstests-647')), 'gfs2-5.18', [], { finish: true });
    expect(stepsWhere(run.trace, { machine: 'iomap_dio_rw', event: 'dio.hole' }).length).toBeGreaterThan(0);
    // The first zeroing finds user page 8 not present and, with page faults disabled, comes up short instead of faulting.
    const short = stepsWhere(run.trace, { machine: 'iomap_dio_rw', from: 'iov_iter_zero' })[0];
    expect(short).toMatchObject({ event: 'copy.short', call: null, marks: ['copy-short'] });
  });
});
