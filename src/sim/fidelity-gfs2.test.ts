// Issue 16 ("kernel fidelity, round two"), the gfs2 items, as kernel facts
// read from typed state: frames on each task's stack, glock holders, the
// task's page-fault and retry state, signals and syscall returns.
import { describe, expect, it } from 'vitest';
import { buildSetup } from '../scenarios/build.ts';
import { findPreset } from '../scenarios/index.ts';
import type { Scenario } from '../scenarios/types.ts';
import { regsOf } from '../threads/types.ts';
import type { VariantId } from '../kernel/variants.ts';
import { holdersOf } from '../kernel/glock.ts';
import { EFAULT, VM_FAULT_SIGBUS } from '../kernel/uaccess.ts';
import { replay, type Replay } from './replay.ts';
import type { SystemState } from './system.ts';

function preset(id: string): Scenario {
  const s = findPreset(id);
  if (s === undefined) throw new Error(`no preset ${id}`);
  return s;
}

function run(scenario: Scenario, variant: VariantId, schedule: readonly number[] = scenario.schedules[0]?.steps ?? []): Replay {
  return replay(buildSetup(scenario), variant, schedule, { finish: true });
}

/** What pid holds on any glock, in a state that must exist. */
function holders(state: SystemState | undefined, pid: number) {
  if (state === undefined) throw new Error('no such state');
  return holdersOf(state.kernel, pid);
}

const machines = (state: SystemState | undefined, pid: number) => state?.tasks.find((t) => t.pid === pid)?.stack.map((f) => f.machine) ?? [];

/** The first state (after a step) where pid's top frame is `machine`. */
function firstIn(r: Replay, pid: number, machine: string): SystemState | undefined {
  return r.states.find((s) => machines(s, pid).at(-1) === machine);
}

describe('RFC buffered write: LM_FLAG_OUTER is taken per iomap iteration (item 5)', () => {
  it('the prefault that faults runs inside iomap_file_buffered_write, under an EX holder queued by gfs2_write_lock with LM_FLAG_OUTER', () => {
    const r = run(preset('gfs2-write-vs-mmap'), 'gfs2-rfc-2021');
    expect(r.outcome?.kind).toBe('deadlock');
    const last = r.states.at(-1);
    expect(machines(last, 101)).toEqual(['task', 'gfs2_file_write_iter (RFC)', 'iomap_file_buffered_write (gfs2_iomap_begin locks)', 'do_page_fault']);
    expect(holders(last, 101).map((h) => [h.caller, h.mode, h.granted])).toEqual([['gfs2_write_lock', 'EX', true]]);
    expect(last?.tasks.find((t) => t.pid === 101)?.outerGlock).toBe(true);
  });

  it('gfs2_iomap_end drops the holder (and the outer bit) before gfs2_file_buffered_write looks at current_needs_retry', () => {
    const r = run(preset('gfs2-two-node-write'), 'gfs2-rfc-2021');
    expect(r.outcome?.kind).toBe('completed');
    const iterSteps = r.trace.filter((t) => t.pid === 101 && t.machine === 'iomap_file_buffered_write (gfs2_iomap_begin locks)');
    // Two iterations' worth of locking: the one that failed its trylock, and the retry.
    expect(iterSteps.filter((t) => t.from === 'write_lock' && t.event === 'glock.granted')).toHaveLength(2);
    expect(iterSteps.filter((t) => t.from === 'iomap_end')).toHaveLength(2);
    const check = r.trace.findIndex((t) => t.pid === 101 && t.from === 'check_retry_buffered' && t.event === 'retry.faultin');
    expect(check).toBeGreaterThan(0);
    const before = r.states[check];
    expect(holders(before, 101)).toEqual([]);
    expect(before?.tasks.find((t) => t.pid === 101)).toMatchObject({ outerGlock: false, needsRetry: true });
  });

  it('5.15 takes the same EX per iteration in gfs2_write_lock, without LM_FLAG_OUTER', () => {
    const r = run(preset('gfs2-write-vs-mmap'), 'gfs2-5.15');
    const last = r.states.at(-1);
    expect(machines(last, 101)).toEqual(['task', 'gfs2_file_write_iter', 'iomap_file_buffered_write (gfs2_iomap_begin locks)', 'do_page_fault']);
    expect(holders(last, 101).map((h) => [h.caller, h.mode])).toEqual([['gfs2_write_lock', 'EX']]);
    expect(last?.tasks.find((t) => t.pid === 101)?.outerGlock).toBe(false);
  });
});

