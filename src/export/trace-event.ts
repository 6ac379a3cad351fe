/**
 * A replay as Chrome Trace Event JSON, the JSON Object Format of the "Trace
 * Event Format" (the Google doc of that name), so a run opens in
 * ui.perfetto.dev and chrome://tracing.
 *
 * Owns: the shape of the exported JSON and how a replay (trace and states)
 * maps onto it. Reads the kernel model's names (lockName, glock holders,
 * sleeping-lock owners) and the scheduler's view (waitEdges, outcomeOf,
 * pathEventsOf); must not touch the DOM, Node, the page's store or UI, and
 * decides nothing about the kernel: every fact comes from the states.
 *
 * The JSON:
 * - Time. Step i occupies [i × STEP_US, (i + 1) × STEP_US) µs. One more
 *   interval after the last step shows the final state, so that what a run
 *   ends with (a deadlock's waits, the glock a BUG'd task dies holding) is
 *   visible.
 * - pid 1 ("<scenario> · <variant>"): one thread per task, tid = the task's
 *   pid. Complete (`X`) slices nest as the task's frame stack does: the
 *   syscall frame (depth 1, `gfs2_file_read_iter`), its callees
 *   (`filemap_read`, `do_page_fault`, `gfs2_fault`, …), then each atomic step
 *   as the innermost slice, named by its label. A frame's slice starts when
 *   the step that called it ends and ends with the step that returns from it.
 *   A wait slice ("waits for glock 2/F1 (SH)") covers the steps during which
 *   the task cannot run, inside the frame it sleeps in.
 * - pid 2 ("locks"): one thread per lock, named as the kernel model names it,
 *   with "held by pid 101 (SH)" slices. A shared lock with several holders at
 *   once gets one thread per concurrent holder slot ("glock 2/F1 #2"), since
 *   slices on one thread must nest and concurrent holds do not.
 * - Flows (`s` → `f`, `bp: "e"`, category "lock", named by the lock) from
 *   the step that ended a wait to the waiter's next step. The first is the
 *   release that handed the lock over (or, in 5.16, the
 *   gfs2_holder_allow_demote that let a conflicting request demote the
 *   holder); the second is the acquisition ("→ woken, granted"), or, where
 *   the wait takes no lock (lock_page_or_retry sleeping until the page is
 *   unlocked, then VM_FAULT_RETRY), the wake-up.
 * - Instants (`i`, thread scope, in the middle of the step that caused
 *   them): BUG, SIGBUS, use-after-free, livelock, invariant violation, and
 *   the fixes' path events (-EFAULT retry, VM_FAULT_RETRY, GLR_TRYFAILED).
 *   A deadlock is marked in the final interval on every task of the cycle
 *   (inside its wait slice), or globally for a hang with no cycle.
 * - `args` carry the details: a step's index, machine, from/to state and
 *   event; a span's steps as [fromStep, untilStep), where untilStep =
 *   steps + 1 means it lasts to the end.
 *
 * Holds and waits cover step i when they are true in states[i], the state
 * the step starts from (the on-screen timeline uses the state after): then a
 * waiter never steps inside its own wait slice, a wait ends exactly when the
 * step that released the lock ends, and a wait always lies inside the frame
 * it sleeps in, because that frame was pushed by an earlier step.
 */
import type { Pid } from '../kernel/ids.ts';
import { glockAt } from '../kernel/glock.ts';
import { sleepLockOf, type LockRef } from '../kernel/locks.ts';
import type { VariantId } from '../kernel/variants.ts';
import type { Scenario } from '../scenarios/types.ts';
import { holdsIn, isMutex, lockKey, type Hold } from '../sim/holds.ts';
import { describeOutcome, outcomeOf, waitEdges, type WaitEdge } from '../sim/outcome.ts';
import { PATH_EVENTS, pathEventsOf } from '../sim/pathevents.ts';
import type { TraceStep } from '../sim/step.ts';
import type { SystemState } from '../sim/system.ts';
import { baseMachine } from '../threads/registry.ts';

/* ------------------------------------------------------------------ */
/* The JSON, as the Trace Event Format defines the parts used here.    */
/* ------------------------------------------------------------------ */

