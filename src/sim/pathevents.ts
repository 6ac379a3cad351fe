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

/**
 * VM_FAULT_RETRY: the fault path (do_page_fault, also for get_user_pages'
 * faults) acted on a VM_FAULT_RETRY, from ->fault (5.x filemap_fault after
 * dropping mmap_lock for I/O or a page lock; 2015 lock_page_or_retry) or from
 * fault_dirty_shared_page after ->page_mkwrite. Only do_page_fault emits
 * 'fault.retry' (threads/fault.ts), once per retry.
 */
const VM_FAULT_RETRY_EVENT = 'fault.retry';

/** The events of one step, as a bit set over PATH_EVENTS. */
export function pathEventsOf(trace: TraceStep, before: SystemState, after: SystemState): number {
  let bits = 0;
  if (EFAULT_RETRY_EVENTS.has(trace.event)) bits |= 1 << 0;
  if (trace.event === VM_FAULT_RETRY_EVENT) bits |= 1 << 1;
  if (trace.event === 'glock.tryfailed') bits |= 1 << 2;
  if (after.signals.length > before.signals.length) bits |= 1 << 3;
  return bits;
}
