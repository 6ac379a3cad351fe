/**
 * The one classifier of what a run's steps mean to the tools that draw and
 * count it: the timeline (export/timeline), the trace export (export/trace-event)
 * and the compare view's path counts (explore.ts). It reads the marks steps
 * return (threads/types.ts StepMark), the machines' roles (threads/define.ts
 * MachineRole) and the signals a step raised; never a label, which is for
 * people.
 */
import { allCompiled, baseMachine, compiledMachine } from '../threads/registry.ts';
import type { MachineRole } from '../threads/define.ts';
import type { TraceStep } from './step.ts';
import type { SystemState } from './system.ts';

/** Things that happen along a schedule and that a fix adds or removes, beyond how the run ends: the compare view counts the paths through each. */
export const PATH_EVENTS = ['-EFAULT retry', 'VM_FAULT_RETRY', 'GLR_TRYFAILED', 'SIGBUS'] as const;
export type PathEvent = (typeof PATH_EVENTS)[number];

/** The events of one step, as a bit set over PATH_EVENTS. */
export function pathEventsOf(trace: TraceStep, before: SystemState, after: SystemState): number {
  let bits = 0;
  for (const mark of trace.marks) {
    if (mark === 'efault-retry') bits |= 1 << 0;
    else if (mark === 'vm-fault-retry') bits |= 1 << 1;
    else if (mark === 'glock-tryfailed') bits |= 1 << 2;
  }
  if (after.signals.length > before.signals.length) bits |= 1 << 3;
  return bits;
}

/** The points of a retry path, in the order the fix takes them. */
export const PATH_KINDS = ['copy-short', 'glock-dropped', 'fault-in', 'glock-reacquired', 'copy-done'] as const;
export type PathKind = (typeof PATH_KINDS)[number];

export function roleOf(machine: string | null): MachineRole | undefined {
  return machine === null ? undefined : compiledMachine(machine)?.role;
}

/**
 * What a step is on a fix's retry path (copy short, glock dropped, fault-in,
 * glock re-acquired, copy succeeds), if anything; `open` is whether a path
 * has started in this syscall. Only the read/write path's own steps count,
 * and the fault-in it calls: a fault handler's glock is not the syscall's.
 */
export function pathKindOf(t: TraceStep, open: boolean): PathKind | null {
  if (open && (roleOf(t.machine) === 'fault-in' || roleOf(t.call) === 'fault-in')) return 'fault-in';
  if (roleOf(t.machine) !== 'rw') return null;
  if (t.marks.includes('copy-short')) return 'copy-short';
  if (!open) return null;
  if (t.marks.includes('glock-dq')) return 'glock-dropped';
  if (t.marks.includes('glock-granted')) return 'glock-reacquired';
  if (t.marks.includes('copy-done')) return 'copy-done';
  return null;
}

/** Fault handlers, whose frames the timeline draws nested in what took them (the `kind` of a fault span indexes this). */
export const FAULT_FRAMES: readonly string[] = [...new Set(allCompiled().filter((m) => m.role === 'fault').map((m) => baseMachine(m.id)))];

/** Index of a machine in FAULT_FRAMES, or -1 if it is not a fault handler. */
export function faultFrameOf(machine: string | null): number {
  return roleOf(machine) === 'fault' && machine !== null ? FAULT_FRAMES.indexOf(baseMachine(machine)) : -1;
}