/** Microseconds per step: `ts` and `dur` are in µs in the Trace Event Format. */
export const STEP_US = 1000;
/** The process whose threads are the tasks. */
export const TASKS_PID = 1;
/** The process whose threads are the locks. */
export const LOCKS_PID = 2;

export type ArgValue = string | number | boolean | readonly number[];
export type Args = Readonly<Record<string, ArgValue>>;

/** Slice categories (`cat`), so a viewer can filter. */
export type Category = 'frame' | 'step' | 'wait' | 'hold' | 'lock' | 'outcome' | 'path';

interface TimedEvent {
  readonly name: string;
  readonly cat: Category;
  readonly ts: number;
  readonly pid: number;
  readonly tid: number;
}

/** `X`: a complete event, a slice with its duration. */
export interface CompleteEvent extends TimedEvent {
  readonly ph: 'X';
  readonly dur: number;
  readonly args: Args;
}

/** `i`: an instant; `s` is its scope: thread, process or global. */
export interface InstantEvent extends TimedEvent {
  readonly ph: 'i';
  readonly s: 't' | 'p' | 'g';
  readonly args: Args;
}

/** `s`: a flow starts in the slice enclosing `ts` on its thread. */
export interface FlowStartEvent extends TimedEvent {
  readonly ph: 's';
  readonly id: number;
}

/** `f` with `bp: "e"`: a flow ends in the slice enclosing `ts` (not the next one to begin). */
export interface FlowEndEvent extends TimedEvent {
  readonly ph: 'f';
  readonly id: number;
  readonly bp: 'e';
}

export type MetadataEvent =
  | { readonly ph: 'M'; readonly name: 'process_name'; readonly pid: number; readonly args: { readonly name: string } }
  | { readonly ph: 'M'; readonly name: 'process_sort_index'; readonly pid: number; readonly args: { readonly sort_index: number } }
  | { readonly ph: 'M'; readonly name: 'thread_name'; readonly pid: number; readonly tid: number; readonly args: { readonly name: string } }
  | { readonly ph: 'M'; readonly name: 'thread_sort_index'; readonly pid: number; readonly tid: number; readonly args: { readonly sort_index: number } };

export type TraceEvent = CompleteEvent | InstantEvent | FlowStartEvent | FlowEndEvent | MetadataEvent;

/** What the trace is of; the format keeps any such top-level key as trace metadata. */
export interface TraceMetadata {
  readonly source: 'faultline';
  readonly scenario: string;
  readonly title: string;
  readonly variant: VariantId;
  readonly steps: number;
  readonly outcome: string | null;
  /** How to read `ts`: steps are logical time, not measured time. */
  readonly clock: string;
}

export interface ChromeTrace {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: 'ms';
  readonly metadata?: TraceMetadata;
}

export interface TraceInput {
  readonly scenario: Scenario;
  readonly variant: VariantId;
  readonly trace: readonly TraceStep[];
  /** states[i] is the system after i steps: one more than the trace. */
  readonly states: readonly SystemState[];
}

/* ------------------------------------------------------------------ */
/* Small helpers.                                                      */
/* ------------------------------------------------------------------ */

const at = (step: number): number => step * STEP_US;
/** Inside step i's slice, clear of its edges, so a flow or instant binds to that slice. */
const mid = (step: number): number => step * STEP_US + STEP_US / 2;

/** A slice under construction; `rank` orders slices that start together, parents first. */
interface Slice {
  readonly event: CompleteEvent;
  readonly rank: number;
}

function slice(pid: number, tid: number, cat: Category, name: string, start: number, end: number, rank: number, args: Args): Slice {
  return { event: { ph: 'X', name, cat, ts: start, dur: end - start, pid, tid, args }, rank };
}

const RANK_WAIT = 1000;
const RANK_STEP = 2000;

/* ------------------------------------------------------------------ */
/* Task threads: frames, steps and waits.                              */
/* ------------------------------------------------------------------ */

interface OpenFrame {
  readonly depth: number;
  readonly machine: string;
  readonly start: number;
  readonly calledAt: number | null;
}

