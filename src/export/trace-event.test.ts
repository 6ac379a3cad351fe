// The Chrome Trace Event export: its structure (what Perfetto and
// chrome://tracing need: fields per phase, nesting, matched flows, named
// threads), checked by validateChromeTrace on every preset and on random
// schedules, and the kernel facts a reader should find in it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VariantId } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import { findPreset, PRESETS } from '../scenarios/index.ts';
import type { Scenario } from '../scenarios/types.ts';
import { replay } from '../sim/replay.ts';
import { choosing, runFrom, startAt } from '../sim/schedulers.ts';
import type { TraceStep } from '../sim/step.ts';
import { initialSystem, type SystemState } from '../sim/system.ts';
import { validateChromeTrace } from './trace-event-validate.ts';
import { LOCKS_PID, STEP_US, TASKS_PID, traceEventsOf, type ChromeTrace, type CompleteEvent, type FlowEndEvent, type FlowStartEvent, type InstantEvent, type TraceEvent } from './trace-event.ts';

function preset(id: string): Scenario {
  const scenario = findPreset(id);
  if (scenario === undefined) throw new Error(`no preset ${id}`);
  return scenario;
}

/** A preset's named schedule under a variant, finished round-robin, exported. */
function exported(id: string, variant: VariantId, schedule = 0): { trace: ChromeTrace; steps: readonly TraceStep[] } {
  const scenario = preset(id);
  const named = scenario.schedules[schedule];
  if (named === undefined) throw new Error(`${id} has no schedule ${schedule}`);
  const run = replay(buildSetup(scenario), variant, named.steps, { finish: true });
  return { trace: traceEventsOf({ scenario, variant, trace: run.trace, states: run.states }), steps: run.trace };
}

const isSlice = (e: TraceEvent): e is CompleteEvent => e.ph === 'X';
const isInstant = (e: TraceEvent): e is InstantEvent => e.ph === 'i';
const isFlowStart = (e: TraceEvent): e is FlowStartEvent => e.ph === 's';
const isFlowEnd = (e: TraceEvent): e is FlowEndEvent => e.ph === 'f';

function slicesOf(t: ChromeTrace, pid: number, tid: number, cat?: string): CompleteEvent[] {
  return t.traceEvents.filter(isSlice).filter((e) => e.pid === pid && e.tid === tid && (cat === undefined || e.cat === cat));
}

/** The slices on a thread that contain [ts, ts + dur), outermost first. */
function enclosing(t: ChromeTrace, pid: number, tid: number, ts: number, dur = 0): CompleteEvent[] {
  return slicesOf(t, pid, tid).filter((s) => s.ts <= ts && ts + dur <= s.ts + s.dur && !(dur === 0 && ts === s.ts + s.dur));
}

/** The step index a step slice or a point inside one stands for. */
const stepAt = (ts: number): number => Math.floor(ts / STEP_US);

function threadNamed(t: ChromeTrace, pid: number, name: string): number {
  const meta = t.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && 'name' in e.args && e.args.name === name);
  if (meta === undefined || meta.ph !== 'M' || !('tid' in meta)) throw new Error(`no thread ${name} in pid ${pid}`);
  return meta.tid;
}

function expectValid(t: ChromeTrace): void {
  expect(validateChromeTrace(JSON.parse(JSON.stringify(t)))).toEqual([]);
}

