/**
 * A structural check of Chrome Trace Event JSON (the JSON Object Format of
 * the "Trace Event Format" Google doc): what Perfetto and chrome://tracing
 * need to draw a trace as its author meant, checked on parsed JSON so that
 * a test, the CLI or the page can run it on any file.
 *
 * Owns: the rules below, for the phases this project writes (X, i/I, s/t/f,
 * M) and for B/E. Knows nothing of the simulator, and must not: it checks the
 * format, trace-event.test.ts checks the kernel facts.
 *
 * - Every event has the fields its phase requires, with finite numbers.
 * - On each thread (pid, tid), slices nest: no two partially overlap, B/E
 *   pairs close in stack order, and slices starting at the same ts are listed
 *   outermost first. The format does not say how to nest slices that start
 *   together; with the outer one first, viewers that go by file order and
 *   viewers that go by duration build the same tree.
 * - Every flow id (per category) has exactly one start and one finish, with
 *   the same name (Perfetto matches v1 flows by category, name and id), the
 *   finish no earlier than the start, and each end inside a slice on its own
 *   thread: flow events bind to the enclosing slice (the finish with
 *   `bp: "e"`; without it, to the next slice that begins).
 * - Metadata names every process and thread that carries an event.
 */

type Json = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInteger = (v: unknown): v is number => Number.isSafeInteger(v);
const isString = (v: unknown): v is string => typeof v === 'string';

const PHASES = new Set(['X', 'B', 'E', 'i', 'I', 's', 't', 'f', 'M']);
const METADATA = new Set(['process_name', 'process_labels', 'process_sort_index', 'thread_name', 'thread_sort_index']);

interface Interval {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly index: number;
}

interface Mark {
  readonly ph: string;
  readonly name: string;
  readonly ts: number;
  readonly index: number;
}

interface FlowPoint {
  readonly ph: 's' | 't' | 'f';
  readonly name: string;
  readonly ts: number;
  readonly thread: string;
  readonly enclosing: boolean;
  readonly index: number;
}

