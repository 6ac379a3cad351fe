/**
 * Share links: a view (scenario, variant, schedule, cursor) in the URL
 * fragment, so any static host serves it and nothing reaches a server.
 *
 *   #v=1&s=<preset id>&k=<variant>&p=<steps>.<bits>&c=<cursor>[&t=<pid>][&w=<from>-<to>]
 *   #v=1&x=<deflated custom scenario>&k=…&p=…&c=…
 *
 * Without p the link opens the scenario's documented interleaving; without
 * c, at step 0. t is the task whose statechart is shown and w the steps the
 * timeline is zoomed to, both optional.
 *
 * The schedule is packed a few bits per step: each step is the index of its
 * task in the scenario's task list, in ceil(log2(tasks)) bits, then
 * base64url. A custom scenario is its JSON, deflated (fflate), base64url, and
 * validated like any other input.
 *
 * Decoding never throws. A link that cannot name a scenario is refused with
 * a message; anything after that which is wrong (variant, schedule, cursor)
 * is repaired and reported, keeping the longest valid part.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';
import type { Pid } from '../kernel/ids.ts';
import type { VariantId } from '../kernel/variants.ts';
import { findPreset } from '../scenarios/index.ts';
import type { Scenario } from '../scenarios/types.ts';
import { MAX_SCENARIO_JSON_BYTES, parseScenarioJson } from '../scenarios/validate.ts';

export const LINK_VERSION = 1;
/** Longer fragments are refused before any parsing. */
export const MAX_LINK_LENGTH = 8192;

export interface View {
  readonly scenario: Scenario;
  readonly variant: VariantId;
  /** null: the link names no schedule, so the scenario's documented interleaving is meant. */
  readonly schedule: readonly Pid[] | null;
  readonly cursor: number;
  /** The task whose statechart the view shows. */
  readonly statechartPid?: Pid | null;
  /** The steps the timeline is zoomed to, [from, to] in logical time. */
  readonly timelineWindow?: readonly [number, number] | null;
}

export type Decoded =
  | { readonly ok: true; readonly view: View; readonly problems: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

// ---------------------------------------------------------------------------
// base64url, without relying on btoa/Buffer so the same code runs everywhere.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

export function fromBase64Url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const bytes = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const ch of text) {
    const v = INDEX.get(ch);
    if (v === undefined) return null;
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (value >> bits) & 0xff;
    }
  }
  return bytes;
}

// ---------------------------------------------------------------------------
// The schedule, a few bits per step.

function bitsPerStep(tasks: number): number {
  return Math.max(1, Math.ceil(Math.log2(Math.max(2, tasks))));
}

export function packSchedule(scenario: Scenario, schedule: readonly Pid[]): string {
  const width = bitsPerStep(scenario.tasks.length);
  const bytes = new Uint8Array(Math.ceil((schedule.length * width) / 8));
  schedule.forEach((pid, step) => {
    const index = Math.max(0, scenario.tasks.findIndex((t) => t.pid === pid));
    for (let b = 0; b < width; b++) {
      if ((index >> (width - 1 - b)) & 1) {
        const bit = step * width + b;
        bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
      }
    }
  });
  return `${schedule.length}.${toBase64Url(bytes)}`;
}

/** The pids of a packed schedule, as far as it can be read, and what was wrong. */
export function unpackSchedule(scenario: Scenario, packed: string): { schedule: Pid[]; problem: string | null } {
  const match = /^(\d{1,6})\.([A-Za-z0-9_-]*)$/.exec(packed);
  if (match === null) return { schedule: [], problem: 'the schedule in the link is unreadable' };
  const steps = Number(match[1]);
  const bytes = fromBase64Url(match[2] ?? '');
  if (bytes === null) return { schedule: [], problem: 'the schedule in the link is unreadable' };
  const width = bitsPerStep(scenario.tasks.length);
  const readable = Math.min(steps, Math.floor((bytes.length * 8) / width));
  const schedule: Pid[] = [];
  for (let step = 0; step < readable; step++) {
    let index = 0;
    for (let b = 0; b < width; b++) {
      const bit = step * width + b;
      index = (index << 1) | (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1);
    }
    const task = scenario.tasks[index];
    if (task === undefined) return { schedule, problem: `step ${step + 1} of the link's schedule names task ${index + 1}, but ${scenario.id} has ${scenario.tasks.length} tasks: kept the ${step} steps before it` };
    schedule.push(task.pid);
  }
  const problem = readable < steps ? `the link's schedule is truncated: kept ${readable} of ${steps} steps` : null;
  return { schedule, problem };
}

// ---------------------------------------------------------------------------

export interface EncodeInput extends View {
  /** True when `scenario` is the preset of that id, unchanged: the link names it instead of carrying it. */
  readonly preset: boolean;
}

/** Every value we write is URL-safe (ids, digits, base64url), so the fragment needs no escaping. */
export function encodeLink(input: EncodeInput): string {
  const scenario = input.preset ? `s=${input.scenario.id}` : `x=${toBase64Url(deflateSync(strToU8(JSON.stringify({ format: 1, ...input.scenario })), { level: 9 }))}`;
  const schedule = input.schedule === null ? '' : `&p=${packSchedule(input.scenario, input.schedule)}`;
  const statechart = input.statechartPid === null || input.statechartPid === undefined ? '' : `&t=${input.statechartPid}`;
  const zoom = input.timelineWindow === null || input.timelineWindow === undefined ? '' : `&w=${stepText(input.timelineWindow[0])}-${stepText(input.timelineWindow[1])}`;
  return `v=${LINK_VERSION}&${scenario}&k=${input.variant}${schedule}&c=${input.cursor}${statechart}${zoom}`;
}