describe('validateChromeTrace', () => {
  const named = [
    { ph: 'M', name: 'process_name', pid: 1, args: { name: 'p' } },
    { ph: 'M', name: 'thread_name', pid: 1, tid: 1, args: { name: 'a' } },
    { ph: 'M', name: 'thread_name', pid: 1, tid: 2, args: { name: 'b' } },
  ];
  const x = (name: string, ts: number, dur: number, tid = 1) => ({ ph: 'X', name, ts, dur, pid: 1, tid });

  it('accepts nested slices, B/E in stack order and a bound flow', () => {
    const events = [
      ...named,
      x('outer', 0, 10),
      x('inner', 0, 5),
      { ph: 'B', name: 'b', ts: 20, pid: 1, tid: 1 },
      { ph: 'B', name: 'c', ts: 21, pid: 1, tid: 1 },
      { ph: 'E', ts: 22, pid: 1, tid: 1 },
      { ph: 'E', name: 'b', ts: 23, pid: 1, tid: 1 },
      x('other', 4, 4, 2),
      { ph: 's', name: 'f', cat: 'c', id: 1, ts: 2, pid: 1, tid: 1 },
      { ph: 'f', name: 'f', cat: 'c', id: 1, bp: 'e', ts: 5, pid: 1, tid: 2 },
      { ph: 'i', name: 'g', s: 'g', ts: 3, pid: 1, tid: 0 },
    ];
    expect(validateChromeTrace({ traceEvents: events, displayTimeUnit: 'ms' })).toEqual([]);
  });

  it.each([
    ['a partial overlap', [x('a', 0, 10), x('b', 5, 10)], /without nesting/],
    ['a child listed before its parent at the same ts', [x('inner', 0, 5), x('outer', 0, 10)], /comes after/],
    ['E out of stack order', [{ ph: 'B', name: 'a', ts: 0, pid: 1, tid: 1 }, { ph: 'B', name: 'b', ts: 1, pid: 1, tid: 1 }, { ph: 'E', name: 'a', ts: 2, pid: 1, tid: 1 }, { ph: 'E', name: 'b', ts: 3, pid: 1, tid: 1 }], /stack order/],
    ['an unclosed B', [{ ph: 'B', name: 'a', ts: 0, pid: 1, tid: 1 }], /never closed/],
    ['a flow with no finish', [x('a', 0, 10), { ph: 's', name: 'f', cat: 'c', id: 7, ts: 1, pid: 1, tid: 1 }], /1 start\(s\) and 0 finish/],
    ['a flow finishing in no slice', [x('a', 0, 10), { ph: 's', name: 'f', cat: 'c', id: 7, ts: 1, pid: 1, tid: 1 }, { ph: 'f', name: 'f', cat: 'c', id: 7, bp: 'e', ts: 2, pid: 1, tid: 2 }], /in no slice/],
    ['a flow finishing before it starts', [x('a', 0, 10), x('b', 0, 10, 2), { ph: 's', name: 'f', cat: 'c', id: 7, ts: 5, pid: 1, tid: 1 }, { ph: 'f', name: 'f', cat: 'c', id: 7, bp: 'e', ts: 2, pid: 1, tid: 2 }], /before it starts/],
    ['a flow whose ends are named differently', [x('a', 0, 10), x('b', 0, 10, 2), { ph: 's', name: 'f', cat: 'c', id: 7, ts: 1, pid: 1, tid: 1 }, { ph: 'f', name: 'g', cat: 'c', id: 7, bp: 'e', ts: 2, pid: 1, tid: 2 }], /same name/],
    ['an unnamed thread', [x('a', 0, 10, 3)], /no thread_name/],
    ['a slice without dur', [{ ph: 'X', name: 'a', ts: 0, pid: 1, tid: 1 }], /dur must be/],
    ['a bad instant scope', [{ ph: 'i', name: 'a', s: 'x', ts: 0, pid: 1, tid: 1 }], /scope/],
    ['a non-finite ts', [{ ph: 'X', name: 'a', ts: Number.NaN, dur: 1, pid: 1, tid: 1 }], /ts must be/],
  ])('rejects %s', (_what, bad, message) => {
    const problems = validateChromeTrace({ traceEvents: [...named, ...bad] });
    expect(problems.join('\n')).toMatch(message);
  });
});

