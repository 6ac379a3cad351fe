/**
 * Importing a lockdep report, end to end, as the page and the command line
 * both show it: the report as read, each class and what it became, the tasks
 * with the stack lines they come from, the verdict, and the interleaving
 * step by step with the frames it runs in (the copy, the fault and the fault
 * handler that lockdep's two-CPU sketch leaves out). Pure data and text; the
 * share link is made by the caller (src/share is a layer above).
 */
import { replay } from '../../sim/replay.ts';
import { parseSplat } from '../../sim/splat/parse.ts';
import type { Splat, SplatFrame } from '../../sim/splat/types.ts';
import { baseMachine } from '../../threads/registry.ts';
import { buildSetup } from '../build.ts';
import { readStack } from './frames.ts';
import { judge, type Found, type Judged, type VerdictLimits, DEFAULT_VERDICT_LIMITS } from './verdict.ts';

export interface ReportView {
  readonly kind: 'circular' | 'recursive';
  /** "possible circular locking dependency detected", as the header says it. */
  readonly title: string;
  /** Which form: the `[ INFO: … ]` header before 4.14, `WARNING:` since. */
  readonly form: string;
  readonly release: string | null;
  readonly task: string | null;
  readonly line: number;
  /** What was cut off or skipped, with lines. */
  readonly notes: readonly string[];
}

/** One dependency of the chain, or one of the two locks of a recursive report. */
export interface ChainRow {
  /** `-> #2`, `held`, `asked`. */
  readonly label: string;
  readonly cls: string;
  readonly line: number;
  /** How the stack took it: "down_write in ocfs2_page_mkwrite, in a page fault from user mode". */
  readonly how: string;
  /** The stack's functions, top first (lockdep's own frames left out). */
  readonly frames: readonly string[];
}

export interface MappingRow {
  readonly cls: string;
  readonly model: string;
  readonly why: string;
}

export interface TaskRow {
  readonly pid: number;
  readonly from: string;
  readonly lines: string;
  readonly steps: readonly string[];
}

export interface StepRow {
  /** 1-based. */
  readonly step: number;
  readonly pid: number;
  /** The frames the task is in, outermost first: `lock_region › copy_user › do_page_fault`. */
  readonly frames: string;
  readonly label: string;
}

export interface VerdictView {
  readonly kind: 'deadlock' | 'no-deadlock' | 'unknown';
  readonly headline: string;
  /** Reasons no interleaving deadlocks, and what would close the cycle. */
  readonly details: readonly string[];
  /** The interleaving to look at (the deadlock, as reported or under the closing assumption), or null. */
  readonly interleaving: readonly StepRow[] | null;
}

export interface ImportView {
  readonly report: ReportView;
  readonly chain: readonly ChainRow[];
  readonly mapping: readonly MappingRow[];
  readonly tasks: readonly TaskRow[];
  readonly verdict: VerdictView;
  readonly notes: readonly string[];
}

export type ImportResult = { readonly ok: true; readonly view: ImportView; readonly judged: Judged; readonly splat: Splat } | { readonly ok: false; readonly message: string };

const LOCKDEP_FRAME = /^(?:(?:__)?lock_acquire\w*|validate_chain|check_prevs?_add|check_noncircular|check_deadlock|print_\w+_bug|__dump_stack|dump_stack\w*)$/;

function howOf(stack: readonly SplatFrame[]): string {
  const r = readStack(stack);
  const primitive = r.mode?.frame.fn ?? null;
  const taker = r.taker?.fn ?? null;
  const where =
    r.how === 'might_fault'
      ? `, by the might_fault of ${r.toUser?.frame.fn ?? 'a user copy'} (no fault needed)`
      : r.how === 'user-fault'
        ? ', in a page fault from user mode'
        : r.how === 'kernel-fault'
          ? `, in a page fault inside ${r.toUser?.frame.fn ?? 'a kernel copy'}`
          : '';
  return `${primitive !== null ? `${primitive} ` : ''}in ${taker ?? '?'}${r.mode !== null ? ` (${r.mode.mode})` : ''}${where}`;
}

function framesOf(stack: readonly SplatFrame[]): string[] {
  return stack.map((f) => f.fn ?? f.text).filter((fn) => !LOCKDEP_FRAME.test(fn));
}

function reportView(splat: Splat): ReportView {
  return {
    kind: splat.kind,
    title: splat.kind === 'circular' ? 'possible circular locking dependency detected' : 'possible recursive locking detected',
    form: splat.header === 'info' ? '"[ INFO: … ]" header (before 4.14)' : '"WARNING:" header (4.14 and later)',
    release: splat.release,
    task: splat.task === null ? null : `${splat.task.comm}/${splat.task.pid}`,
    line: splat.line,
    notes: splat.notes.map((n) => (n.line !== null ? `line ${n.line}: ${n.message}` : n.message)),
  };
}

