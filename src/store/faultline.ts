/**
 * The page's state: which scenario and variant, the schedule the user has
 * built (one pid per step) and the cursor into it. Everything else — system
 * states, trace, outcome — is derived from the engine when the schedule
 * changes, never decided here.
 *
 * A vanilla Zustand store made by a factory, so tests build a fresh one
 * without React and the page provides one through context.
 */
import { createStore } from 'zustand/vanilla';
import type { Pid } from '../kernel/ids.ts';
import type { VariantId } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import { DEFAULT_SCENARIO_ID, PRESETS, findPreset } from '../scenarios/index.ts';
import { documentedSchedule } from '../scenarios/schedule.ts';
import type { Scenario, NamedSchedule } from '../scenarios/types.ts';
import type { View } from '../share/link.ts';
import { randomScheduler, replaying, roundRobin, runFrom, type Run as SimRun } from '../sim/schedulers.ts';
import type { TraceStep } from '../sim/step.ts';
import { initialSystem, type SystemState } from '../sim/system.ts';

/**
 * Where the loaded schedule came from, so the page can name it truthfully:
 * one of the scenario's named interleavings replayed under the current
 * variant (then round-robin to the end), the exact schedule of a link, the
 * explorer's shortest schedule to an outcome, or one the user made (stepped
 * by hand, run on from the middle, cleared, or carried over from another
 * kernel variant).
 */
export type LoadedSchedule =
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'link' }
  | { readonly kind: 'explored'; readonly outcome: string }
  | { readonly kind: 'custom' };

/** The visible steps of the timeline, in logical time: [from, to] with 0 <= from < to <= schedule length. */
export type TimelineWindow = readonly [number, number];

export interface FaultlineData {
  readonly scenario: Scenario;
  readonly variant: VariantId;
  /** The pids stepped, in order; the timeline shows all of them. */
  readonly schedule: readonly Pid[];
  readonly loaded: LoadedSchedule;
  /** How many steps of the schedule are applied: 0 is the initial state. */
  readonly cursor: number;
  /** states[i] is the system after i steps; states.length === schedule.length + 1. */
  readonly states: readonly SystemState[];
  readonly trace: readonly TraceStep[];
  /** The last thing the user asked for that could not be done, in words. */
  readonly notice: string | null;
  /** The task whose statechart is shown; null: the scenario's first. A link keeps it. */
  readonly statechartPid: Pid | null;
  /** What the user zoomed the timeline to; null: the page picks (readable steps around the cursor). A link keeps it. */
  readonly timelineWindow: TimelineWindow | null;
}

export type RunStrategy = { readonly kind: 'round-robin' } | { readonly kind: 'random'; readonly seed: number };

export interface FaultlineActions {
  selectScenario(id: string): void;
  /**
   * Open a scenario that is not a preset (the editor's, an imported file's),
   * already validated: under `variant` if it lists it, else its first.
   */
  openCustom(scenario: Scenario, variant?: VariantId): void;
  /**
   * Switch kernel variant. A named interleaving is swapped for the one the
   * scenario documents under the new variant (the same one if it documents
   * it there); a schedule of the user's own is replayed, keeping its longest
   * valid prefix, then round-robin. The cursor stays where it was.
   */
  selectVariant(variant: VariantId): void;
  /**
   * The user is the scheduler: step `pid` from the cursor, dropping any
   * steps after it. A step the kernel would not take (a blocked or finished
   * task) is refused with the reason and changes nothing else.
   */
  stepTask(pid: Pid): void;
  back(): void;
  forward(): void;
  jumpTo(cursor: number): void;
  /** Back to step 0, keeping the schedule. */
  reset(): void;
  /** Drop the whole schedule: the user schedules every step from the start. */
  clearSchedule(): void;
  /** Load the scenario's named schedule for the current variant, finished round-robin, at step 0. */
  loadSchedule(name: string): void;
  /** Step from the cursor until the run ends. */
  runToEnd(strategy: RunStrategy): void;
  dismissNotice(): void;
  /**
   * Open a view: that scenario, variant and exact schedule (its longest
   * valid prefix), at that step; a null schedule opens the scenario's
   * documented interleaving. `from` says who asked: a link (the default) or
   * the explorer, naming the outcome its schedule reaches.
   */
  openView(view: View, from?: { readonly kind: 'link' } | { readonly kind: 'explored'; readonly outcome: string }): void;
  /** Show the statechart of this task. */
  showStatechart(pid: Pid): void;
  /** Remember the timeline's zoom (null: let the page pick). */
  setTimelineWindow(window: TimelineWindow | null): void;
}