/**
 * Frame and step slices, read off the trace: a step at depth d runs in frame
 * d; `call` pushes a callee (at d + 1, or at d when the step also returned),
 * `returned` pops frame d at the end of the step (sim/step.ts: advance).
 */
function frameAndStepSlices(trace: readonly TraceStep[], initial: SystemState, end: number): Slice[] {
  const out: Slice[] = [];
  const open = new Map<Pid, OpenFrame[]>();
  for (const task of initial.tasks) {
    // Frame 0 is the task itself: its thread, not a slice.
    open.set(task.pid, task.stack.slice(1).map((f, i) => ({ depth: i + 1, machine: f.machine, start: 0, calledAt: null })));
  }
  const close = (pid: Pid, frame: OpenFrame, until: number, returnedAt: number | null) => {
    if (until <= frame.start) return;
    const args: Record<string, ArgValue> = { machine: frame.machine, depth: frame.depth };
    if (frame.calledAt !== null) args.calledAt = frame.calledAt;
    if (returnedAt !== null) args.returnedAt = returnedAt;
    out.push(slice(TASKS_PID, pid, 'frame', baseMachine(frame.machine), frame.start, until, frame.depth, args));
  };
  trace.forEach((t, i) => {
    const frames = open.get(t.pid) ?? [];
    open.set(t.pid, frames);
    // Frames above the stepping one cannot outlive it; step.ts never cuts a stack, but a slice must not dangle.
    for (let top = frames.at(-1); top !== undefined && top.depth > t.depth; top = frames.at(-1)) {
      frames.pop();
      close(t.pid, top, at(i), null);
    }
    const args: Record<string, ArgValue> = { step: i, machine: t.machine, from: t.from, to: t.to, event: t.event, depth: t.depth };
    if (t.call !== null) args.call = t.call;
    if (t.returned) args.returned = true;
    out.push(slice(TASKS_PID, t.pid, 'step', t.label, at(i), at(i + 1), RANK_STEP, args));
    const top = frames.at(-1);
    if (t.returned && top !== undefined && top.depth === t.depth) {
      frames.pop();
      close(t.pid, top, at(i + 1), i);
    }
    if (t.call !== null) frames.push({ depth: t.returned ? t.depth : t.depth + 1, machine: t.call, start: at(i + 1), calledAt: i });
  });
  for (const [pid, frames] of open) for (const frame of frames.reverse()) close(pid, frame, end, null);
  return out;
}

/** The mode a task has asked for on a lock it waits for, as the holders' slices name theirs. */
function waitMode(state: SystemState, pid: Pid, ref: LockRef): string | null {
  if (ref.kind === 'glock') return glockAt(state.kernel, ref.node, ref.ino)?.holders.find((h) => h.pid === pid && !h.granted)?.mode ?? null;
  const waiter = sleepLockOf(state.kernel, ref)?.waiters.find((w) => w.pid === pid);
  if (waiter === undefined || isMutex(ref, state.flags.era)) return null;
  return waiter.write ? 'write' : 'read';
}

/** A stretch of consecutive states in which a task waits for one lock: steps [start, end). */
interface WaitRun {
  readonly pid: Pid;
  readonly key: string;
  readonly edge: WaitEdge;
  readonly mode: string | null;
  readonly start: number;
  readonly end: number;
}

/** Every wait, over states[0..steps]: state k blocked means the task sits out step k. */
function waitRuns(states: readonly SystemState[]): readonly WaitRun[] {
  const done: WaitRun[] = [];
  const live = new Map<Pid, Omit<WaitRun, 'end'>>();
  states.forEach((state, k) => {
    const now = new Map(waitEdges(state).map((e) => [e.pid, e]));
    for (const [pid, run] of live) {
      const edge = now.get(pid);
      if (edge !== undefined && lockKey(edge.lock) === run.key) continue;
      done.push({ ...run, end: k });
      live.delete(pid);
    }
    for (const [pid, edge] of now) {
      if (!live.has(pid)) live.set(pid, { pid, key: lockKey(edge.lock), edge, mode: waitMode(state, pid, edge.lock), start: k });
    }
  });
  for (const run of live.values()) done.push({ ...run, end: states.length });
  return done.sort((a, b) => a.start - b.start || a.pid - b.pid);
}