interface Collected {
  readonly problems: string[];
  /** Per thread ("pid:tid"): X slices in file order, and B/E marks. */
  readonly slices: Map<string, Interval[]>;
  readonly marks: Map<string, Mark[]>;
  readonly flows: Map<string, FlowPoint[]>;
  readonly usedThreads: Set<string>;
  readonly usedPids: Set<number>;
  readonly threadNames: Set<string>;
  readonly processNames: Set<number>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function checkMetadata(c: Collected, e: Json, where: string): void {
  const name = e.name;
  if (!isString(name) || !METADATA.has(name)) {
    c.problems.push(`${where}: unknown metadata name ${String(name)}`);
    return;
  }
  if (!isInteger(e.pid)) c.problems.push(`${where}: pid must be an integer`);
  const forThread = name.startsWith('thread_');
  if (forThread && !isInteger(e.tid)) c.problems.push(`${where}: tid must be an integer`);
  const args = e.args;
  if (!isObject(args)) {
    c.problems.push(`${where}: args must be an object`);
    return;
  }
  if (name.endsWith('_name') && !isString(args.name)) c.problems.push(`${where}: args.name must be a string`);
  if (name.endsWith('_sort_index') && !isInteger(args.sort_index)) c.problems.push(`${where}: args.sort_index must be an integer`);
  if (name === 'thread_name') {
    const key = `${String(e.pid)}:${String(e.tid)}`;
    if (c.threadNames.has(key)) c.problems.push(`${where}: thread ${key} is named twice`);
    c.threadNames.add(key);
  }
  if (name === 'process_name' && isInteger(e.pid)) c.processNames.add(e.pid);
}

function checkEvent(c: Collected, e: unknown, index: number): void {
  if (!isObject(e)) {
    c.problems.push(`event ${index}: not an object`);
    return;
  }
  const ph = e.ph;
  const where = `event ${index} (${String(ph)} ${String(e.name)})`;
  if (!isString(ph) || !PHASES.has(ph)) {
    c.problems.push(`${where}: unsupported phase`);
    return;
  }
  if (ph === 'M') {
    checkMetadata(c, e, where);
    return;
  }
  // The doc lets an E leave out its name: it closes the innermost open B.
  if (!isString(e.name) && !(ph === 'E' && e.name === undefined)) c.problems.push(`${where}: name must be a string`);
  if (e.cat !== undefined && !isString(e.cat)) c.problems.push(`${where}: cat must be a string`);
  if (e.args !== undefined && !isObject(e.args)) c.problems.push(`${where}: args must be an object`);
  const { ts, pid, tid } = e;
  if (!isNumber(ts) || ts < 0) c.problems.push(`${where}: ts must be a number ≥ 0`);
  if (!isInteger(pid) || !isInteger(tid)) c.problems.push(`${where}: pid and tid must be integers`);
  if (!isNumber(ts) || !isInteger(pid) || !isInteger(tid)) return;
  const thread = `${pid}:${tid}`;
  const name = isString(e.name) ? e.name : '';
  const global = (ph === 'i' || ph === 'I') && e.s !== undefined && e.s !== 't';
  if (!global) c.usedThreads.add(thread);
  c.usedPids.add(pid);
  switch (ph) {
    case 'X':
      if (!isNumber(e.dur) || e.dur < 0) c.problems.push(`${where}: dur must be a number ≥ 0`);
      else push(c.slices, thread, { start: ts, end: ts + e.dur, name, index });
      break;
    case 'B':
    case 'E':
      push(c.marks, thread, { ph, name, ts, index });
      break;
    case 'i':
    case 'I':
      if (e.s !== undefined && e.s !== 't' && e.s !== 'p' && e.s !== 'g') c.problems.push(`${where}: scope s must be t, p or g`);
      break;
    case 's':
    case 't':
    case 'f': {
      if (!isString(e.cat)) c.problems.push(`${where}: a flow event needs a cat`);
      if (!isInteger(e.id) && !isString(e.id)) c.problems.push(`${where}: a flow event needs an id`);
      if (ph === 'f' && e.bp !== undefined && e.bp !== 'e') c.problems.push(`${where}: bp must be "e" if given`);
      push(c.flows, `${String(e.cat)} #${String(e.id)}`, { ph, name, ts, thread, enclosing: ph !== 'f' || e.bp === 'e', index });
      break;
    }
  }
}

/** B/E marks of one thread as intervals: each E closes the innermost open B, in ts order (file order for ties). */
function pairMarks(problems: string[], thread: string, marks: readonly Mark[]): Interval[] {
  const out: Interval[] = [];
  const open: Mark[] = [];
  for (const m of marks.slice().sort((a, b) => a.ts - b.ts)) {
    if (m.ph === 'B') {
      open.push(m);
      continue;
    }
    const begin = open.pop();
    if (begin === undefined) problems.push(`thread ${thread}: event ${m.index} (E ${m.name}) closes nothing`);
    else if (m.name !== '' && m.name !== begin.name) problems.push(`thread ${thread}: event ${m.index} (E ${m.name}) closes ${begin.name} (event ${begin.index}): B/E out of stack order`);
    else out.push({ start: begin.ts, end: m.ts, name: begin.name, index: begin.index });
  }
  for (const b of open) problems.push(`thread ${thread}: event ${b.index} (B ${b.name}) is never closed`);
  return out;
}

/** No partial overlaps: sorted by start, longest first, each slice ends inside the innermost one still open. */
function checkNesting(problems: string[], thread: string, intervals: readonly Interval[]): void {
  const stack: Interval[] = [];
  for (const s of intervals.slice().sort((a, b) => a.start - b.start || b.end - a.end)) {
    for (let top = stack.at(-1); top !== undefined && top.end <= s.start; top = stack.at(-1)) stack.pop();
    const parent = stack.at(-1);
    if (parent !== undefined && s.end > parent.end) {
      problems.push(`thread ${thread}: ${s.name} [${s.start}, ${s.end}) overlaps ${parent.name} [${parent.start}, ${parent.end}) without nesting`);
    }
    stack.push(s);
  }
}

/** X slices that start together must come outermost first in the file. */
function checkTies(problems: string[], thread: string, slices: readonly Interval[]): void {
  const innermost = new Map<number, Interval>();
  for (const s of slices) {
    const before = innermost.get(s.start);
    if (before !== undefined && s.end > before.end) problems.push(`thread ${thread}: ${s.name} (event ${s.index}) starts with ${before.name} (event ${before.index}) and outlasts it, but comes after it`);
    if (before === undefined || s.end < before.end) innermost.set(s.start, s);
  }
}

function checkFlows(problems: string[], flows: Map<string, FlowPoint[]>, slicesOf: (thread: string) => readonly Interval[]): void {
  for (const [key, points] of flows) {
    const starts = points.filter((p) => p.ph === 's');
    const finishes = points.filter((p) => p.ph === 'f');
    if (starts.length !== 1 || finishes.length !== 1) {
      problems.push(`flow ${key}: ${starts.length} start(s) and ${finishes.length} finish(es); expected one of each`);
      continue;
    }
    const [start] = starts;
    const [finish] = finishes;
    if (start !== undefined && finish !== undefined && finish.ts < start.ts) problems.push(`flow ${key}: finishes at ${finish.ts}, before it starts at ${start.ts}`);
    if (points.some((p) => p.name !== start?.name)) problems.push(`flow ${key}: its events do not all have the same name`);
    for (const p of points) {
      const slices = slicesOf(p.thread);
      const bound = p.enclosing ? slices.some((s) => s.start <= p.ts && p.ts < s.end) : slices.some((s) => s.start >= p.ts);
      if (!bound) problems.push(`flow ${key}: event ${p.index} (${p.ph}) at ${p.ts} is in no slice on thread ${p.thread}`);
    }
  }
}

/** Every problem found; an empty list means the trace is well formed. */
export function validateChromeTrace(json: unknown): readonly string[] {
  if (!isObject(json)) return ['the trace is not a JSON object'];
  const events = json.traceEvents;
  if (!Array.isArray(events)) return ['traceEvents is not an array'];
  const c: Collected = {
    problems: [],
    slices: new Map(),
    marks: new Map(),
    flows: new Map(),
    usedThreads: new Set(),
    usedPids: new Set(),
    threadNames: new Set(),
    processNames: new Set(),
  };
  if (json.displayTimeUnit !== undefined && json.displayTimeUnit !== 'ms' && json.displayTimeUnit !== 'ns') c.problems.push('displayTimeUnit must be "ms" or "ns"');
  events.forEach((e: unknown, index) => checkEvent(c, e, index));
  const all = new Map<string, Interval[]>();
  for (const thread of new Set([...c.slices.keys(), ...c.marks.keys()])) {
    const slices = c.slices.get(thread) ?? [];
    checkTies(c.problems, thread, slices);
    const intervals = [...slices, ...pairMarks(c.problems, thread, c.marks.get(thread) ?? [])];
    checkNesting(c.problems, thread, intervals);
    all.set(thread, intervals);
  }
  checkFlows(c.problems, c.flows, (thread) => all.get(thread) ?? []);
  for (const thread of c.usedThreads) if (!c.threadNames.has(thread)) c.problems.push(`thread ${thread} has events but no thread_name`);
  for (const pid of c.usedPids) if (!c.processNames.has(pid)) c.problems.push(`process ${pid} has events but no process_name`);
  return c.problems;
}
