/**
 * Lockdep's reports as the kernel prints them (kernel/locking/lockdep.c:
 * print_circular_bug, print_circular_lock_scenario, print_deadlock_bug,
 * lockdep_print_held_locks), with the model's steps where the kernel prints
 * stack traces. Two departures, both visible in the text: a lock's braces
 * hold the mode it was taken in (lockdep prints usage bits there), and the
 * unsafe scenario has one column per lock of the cycle where lockdep draws
 * two CPUs and a "Chain exists of" line.
 */
import type { DepEdge, HeldLock, LockClass, LockdepReport, LockdepResult, LockMode, Site } from './lockdep.ts';

const COLUMN = 29;

function classOf(result: LockdepResult, key: string): LockClass {
  return result.classes.find((c) => c.key === key) ?? { key, kind: 'page', lockdepName: key, name: key };
}

function isRead(mode: LockMode): boolean {
  return mode === 'read' || mode === 'SH' || mode === 'DF';
}

/** The kernel function a site ran in (lockdep's "at:"), and the step. */
function at(site: Site | null): string {
  if (site === null) return 'taken earlier on this path';
  const fn = site.backtrace.find((line, i) => i > 0 && line !== site.label) ?? site.label;
  return `${fn} [step ${site.step + 1}: ${site.label}]`;
}

function lockLine(result: LockdepResult, cls: string, mode: LockMode): string {
  return `(${classOf(result, cls).lockdepName}){${mode}}`;
}

function heldLines(result: LockdepResult, pid: number, held: readonly HeldLock[]): string[] {
  return [`${held.length} lock${held.length === 1 ? '' : 's'} held by pid ${pid}:`, ...held.map((h, i) => ` #${i}: ${lockLine(result, h.cls, h.mode)}, at: ${at(h.at)}`)];
}

function traceLines(site: Site): string[] {
  return [...site.backtrace.map((line) => `       ${line}`), `       [step ${site.step + 1}, pid ${site.pid}]`];
}

function scenarioLine(column: number, verb: string, name: string): string {
  return `${' '.repeat(column === 0 ? 2 : 2 + COLUMN * column)}${verb}(${name});`;
}

/**
 * The unsafe scenario of a cycle: CPU0 holds the lock the task holds and
 * asks for the new one; CPU i holds the i-th lock of the existing chain and
 * asks for the next. Every CPU takes its first lock, then each asks for its
 * second, last CPU first, as lockdep draws it.
 */
function scenarioLines(result: LockdepResult, chain: readonly DepEdge[]): string[] {
  const fresh = chain[chain.length - 1];
  if (fresh === undefined) return [];
  const path = chain.slice(0, -1).reverse();
  // Per CPU: the edge whose `from` it holds and whose `to` it asks for.
  const cpus = [fresh, ...path];
  const name = (key: string) => classOf(result, key).lockdepName;
  const verb = (mode: LockMode) => (isRead(mode) ? 'rlock' : 'lock');
  // CPU0's label sits at column 7, every other CPU's at its lock lines' column.
  const row = (text: (i: number) => string) => cpus.reduce((line, _, i) => line.padEnd(i === 0 ? 7 : 2 + COLUMN * i) + text(i), '');
  const lines = [' Possible unsafe locking scenario:', '', row((i) => `CPU${i}`), row(() => '----')];
  // Only CPU0's lines say rlock for a read, as print_circular_lock_scenario does.
  cpus.forEach((e, i) => lines.push(scenarioLine(i, i === 0 ? verb(e.fromMode) : 'lock', name(e.from))));
  for (let i = cpus.length - 1; i >= 0; i--) {
    const e = cpus[i];
    if (e !== undefined) lines.push(scenarioLine(i, i === 0 ? verb(e.toMode) : 'lock', name(e.to)));
  }
  lines.push('', ' *** DEADLOCK ***', '');
  return lines;
}

/** The new lock, then each lock the existing chain leads to, ending at the held one. */
function cycleFromAcquiring(chain: readonly DepEdge[]): string[] {
  const fresh = chain[chain.length - 1];
  return fresh === undefined ? [] : [fresh.to, ...chain.slice(0, -1).reverse().map((e) => e.to)];
}

export function formatReport(result: LockdepResult, r: LockdepReport, ident: string): string {
  const acquiring = [`pid ${r.pid} is trying to acquire lock:`, ` ${lockLine(result, r.acquiring.cls, r.acquiring.mode)}, at: ${at(r.acquiring.site)}`, ''];
  const holding = ['but task is already holding lock:', ` ${lockLine(result, r.holding.cls, r.holding.mode)}, at: ${at(r.holding.at)}`, ''];
  if (r.kind === 'recursive') {
    const name = classOf(result, r.acquiring.cls).lockdepName;
    return [
      '============================================',
      'WARNING: possible recursive locking detected',
      ident,
      '--------------------------------------------',
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
    ].join('\n');
  }
  const chain = r.chain.flatMap((e, i) => [`-> #${r.chain.length - 1 - i} ${lockLine(result, e.to, e.toMode)}:`, ...traceLines(e.site), '']);
  const cycle = cycleFromAcquiring(r.chain);
  const chainExists = cycle.length > 2 ? ['Chain exists of:', `  ${cycle.map((c) => classOf(result, c).lockdepName).join(' --> ')}`, ''] : [];
  return [
    '======================================================',
    'WARNING: possible circular locking dependency detected',
    ident,
    '------------------------------------------------------',
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
    ...chainExists,
    ...scenarioLines(result, r.chain),
    ...heldLines(result, r.pid, r.held),
  ].join('\n');
}

/** One line per report, in the graph's short names: "circular: i_mutex → mmap_sem → i_mutex". */
export function reportTitle(result: LockdepResult, r: LockdepReport): string {
  const name = (key: string) => classOf(result, key).name;
  if (r.kind === 'recursive') return `possible recursive locking: pid ${r.pid} takes ${name(r.acquiring.cls)} while holding it`;
  // Read from the held lock round to itself: holding → acquiring → … → holding.
  return `possible circular locking dependency: ${[r.holding.cls, ...cycleFromAcquiring(r.chain)].map(name).join(' → ')}`;
}

/** Every report, or the all-clear the CLI prints. */
export function formatLockdep(result: LockdepResult, ident: string): string {
  if (result.reports.length === 0) return `no circular dependency (${result.classes.length} lock classes, ${result.edges.length} dependencies)`;
  return result.reports.map((r) => formatReport(result, r, ident)).join('\n\n');
}