export type FaultlineStore = FaultlineData & FaultlineActions;

interface Replayed extends SimRun {
  /** Why the schedule stopped short, if it did. */
  readonly refused: string | null;
}

/** Apply `schedule` from `from` (the states and trace so far), stopping at the first step that cannot be taken. */
function extend(from: Replayed, schedule: readonly Pid[]): Replayed {
  const run = runFrom(from, replaying(schedule));
  return { schedule: run.schedule, states: run.states, trace: run.trace, refused: run.refused === null ? null : `step ${run.refused.at + 1}: ${run.refused.error.message}` };
}

/** Keep stepping after `from` until the run ends, choosing tasks round-robin or by a seeded generator. */
function runOn(from: Replayed, strategy: RunStrategy): Replayed {
  const run = runFrom(from, strategy.kind === 'random' ? randomScheduler(strategy.seed) : roundRobin());
  return { schedule: run.schedule, states: run.states, trace: run.trace, refused: from.refused };
}

function replayFromStart(scenario: Scenario, variant: VariantId, schedule: readonly Pid[]): Replayed {
  return extend({ schedule: [], states: [initialSystem(buildSetup(scenario), variant)], trace: [], refused: null }, schedule);
}

function defaultVariant(scenario: Scenario): VariantId {
  return scenario.variants[0] ?? 'gfs2-5.15';
}

/** What a schedule, its states and its trace are, apart from the view (cursor, notice, statechart, zoom). */
type Run = Pick<FaultlineData, 'scenario' | 'variant' | 'schedule' | 'states' | 'trace' | 'loaded'>;

/** Named runs by scenario (presets are shared objects) and variant: a link is compared with them on every open. */
const namedRuns = new WeakMap<Scenario, Map<string, Replayed>>();

/** A named interleaving under a variant, then round-robin to the end. */
function namedRun(scenario: Scenario, variant: VariantId, named: NamedSchedule | undefined): Replayed {
  const key = `${variant}\u0000${named?.name ?? ''}`;
  let byKey = namedRuns.get(scenario);
  if (byKey === undefined) {
    byKey = new Map();
    namedRuns.set(scenario, byKey);
  }
  let run = byKey.get(key);
  if (run === undefined) {
    run = runOn(replayFromStart(scenario, variant, named?.steps ?? []), { kind: 'round-robin' });
    byKey.set(key, run);
  }
  return run;
}

/** The interleaving `name` (else the one documented for the variant, else the first), then round-robin to the end. */
function openNamed(scenario: Scenario, variant: VariantId, name?: string): Run & { refused: string | null } {
  const named = (name !== undefined ? scenario.schedules.find((s) => s.name === name) : undefined) ?? documentedSchedule(scenario, variant);
  const run = namedRun(scenario, variant, named);
  return { scenario, variant, schedule: run.schedule, states: run.states, trace: run.trace, loaded: named === undefined ? { kind: 'custom' } : { kind: 'named', name: named.name }, refused: run.refused };
}

function sameSchedule(a: readonly Pid[], b: readonly Pid[]): boolean {
  return a.length === b.length && a.every((pid, i) => b[i] === pid);
}

/** The named interleaving this exact schedule is (as opened under `variant`), if any: a link to a documented run says so again when opened. */
function namedMatching(scenario: Scenario, variant: VariantId, schedule: readonly Pid[]): LoadedSchedule | null {
  for (const named of scenario.schedules) {
    if (named.expect[variant] === undefined) continue;
    if (sameSchedule(namedRun(scenario, variant, named).schedule, schedule)) return { kind: 'named', name: named.name };
  }
  return null;
}