describe('traceEventsOf: structure', () => {
  const runs = PRESETS.flatMap((scenario) =>
    scenario.schedules.flatMap((schedule, index) => scenario.variants.filter((v) => schedule.expect[v] !== undefined).map((variant) => [scenario.id, variant, schedule.name, index] as const)),
  );

  it.each(runs)('%s under %s (%s) round-trips through JSON and validates', (id, variant, _name, index) => {
    const { trace, steps } = exported(id, variant, index);
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
    expectValid(trace);
    // One innermost slice per atomic step, on the stepping task's thread.
    const stepSlices = trace.traceEvents.filter(isSlice).filter((e) => e.cat === 'step');
    expect(stepSlices.map((e) => [e.tid, e.name])).toEqual(steps.map((s) => [s.pid, s.label]));
  });

  it('names the processes after the run and the threads after the tasks, in task order', () => {
    const { trace } = exported('gfs2-abba-dio', 'gfs2-5.15');
    const meta = trace.traceEvents.filter((e) => e.ph === 'M');
    expect(meta).toContainEqual({ ph: 'M', name: 'process_name', pid: TASKS_PID, args: { name: 'gfs2-abba-dio · gfs2-5.15' } });
    expect(meta).toContainEqual({ ph: 'M', name: 'process_name', pid: LOCKS_PID, args: { name: 'locks' } });
    expect(meta).toContainEqual({ ph: 'M', name: 'thread_name', pid: TASKS_PID, tid: 101, args: { name: 'pid 101 (process 0, node 0)' } });
    expect(meta).toContainEqual({ ph: 'M', name: 'thread_sort_index', pid: TASKS_PID, tid: 102, args: { sort_index: 1 } });
    expect(trace.displayTimeUnit).toBe('ms');
    expect(trace.metadata?.clock).toContain(`${STEP_US} µs`);
  });

  it('refuses states that do not match the trace', () => {
    const scenario = preset('gfs2-read-self');
    const run = replay(buildSetup(scenario), 'gfs2-5.15', [101, 101]);
    expect(() => traceEventsOf({ scenario, variant: 'gfs2-5.15', trace: run.trace, states: run.states.slice(1) })).toThrow(/one more state than steps/);
  });
});

