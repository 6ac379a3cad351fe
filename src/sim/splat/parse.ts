/**
 * Read a lockdep report out of pasted text: a console log, dmesg with
 * timestamps, syslog lines, a mail that quotes it, a syzbot report.
 *
 * The layout is the kernel's, and so are the words this looks for
 * (kernel/locking/lockdep.c, read at the version of the torvalds/linux index
 * (4.14-era, `print_lock` with `[<%p>] %pS`) and in real 3.x–6.x reports):
 * print_circular_bug_header ("%s/%d is trying to acquire lock:", "but task
 * is already holding lock:", "which lock already depends on the new lock.",
 * "the existing dependency chain (in reverse order) is:"),
 * print_circular_bug_entry ("-> #%u" then print_lock_name " (%s){%s}" and
 * ":"), print_circular_lock_scenario ("Chain exists of:", " Possible unsafe
 * locking scenario:", the CPU0/CPU1 table, " *** DEADLOCK ***"),
 * print_deadlock_bug (the same header words with "possible recursive
 * locking detected"), lockdep_print_held_locks ("%d lock%s held by %s/%d:",
 * " #%d: " and print_lock), and dump_stack after "stack backtrace:".
 * print_lock is " (class){usage}, at: [<addr>] fn+off/len" before 4.15;
 * later it leads with the lock's address (hashed until 5.x) and drops the
 * `[<addr>]`, and from 5.7 print_lock_name adds the wait types,
 * `"){%s}-{%d:%d}"` of wait_type_outer (or inner) and wait_type_inner (read
 * in a 5.x copy of lockdep.c; the 4.14 one has `"){%s}"`). Newer kernels
 * print `rlock(` for a read in CPU0's lines of the unsafe scenario (seen in
 * 6.11 reports).
 *
 * Pure: text in, data out. Never throws; input it cannot read is a message
 * naming the line.
 */
import type { Splat, SplatChainEntry, SplatFrame, SplatHeld, SplatKind, SplatLock, SplatNote, SplatParse, SplatScenarioStep, SplatTask } from './types.ts';

/** Input larger than this is refused before reading (a whole console log is not a report). */
export const MAX_SPLAT_BYTES = 256 * 1024;

interface Line {
  /** 1-based, in the input. */
  readonly no: number;
  /** The line with log prefixes and quote marks removed, not trimmed. */
  readonly raw: string;
  readonly text: string;
}

const HEADER = /possible (circular locking dependency|recursive locking) detected/;

/** Lockdep's other reports: recognised to say what they are, not read. */
const OTHER_REPORTS: readonly [RegExp, string][] = [
  [/inconsistent lock state/, 'an "inconsistent lock state" report'],
  [/possible irq lock inversion dependency detected/, 'an "irq lock inversion" report'],
  [/-safe -> .*-unsafe lock order detected/, 'an "irq-safe -> irq-unsafe lock order" report'],
  [/suspicious RCU usage/, 'a "suspicious RCU usage" report'],
  [/bad unlock balance detected/, 'a "bad unlock balance" report'],
  [/held lock freed/, 'a "held lock freed" report'],
  [/lock held when returning to user space/, 'a "lock held when returning to user space" report'],
  [/INFO: task .* blocked for more than/, 'a hung-task report'],
];

// A syslog line ("Mar  8 16:19:27 host kernel: " or "2016-03-26T20:52:22.5+00:00 host kernel: "),
// a console log level ("<4>"), then dmesg's "[  123.456789]" and an optional "[ T1082]" caller id.
const SYSLOG = /^(?:<\d+>)?(?:(?:[A-Z][a-z]{2}\s+\d+\s+\d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT[\d:.+-]+)\s+\S+\s+kernel:\s?)/;
const LEVEL = /^<\d>/;
const STAMP = /^\[\s*\d+\.\d+\](?:\[\s*[TC]\d+\])?\s?/;

function stripLogPrefix(line: string): string {
  return line.replace(SYSLOG, '').replace(LEVEL, '').replace(STAMP, '');
}

function quoteDepth(line: string): number {
  const m = /^\s*((?:>\s?)+)/.exec(line);
  return m?.[1] === undefined ? 0 : (m[1].match(/>/g) ?? []).length;
}

function stripQuotes(line: string, depth: number): string {
  let out = line;
  for (let i = 0; i < depth; i++) {
    const m = /^\s*>\s?/.exec(out);
    if (m === null) break;
    out = out.slice(m[0].length);
  }
  return out;
}