function waitSlices(runs: readonly WaitRun[]): Slice[] {
  return runs.map((r) =>
    slice(TASKS_PID, r.pid, 'wait', `waits for ${r.edge.lockName}${r.mode === null ? '' : ` (${r.mode})`}`, at(r.start), at(r.end), RANK_WAIT, {
      lock: r.edge.lockName,
      reason: r.edge.reason,
      holders: r.edge.holders,
      fromStep: r.start,
      untilStep: r.end,
    }),
  );
}

/* ------------------------------------------------------------------ */
/* Flows: the step that ended a wait → the waiter's next step.        */
/* ------------------------------------------------------------------ */

function flowEvents(runs: readonly WaitRun[], trace: readonly TraceStep[]): (FlowStartEvent | FlowEndEvent)[] {
  const out: (FlowStartEvent | FlowEndEvent)[] = [];
  let id = 0;
  for (const run of runs) {
    // The last step the waiter sat out is the one that let it go; a wait still on at the end was never ended.
    const release = run.end - 1;
    const releaser = trace[release];
    if (releaser === undefined || run.end >= trace.length + 1) continue;
    const acquire = trace.findIndex((t, j) => j >= run.end && t.pid === run.pid);
    if (acquire < 0) continue;
    // Blocked again before it ran: that later wait's end is the hand-off that counted.
    if (runs.some((r) => r.pid === run.pid && r.start >= run.end && r.start <= acquire)) continue;
    id++;
    const name = run.edge.lockName;
    out.push({ ph: 's', name, cat: 'lock', id, ts: mid(release), pid: TASKS_PID, tid: releaser.pid });
    out.push({ ph: 'f', name, cat: 'lock', id, bp: 'e', ts: mid(acquire), pid: TASKS_PID, tid: run.pid });
  }
  return out;
}

/* ------------------------------------------------------------------ */
/* Lock threads: who holds what, state by state.                      */
/* ------------------------------------------------------------------ */

/** One hold across states: the lock, the holder and its mode, and for a glock the holder's caller (struct gfs2_holder). */
function holdKey(h: Hold): string {
  return `${h.lockKey}|${h.pid}|${h.mode ?? ''}${h.caller === null ? '' : `|${h.caller}`}`;
}

interface HoldSpan {
  readonly hold: Hold;
  readonly start: number;
  readonly end: number;
  /** The first state in which a 5.16 holder was marked HIF_MAY_DEMOTE, if it ever was. */
  readonly mayDemoteFrom: number | null;
}

function holdSpans(states: readonly SystemState[]): HoldSpan[] {
  const done: HoldSpan[] = [];
  type Live = Omit<HoldSpan, 'end'>;
  let live = new Map<string, Live>();
  states.forEach((state, k) => {
    const next = new Map<string, Live>();
    for (const hold of holdsIn(state)) {
      const key = holdKey(hold);
      const span = live.get(key) ?? { hold, start: k, mayDemoteFrom: null };
      next.set(key, hold.mayDemote && span.mayDemoteFrom === null ? { ...span, mayDemoteFrom: k } : span);
    }
    for (const [key, span] of live) if (!next.has(key)) done.push({ ...span, end: k });
    live = next;
  });
  for (const span of live.values()) done.push({ ...span, end: states.length });
  return done;
}

interface LockThread {
  readonly tid: number;
  readonly name: string;
  readonly sortIndex: number;
}

/**
 * One thread per lock and concurrent holder slot. Each hold takes the first
 * slot of its lock that is free when it starts (greedy interval
 * partitioning), so slot 0 shows successive holders one after another.
 */