function chainRows(splat: Splat): ChainRow[] {
  if (splat.kind === 'circular') return splat.chain.map((e) => ({ label: `-> #${e.depth}`, cls: e.cls, line: e.line, how: e.stack.length > 0 ? howOf(e.stack) : 'no stack trace', frames: framesOf(e.stack) }));
  const rows: ChainRow[] = [];
  if (splat.holding !== null) rows.push({ label: 'held', cls: splat.holding.cls, line: splat.holding.line, how: `taken at ${splat.holding.at.join(' → ') || '?'}${splat.holding.address !== null ? `, lock at ${splat.holding.address}` : ''}`, frames: [] });
  if (splat.acquiring !== null) {
    rows.push({
      label: 'asked',
      cls: splat.acquiring.cls,
      line: splat.acquiring.line,
      how: `${splat.backtrace.length > 0 ? howOf(splat.backtrace) : `at ${splat.acquiring.at.join(' → ') || '?'}`}${splat.acquiring.address !== null ? `, lock at ${splat.acquiring.address}` : ''}`,
      frames: framesOf(splat.backtrace),
    });
  }
  return rows;
}

function interleavingOf(found: Found): StepRow[] {
  const run = replay(buildSetup(found.scenario), found.variant, found.schedule);
  return run.trace.map((t, i) => {
    const before = run.states[i];
    const task = before?.tasks.find((x) => x.pid === t.pid);
    const frames = (task?.stack ?? []).map((f) => baseMachine(f.machine)).join(' › ');
    return { step: i + 1, pid: t.pid, frames, label: t.label };
  });
}

function verdictView(judged: Judged): VerdictView {
  const v = judged.verdict;
  switch (v.kind) {
    case 'deadlock':
      return { kind: 'deadlock', headline: v.headline, details: [], interleaving: interleavingOf(v.found) };
    case 'unknown':
      return { kind: 'unknown', headline: v.headline, details: ['raise the state limit (--max-states) or the time budget, or paste a shorter chain'], interleaving: null };
    case 'no-deadlock': {
      const details = v.reasons.map((r) => `Why: ${r}.`);
      if (v.closing !== null) details.push(`Deadlock reachable ${v.closing.assumption ?? ''}: ${v.closing.cycle} (${v.closing.schedule.length} steps, ${v.closing.states.toLocaleString('en-US')} states; the interleaving below).`);
      else details.push('No assumption the report suggests closes the cycle.');
      return { kind: 'no-deadlock', headline: v.headline, details, interleaving: v.closing === null ? null : interleavingOf(v.closing) };
    }
  }
}

function lineText(lines: readonly number[]): string {
  if (lines.length === 0) return 'not in the report';
  const first = lines[0] ?? 0;
  const last = lines[lines.length - 1] ?? 0;
  return first === last ? `line ${first}` : `lines ${first}–${last}`;
}

/** Everything the import shows, from a judged report. */
export function importViewOf(splat: Splat, judged: Judged): ImportView {
  const s = judged.synthesis;
  // Each class once, in the order the scenario uses them.
  const seen = new Set<string>();
  const mapping: MappingRow[] = [];
  for (const i of s.instances) {
    if (seen.has(i.key)) continue;
    seen.add(i.key);
    mapping.push({ cls: i.cls, model: i.model, why: i.why });
  }
  return {
    report: reportView(splat),
    chain: chainRows(splat),
    mapping,
    tasks: s.tasks.map((t) => ({ pid: t.pid, from: t.from, lines: lineText(t.lines), steps: t.steps })),
    verdict: verdictView(judged),
    notes: s.notes,
  };
}

/** Read, synthesize and judge a pasted report. */
export function importLockdep(text: string, limits: VerdictLimits = DEFAULT_VERDICT_LIMITS): ImportResult {
  const parsed = parseSplat(text);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const judged = judge(parsed.splat, limits);
  if (!judged.ok) return { ok: false, message: judged.message };
  return { ok: true, view: importViewOf(parsed.splat, judged.judged), judged: judged.judged, splat: parsed.splat };
}

/** The view as plain text, for the command line. */
export function importText(view: ImportView): string {
  const r = view.report;
  const out: string[] = [];
  out.push(`Report: ${r.title}, ${r.form}${r.release !== null ? `, ${r.release}` : ''}${r.task !== null ? `, task ${r.task}` : ''}, line ${r.line}`);
  for (const n of r.notes) out.push(`  note: ${n}`);
  out.push('', r.kind === 'circular' ? 'Dependency chain (-> #N: taken while holding the class of -> #N-1; -> #0: the reporting task, while holding the class of the highest -> #N):' : 'The lock taken twice:');
  for (const c of view.chain) out.push(`  ${c.label} ${c.cls} (line ${c.line}): ${c.how}`);
  out.push('', 'Mapped onto the model:');
  for (const m of view.mapping) out.push(`  ${m.cls} → ${m.model}`, `      ${m.why}`);
  out.push('', 'Tasks (threads of one process):');
  for (const t of view.tasks) {
    out.push(`  pid ${t.pid} — ${t.from} (${t.lines}):`);
    for (const s of t.steps) out.push(`      ${s}`);
  }
  if (view.notes.length > 0) out.push('', 'Notes:', ...view.notes.map((n) => `  ${n}`));
  out.push('', `Verdict: ${view.verdict.headline}`);
  for (const d of view.verdict.details) out.push(`  ${d}`);
  if (view.verdict.interleaving !== null) {
    out.push('', 'Interleaving (step, pid, frames, what the step did):');
    for (const s of view.verdict.interleaving) out.push(`  ${String(s.step).padStart(3)}  pid ${s.pid}  ${s.frames}: ${s.label}`);
  }
  return out.join('\n');
}