describe('traceEventsOf: kernel facts', () => {
  it('gfs2-abba-dio under 5.15: each task waits for the glock the other holds, inside its fault, and both are marked deadlocked', () => {
    const { trace, steps } = exported('gfs2-abba-dio', 'gfs2-5.15');
    for (const [pid, other] of [
      [101, 'glock 2/F2'],
      [102, 'glock 2/F1'],
    ] as const) {
      const [wait] = slicesOf(trace, TASKS_PID, pid, 'wait');
      expect(wait?.name).toBe(`waits for ${other} (SH)`);
      if (wait === undefined) continue;
      // syscall › dio › fault › gfs2_fault › the wait; it lasts to the end of the trace.
      expect(enclosing(trace, TASKS_PID, pid, wait.ts, wait.dur).map((s) => s.name)).toEqual(['gfs2_file_read_iter', 'iomap_dio_rw', 'do_page_fault', 'gfs2_fault', wait.name]);
      expect(wait.ts + wait.dur).toBe((steps.length + 1) * STEP_US);
      const deadlock = trace.traceEvents.filter(isInstant).find((e) => e.name === 'deadlock' && e.tid === pid);
      expect(deadlock?.s).toBe('t');
      if (deadlock !== undefined) expect(enclosing(trace, TASKS_PID, pid, deadlock.ts).at(-1)).toBe(wait);
    }
    // Nobody was let go, so there is nothing to draw an arrow for; each glock keeps its DF holder to the end.
    expect(trace.traceEvents.filter(isFlowStart)).toEqual([]);
    const f1 = slicesOf(trace, LOCKS_PID, threadNamed(trace, LOCKS_PID, 'glock 2/F1'));
    expect(f1.map((s) => s.name)).toEqual(['held by pid 101 (DF) · gfs2_file_direct_read']);
  });

  it('gfs2-read-self under 5.15: trap_recursive BUGs in the step that asks for the glock again, and the task dies holding it', () => {
    const { trace, steps } = exported('gfs2-read-self', 'gfs2-5.15');
    const bugs = trace.traceEvents.filter(isInstant).filter((e) => e.name === 'BUG');
    expect(bugs).toHaveLength(1);
    const [bug] = bugs;
    if (bug === undefined) return;
    expect(bug.tid).toBe(101);
    expect(String(bug.args.message)).toContain('recursive');
    const innermost = enclosing(trace, TASKS_PID, 101, bug.ts).at(-1);
    expect(innermost?.name).toContain('trap_recursive');
    expect(enclosing(trace, TASKS_PID, 101, bug.ts).map((s) => s.name).slice(0, 4)).toEqual(['gfs2_file_read_iter', 'filemap_read', 'do_page_fault', 'gfs2_fault']);
    const held = slicesOf(trace, LOCKS_PID, threadNamed(trace, LOCKS_PID, 'glock 2/F'));
    expect(held.map((s) => [s.name, s.ts + s.dur])).toEqual([['held by pid 101 (SH) · gfs2_file_read_iter', (steps.length + 1) * STEP_US]]);
  });

  it('gfs2-read-self under 5.18: an -EFAULT retry, then the glock is re-acquired with no wait and no flow', () => {
    const { trace, steps } = exported('gfs2-read-self', 'gfs2-5.18');
    const retry = trace.traceEvents.filter(isInstant).filter((e) => e.name === '-EFAULT retry');
    expect(retry).toHaveLength(1);
    expect(retry[0]?.tid).toBe(101);
    const grants = steps.flatMap((s, i) => (s.machine.startsWith('gfs2_file_read_iter') && s.event === 'glock.granted' ? [i] : []));
    expect(grants).toHaveLength(2);
    const [first, again] = grants;
    expect(stepAt(retry[0]?.ts ?? 0)).toBeGreaterThan(first ?? Infinity);
    expect(stepAt(retry[0]?.ts ?? 0)).toBeLessThan(again ?? -Infinity);
    expect(trace.traceEvents.filter(isFlowEnd).filter((f) => stepAt(f.ts) === again)).toEqual([]);
    expect(slicesOf(trace, TASKS_PID, 101, 'wait')).toEqual([]);
    // Two holds by the read, with the fault's in the gap the glock_dq left: two of them, as
    // filemap_fault drops mmap_lock to read the page in, returns VM_FAULT_RETRY, and gfs2_fault runs again.
    const glock = trace.traceEvents.filter(isSlice).filter((s) => s.pid === LOCKS_PID && s.args.lock === 'glock 2/F');
    expect(glock.map((s) => s.name)).toEqual(['held by pid 101 (SH) · gfs2_file_read_iter', 'held by pid 101 (SH) · gfs2_fault', 'held by pid 101 (SH) · gfs2_fault', 'held by pid 101 (SH) · gfs2_file_read_iter']);
    const vmRetry = trace.traceEvents.filter(isInstant).filter((e) => e.name === 'VM_FAULT_RETRY');
    expect(vmRetry).toHaveLength(1);
    expect(stepAt(vmRetry[0]?.ts ?? 0)).toBeGreaterThan(stepAt(retry[0]?.ts ?? 0));
    expect(stepAt(vmRetry[0]?.ts ?? 0)).toBeLessThan(again ?? -Infinity);
  });

  it('imutex-mmapsem under dax-2015: each up on mmap_sem flows to the down it woke, and the lock track shows the holders in turn', () => {
    const { trace, steps } = exported('imutex-mmapsem', 'dax-2015');
    const starts = trace.traceEvents.filter(isFlowStart);
    const ends = trace.traceEvents.filter(isFlowEnd);
    expect(starts.length).toBeGreaterThanOrEqual(2);
    const hops = starts.map((s) => {
      const f = ends.find((e) => e.id === s.id && e.cat === s.cat);
      const [release, acquire] = [steps[stepAt(s.ts)], steps[stepAt(f?.ts ?? -1)]];
      return { from: s.tid, to: f?.tid, release: release && `${release.machine}.${release.from}`, acquire: acquire && `${acquire.machine}.${acquire.from} → ${acquire.event}` };
    });
    // up_read at the end of pid 101's fault wakes do_mmap's down_write; do_mmap's up_write wakes pid 102's fault's down_read.
    expect(hops).toEqual([
      { from: 101, to: 103, release: 'do_page_fault.up_read', acquire: 'do_mmap.down_write_wait → lock.granted' },
      { from: 103, to: 102, release: 'do_mmap.up_write', acquire: 'do_page_fault.down_read_mmap_sem_wait → lock.granted' },
    ]);
    // Each waiter's wait ends exactly when the step that released the lock ends.
    for (const s of starts) {
      const f = ends.find((e) => e.id === s.id);
      const wait = slicesOf(trace, TASKS_PID, f?.tid ?? -1, 'wait').find((w) => w.ts + w.dur === (stepAt(s.ts) + 1) * STEP_US);
      expect(wait?.name).toMatch(/^waits for mmap_sem of mm 0/);
    }
    const mmapSem = slicesOf(trace, LOCKS_PID, threadNamed(trace, LOCKS_PID, 'mmap_sem of mm 0'));
    expect(mmapSem.map((s) => s.name)).toEqual(['held by pid 101 (read)', 'held by pid 103 (write)', 'held by pid 102 (read)']);
    // Handed over within the releasing step: each hold begins where the previous one ends.
    mmapSem.slice(1).forEach((s, i) => expect(s.ts).toBe((mmapSem[i]?.ts ?? 0) + (mmapSem[i]?.dur ?? 0)));
  });

  it('lock-page-retry: VM_FAULT_RETRY is marked on the task that drops mmap_sem to wait for the page', () => {
    const { trace } = exported('lock-page-retry', 'dax-2015');
    const retries = trace.traceEvents.filter(isInstant).filter((e) => e.name === 'VM_FAULT_RETRY');
    expect(retries.length).toBeGreaterThan(0);
    for (const r of retries) expect(enclosing(trace, TASKS_PID, r.tid, r.ts).map((s) => s.name)).toContain('do_page_fault');
  });

  it('gfs2-read-self under 5.16: the read’s may-demote holder and the fault’s holder overlap, so the glock gets a second thread', () => {
    const { trace } = exported('gfs2-read-self', 'gfs2-5.16');
    const [read] = slicesOf(trace, LOCKS_PID, threadNamed(trace, LOCKS_PID, 'glock 2/F'));
    const [fault] = slicesOf(trace, LOCKS_PID, threadNamed(trace, LOCKS_PID, 'glock 2/F #2'));
    expect(read?.name).toBe('held by pid 101 (SH) · gfs2_file_read_iter');
    expect(fault?.name).toBe('held by pid 101 (SH) · gfs2_fault');
    if (read === undefined || fault === undefined) return;
    expect(read.ts < fault.ts && fault.ts + fault.dur < read.ts + read.dur).toBe(true);
    // gfs2_holder_allow_demote came first: that is why the fault's SH could be granted at all.
    expect(typeof read.args.mayDemoteFrom).toBe('number');
    expect(Number(read.args.mayDemoteFrom) * STEP_US).toBeLessThanOrEqual(fault.ts);
  });
});

