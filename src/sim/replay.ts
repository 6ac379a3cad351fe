/**
 * Replaying a schedule (the list of pids chosen, one per step) from a
 * scenario's initial state, and optionally finishing it round-robin: the
 * two schedulers of schedulers.ts one after the other. A schedule that names
 * a task which cannot run is refused at that position, keeping the valid
 * prefix, and is then not finished.
 */
import type { Pid } from '../kernel/ids.ts';
import type { VariantId } from '../kernel/variants.ts';
import type { Outcome } from './outcome.ts';
import { MAX_STEPS, replaying, roundRobin, runFrom, startAt } from './schedulers.ts';
import type { Engine, StepError, TraceStep } from './step.ts';
import { initialSystem, type SystemSetup, type SystemState } from './system.ts';

export interface ReplayOptions {
  /** Keep going round-robin after the schedule until the run ends. */
  readonly finish?: boolean;
  readonly engine?: Engine;
}

export interface Replay {
  readonly states: readonly SystemState[];
  readonly trace: readonly TraceStep[];
  /** The pids actually stepped (the schedule's valid prefix, then round-robin). */
  readonly schedule: readonly Pid[];
  readonly outcome: Outcome | null;
  /** Where and why the given schedule was refused. */
  readonly refused: { readonly at: number; readonly error: StepError } | null;
  /** The round-robin continuation stopped at MAX_STEPS without an outcome or a cycle. */
  readonly limited: boolean;
}

export function replay(setup: SystemSetup, variant: VariantId, schedule: readonly Pid[], options: ReplayOptions = {}): Replay {
  const given = runFrom(startAt(initialSystem(setup, variant)), replaying(schedule), { engine: options.engine });
  const run = options.finish === true && given.refused === null ? runFrom(given, roundRobin(), { engine: options.engine }) : given;
  return { states: run.states, trace: run.trace, schedule: run.schedule, outcome: run.outcome, refused: given.refused, limited: run.outcome === null && run.schedule.length >= MAX_STEPS };
}
