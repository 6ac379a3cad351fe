// VM_FAULT_RETRY as each era's code does it: 5.x filemap_fault drops
// mmap_lock for I/O and for a contended page lock and returns
// VM_FAULT_RETRY, and the fault runs again from the top (FAULT_FLAG_ALLOW_RETRY
// stays set since v5.7); get_user_pages retries through
// __get_user_pages_locked; the 2015 kernels retry once.
import { describe, expect, it } from 'vitest';
import type { VariantId } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import { findPreset } from '../scenarios/index.ts';
import type { Scenario } from '../scenarios/types.ts';
import { compiledMachine } from '../threads/registry.ts';
import type { DoPageFaultRegs } from '../threads/regs.ts';
import { regsOf, type StepInput } from '../threads/types.ts';
import { PATH_EVENTS, pathEventsOf } from './pathevents.ts';
import { replay, type Replay } from './replay.ts';
import { runFrom, startAt, steppingUntil } from './schedulers.ts';
import { initialSystem, type SystemState } from './system.ts';

const VM_FAULT_RETRY = 1 << PATH_EVENTS.indexOf('VM_FAULT_RETRY');

function preset(id: string): Scenario {
  const s = findPreset(id);
  if (s === undefined) throw new Error(`no preset ${id}`);
  return s;
}

/** Step indexes (into the trace) where pid's fault path returned VM_FAULT_RETRY, by the path-event classifier. */
function retries(run: Replay, pid: number): number[] {
  return run.trace.flatMap((t, i) => {
    const before = run.states[i];
    const after = run.states[i + 1];
    return t.pid === pid && before !== undefined && after !== undefined && (pathEventsOf(t, before, after) & VM_FAULT_RETRY) !== 0 ? [i] : [];
  });
}

function mmapReaders(state: SystemState | undefined, mm = 0): readonly number[] {
  return state?.kernel.mms[mm]?.mmap_sem.readers ?? [];
}

function frameOf(state: SystemState | undefined, pid: number, machine: string) {
  return state?.tasks.find((t) => t.pid === pid)?.stack.find((f) => f.machine === machine);
}

