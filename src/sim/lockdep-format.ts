/**
 * Lockdep's reports as the kernel of the modelled era prints them
 * (kernel/locking/lockdep.c: print_circular_bug, print_circular_bug_header,
 * print_circular_bug_entry, print_circular_lock_scenario, print_deadlock_bug,
 * print_deadlock_scenario, print_lock, print_lock_name,
 * lockdep_print_held_locks). Read in the v4.0-era text, which prints
 * "[ INFO: … ]" headers and six usage characters per class (hardirq,
 * softirq, reclaim_fs; write and read), and in a 5.x text, which prints
 * "WARNING: …" headers (since 4.14, a5dd63efda3d), four usage characters
 * (RECLAIM_FS went in 4.14) and the wait-type pair "-{3:3}" of a sleeping
 * lock (5.7).
 *
 * The line structure is the kernel's, so a parser of real splats reads these
 * too. What the model cannot print, and leaves out rather than invents: the
 * lock instance address 5.x prints before a lock's name, the "[<address>]"
 * 4.0 prints before a symbol, symbol offsets, and the register dump of
 * "stack backtrace:". Where the kernel prints a stack trace, the model prints
 * the step (its label, then the kernel functions it ran in, innermost first)
 * and "[step N, pid P]". The task's comm is "faultline". Reports that involve
 * a glock or the page lock start with a line saying the class is Faultline's
 * extension: lockdep tracks neither.
 */
import type { DepEdge, HeldLock, LockClass, LockdepReport, LockdepResult, LockMode, Site } from './lockdep.ts';

/** The comm every modelled task reports ("%s/%d" in lockdep's lines). */
const COMM = 'faultline';

function classOf(result: LockdepResult, key: string): LockClass {
  return result.classes.find((c) => c.key === key) ?? { key, kind: 'page', lockdepName: key, name: key };
}

function isRead(mode: LockMode): boolean {
  return mode === 'read' || mode === 'SH' || mode === 'DF';
}

/**
 * The usage characters of print_lock_name (get_usage_chars): per irq state a
 * write and a read character, '+' when the class was taken in that mode with
 * the state enabled. Every modelled lock is taken in process context with
 * interrupts (and, in 2015, fs reclaim) enabled, never inside an interrupt,
 * so each state reads the same: "+.+." for a mutex, "++++" for an rwsem
 * taken both ways (2015: "+.+.+.", "++++++").
 */
function usageChars(result: LockdepResult, cls: LockClass, mode: LockMode): string {
  const usage = cls.usage ?? { read: isRead(mode), write: !isRead(mode) };
  const state = `${usage.write ? '+' : '.'}${usage.read ? '+' : '.'}`;
  return state.repeat(result.era === '2015' ? 3 : 2);
}

/** print_lock_name: " (name){usage}", and from 5.7 the wait types of a sleeping lock, "-{3:3}" (LD_WAIT_SLEEP). */
function lockName(result: LockdepResult, key: string, mode: LockMode): string {
  const cls = classOf(result, key);
  return ` (${cls.lockdepName}){${usageChars(result, cls, mode)}}${result.era === '2015' ? '' : '-{3:3}'}`;
}

/** The kernel function a site ran in (print_lock's "at:" symbol), and the step. */
function at(site: Site | null): string {
  if (site === null) return 'taken earlier on this path';
  const fn = site.backtrace.find((line, i) => i > 0 && line !== site.label) ?? site.label;
  return `${fn} [step ${site.step + 1}: ${site.label}]`;
}

/** print_lock, without the instance address. */
function lockLine(result: LockdepResult, key: string, mode: LockMode, site: Site | null): string {
  return `${lockName(result, key, mode)}, at: ${at(site)}`;
}

/** lockdep_print_held_locks. */
function heldLines(result: LockdepResult, pid: number, held: readonly HeldLock[]): string[] {
  if (held.length === 0) return [`no locks held by ${COMM}/${pid}.`];
  return [`${held.length} lock${held.length > 1 ? 's' : ''} held by ${COMM}/${pid}:`, ...held.map((h, i) => ` #${i}: ${lockLine(result, h.cls, h.mode, h.at)}`)];
}

/** A stack trace printed with six spaces of indent and one more (print_stack_trace(trace, 6)). */
function traceLines(site: Site): string[] {
  return [...site.backtrace.map((line) => `       ${line}`), `       [step ${site.step + 1}, pid ${site.pid}]`];
}

function banner(result: LockdepResult, title: string, ident: string): string[] {
  const text = result.era === '2015' ? `[ INFO: ${title} ]` : `WARNING: ${title}`;
  // 4.0 prints a 54-character "=" line above the 55-character circular header; otherwise both rules match the title.
  const rule = (c: string, extra: number) => c.repeat(text.length + extra);
  const top = result.era === '2015' && title.startsWith('possible circular') ? rule('=', -1) : rule('=', 0);
  return ['', top, text, ident, rule('-', 0)];
}

