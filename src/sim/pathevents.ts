/**
 * Things that happen along a schedule and that a fix adds or removes, beyond
 * how the run ends: the compare view counts the paths that go through each.
 */
import type { TraceStep } from './step.ts';
import type { SystemState } from './system.ts';

export const PATH_EVENTS = ['-EFAULT retry', 'VM_FAULT_RETRY', 'GLR_TRYFAILED', 'SIGBUS'] as const;
export type PathEvent = (typeof PATH_EVENTS)[number];

/**
 * The syscall decided to fault the user buffer in and go round again after
 * a short copy: RFC 2021 (current_needs_retry and -EFAULT), 5.16 and 5.18
 * (should_fault_in_pages) in fs/gfs2/file.c.
 */
const EFAULT_RETRY_EVENTS: ReadonlySet<string> = new Set(['retry.faultin', 'read.faultin', 'write.faultin']);

/** The events of one step, as a bit set over PATH_EVENTS. */
export function pathEventsOf(trace: TraceStep, before: SystemState, after: SystemState): number {
  let bits = 0;
  if (EFAULT_RETRY_EVENTS.has(trace.event)) bits |= 1 << 0;
  if (trace.event === 'fault.retry') bits |= 1 << 1;
  if (trace.event === 'glock.tryfailed') bits |= 1 << 2;
  if (after.signals.length > before.signals.length) bits |= 1 << 3;
  return bits;
}