/** A position in logical time, to a tenth of a step: enough to restore a zoom. */
function stepText(t: number): string {
  return String(Math.round(t * 10) / 10);
}

function statechartFrom(scenario: Scenario, text: string | null, problems: string[]): Pid | null {
  if (text === null) return null;
  const pid = Number(text);
  if (scenario.tasks.some((t) => t.pid === pid)) return pid;
  problems.push(`the link's statechart task '${text.slice(0, 12)}' is not a task of ${scenario.id}: showing the first task's`);
  return null;
}

function windowFrom(text: string | null, steps: number, problems: string[]): readonly [number, number] | null {
  if (text === null) return null;
  const match = /^(\d{1,6}(?:\.\d)?)-(\d{1,6}(?:\.\d)?)$/.exec(text);
  const from = Number(match?.[1]);
  const to = Number(match?.[2]);
  if (match !== null && from < to && to <= steps) return [from, to];
  problems.push(`the link's timeline zoom '${text.slice(0, 24)}' is not a range of its ${steps} steps: showing the page's own`);
  return null;
}

/** key=value pairs; the first occurrence of a key wins; values are taken as written. */
function parseParams(text: string): ReadonlyMap<string, string> {
  const params = new Map<string, string>();
  for (const part of text.split('&')) {
    const at = part.indexOf('=');
    const key = at < 0 ? part : part.slice(0, at);
    if (key !== '' && !params.has(key)) params.set(key, at < 0 ? '' : part.slice(at + 1));
  }
  return params;
}

function customScenario(payload: string): { scenario: Scenario } | { problem: string } {
  const bytes = fromBase64Url(payload);
  if (bytes === null) return { problem: 'the scenario in the link is damaged (not base64url)' };
  let json: string;
  try {
    const out = inflateSync(bytes, { out: new Uint8Array(MAX_SCENARIO_JSON_BYTES + 1) });
    if (out.length > MAX_SCENARIO_JSON_BYTES) return { problem: `the scenario in the link is larger than ${MAX_SCENARIO_JSON_BYTES} bytes` };
    json = strFromU8(out);
  } catch {
    return { problem: 'the scenario in the link is damaged (it does not decompress)' };
  }
  const parsed = parseScenarioJson(json);
  if (!parsed.ok) {
    const first = parsed.errors[0];
    return { problem: `the scenario in the link is not valid: ${first === undefined ? 'unknown problem' : `${first.path}: ${first.message}`}` };
  }
  return { scenario: parsed.scenario };
}

/** Read a fragment (with or without '#'). */
export function decodeLink(fragment: string): Decoded {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (text.length > MAX_LINK_LENGTH) return { ok: false, problems: [`this link is too long (${text.length} characters; the limit is ${MAX_LINK_LENGTH})`] };
  const params = parseParams(text);
  const get = (key: string): string | null => params.get(key) ?? null;
  const version = get('v');
  if (version === null) return { ok: false, problems: ['this link is not a Faultline link (it has no version)'] };
  if (version !== String(LINK_VERSION)) return { ok: false, problems: [`this link was made by another version of Faultline (format ${version.slice(0, 12)}); this one reads format ${LINK_VERSION}`] };

  const problems: string[] = [];
  const presetId = get('s');
  const payload = get('x');
  let scenario: Scenario;
  if (presetId !== null) {
    const preset = findPreset(presetId);
    if (preset === undefined) return { ok: false, problems: [`this link names an unknown scenario '${presetId.slice(0, 64)}'`] };
    scenario = preset;
  } else if (payload !== null) {
    const custom = customScenario(payload);
    if ('problem' in custom) return { ok: false, problems: [custom.problem] };
    scenario = custom.scenario;
  } else {
    return { ok: false, problems: ['this link names no scenario'] };
  }

  const first = scenario.variants[0];
  if (first === undefined) return { ok: false, problems: [`${scenario.id} runs under no variant`] };
  const asked = get('k');
  const variant = scenario.variants.find((v) => v === asked) ?? first;
  if (asked !== variant) problems.push(asked === null ? `the link names no variant: showing ${variant}` : `${scenario.id} does not run under '${asked.slice(0, 32)}': showing ${variant}`);

  const packed = get('p');
  const unpacked = packed === null ? null : unpackSchedule(scenario, packed);
  if (unpacked !== null && unpacked.problem !== null) problems.push(unpacked.problem);
  const schedule = unpacked === null ? null : unpacked.schedule;

  // Without a schedule the steps are the documented interleaving's, unknown here: the store clamps the cursor to them.
  const cursorText = get('c');
  const asNumber = cursorText === null ? 0 : Number(cursorText);
  const limit = schedule === null ? Infinity : schedule.length;
  const cursor = Number.isInteger(asNumber) ? Math.max(0, Math.min(limit, asNumber)) : 0;
  if (cursorText !== null && cursor !== asNumber) problems.push(`the link's step ${cursorText.slice(0, 12)} is outside its schedule: showing step ${cursor}`);

  const statechartPid = statechartFrom(scenario, get('t'), problems);
  const timelineWindow = windowFrom(get('w'), schedule === null ? Infinity : schedule.length, problems);
  return { ok: true, view: { scenario, variant, schedule, cursor, statechartPid, timelineWindow }, problems };
}
