/**
 * Questions about what a run did, asked of its steps' typed facts: the
 * machine, the state a step left, the event it raised, the callee it pushed,
 * its marks. Never of a label, which is for people: a test that asks "did
 * do_dax_fault leave copy_user_bh on cow.nopage" breaks when the behaviour
 * does, not when a word of the label changes.
 */
import type { Pid } from '../kernel/ids.ts';
import { baseMachine } from '../threads/registry.ts';
import type { StepMark } from '../threads/types.ts';
import type { TraceStep } from './step.ts';

export interface StepQuery {
  readonly pid?: Pid;
  /** A machine id; a base id (`gfs2_file_read_iter`) matches each of its variants (`gfs2_file_read_iter (5.18)`). */
  readonly machine?: string;
  /** The state the step ran (left). */
  readonly from?: string;
  readonly event?: string;
  /** The state it moved to. */
  readonly to?: string;
  /** The callee it pushed. */
  readonly call?: string;
  readonly mark?: StepMark;
}

export function stepMatches(t: TraceStep, q: StepQuery): boolean {
  return (
    (q.pid === undefined || t.pid === q.pid) &&
    (q.machine === undefined || t.machine === q.machine || baseMachine(t.machine) === q.machine) &&
    (q.from === undefined || t.from === q.from) &&
    (q.event === undefined || t.event === q.event) &&
    (q.to === undefined || t.to === q.to) &&
    (q.call === undefined || (t.call !== null && (t.call === q.call || baseMachine(t.call) === q.call))) &&
    (q.mark === undefined || t.marks.includes(q.mark))
  );
}

/** The steps of a trace that match, in order. */
export function stepsWhere(trace: readonly TraceStep[], q: StepQuery): TraceStep[] {
  return trace.filter((t) => stepMatches(t, q));
}

/** The index of the first step that matches, or -1. */
export function indexWhere(trace: readonly TraceStep[], q: StepQuery, from = 0): number {
  for (let i = from; i < trace.length; i++) {
    const t = trace[i];
    if (t !== undefined && stepMatches(t, q)) return i;
  }
  return -1;
}

/** A step as `machine.state → event`, for failure messages and compact assertions over a path. */
export function stepName(t: TraceStep): string {
  return `${baseMachine(t.machine)}.${t.from} → ${t.event}`;
}