/* ------------------------------------------------------------------ */

const pairs = PRESETS.flatMap((scenario) => scenario.variants.map((variant) => ({ scenario, variant })));

/** A random run to its end, choosing among runnable tasks by the choices (as sim/random.test.ts does). */
function randomRun(scenario: Scenario, variant: VariantId, choices: readonly number[]): { trace: readonly TraceStep[]; states: readonly SystemState[] } {
  const run = runFrom(startAt(initialSystem(buildSetup(scenario), variant)), choosing(choices), { maxSteps: 2000 });
  if (run.refused !== null) throw new Error(run.refused.error.message);
  return { trace: run.trace, states: run.states };
}

describe('traceEventsOf: random schedules', () => {
  it('always exports a valid trace whose flows leave the step that ended a wait', () => {
    fc.assert(
      fc.property(fc.constantFrom(...pairs), fc.array(fc.nat(), { minLength: 1, maxLength: 48 }), ({ scenario, variant }, choices) => {
        const run = randomRun(scenario, variant, choices);
        const trace = traceEventsOf({ scenario, variant, ...run });
        expect(validateChromeTrace(JSON.parse(JSON.stringify(trace)))).toEqual([]);
        expect(trace.traceEvents.filter(isSlice).filter((e) => e.cat === 'step')).toHaveLength(run.trace.length);
        const ends = trace.traceEvents.filter(isFlowEnd);
        for (const s of trace.traceEvents.filter(isFlowStart)) {
          const f = ends.find((e) => e.id === s.id);
          expect(f?.tid).not.toBe(s.tid);
          const releasedAt = (stepAt(s.ts) + 1) * STEP_US;
          expect(slicesOf(trace, TASKS_PID, f?.tid ?? -1, 'wait').some((w) => w.ts + w.dur === releasedAt)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