/** An exact schedule (its longest valid prefix), named after where it came from unless it is a named interleaving. */
function openExact(scenario: Scenario, variant: VariantId, schedule: readonly Pid[], from: LoadedSchedule): Run & { refused: string | null } {
  const replayed = replayFromStart(scenario, variant, schedule);
  const loaded = namedMatching(scenario, variant, replayed.schedule) ?? from;
  return { scenario, variant, schedule: replayed.schedule, states: replayed.states, trace: replayed.trace, loaded, refused: replayed.refused };
}

function clampCursor(cursor: number, schedule: readonly Pid[]): number {
  return Math.max(0, Math.min(schedule.length, Math.trunc(cursor)));
}

/** A window inside [0, steps], or null when there is nothing sensible left of it. */
function clampWindow(window: TimelineWindow | null | undefined, steps: number): TimelineWindow | null {
  if (window === null || window === undefined) return null;
  const from = Math.max(0, Math.min(window[0], steps));
  const to = Math.max(0, Math.min(window[1], steps));
  return to - from > 0 ? [from, to] : null;
}

function statechartOf(scenario: Scenario, pid: Pid | null | undefined): Pid | null {
  return pid !== null && pid !== undefined && scenario.tasks.some((t) => t.pid === pid) ? pid : null;
}

export interface StoreOptions {
  readonly scenario?: Scenario;
  readonly variant?: VariantId;
  /** An exact schedule (a shared link, a test); without it (or null), the scenario's documented interleaving. */
  readonly schedule?: readonly Pid[] | null;
  /** Without it, the end of an exact schedule, or step 0 of the documented interleaving. */
  readonly cursor?: number;
  readonly statechartPid?: Pid | null;
  readonly timelineWindow?: TimelineWindow | null;
}

