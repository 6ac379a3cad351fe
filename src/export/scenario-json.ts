/**
 * A scenario as a file: the documented format (docs/scenario-format.md) with
 * `format` first, so the file says what it is, and two-space indentation, so
 * it diffs well under review. Reading one back is parseScenarioJson's job
 * (scenarios/validate.ts); these two are the round trip.
 */
import type { Scenario } from '../scenarios/types.ts';
import { SCENARIO_FORMAT } from '../scenarios/validate.ts';

export function scenarioFileText(scenario: Scenario): string {
  return `${JSON.stringify({ format: SCENARIO_FORMAT, ...scenario }, null, 2)}\n`;
}

/** `gfs2-abba-dio.json`: ids are already safe file names (lowercase letters, digits, hyphens). */
export function scenarioFileName(scenario: Scenario): string {
  return `${scenario.id}.json`;
}