function lockTracks(states: readonly SystemState[], firstTid: number): { threads: LockThread[]; slices: Slice[] } {
  const spans = holdSpans(states).sort((a, b) => a.start - b.start || a.hold.pid - b.hold.pid || holdKey(a.hold).localeCompare(holdKey(b.hold)));
  const locks = new Map<string, { name: string; order: number; slots: { tid: number; end: number }[] }>();
  const threads: LockThread[] = [];
  const slices: Slice[] = [];
  for (const span of spans) {
    const { hold } = span;
    let lock = locks.get(hold.lockKey);
    if (lock === undefined) {
      lock = { name: hold.name, order: locks.size, slots: [] };
      locks.set(hold.lockKey, lock);
    }
    let slot = lock.slots.find((s) => s.end <= span.start);
    if (slot === undefined) {
      const n = lock.slots.length;
      slot = { tid: firstTid + threads.length, end: 0 };
      lock.slots.push(slot);
      threads.push({ tid: slot.tid, name: n === 0 ? lock.name : `${lock.name} #${n + 1}`, sortIndex: lock.order * 100 + n });
    }
    slot.end = span.end;
    const mode = hold.mode === null ? '' : ` (${hold.mode})`;
    const args: Record<string, ArgValue> = { lock: hold.name, pid: hold.pid, fromStep: span.start, untilStep: span.end };
    if (hold.mode !== null) args.mode = hold.mode;
    if (hold.caller !== null) args.caller = hold.caller;
    if (span.mayDemoteFrom !== null) args.mayDemoteFrom = span.mayDemoteFrom;
    slices.push(slice(LOCKS_PID, slot.tid, 'hold', `held by pid ${hold.pid}${mode}${hold.caller === null ? '' : ` · ${hold.caller}`}`, at(span.start), at(span.end), 0, args));
  }
  return { threads, slices };
}

/* ------------------------------------------------------------------ */
/* Instants: how the run ended, and the fixes' path events.           */
/* ------------------------------------------------------------------ */

function instant(cat: Category, name: string, ts: number, tid: number, s: InstantEvent['s'], args: Args): InstantEvent {
  return { ph: 'i', name, cat, ts, pid: TASKS_PID, tid, s, args };
}

const STOP_NAMES: Record<NonNullable<SystemState['stopped']>['kind'], string> = {
  bug: 'BUG',
  'use-after-free': 'use-after-free',
  livelock: 'livelock',
  'invariant-violation': 'invariant violation',
};

function outcomeInstants(trace: readonly TraceStep[], states: readonly SystemState[]): InstantEvent[] {
  const out: InstantEvent[] = [];
  trace.forEach((t, i) => {
    const before = states[i];
    const after = states[i + 1];
    if (before === undefined || after === undefined) return;
    const stop = after.stopped;
    // A stop is caused by the step that set it; those without a pid (use-after-free, a broken invariant) are the stepper's.
    if (stop !== null && before.stopped === null) out.push(instant('outcome', STOP_NAMES[stop.kind], mid(i), 'pid' in stop ? stop.pid : t.pid, 't', { step: i, message: stop.message }));
    for (const signal of after.signals.slice(before.signals.length)) out.push(instant('outcome', 'SIGBUS', mid(i), signal.pid, 't', { step: i, message: signal.message }));
    // The fixes' retry paths (sim/pathevents.ts); SIGBUS is already marked from the signals.
    const bits = pathEventsOf(t, before, after);
    PATH_EVENTS.forEach((name, bit) => {
      if (name !== 'SIGBUS' && (bits & (1 << bit)) !== 0) out.push(instant('path', name, mid(i), t.pid, 't', { step: i, label: t.label }));
    });
  });
  const last = states[states.length - 1];
  const outcome = last === undefined || trace.length === 0 ? null : outcomeOf(last);
  if (outcome?.kind === 'deadlock') {
    // In the final interval, inside each waiter's wait slice; a hang with no cycle is the whole system's.
    const ts = mid(trace.length);
    if (outcome.cycle.length === 0) out.push(instant('outcome', 'deadlock', ts, 0, 'g', { message: outcome.message }));
    for (const edge of outcome.cycle) out.push(instant('outcome', 'deadlock', ts, edge.pid, 't', { message: outcome.message, waitsFor: edge.lockName, heldBy: edge.holders }));
  }
  return out;
}

