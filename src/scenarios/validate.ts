/**
 * Validation of scenarios that come from outside the code: custom scenario
 * files (`replay --scenario-file`), the editor, share links. Presets are
 * typed by the compiler; anything parsed from text is `unknown` until it
 * passes here. The rules and limits are documented in
 * docs/scenario-format.md, and format.test.ts keeps the two together.
 *
 * Three parts: the JSON text (json-text.ts: size, syntax errors with line and
 * column, found by jsonc-parser), the shape (schema.ts: a valibot schema of
 * every field's type, range and presence, and of the fields each object may
 * have) and the rules across the scenario that a schema cannot state
 * (scenario.ts). Both passes always run, so every problem is reported at
 * once, in the order it appears in the input. Validation never throws: a custom scenario is untrusted
 * input, so every problem, however odd the value, comes back as a
 * `ValidationError` naming the field (`tasks[1].program[0].file`) and the
 * problem in plain words. The scenario returned on success is a fresh copy
 * holding only known fields, so nothing from the input (extra keys,
 * `__proto__`) reaches the engine.
 */
import type { Scenario } from './types.ts';
import { MAX_ERRORS, Report, clip, describe, type ValidationError } from './validate/fields.ts';
import { jsonSyntaxError, lineColumn, utf8Bytes } from './validate/json-text.ts';
import { checkRules } from './validate/scenario.ts';
import { checkShape, walkInput } from './validate/schema.ts';

export type { ValidationError } from './validate/fields.ts';
export { jsonSyntaxError } from './validate/json-text.ts';
export { FORMAT_FIELDS, LIMITS, SCENARIO_FORMAT } from './validate/schema.ts';

export type ValidationResult = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly errors: readonly ValidationError[] };

/** Custom scenarios are small; anything bigger is refused before parsing. */
export const MAX_SCENARIO_JSON_BYTES = 64 * 1024;

/** Check a scenario from outside the code; on success, a clean copy of it. Never throws. */
export function validateScenario(input: unknown): ValidationResult {
  try {
    const shape = checkShape(input);
    const rules = new Report();
    checkRules(rules, input);
    const found = [...shape.errors, ...rules.errors];
    if (found.length > 0) return { ok: false, errors: inInputOrder(input, found).slice(0, MAX_ERRORS) };
    if (shape.scenario === undefined) return { ok: false, errors: [{ path: '', message: 'the scenario is not valid' }] };
    return { ok: true, scenario: shape.scenario };
  } catch (error) {
    // Only reachable with values JSON cannot produce (getters that throw, proxies).
    return { ok: false, errors: [{ path: '', message: `the scenario could not be read: ${error instanceof Error ? clip(error.message, 200) : 'unknown error'}` }] };
  }
}

/**
 * Errors in the order their places come in the input (a stable sort: at one
 * place, shape before rules), so a reader goes through the text once. A
 * missing field has no place of its own: it comes after what its object holds.
 */
function inInputOrder(input: unknown, errors: readonly ValidationError[]): ValidationError[] {
  const places = new Map<string, { readonly start: number; readonly end: number }>();
  const starts: number[] = [];
  let n = 0;
  walkInput(
    input,
    (path) => {
      starts.push(n++);
      return !places.has(path);
    },
    (path) => {
      const start = starts.pop() ?? 0;
      if (!places.has(path)) places.set(path, { start, end: n });
    },
  );
  const rank = (path: string): number => {
    const place = places.get(path);
    if (place !== undefined) return place.start;
    const parent = /^(.*?)(?:\.[A-Za-z_$][A-Za-z0-9_$]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$/.exec(path)?.[1] ?? '';
    return (places.get(parent)?.end ?? (parent === '' ? n : rank(parent))) - 0.5;
  };
  return errors.map((error, i) => ({ error, i, rank: rank(error.path) })).sort((a, b) => a.rank - b.rank || a.i - b.i).map((e) => e.error);
}

/** Parse and validate a scenario file's text. Refuses oversized text before parsing it. */
export function parseScenarioJson(text: string): ValidationResult {
  if (typeof text !== 'string') return { ok: false, errors: [{ path: '', message: `expected the text of a JSON file, not ${describe(text)}` }] };
  // Counting UTF-8 bytes is only worth it when the text might fit: each character is at least one byte.
  if (text.length > MAX_SCENARIO_JSON_BYTES || utf8Bytes(text) > MAX_SCENARIO_JSON_BYTES) {
    return { ok: false, errors: [{ path: '', message: `the scenario text is larger than ${MAX_SCENARIO_JSON_BYTES} bytes (64 KiB), the most a custom scenario may be` }] };
  }
  // Editors on some systems start UTF-8 files with a byte-order mark, which JSON.parse refuses.
  const json = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    const found = jsonSyntaxError(json);
    if (found === null) {
      const message = error instanceof Error ? error.message.replace(/\s+/g, ' ') : 'unknown error';
      return { ok: false, errors: [{ path: '', message: `not valid JSON: ${clip(message, 200)}` }] };
    }
    const { line, column } = lineColumn(json, found.position);
    return { ok: false, errors: [{ path: '', message: `not valid JSON at position ${found.position} (line ${line}, column ${column}): ${found.problem}` }] };
  }
  return validateScenario(value);
}