/** Split into lines (rsyslog writes a newline inside a record as "#012"), with log prefixes off. */
function linesOf(text: string): Line[] {
  const raw = text.replace(/\r\n?/g, '\n').split('\n');
  const out: Line[] = [];
  raw.forEach((l, i) => {
    const parts = l.split('#012');
    for (const part of parts) {
      const clean = stripLogPrefix(part);
      out.push({ no: i + 1, raw: clean, text: clean.trim() });
    }
  });
  return out;
}

// [address] (class){usage}-{wait:wait}, at: …  — the class may hold parentheses of its own,
// `((work_completion)(&work->work))`, so it runs to the last "){" before the usage.
const LOCK_LINE = /^(?:([0-9a-f]{8,16}|\(ptrval\)|\(____ptrval____\))\s+)?\((.+)\)\{([-+.?]*)\}(?:-\{(\d+:\d+)\})?(?:, at:\s*(.*))?$/;
const CHAIN_ENTRY = /^-> #(\d+)\s*\((.+)\)\{([-+.?]*)\}(?:-\{(\d+:\d+)\})?:$/;
const HELD_HEAD = /^(\d+) locks? held by (.+)\/(\d+):$/;
const NO_HELD = /^no locks held by (.+)\/(\d+)\.?$/;
const HELD_LINE = /^#(\d+):\s*(.*)$/;
const TASK_LINE = /^(.+)\/(\d+) is trying to acquire lock:$/;
const SCENARIO_LINE = /^(r?lock)\((.+)\);$/;
/** Register dumps and markers inside a Call Trace: not frames, not its end. */
const NOT_A_FRAME = /^(?:<\/?(?:TASK|IRQ|NMI|SOFTIRQ|EOI|#DF)>|RIP:|RSP:|RAX:|RBX:|RDX:|RBP:|R\d\d:|Code:|CR2:|FS:|CS:|DR\d|---\[|Modules linked in:|irq event stamp|hardirqs |softirqs )/;

/**
 * The second half of a line a mailer wrapped (syzbot's mails break long
 * lines at a space): a source position alone, `mm/gup.c:1174` or
 * `include/linux/fs.h:798 [inline]`, or `(inlined by) …`. It belongs to the
 * line before; read alone it names no function.
 */
function isContinuation(text: string): boolean {
  return /^(?:[\w.-]+\/)*[\w.-]+\.(?:[chS]|rs):\d+(?:\s+\[inline\])?$/.test(text) || text.startsWith('(inlined by)');
}

/** The function a stack line or an `at:` names: `lock_acquire+0xd5/0xfa` → lock_acquire. */
export function functionOf(text: string): string | null {
  const m = /^(?:\[<[0-9a-fA-Fx]+>\]\s*)?(?:\?\s+)?([A-Za-z_$][\w$.]*)(?=$|[+\s(])/.exec(text.trim());
  return m?.[1] ?? null;
}

function frameOf(line: Line): SplatFrame {
  const text = line.text;
  const body = text.replace(/^\[<[0-9a-fA-Fx]+>\]\s*/, '');
  return { fn: functionOf(text), text, line: line.no, inline: /\[inline\]\s*$/.test(text), unreliable: /^\?\s/.test(body) };
}

function lockOf(line: Line): SplatLock | null {
  const m = LOCK_LINE.exec(line.text);
  if (m === null) return null;
  const at = m[5] === undefined ? [] : [functionOf(m[5].replace(/^\[<[0-9a-fA-Fx]+>\]\s*/, ''))].filter((f): f is string => f !== null);
  return { cls: m[2] ?? '', usage: m[3] ?? '', wait: m[4] ?? null, address: m[1] ?? null, at, line: line.no };
}

/** Another `at:` line of the same lock (inlined frames are printed one per line): same address and class. */
function sameLock(a: SplatLock, b: SplatLock): boolean {
  return a.cls === b.cls && a.address === b.address;
}

function mergeAt(a: SplatLock, b: SplatLock): SplatLock {
  return { ...a, at: [...a.at, ...b.at] };
}

/** A cursor over the report's lines, from the header on. */
class Reader {
  private at: number;
  readonly notes: SplatNote[] = [];
  constructor(
    private readonly lines: readonly Line[],
    start: number,
  ) {
    this.at = start;
  }
  peek(): Line | undefined {
    return this.lines[this.at];
  }
  next(): Line | undefined {
    const line = this.lines[this.at];
    if (line !== undefined) this.at++;
    return line;
  }
  done(): boolean {
    return this.at >= this.lines.length;
  }
  skipBlank(): void {
    while (this.peek()?.text === '') this.at++;
  }
  /** Move to the next line whose text satisfies `test`, without passing one that satisfies `stop`. */
  seek(test: (text: string) => boolean, stop: (text: string) => boolean = () => false): Line | undefined {
    for (let i = this.at; i < this.lines.length; i++) {
      const line = this.lines[i];
      if (line === undefined) break;
      if (test(line.text)) {
        this.at = i + 1;
        return line;
      }
      if (stop(line.text)) return undefined;
    }
    return undefined;
  }
  note(line: number | null, message: string): void {
    this.notes.push({ line, message });
  }
}

/** Lines that start a section: a lock list ends at any of them. */
function isSection(text: string): boolean {
  return (
    text === 'but task is already holding lock:' ||
    text.startsWith('which lock already depends') ||
    text.startsWith('the existing dependency chain') ||
    text.startsWith('other info that might help') ||
    text.startsWith('-> #') ||
    HELD_HEAD.test(text) ||
    NO_HELD.test(text) ||
    text === 'stack backtrace:' ||
    HEADER.test(text)
  );
}

/** One lock, printed on one or more `at:` lines. */
function readLock(r: Reader, what: string): SplatLock | null {
  r.skipBlank();
  let lock: SplatLock | null = null;
  // The last lock line ended in "at:": a mailer moved its function to the next line.
  let pendingAt = false;
  for (;;) {
    const line = r.peek();
    if (line === undefined || line.text === '' || isSection(line.text)) break;
    r.next();
    const more = lockOf(line);
    if (more === null) {
      if (isContinuation(line.text)) continue;
      const fn = pendingAt ? functionOf(line.text) : null;
      if (lock !== null && fn !== null) lock = mergeAt(lock, { ...lock, at: [fn] });
      else r.note(line.no, lock !== null ? `not read: "${clip(line.text)}" after ${what}` : `not a lock: "${clip(line.text)}" where ${what} should be`);
      pendingAt = false;
      continue;
    }
    pendingAt = /, at:\s*$/.test(line.text);
    if (lock === null) lock = more;
    else if (sameLock(lock, more)) lock = mergeAt(lock, more);
    else r.note(line.no, `a second lock where ${what} should be: "${clip(line.text)}"`);
  }
  return lock;
}

function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Frames up to a blank line or the start of the next section. */
function readStack(r: Reader): SplatFrame[] {
  const frames: SplatFrame[] = [];
  for (;;) {
    const line = r.peek();
    if (line === undefined || line.text === '' || line.text.startsWith('-> #') || line.text.startsWith('other info that might help')) break;
    r.next();
    if (NOT_A_FRAME.test(line.text) || isContinuation(line.text)) continue;
    frames.push(frameOf(line));
  }
  return frames;
}

function readChain(r: Reader): SplatChainEntry[] {
  const chain: SplatChainEntry[] = [];
  for (;;) {
    r.skipBlank();
    const line = r.peek();
    if (line === undefined || !line.text.startsWith('->')) break;
    r.next();
    const m = CHAIN_ENTRY.exec(line.text);
    if (m === null) {
      r.note(line.no, `"${clip(line.text)}" is not a dependency-chain entry: expected "-> #N (class){usage}:"`);
      readStack(r);
      continue;
    }
    const stack = readStack(r);
    if (stack.length === 0) r.note(line.no, `-> #${m[1] ?? '?'} has no stack trace`);
    chain.push({ depth: Number(m[1]), cls: m[2] ?? '', usage: m[3] ?? '', wait: m[4] ?? null, stack, line: line.no });
  }
  return chain;
}

/** "Chain exists of:" and its classes, which a mailer may have wrapped over lines. */
function readChainExists(r: Reader): string[] | null {
  if (r.seek((t) => t === 'Chain exists of:', (t) => t.startsWith('Possible unsafe') || HELD_HEAD.test(t)) === undefined) return null;
  let text = '';
  for (;;) {
    const line = r.peek();
    if (line === undefined || line.text === '' || line.text.startsWith('Possible unsafe')) break;
    r.next();
    text = `${text} ${line.text}`;
  }
  return text
    .split('-->')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function readScenario(r: Reader): SplatScenarioStep[] {
  const head = r.seek((t) => t.startsWith('Possible unsafe locking scenario'), (t) => HELD_HEAD.test(t) || NO_HELD.test(t) || t === 'stack backtrace:');
  if (head === undefined) return [];
  const steps: SplatScenarioStep[] = [];
  let cpu1Column = Number.POSITIVE_INFINITY;
  for (;;) {
    const line = r.peek();
    if (line === undefined || line.text.startsWith('*** DEADLOCK') || HELD_HEAD.test(line.text) || NO_HELD.test(line.text) || line.text === 'stack backtrace:') break;
    r.next();
    const cpus = line.raw.indexOf('CPU1');
    if (line.text.startsWith('CPU0') && cpus >= 0) cpu1Column = cpus - 4;
    const m = SCENARIO_LINE.exec(line.text);
    if (m === null) continue;
    const indent = line.raw.length - line.raw.trimStart().length;
    steps.push({ cpu: indent >= cpu1Column ? 1 : 0, read: m[1] === 'rlock', cls: m[2] ?? '', line: line.no });
  }
  return steps;
}

function readHeld(r: Reader): SplatHeld[] | null {
  const head = r.seek((t) => HELD_HEAD.test(t) || NO_HELD.test(t), (t) => t === 'stack backtrace:');
  if (head === undefined) return null;
  if (NO_HELD.test(head.text)) return [];
  const count = Number(HELD_HEAD.exec(head.text)?.[1] ?? 0);
  const held: SplatHeld[] = [];
  let pendingAt = false;
  for (;;) {
    const line = r.peek();
    if (line === undefined || line.text === '' || line.text === 'stack backtrace:') break;
    r.next();
    const m = HELD_LINE.exec(line.text);
    if (m === null) {
      const last = held[held.length - 1];
      const fn = pendingAt ? functionOf(line.text) : null;
      if (last !== undefined && fn !== null) held[held.length - 1] = { ...last, lock: { ...last.lock, at: [...last.lock.at, fn] } };
      else if (!isContinuation(line.text)) r.note(line.no, `not a held lock: "${clip(line.text)}"`);
      pendingAt = false;
      continue;
    }
    pendingAt = /, at:\s*$/.test(line.text);
    const lock = lockOf({ ...line, text: (m[2] ?? '').trim() });
    if (lock === null) {
      r.note(line.no, `#${m[1] ?? '?'} is not a lock: "${clip(line.text)}"`);
      continue;
    }
    const index = Number(m[1]);
    const last = held[held.length - 1];
    if (last !== undefined && last.index === index && sameLock(last.lock, lock)) held[held.length - 1] = { index, lock: mergeAt(last.lock, lock) };
    else held.push({ index, lock });
  }
  if (held.length < count) r.note(head.no, `the report says ${count} lock${count === 1 ? '' : 's'} held but lists ${held.length}: it was cut off`);
  return held;
}

function readBacktrace(r: Reader): SplatFrame[] {
  if (r.seek((t) => t === 'stack backtrace:') === undefined) return [];
  if (r.seek((t) => t === 'Call Trace:' || t === 'Call trace:', (t) => HEADER.test(t)) === undefined) return [];
  const frames: SplatFrame[] = [];
  for (;;) {
    const line = r.peek();
    if (line === undefined || line.text === '' || HEADER.test(line.text) || /^[=-]{20,}$/.test(line.text)) break;
    r.next();
    if (NOT_A_FRAME.test(line.text) || isContinuation(line.text)) continue;
    const frame = frameOf(line);
    // Reliable frames only; and a line that names no function ends the trace (the log goes on with something else).
    if (frame.fn === null) break;
    if (!frame.unreliable) frames.push(frame);
  }
  return frames;
}

function otherReport(lines: readonly Line[]): { line: number; what: string } | null {
  for (const line of lines) {
    for (const [re, what] of OTHER_REPORTS) if (re.test(line.text)) return { line: line.no, what };
  }
  return null;
}

/** Read the first circular or recursive lockdep report in `text`. */
export function parseSplat(text: string): SplatParse {
  if (text.length > MAX_SPLAT_BYTES) return { ok: false, line: null, message: `the text is ${Math.round(text.length / 1024)} KiB; paste the report itself (at most ${MAX_SPLAT_BYTES / 1024} KiB)` };
  let lines = linesOf(text);
  const headerAt = lines.findIndex((l) => HEADER.test(l.text));
  if (headerAt < 0) {
    const other = otherReport(lines);
    if (other !== null) return { ok: false, line: other.line, message: `line ${other.line} starts ${other.what}: only "possible circular locking dependency detected" and "possible recursive locking detected" reports can be imported` };
    return {
      ok: false,
      line: null,
      message: 'no lockdep report found: expected a line "WARNING: possible circular locking dependency detected" or "WARNING: possible recursive locking detected" (before 4.14: "[ INFO: possible … detected ]")',
    };
  }
  const headerLine = lines[headerAt];
  if (headerLine === undefined) return { ok: false, line: null, message: 'no header' };
  // A quoted report ("> > WARNING: …"): take the same quoting off every line.
  const depth = quoteDepth(headerLine.raw);
  if (depth > 0) lines = lines.map((l) => ({ ...l, raw: stripQuotes(l.raw, depth), text: stripQuotes(l.raw, depth).trim() }));
  const header = lines[headerAt] ?? headerLine;
  const kind: SplatKind = header.text.includes('circular') ? 'circular' : 'recursive';
  const r = new Reader(lines, headerAt + 1);

  // print_kernel_ident: "6.11.0-rc5-… #0 Not tainted" (absent in the oldest reports).
  let release: string | null = null;
  const ident = r.peek();
  if (ident !== undefined && /^\d+\.\d+/.test(ident.text)) {
    release = /^(\S+)/.exec(ident.text)?.[1] ?? null;
    r.next();
  }
  const taskLine = r.seek((t) => TASK_LINE.test(t), (t) => HEADER.test(t));
  if (taskLine === undefined) return { ok: false, line: header.no, message: `line ${header.no} starts a lockdep report, but no line "<task>/<pid> is trying to acquire lock:" follows it` };
  const tm = TASK_LINE.exec(taskLine.text);
  const task: SplatTask | null = tm === null ? null : { comm: tm[1] ?? '', pid: Number(tm[2]) };
  const acquiring = readLock(r, 'the lock being acquired');
  if (acquiring === null) return { ok: false, line: taskLine.no, message: `line ${taskLine.no + 1}: expected the lock being acquired, "(class){usage}, at: function", after "${taskLine.text}"` };

  let holding: SplatLock | null = null;
  const holdingHead = r.seek((t) => t === 'but task is already holding lock:', (t) => t.startsWith('-> #') || HEADER.test(t));
  if (holdingHead === undefined) r.note(null, 'the report ends before "but task is already holding lock:"');
  else {
    holding = readLock(r, 'the lock already held');
    if (holding === null) r.note(holdingHead.no, 'no lock follows "but task is already holding lock:"');
  }

  let chain: SplatChainEntry[] = [];
  if (kind === 'circular') {
    if (r.seek((t) => t.startsWith('the existing dependency chain'), (t) => HEADER.test(t) || HELD_HEAD.test(t)) === undefined) r.note(null, 'the report ends before the dependency chain');
    else {
      chain = readChain(r);
      if (chain.length === 0) r.note(null, 'the dependency chain has no "-> #N" entries');
      chain.forEach((e, i) => {
        const expected = chain.length - 1 - i;
        if (e.depth !== expected) r.note(e.line, `-> #${e.depth} where -> #${expected} was expected: the chain is incomplete`);
      });
    }
  }
  const chainExists = kind === 'circular' ? readChainExists(r) : null;
  const scenario = readScenario(r);
  const held = readHeld(r);
  if (held === null && !r.done()) r.note(null, 'no "locks held by" list');
  const backtrace = readBacktrace(r);
  const splat: Splat = { kind, header: /\[\s*INFO:/.test(header.text) ? 'info' : 'warning', line: header.no, release, task, acquiring, holding, chain, chainExists, scenario, held, backtrace, notes: r.notes };
  return { ok: true, splat };
}

/** Which usage bits say a lock class was ever taken for read (every second character). */
export function usageHasRead(usage: string): boolean {
  return [...usage].some((c, i) => i % 2 === 1 && c !== '.');
}

/** The class without its name version and subclass: `&sb->s_type->i_mutex_key#12/1` → `&sb->s_type->i_mutex_key`. */
export function baseClass(cls: string): string {
  return cls.replace(/\/\d+$/, '').replace(/#\d+$/, '');
}
