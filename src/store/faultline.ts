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
import type { Scenario } from '../scenarios/types.ts';
import { outcomeOf, runnablePids } from '../sim/outcome.ts';
import { MAX_STEPS, createCycleWatch, livelocked, roundRobinNext } from '../sim/replay.ts';
import { seededRandom } from '../sim/seeded.ts';
import { step, type TraceStep } from '../sim/step.ts';
import { initialSystem, type SystemState } from '../sim/system.ts';

export interface FaultlineData {
  readonly scenario: Scenario;
  readonly variant: VariantId;
  /** The pids stepped, in order; the timeline shows all of them. */
  readonly schedule: readonly Pid[];
  /** How many steps of the schedule are applied: 0 is the initial state. */
  readonly cursor: number;
  /** states[i] is the system after i steps; states.length === schedule.length + 1. */
  readonly states: readonly SystemState[];
  readonly trace: readonly TraceStep[];
  /** The last thing the user asked for that could not be done, in words. */
  readonly notice: string | null;
}

export type RunStrategy = { readonly kind: 'round-robin' } | { readonly kind: 'random'; readonly seed: number };

export interface FaultlineActions {
  selectScenario(id: string): void;
  /**
   * Open a scenario that is not a preset (the editor's, an imported file's),
   * already validated: under `variant` if it lists it, else its first.
   */
  openCustom(scenario: Scenario, variant?: VariantId): void;
  /** Replay the same schedule under another variant, keeping its longest valid prefix. */
  selectVariant(variant: VariantId): void;
  /** The user is the scheduler: step `pid` from the cursor, dropping any steps after it. */
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
  /** Open a view from a link: that scenario, variant and exact schedule (its longest valid prefix), at that step. */
  openView(view: { scenario: Scenario; variant: VariantId; schedule: readonly Pid[]; cursor: number }): void;
}

export type FaultlineStore = FaultlineData & FaultlineActions;

interface Replayed {
  readonly schedule: readonly Pid[];
  readonly states: readonly SystemState[];
  readonly trace: readonly TraceStep[];
  /** Why the schedule stopped short, if it did. */
  readonly refused: string | null;
}

/** Apply `schedule` from `from` (the states and trace so far), stopping at the first step that cannot be taken. */
function extend(from: Replayed, schedule: readonly Pid[]): Replayed {
  const states = from.states.slice();
  const trace = from.trace.slice();
  const taken = from.schedule.slice();
  for (const [i, pid] of schedule.entries()) {
    const current = states[states.length - 1];
    if (current === undefined) break;
    const out = step(current, pid);
    if (!out.ok) return { schedule: taken, states, trace, refused: `step ${from.schedule.length + i + 1}: ${out.error.message}` };
    states.push(out.state);
    trace.push(out.trace);
    taken.push(pid);
  }
  return { schedule: taken, states, trace, refused: null };
}

/** Keep stepping after `from` until the run ends, choosing tasks round-robin or by a seeded generator. */
function runOn(from: Replayed, strategy: RunStrategy): Replayed {
  const schedule = from.schedule.slice();
  const states = from.states.slice();
  const trace = from.trace.slice();
  const random = strategy.kind === 'random' ? seededRandom(strategy.seed) : null;
  let state = states[states.length - 1];
  let last = schedule[schedule.length - 1];
  // Round-robin is deterministic: a repeated (state, last task) is a cycle it would never leave (sim/replay.ts).
  const watch = random === null ? createCycleWatch() : null;
  if (state !== undefined) watch?.(state, last, schedule.length);
  while (state !== undefined && schedule.length < MAX_STEPS && outcomeOf(state) === null) {
    const runnable = runnablePids(state);
    const pid = random !== null ? runnable[Math.floor(random() * runnable.length)] : roundRobinNext(state, last);
    if (pid === undefined) break;
    const out = step(state, pid);
    if (!out.ok) break;
    state = out.state;
    last = pid;
    schedule.push(pid);
    const from = watch?.(state, pid, schedule.length) ?? null;
    if (from !== null) state = livelocked(state, pid, from, schedule.length);
    states.push(state);
    trace.push(out.trace);
  }
  return { schedule, states, trace, refused: from.refused };
}

function replayFromStart(scenario: Scenario, variant: VariantId, schedule: readonly Pid[]): Replayed {
  return extend({ schedule: [], states: [initialSystem(buildSetup(scenario), variant)], trace: [], refused: null }, schedule);
}

function defaultVariant(scenario: Scenario): VariantId {
  return scenario.variants[0] ?? 'gfs2-5.15';
}

function initialData(scenario: Scenario, variant: VariantId, schedule: readonly Pid[], cursorAtStart = false): FaultlineData {
  const replayed = replayFromStart(scenario, variant, schedule);
  return {
    scenario,
    variant,
    schedule: replayed.schedule,
    cursor: cursorAtStart ? 0 : replayed.schedule.length,
    states: replayed.states,
    trace: replayed.trace,
    notice: replayed.refused,
  };
}