describe('flags of 5.x (item 6)', () => {
  const directWrite: Scenario = {
    id: 'dio-write-from-mmap',
    title: 'O_DIRECT write from an unmapped page of another file',
    story: '',
    fs: 'gfs2',
    variants: ['gfs2-5.16', 'gfs2-5.18'],
    files: [
      { name: 'F', pages: ['disk'] },
      { name: 'G', pages: ['disk'] },
    ],
    mappings: [{ process: 0, file: 'G', at: 0, pages: 1, shared: false }],
    tasks: [{ pid: 101, process: 0, program: [{ call: 'pwrite', file: 'F', pos: 0, len: 1, buf: 0, direct: true }] }],
    schedules: [],
    sources: [],
  };

  it.each(['gfs2-5.16', 'gfs2-5.18'] as const)('an O_DIRECT write under %s sets only from->nofault: get_user_pages fails, page faults stay enabled', (variant) => {
    const r = run(directWrite, variant);
    expect(r.outcome?.kind).toBe('completed');
    const inDio = firstIn(r, 101, 'iomap_dio_rw');
    const task = inDio?.tasks.find((t) => t.pid === 101);
    expect(task?.pagefaultDisabled).toBe(0);
    expect(regsOf(task?.stack.at(-1), 'iomap_dio_rw')?.nofault).toBe(true);
    expect(r.trace.some((t) => t.machine === 'iomap_dio_rw' && t.from === 'bio_iov_iter_get_pages' && t.to === 'short')).toBe(true);
    expect(r.states.at(-1)?.tasks[0]?.returns).toEqual([4096]);
  });

  it('an O_DIRECT read under 5.18 sets both: pagefault_disable() and to->nofault', () => {
    const r = run(preset('gfs2-dio-read-self'), 'gfs2-5.18');
    const task = firstIn(r, 101, 'iomap_dio_rw')?.tasks.find((t) => t.pid === 101);
    expect(task?.pagefaultDisabled).toBe(1);
    expect(regsOf(task?.stack.at(-1), 'iomap_dio_rw')?.nofault).toBe(true);
  });

  it('an O_DIRECT read of a hole fails in iov_iter_zero, a CPU copy, not in get_user_pages', () => {
    const r = run(preset('xfstests-647'), 'gfs2-5.18');
    const zero = r.trace.filter((t) => t.machine === 'iomap_dio_rw' && t.to === 'zero_short');
    expect(zero).toHaveLength(1);
    expect(zero[0]?.from).toBe('iov_iter_zero');
    // The hole's iteration ends there (-EFAULT), with no get_user_pages (bio_iov_iter_get_pages) between the zeroing and its end.
    const at = r.trace.findIndex((t) => t.machine === 'iomap_dio_rw' && t.from === 'zero_short');
    expect(r.trace[at]?.event).toBe('dio.done');
    expect(r.trace[at - 1]?.from).toBe('iov_iter_zero');
  });

  it('a store to a read-only shared page ends in wp_page_shared’s finish_mkwrite_fault, never in do_shared_fault', () => {
    const r = run(preset('gfs2-read-mkwrite'), 'gfs2-5.18');
    const fault = r.trace.filter((t) => t.machine === 'do_page_fault');
    expect(fault.some((t) => t.from === 'handle_mm_fault' && t.to === 'do_wp_page')).toBe(true);
    // finish_mkwrite_fault maps it writable; 5.18's fault_dirty_shared_page then drops mmap_lock and returns VM_FAULT_RETRY.
    const retry = r.trace.findIndex((t) => t.machine === 'do_page_fault' && t.from === 'wp_page_mkwrite_returned' && t.event === 'fault.retry');
    expect(retry).toBeGreaterThan(0);
    const [before, after] = [r.states[retry], r.states[retry + 1]];
    expect(before?.kernel.mms[0]?.ptes[0]).toMatchObject({ writable: false });
    expect(after?.kernel.mms[0]?.ptes[0]).toMatchObject({ writable: true });
    expect(before?.kernel.mms[0]?.mmap_sem.readers).toContain(101);
    expect(after?.kernel.mms[0]?.mmap_sem.readers).not.toContain(101);
    expect(fault.some((t) => t.from === 'do_shared_fault' || t.to === 'do_shared_fault')).toBe(false);
  });

  it('a glock holder in a cluster is named with its node in the deadlock report', () => {
    const r = run(preset('gfs2-two-node-write'), 'gfs2-5.15');
    expect(r.outcome?.kind).toBe('deadlock');
    if (r.outcome?.kind !== 'deadlock') return;
    expect(r.outcome.cycle.map((e) => [e.pid, e.ownerNames])).toEqual([
      [101, ['pid 102 on node 1']],
      [102, ['pid 101 on node 0']],
    ]);
  });
});

