/** Schedules written as runs: `runs([101, 10], [102, 14])` is ten steps of pid 101, then fourteen of 102. */
import type { Pid } from '../kernel/ids.ts';
import type { VariantId } from '../kernel/variants.ts';
import type { NamedSchedule, Scenario } from './types.ts';

export function runs(...parts: readonly (readonly [Pid, number])[]): Pid[] {
  return parts.flatMap(([pid, count]) => Array.from({ length: count }, () => pid));
}

/**
 * The scenario's interleaving to open under a variant: the first it
 * documents there, else its first (the page, the CLI and the exports open
 * the same one); undefined only for a scenario with no schedule.
 */
export function documentedSchedule(scenario: Scenario, variant: VariantId): NamedSchedule | undefined {
  return scenario.schedules.find((s) => s.expect[variant] !== undefined) ?? scenario.schedules[0];
}