/** The scenario's documented interleaving for a variant, then round-robin to the end, ready to be stepped through from step 0. */
function openScenario(scenario: Scenario, variant: VariantId, name?: string): FaultlineData {
  const named = (name !== undefined ? scenario.schedules.find((s) => s.name === name) : undefined) ?? scenario.schedules.find((s) => s.expect[variant] !== undefined) ?? scenario.schedules[0];
  const run = runOn(replayFromStart(scenario, variant, named?.steps ?? []), { kind: 'round-robin' });
  return { scenario, variant, schedule: run.schedule, cursor: 0, states: run.states, trace: run.trace, notice: run.refused };
}

export interface StoreOptions {
  readonly scenario?: Scenario;
  readonly variant?: VariantId;
  /** An exact schedule (a shared link, a test); without it, the scenario's documented interleaving. */
  readonly schedule?: readonly Pid[];
  readonly cursor?: number;
}

export function createFaultlineStore(options: StoreOptions = {}) {
  const scenario = options.scenario ?? findPreset(DEFAULT_SCENARIO_ID) ?? PRESETS[0];
  if (scenario === undefined) throw new Error('the preset catalog is empty');
  const variant = options.variant !== undefined && scenario.variants.includes(options.variant) ? options.variant : defaultVariant(scenario);

  return createStore<FaultlineStore>()((set, get) => {
    /** Keep the applied prefix, then take `pids` from the cursor. */
    const stepFromCursor = (pids: readonly Pid[]) => {
      const { schedule, states, trace, cursor } = get();
      const kept: Replayed = { schedule: schedule.slice(0, cursor), states: states.slice(0, cursor + 1), trace: trace.slice(0, cursor), refused: null };
      const next = extend(kept, pids);
      set({ schedule: next.schedule, states: next.states, trace: next.trace, cursor: next.schedule.length, notice: next.refused });
    };

    const opened = options.schedule !== undefined ? initialData(scenario, variant, options.schedule) : openScenario(scenario, variant);
    return {
      ...opened,
      cursor: options.cursor !== undefined ? Math.max(0, Math.min(opened.schedule.length, options.cursor)) : opened.cursor,

      selectScenario: (id) => {
        const next = findPreset(id);
        if (next === undefined) {
          set({ notice: `unknown scenario '${id}'` });
          return;
        }
        set(openScenario(next, defaultVariant(next)));
      },

      openCustom: (next, v) => set(openScenario(next, v !== undefined && next.variants.includes(v) ? v : defaultVariant(next))),

      selectVariant: (v) => {
        const { scenario: s, schedule, cursor } = get();
        if (!s.variants.includes(v)) {
          set({ notice: `${s.id} does not run under ${v}` });
          return;
        }
        // The same schedule where it still applies, then round-robin to the end under the new variant.
        const replayed = runOn(replayFromStart(s, v, schedule), { kind: 'round-robin' });
        set({
          variant: v,
          schedule: replayed.schedule,
          states: replayed.states,
          trace: replayed.trace,
          cursor: Math.min(cursor, replayed.schedule.length),
          notice: replayed.refused === null ? null : `under ${v} the schedule stops early: ${replayed.refused}`,
        });
      },

      // Stepping the task that is next in the schedule keeps the rest of it.
      stepTask: (pid) => {
        const { schedule, cursor } = get();
        if (schedule[cursor] === pid) set({ cursor: cursor + 1, notice: null });
        else stepFromCursor([pid]);
      },
      back: () => set((s) => ({ cursor: Math.max(0, s.cursor - 1) })),
      forward: () => set((s) => ({ cursor: Math.min(s.schedule.length, s.cursor + 1) })),
      jumpTo: (cursor) => set((s) => ({ cursor: Math.max(0, Math.min(s.schedule.length, Math.trunc(cursor))) })),
      reset: () => set((s) => ({ cursor: 0, notice: null, schedule: s.schedule })),
      clearSchedule: () => set((s) => initialData(s.scenario, s.variant, [])),
      dismissNotice: () => set({ notice: null }),

      openView: (view) => {
        const variant = view.scenario.variants.includes(view.variant) ? view.variant : defaultVariant(view.scenario);
        const data = initialData(view.scenario, variant, view.schedule);
        set({ ...data, cursor: Math.max(0, Math.min(data.schedule.length, view.cursor)) });
      },

      loadSchedule: (name) => {
        const { scenario: s, variant: v } = get();
        const named = s.schedules.find((x) => x.name === name);
        if (named === undefined) {
          set({ notice: `no schedule '${name}' in ${s.id}` });
          return;
        }
        set(openScenario(s, v, named.name));
      },

      runToEnd: (strategy) => {
        const { schedule, states, trace, cursor } = get();
        const kept: Replayed = { schedule: schedule.slice(0, cursor), states: states.slice(0, cursor + 1), trace: trace.slice(0, cursor), refused: null };
        const run = runOn(kept, strategy);
        set({ schedule: run.schedule, states: run.states, trace: run.trace, cursor: run.schedule.length, notice: null });
      },
    };
  });
}

export type FaultlineStoreApi = ReturnType<typeof createFaultlineStore>;