describe('page_mkwrite during read_iter (item 10, seed question 2)', () => {
  it('5.15: the fault goes through do_wp_page to gfs2_page_mkwrite, never ->fault, and BUGs on the read’s own SH glock', () => {
    const r = run(preset('gfs2-read-mkwrite'), 'gfs2-5.15');
    expect(r.outcome?.kind).toBe('bug');
    if (r.outcome?.kind !== 'bug') return;
    expect(r.outcome.log).toEqual(expect.arrayContaining(['gfs2: original: gfs2_file_read_iter', 'gfs2: new: gfs2_page_mkwrite']));
    expect(r.trace.some((t) => t.machine === 'gfs2_fault')).toBe(false);
    expect(machines(r.states.at(-1), 101)).toEqual(['task', 'gfs2_file_read_iter', 'filemap_read', 'do_page_fault', 'gfs2_page_mkwrite']);
  });

  it('RFC: the incompatible outer holder makes gfs2_page_mkwrite return VM_FAULT_SIGBUS with needs_retry; the read retries and the shared file page ends up with the data', () => {
    const r = run(preset('gfs2-read-mkwrite'), 'gfs2-rfc-2021');
    const incompatible = r.trace.findIndex((t) => t.machine === 'gfs2_page_mkwrite' && t.event === 'rfc.incompatible');
    expect(incompatible).toBeGreaterThan(0);
    expect(r.states[incompatible + 1]?.tasks[0]?.needsRetry).toBe(true);
    expect(r.trace.some((t) => t.machine === 'gfs2_file_read_iter (RFC)' && t.event === 'retry.faultin')).toBe(true);
    expect(r.states.at(-1)?.tasks[0]?.returns).toEqual([4096]);
  });

  it('5.16: gfs2_page_mkwrite’s EX waits behind the read’s own weak SH holder', () => {
    const r = run(preset('gfs2-read-mkwrite'), 'gfs2-5.16');
    expect(r.outcome?.kind).toBe('deadlock');
    const gl = r.states.at(-1)?.kernel.glocks[0];
    expect(gl?.holders.map((h) => [h.caller, h.mode, h.granted, h.mayDemote])).toEqual([
      ['gfs2_file_read_iter', 'SH', true, true],
      ['gfs2_page_mkwrite', 'EX', false, false],
    ]);
  });
});

describe('VM_FAULT_SIGBUS: -EFAULT in kernel mode, SIGBUS in user mode (item 13, seed question 1)', () => {
  it.each(['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'] as const)('under %s', (variant) => {
    const r = run(preset('gfs2-sigbus-kernel-vs-user'), variant);
    expect(r.outcome?.kind).toBe('sigbus');
    // The kernel-mode half: a fault taken from the fault-in helper, which fails without a signal.
    const kernelFault = r.states.find((s) => machines(s, 101).includes('do_page_fault') && !machines(s, 101).includes('user_access'));
    const frame = kernelFault?.tasks.find((t) => t.pid === 101)?.stack.find((f) => f.machine === 'do_page_fault');
    expect(regsOf(frame, 'do_page_fault')?.kernelMode).toBe(true);
    const pwriteDone = r.states.find((s) => s.tasks.find((t) => t.pid === 101)?.returns.length === 1);
    expect(pwriteDone?.tasks.find((t) => t.pid === 101)?.returns).toEqual([EFAULT]);
    expect(pwriteDone?.signals).toEqual([]);
    // fixup_exception: the prefault or fault-in helper's access fails (-EFAULT) with no signal.
    const failed = r.trace.findIndex((t) => t.pid === 101 && t.event === 'fault.failed');
    expect(r.trace[failed]?.marks).toContain('copy-short');
    expect(failed).toBeGreaterThan(0);
    expect(r.states[failed + 1]?.signals).toEqual([]);
    // The user-mode half: the same page, the same VM_FAULT_SIGBUS, delivered as SIGBUS.
    const userFault = r.states.find((s) => machines(s, 101).join(' ') === 'task user_access do_page_fault');
    expect(regsOf(userFault?.tasks.find((t) => t.pid === 101)?.stack.at(-1), 'do_page_fault')?.kernelMode).toBe(false);
    expect(r.states.at(-1)?.signals.map((s) => s.pid)).toEqual([101]);
    expect(r.states.at(-1)?.tasks.find((t) => t.pid === 101)?.returns).toEqual([EFAULT, VM_FAULT_SIGBUS]);
  });
});