/** The note a report carries when one of its classes is not a lockdep class in the kernel. */
function extensionNote(result: LockdepResult, keys: readonly string[]): string[] {
  const kinds = new Set(keys.map((k) => classOf(result, k).kind));
  const untracked = [...(kinds.has('glock') ? ['gfs2 glocks'] : []), ...(kinds.has('page') ? ['PG_locked'] : [])];
  if (untracked.length === 0) return [];
  return [`Faultline extension: lockdep does not track ${untracked.join(' or ')}; Faultline gives ${untracked.length > 1 ? 'them' : 'it'} lock classes to show this order.`];
}

/**
 * print_circular_lock_scenario: always two CPUs. CPU0 holds the lock the task
 * holds (target) and asks for the new one (source); CPU1 holds `parent`, the
 * class the existing chain reaches the held lock from, and asks for the held
 * lock. When the chain is longer than one dependency, "Chain exists of:"
 * names source, parent and target first.
 */
function scenarioLines(result: LockdepResult, chain: readonly DepEdge[], source: string, target: string): string[] {
  const name = (key: string) => classOf(result, key).lockdepName;
  // chain[0] is the existing dependency into the held lock: its `from` is lockdep's `parent`.
  const parent = chain.length > 1 ? (chain[0]?.from ?? source) : source;
  const lines = parent !== source ? ['Chain exists of:', `  ${name(source)} --> ${name(parent)} --> ${name(target)}`, ''] : [];
  return [
    ...lines,
    ' Possible unsafe locking scenario:',
    '',
    '       CPU0                    CPU1',
    '       ----                    ----',
    `  lock(${name(target)});`,
    `                               lock(${name(parent)});`,
    `                               lock(${name(target)});`,
    `  lock(${name(source)});`,
    '',
    ' *** DEADLOCK ***',
    '',
  ];
}

function backtraceLines(site: Site): string[] {
  return ['', 'stack backtrace:', ...traceLines(site)];
}

export function formatReport(result: LockdepResult, r: LockdepReport, ident: string): string {
  const acquiring = [`${COMM}/${r.pid} is trying to acquire lock:`, lockLine(result, r.acquiring.cls, r.acquiring.mode, r.acquiring.site), ''];
  const holding = ['but task is already holding lock:', lockLine(result, r.holding.cls, r.holding.mode, r.holding.at), ''];
  if (r.kind === 'recursive') {
    const name = classOf(result, r.acquiring.cls).lockdepName;
    return [
      ...extensionNote(result, [r.acquiring.cls]),
      ...banner(result, 'possible recursive locking detected', ident),
      ...acquiring,
      ...holding,
      'other info that might help us debug this:',
      ' Possible unsafe locking scenario:',
      '',
      '       CPU0',
      '       ----',
      `  lock(${name});`,
      `  lock(${name});`,
      '',
      ' *** DEADLOCK ***',
      '',
      ' May be due to missing lock nesting notation',
      '',
      ...heldLines(result, r.pid, r.held),
      ...backtraceLines(r.acquiring.site),
    ].join('\n');
  }
  const chain = r.chain.flatMap((e, i) => [`-> #${r.chain.length - 1 - i}${lockName(result, e.to, e.toMode)}:`, ...traceLines(e.site), '']);
  return [
    ...extensionNote(result, cycleOf(r)),
    ...banner(result, 'possible circular locking dependency detected', ident),
    ...acquiring,
    ...holding,
    'which lock already depends on the new lock.',
    '',
    '',
    'the existing dependency chain (in reverse order) is:',
    '',
    ...chain,
    'other info that might help us debug this:',
    '',
    ...scenarioLines(result, r.chain, r.acquiring.cls, r.holding.cls),
    ...heldLines(result, r.pid, r.held),
    ...backtraceLines(r.acquiring.site),
  ].join('\n');
}

/** The classes of a circular report: the new lock, then each lock the existing chain leads to, ending at the held one. */
function cycleOf(r: LockdepReport): string[] {
  if (r.kind === 'recursive') return [r.acquiring.cls];
  const fresh = r.chain[r.chain.length - 1];
  return fresh === undefined ? [] : [fresh.to, ...r.chain.slice(0, -1).reverse().map((e) => e.to)];
}

/** One line per report, in the graph's short names: "circular: i_mutex → mmap_sem → i_mutex". */
export function reportTitle(result: LockdepResult, r: LockdepReport): string {
  const name = (key: string) => classOf(result, key).name;
  if (r.kind === 'recursive') return `possible recursive locking: pid ${r.pid} takes ${name(r.acquiring.cls)} while holding it`;
  // Read from the held lock round to itself: holding → acquiring → … → holding.
  return `possible circular locking dependency: ${[r.holding.cls, ...cycleOf(r)].map(name).join(' → ')}`;
}

/** Every report, or the all-clear the CLI prints. */
export function formatLockdep(result: LockdepResult, ident: string): string {
  if (result.reports.length === 0) return `no circular dependency (${result.classes.length} lock classes, ${result.edges.length} dependencies)`;
  return result.reports.map((r) => formatReport(result, r, ident)).join('\n\n');
}