describe('5.x filemap_fault drops mmap_lock for I/O', () => {
  it.each(['gfs2-5.16', 'gfs2-5.18'] as VariantId[])(
    'a %s gfs2 fault on an uncached page returns VM_FAULT_RETRY, drops mmap_lock, and gfs2_fault runs again',
    (variant) => {
      const run = replay(buildSetup(preset('gfs2-read-self')), variant, [], { finish: true });
      expect(run.outcome?.kind).toBe('completed');
      expect(run.states[run.states.length - 1]?.tasks[0]?.returns).toEqual([4096]);
      // gfs2_fault is entered twice: the first attempt and the retry.
      const calls = run.trace.flatMap((t, i) => (t.call === 'gfs2_fault' ? [i] : []));
      expect(calls).toHaveLength(2);
      const [first, again] = calls;
      if (first === undefined || again === undefined) throw new Error('two gfs2_fault calls expected');
      // Inside the first attempt: the page is read with the gfs2_fault glock held and mmap_lock released.
      const io = run.trace.findIndex((t, i) => i > first && i < again && t.machine === 'filemap_fault' && t.event === 'page.read');
      expect(io).toBeGreaterThan(first);
      expect(mmapReaders(run.states[io])).toEqual([]);
      expect(run.states[io]?.kernel.glocks[0]?.holders.filter((h) => h.caller === 'gfs2_fault').map((h) => [h.pid, h.mode, h.granted])).toEqual([[101, 'SH', true]]);
      // The fault path returns VM_FAULT_RETRY exactly once, between the two attempts, with mmap_lock already dropped.
      const [retry] = retries(run, 101);
      expect(retries(run, 101)).toHaveLength(1);
      expect(retry).toBeGreaterThan(io);
      expect(retry).toBeLessThan(again);
      expect(run.trace[retry ?? -1]?.machine).toBe('do_page_fault');
      expect(mmapReaders(run.states[retry ?? -1])).toEqual([]);
      // The retry takes mmap_lock again, runs with FAULT_FLAG_TRIED, and finds the page cached: no I/O, no drop.
      expect(regsOf(frameOf(run.states[again + 1], 101, 'gfs2_fault'), 'gfs2_fault')?.tried).toBe(true);
      expect(run.trace.slice(again).some((t) => t.machine === 'filemap_fault' && t.event === 'page.read')).toBe(false);
      expect(mmapReaders(run.states[again + 1])).toEqual([101]);
    },
  );

  it('the 5.15 fault of the same kind BUGs before it reaches filemap_fault: no VM_FAULT_RETRY', () => {
    const run = replay(buildSetup(preset('gfs2-read-self')), 'gfs2-5.15', [], { finish: true });
    expect(run.outcome?.kind).toBe('bug');
    expect(retries(run, 101)).toEqual([]);
  });

  // Two processes load the same cached page of F through their own mappings.
  const twoLoads: Scenario = {
    id: 'two-loads',
    title: 'two loads of one cached gfs2 page',
    story: '',
    fs: 'gfs2',
    variants: ['gfs2-5.18'],
    files: [{ name: 'F', pages: ['cached'] }],
    mappings: [
      { process: 0, file: 'F', at: 0, pages: 1, shared: false },
      { process: 1, file: 'F', at: 0, pages: 1, shared: false },
    ],
    tasks: [
      { pid: 101, process: 0, program: [{ call: 'touch', vpage: 0, write: false }] },
      { pid: 102, process: 1, program: [{ call: 'touch', vpage: 0, write: false }] },
    ],
    schedules: [],
    sources: [],
  };

  it('a contended page lock: lock_folio_maybe_drop_mmap drops mmap_lock, sleeps for the page, and the fault returns VM_FAULT_RETRY; the retry needs no drop', () => {
    const setup = buildSetup(twoLoads);
    const page = setup.kernel.inodes[0]?.cache[0] ?? -1;
    // pid 101 until filemap_fault holds the page lock (it keeps it until do_read_fault maps the page).
    const locked = runFrom(startAt(initialSystem(setup, 'gfs2-5.18')), steppingUntil(101, (s) => s.kernel.pages[page]?.lock.writer === 101));
    // pid 102 until it sleeps on the page lock.
    const queued = runFrom(locked, steppingUntil(102, (s) => s.kernel.pages[page]?.lock.waiters.some((w) => w.pid === 102) ?? false));
    expect([locked.refused, queued.refused]).toEqual([null, null]);
    const state = queued.states[queued.states.length - 1];
    if (state === undefined) throw new Error('no state');
    const schedule = queued.schedule;
    expect(mmapReaders(state, 1)).toEqual([]);
    expect(regsOf(frameOf(state, 102, 'filemap_fault'), 'filemap_fault')?.fpin).toBe(true);
    const run = replay(setup, 'gfs2-5.18', schedule, { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    expect(retries(run, 101)).toEqual([]);
    expect(retries(run, 102)).toHaveLength(1);
    expect(run.trace.filter((t) => t.pid === 102 && t.call === 'gfs2_fault')).toHaveLength(2);
  });
});

describe('get_user_pages retries VM_FAULT_RETRY itself', () => {
  it('an O_DIRECT read whose get_user_pages faults on an uncached gfs2 page: faultin_page -EBUSY, __get_user_pages_locked retries with FOLL_TRIED', () => {
    // gfs2-abba-dio under 5.15, pid 101 alone first: its pin of user page 0 faults on F2, whose glock is free.
    const setup = buildSetup(preset('gfs2-abba-dio'));
    const { schedule: alone, refused } = runFrom(startAt(initialSystem(setup, 'gfs2-5.15')), steppingUntil(101, (s) => s.tasks[0]?.stack.length === 0));
    expect(refused).toBeNull();
    const run = replay(setup, 'gfs2-5.15', alone, { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    const [retry] = retries(run, 101);
    expect(retry).toBeDefined();
    // The retry step that follows is get_user_pages', not the trap handler's.
    const again = run.trace.findIndex((t, i) => i > (retry ?? Infinity) && t.pid === 101 && t.machine === 'do_page_fault' && t.event === 'fault.again');
    expect(run.trace[again]?.from).toBe('retry');
    expect(regsOf(frameOf(run.states[again], 101, 'do_page_fault'), 'do_page_fault')?.gup).toBe(true);
    // The retried fault runs with FOLL_TRIED (FAULT_FLAG_TRIED).
    expect(regsOf(frameOf(run.states[again + 1], 101, 'do_page_fault'), 'do_page_fault')?.tried).toBe(true);
  });
});

describe('what do_page_fault does with a VM_FAULT_RETRY after FAULT_FLAG_TRIED', () => {
  const machine = compiledMachine('do_page_fault');
  const retryStep = machine?.states.get('retry')?.step;
  const kernel = buildSetup(preset('gfs2-read-self')).kernel;
  const input = (era: '2015' | '5.x'): StepInput<DoPageFaultRegs> => ({
    kernel,
    task: { pid: 101, mm: 0, node: 0, pagefaultDisabled: 0, outerGlock: false, needsRetry: false, program: [], returns: [], killed: false },
    regs: { vpage: 0, write: false, kernelMode: false, tried: true },
    variant: { fs: era === '2015' ? 'ext2-dax' : 'gfs2', era, daxSizeRecheck: true, faultTakesIMutex: false, invalidateLock: false, gfs2Fix: 'none' },
  });

  it('5.x goes round again: FAULT_FLAG_ALLOW_RETRY stays set (4064b9827063, v5.7)', () => {
    const result = retryStep?.run(input('5.x'));
    expect(result?.event).toBe('fault.again');
    expect(result?.outcome).toBeUndefined();
    expect(result?.regs).toMatchObject({ tried: true });
  });

  it('2015 cannot: the second attempt ran without FAULT_FLAG_ALLOW_RETRY, so a second VM_FAULT_RETRY is a livelock of the model', () => {
    expect(retryStep?.run(input('2015')).outcome?.kind).toBe('livelock');
  });

  it('2015 lock_page_or_retry: the first attempt drops mmap_sem and waits, the FAULT_FLAG_TRIED one sleeps on the page with mmap_sem held', () => {
    const run = replay(buildSetup(preset('lock-page-retry')), 'dax-2015', preset('lock-page-retry').schedules[0]?.steps ?? [], { finish: true });
    expect(run.outcome?.kind).not.toBe('livelock');
    const pids = [...new Set(run.trace.map((t) => t.pid))];
    const faulting = pids.find((pid) => retries(run, pid).length > 0);
    expect(faulting).toBeDefined();
    expect(retries(run, faulting ?? -1)).toHaveLength(1);
    const sleeps = run.trace.findIndex((t, i) => t.pid === faulting && t.machine === 'do_dax_fault' && t.event === 'lock.queued' && regsOf(frameOf(run.states[i], t.pid, 'do_page_fault'), 'do_page_fault')?.tried === true);
    expect(sleeps).toBeGreaterThan(retries(run, faulting ?? -1)[0] ?? Infinity);
    expect(mmapReaders(run.states[sleeps + 1], run.states[0]?.tasks.find((t) => t.pid === faulting)?.mm ?? 0)).toContain(faulting);
  });
});

describe('fault_dirty_shared_page', () => {
  const sharedStore: Scenario = {
    id: 'shared-store',
    title: 'a store to a cached page of a shared gfs2 mapping',
    story: '',
    fs: 'gfs2',
    variants: ['gfs2-5.18', 'gfs2-6.4'],
    files: [{ name: 'F', pages: ['cached'] }],
    mappings: [{ process: 0, file: 'F', at: 0, pages: 1, shared: true }],
    tasks: [{ pid: 101, process: 0, program: [{ call: 'touch', vpage: 0, write: true }] }],
    schedules: [],
    sources: [],
  };

  it('5.18: after ->page_mkwrite the first attempt drops mmap_lock for balance_dirty_pages and returns VM_FAULT_RETRY; the retry finds the PTE writable', () => {
    const run = replay(buildSetup(sharedStore), 'gfs2-5.18', [], { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    const [retry] = retries(run, 101);
    expect(run.trace[retry ?? -1]?.from).toBe('page_mkwrite_returned');
    expect(run.states[(retry ?? -1) + 1]?.kernel.mms[0]?.ptes[0]).toMatchObject({ kind: 'page', writable: true });
    expect(run.trace.some((t) => t.event === 'fault.spurious')).toBe(true);
    expect(run.trace.filter((t) => t.call === 'gfs2_page_mkwrite')).toHaveLength(1);
  });

  it('6.4: VM_FAULT_COMPLETED: mmap_lock dropped, no retry', () => {
    const run = replay(buildSetup(sharedStore), 'gfs2-6.4', [], { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    expect(retries(run, 101)).toEqual([]);
    expect(run.trace.some((t) => t.event === 'fault.completed')).toBe(true);
    expect(run.trace.some((t) => t.event === 'fault.spurious')).toBe(false);
  });
});