export function createFaultlineStore(options: StoreOptions = {}) {
  const scenario = options.scenario ?? findPreset(DEFAULT_SCENARIO_ID) ?? PRESETS[0];
  if (scenario === undefined) throw new Error('the preset catalog is empty');
  const variant = options.variant !== undefined && scenario.variants.includes(options.variant) ? options.variant : defaultVariant(scenario);

  return createStore<FaultlineStore>()((set, get) => {
    /** The applied prefix of the schedule: what a new step or run continues from. */
    const keptPrefix = (): Replayed => {
      const { schedule, states, trace, cursor } = get();
      return { schedule: schedule.slice(0, cursor), states: states.slice(0, cursor + 1), trace: trace.slice(0, cursor), refused: null };
    };
    /** A new schedule of the user's own, unless it is the one already loaded. */
    // Running on from the end of the explorer's schedule (a livelock's goes once round the loop) still shows what the explorer found.
    const loadedAfter = (schedule: readonly Pid[]): LoadedSchedule => {
      const { schedule: before, loaded } = get();
      const extendsExplored = loaded.kind === 'explored' && schedule.length >= before.length && sameSchedule(schedule.slice(0, before.length), before);
      return sameSchedule(schedule, before) || extendsExplored ? loaded : { kind: 'custom' };
    };
    /** Another scenario: the view's task and zoom belonged to the old one. */
    const fresh = { statechartPid: null, timelineWindow: null } as const;

    const opened = options.schedule !== undefined && options.schedule !== null ? openExact(scenario, variant, options.schedule, { kind: 'link' }) : openNamed(scenario, variant);
    const { refused, ...run } = opened;
    return {
      ...run,
      cursor: clampCursor(options.cursor ?? (options.schedule !== undefined && options.schedule !== null ? run.schedule.length : 0), run.schedule),
      notice: refused,
      statechartPid: statechartOf(scenario, options.statechartPid),
      timelineWindow: clampWindow(options.timelineWindow, run.schedule.length),

      selectScenario: (id) => {
        const next = findPreset(id);
        if (next === undefined) {
          set({ notice: `unknown scenario '${id}'` });
          return;
        }
        const { refused: why, ...data } = openNamed(next, defaultVariant(next));
        set({ ...data, ...fresh, cursor: 0, notice: why });
      },

      openCustom: (next, v) => {
        const { refused: why, ...data } = openNamed(next, v !== undefined && next.variants.includes(v) ? v : defaultVariant(next));
        set({ ...data, ...fresh, cursor: 0, notice: why });
      },

      selectVariant: (v) => {
        const { scenario: s, schedule, cursor, loaded, timelineWindow } = get();
        if (!s.variants.includes(v)) {
          set({ notice: `${s.id} does not run under ${v}` });
          return;
        }
        if (loaded.kind === 'named') {
          // The interleaving the sources document under the new variant: this one if they document it there.
          const same = s.schedules.find((x) => x.name === loaded.name && x.expect[v] !== undefined);
          const { refused: why, ...data } = openNamed(s, v, same?.name);
          set({ ...data, cursor: Math.min(cursor, data.schedule.length), notice: why, timelineWindow: clampWindow(timelineWindow, data.schedule.length) });
          return;
        }
        // The user's own schedule where it still applies, then round-robin to the end under the new variant.
        const replayed = runOn(replayFromStart(s, v, schedule), { kind: 'round-robin' });
        set({
          variant: v,
          schedule: replayed.schedule,
          states: replayed.states,
          trace: replayed.trace,
          loaded: namedMatching(s, v, replayed.schedule) ?? { kind: 'custom' },
          cursor: Math.min(cursor, replayed.schedule.length),
          notice: replayed.refused === null ? null : `under ${v} the schedule stops early: ${replayed.refused}`,
          timelineWindow: clampWindow(timelineWindow, replayed.schedule.length),
        });
      },

      stepTask: (pid) => {
        const { schedule, cursor } = get();
        // Stepping the task that is next in the schedule keeps the rest of it.
        if (schedule[cursor] === pid) {
          set({ cursor: cursor + 1, notice: null });
          return;
        }
        const next = extend(keptPrefix(), [pid]);
        // A refused step takes nothing away: the schedule, the cursor and so the link stay as they were.
        if (next.refused !== null) {
          set({ notice: next.refused });
          return;
        }
        set({ schedule: next.schedule, states: next.states, trace: next.trace, cursor: next.schedule.length, notice: null, loaded: { kind: 'custom' } });
      },
      back: () => set((s) => ({ cursor: Math.max(0, s.cursor - 1) })),
      forward: () => set((s) => ({ cursor: Math.min(s.schedule.length, s.cursor + 1) })),
      jumpTo: (cursor) => set((s) => ({ cursor: clampCursor(cursor, s.schedule) })),
      reset: () => set({ cursor: 0, notice: null }),
      clearSchedule: () => {
        const { scenario: s, variant: v } = get();
        set({ schedule: [], states: [initialSystem(buildSetup(s), v)], trace: [], cursor: 0, notice: null, loaded: { kind: 'custom' }, timelineWindow: null });
      },
      dismissNotice: () => set({ notice: null }),

      openView: (view, from = { kind: 'link' }) => {
        const variant = view.scenario.variants.includes(view.variant) ? view.variant : defaultVariant(view.scenario);
        const { refused: why, ...data } = view.schedule === null ? openNamed(view.scenario, variant) : openExact(view.scenario, variant, view.schedule, from);
        set({
          ...data,
          cursor: clampCursor(view.cursor, data.schedule),
          notice: why,
          statechartPid: statechartOf(view.scenario, view.statechartPid),
          timelineWindow: clampWindow(view.timelineWindow, data.schedule.length),
        });
      },

      loadSchedule: (name) => {
        const { scenario: s, variant: v } = get();
        const named = s.schedules.find((x) => x.name === name);
        if (named === undefined) {
          set({ notice: `no schedule '${name}' in ${s.id}` });
          return;
        }
        const { refused: why, ...data } = openNamed(s, v, named.name);
        set({ ...data, cursor: 0, notice: why, timelineWindow: null });
      },

      runToEnd: (strategy) => {
        const run = runOn(keptPrefix(), strategy);
        set({ schedule: run.schedule, states: run.states, trace: run.trace, cursor: run.schedule.length, notice: null, loaded: loadedAfter(run.schedule) });
      },

      showStatechart: (pid) => set((s) => ({ statechartPid: statechartOf(s.scenario, pid) })),
      setTimelineWindow: (window) => set((s) => ({ timelineWindow: clampWindow(window, s.schedule.length) })),
    };
  });
}

export type FaultlineStoreApi = ReturnType<typeof createFaultlineStore>;