/* ------------------------------------------------------------------ */
/* Assembly.                                                           */
/* ------------------------------------------------------------------ */

function taskThreadName(state: SystemState, pid: Pid): string {
  const task = state.tasks.find((t) => t.pid === pid);
  return task === undefined ? `pid ${pid}` : `pid ${pid} (process ${task.mm}, node ${task.node})`;
}

function metadataEvents(input: TraceInput, pids: readonly Pid[], locks: readonly LockThread[]): MetadataEvent[] {
  const first = input.states[0];
  const out: MetadataEvent[] = [
    { ph: 'M', name: 'process_name', pid: TASKS_PID, args: { name: `${input.scenario.id} · ${input.variant}` } },
    { ph: 'M', name: 'process_sort_index', pid: TASKS_PID, args: { sort_index: 0 } },
  ];
  pids.forEach((pid, i) => {
    out.push({ ph: 'M', name: 'thread_name', pid: TASKS_PID, tid: pid, args: { name: first === undefined ? `pid ${pid}` : taskThreadName(first, pid) } });
    out.push({ ph: 'M', name: 'thread_sort_index', pid: TASKS_PID, tid: pid, args: { sort_index: i } });
  });
  if (locks.length > 0) {
    out.push({ ph: 'M', name: 'process_name', pid: LOCKS_PID, args: { name: 'locks' } });
    out.push({ ph: 'M', name: 'process_sort_index', pid: LOCKS_PID, args: { sort_index: 1 } });
  }
  for (const lock of locks) {
    out.push({ ph: 'M', name: 'thread_name', pid: LOCKS_PID, tid: lock.tid, args: { name: lock.name } });
    out.push({ ph: 'M', name: 'thread_sort_index', pid: LOCKS_PID, tid: lock.tid, args: { sort_index: lock.sortIndex } });
  }
  return out;
}

/** Same-ts order: slices before the points inside them, so a flow or instant finds its slice open. */
const PHASE_ORDER: Record<'X' | 'i' | 's' | 'f', number> = { X: 0, s: 1, f: 2, i: 3 };

/**
 * The replay as Chrome Trace Event JSON. Events are sorted by `ts`; slices
 * that start together come longest (outermost) first, so even a viewer
 * that nests by file order, not by duration, builds the same tree.
 */
export function traceEventsOf(input: TraceInput): ChromeTrace {
  const { scenario, variant, trace, states } = input;
  if (states.length !== trace.length + 1) throw new Error(`traceEventsOf: ${states.length} states for ${trace.length} steps; expected one more state than steps`);
  const first = states[0];
  const last = states[states.length - 1];
  if (first === undefined || last === undefined) throw new Error('traceEventsOf: no initial state');
  const pids = [...new Set([...first.tasks.map((t) => t.pid), ...trace.map((t) => t.pid)])];
  const end = at(states.length);
  const runs = waitRuns(states);
  // Lock threads' tids stay clear of every task's: Perfetto keys JSON threads by tid.
  const locks = lockTracks(states, Math.max(10_000, ...pids) + 1);
  const slices = [...frameAndStepSlices(trace, first, end), ...waitSlices(runs), ...locks.slices].sort(
    (a, b) => a.event.ts - b.event.ts || b.event.dur - a.event.dur || a.rank - b.rank,
  );
  const points = [...flowEvents(runs, trace), ...outcomeInstants(trace, states)];
  const timed = [...slices.map((s) => s.event), ...points].sort((a, b) => a.ts - b.ts || PHASE_ORDER[a.ph] - PHASE_ORDER[b.ph]);
  const outcome = trace.length === 0 ? null : outcomeOf(last);
  return {
    traceEvents: [...metadataEvents(input, pids, locks.threads), ...timed],
    displayTimeUnit: 'ms',
    metadata: {
      source: 'faultline',
      scenario: scenario.id,
      title: scenario.title,
      variant,
      steps: trace.length,
      outcome: outcome === null ? null : describeOutcome(outcome),
      clock: `logical time: step i occupies ts = i × ${STEP_US} µs with dur ${STEP_US} µs (1 ms per step); the interval after the last step shows the final state`,
    },
  };
}
