// Lockdep facts, stated as a reviewer would: which orders each variant records, and what the report says.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VariantId } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import { PRESETS, findPreset } from '../scenarios/index.ts';
import type { Scenario } from '../scenarios/types.ts';
import { explore, type Reduction } from './explore/explore.ts';
import { cycleOf, lockdepOfRun, type DepEdge, type LockdepResult } from './lockdep.ts';
import { formatLockdep, formatReport, reportTitle } from './lockdep-format.ts';
import { replay } from './replay.ts';
import { choosing, runFrom, startAt } from './schedulers.ts';
import { initialSystem } from './system.ts';

function preset(id: string): Scenario {
  const s = findPreset(id);
  if (s === undefined) throw new Error(`no preset ${id}`);
  return s;
}

function along(id: string, variant: VariantId, name: string) {
  const scenario = preset(id);
  const steps = scenario.schedules.find((s) => s.name === name)?.steps;
  if (steps === undefined) throw new Error(`no schedule ${name}`);
  const run = replay(buildSetup(scenario), variant, steps, { finish: true });
  return { run, lockdep: lockdepOfRun(run.states, run.trace) };
}

function across(id: string, variant: VariantId, reduction: Reduction = 'local'): LockdepResult {
  const result = explore(buildSetup(preset(id)), variant, { lockdep: true, reduction });
  expect(result.complete).toBe(true);
  if (result.lockdep === null) throw new Error('no lockdep result');
  return result.lockdep;
}

function cycles(result: LockdepResult): string[][] {
  return result.reports.filter((r) => r.kind === 'circular').map((r) => [...cycleOf(r)].sort());
}

function edge(result: LockdepResult, from: string, to: string): DepEdge | undefined {
  return result.edges.find((e) => e.from === from && e.to === to);
}

describe('imutex-mmapsem', () => {
  it('under dax-imutex-fault, a schedule that completes without deadlock still reports i_mutex → mmap_sem (might_fault) against mmap_sem → i_mutex', () => {
    const { run, lockdep } = along('imutex-mmapsem', 'dax-imutex-fault', 'no-deadlock-lockdep-warns');
    expect(run.outcome?.kind).toBe('completed');
    // pid 101's copy never faulted: the dependency comes from might_fault alone.
    expect(run.trace.some((t) => t.pid === 101 && t.call === 'do_page_fault')).toBe(false);
    expect(edge(lockdep, 'i_rwsem', 'mmap_sem')).toMatchObject({ via: 'might_fault', site: { pid: 101 } });
    expect(edge(lockdep, 'mmap_sem', 'i_rwsem')).toMatchObject({ via: 'acquire', site: { pid: 102 } });
    expect(cycles(lockdep)).toEqual([['i_rwsem', 'mmap_sem']]);

    const report = lockdep.reports[0];
    if (report?.kind !== 'circular') throw new Error('expected a circular report');
    const text = formatReport(lockdep, report, 'dax-imutex-fault');
    // v4.0's print_circular_bug_header: a 54-character rule, the "[ INFO: … ]" title, the ident, a 55-character rule.
    expect(text).toContain(['='.repeat(54), '[ INFO: possible circular locking dependency detected ]', 'dax-imutex-fault', '-'.repeat(55)].join('\n'));
    expect(text).not.toContain('WARNING');
    // print_lock: the class with its six 2015 usage characters (mmap_sem taken for read and write, i_mutex for write).
    expect(text).toContain('faultline/101 is trying to acquire lock:\n (&mm->mmap_sem){++++++}, at: dax_write_iter');
    expect(text).toContain('but task is already holding lock:\n (&sb->s_type->i_mutex_key){+.+.+.}');
    expect(text).toContain('which lock already depends on the new lock.');
    expect(text).toContain('the existing dependency chain (in reverse order) is:');
    // #1 is the older dependency (pid 102's fault took i_mutex under mmap_sem), #0 the new one, with the step that made each.
    expect(text).toMatch(/-> #1 \(&sb->s_type->i_mutex_key\)\{\+\.\+\.\+\.\}:\n {7}mutex_lock\(&inode->i_mutex\) → granted\n(.*\n)*? {7}\[step \d+, pid 102\]/);
    expect(text).toMatch(/-> #0 \(&mm->mmap_sem\)\{\+\+\+\+\+\+\}:\n {7}__might_fault\n {7}copy_from_iter/);
    // A direct cycle: no "Chain exists of:", and every line says lock(), as 4.0's print_circular_lock_scenario does.
    expect(text).not.toContain('Chain exists of:');
    expect(text).toContain(
      [
        'other info that might help us debug this:',
        '',
        ' Possible unsafe locking scenario:',
        '',
        '       CPU0                    CPU1',
        '       ----                    ----',
        '  lock(&sb->s_type->i_mutex_key);',
        '                               lock(&mm->mmap_sem);',
        '                               lock(&sb->s_type->i_mutex_key);',
        '  lock(&mm->mmap_sem);',
        '',
        ' *** DEADLOCK ***',
        '',
        '1 lock held by faultline/101:',
        ' #0:  (&sb->s_type->i_mutex_key){+.+.+.}, at: dax_write_iter',
      ].join('\n'),
    );
    expect(text).toMatch(/\nstack backtrace:\n {7}__might_fault\n/);
    // Only glocks and the page lock get the extension note.
    expect(text).not.toContain('Faultline extension');
  });

  it('under dax-imutex-fault, the self-deadlock is also possible recursive locking of i_mutex', () => {
    const { lockdep } = along('imutex-mmapsem', 'dax-imutex-fault', 'self-deadlock');
    const recursive = lockdep.reports.find((r) => r.kind === 'recursive');
    expect(recursive?.acquiring.cls).toBe('i_rwsem');
    if (recursive === undefined) return;
    const text = formatReport(lockdep, recursive, 'dax-imutex-fault');
    expect(text).toContain(['='.repeat(45), '[ INFO: possible recursive locking detected ]', 'dax-imutex-fault', '-'.repeat(45)].join('\n'));
    expect(text).toContain('faultline/101 is trying to acquire lock:\n (&sb->s_type->i_mutex_key){+.+.+.}');
    expect(text).toContain('other info that might help us debug this:\n Possible unsafe locking scenario:\n\n       CPU0\n       ----\n  lock(&sb->s_type->i_mutex_key);\n  lock(&sb->s_type->i_mutex_key);');
    expect(text).toContain(' May be due to missing lock nesting notation');
  });

  it('under dax-2015, the real handler, no interleaving records an inversion', () => {
    const result = across('imutex-mmapsem', 'dax-2015');
    expect(result.reports).toEqual([]);
    expect(edge(result, 'i_rwsem', 'mmap_sem')?.via).toBe('might_fault');
    expect(edge(result, 'mmap_sem', 'i_rwsem')).toBeUndefined();
    expect(formatLockdep(result, 'dax-2015')).toMatch(/^no circular dependency/);
  });
});

describe('gfs2-abba-dio', () => {
  it('under gfs2-5.15 shows the glock cycle: glock 2/F1 → glock 2/F2 from pid 101, glock 2/F2 → glock 2/F1 from pid 102', () => {
    const result = across('gfs2-abba-dio', 'gfs2-5.15');
    expect(cycles(result)).toContainEqual(['glock 2/F1', 'glock 2/F2']);
    expect(edge(result, 'glock 2/F1', 'glock 2/F2')).toMatchObject({ fromMode: 'DF', toMode: 'SH', site: { pid: 101 } });
    expect(edge(result, 'glock 2/F2', 'glock 2/F1')).toMatchObject({ fromMode: 'DF', toMode: 'SH', site: { pid: 102 } });
    const glockCycle = result.reports.find((r) => r.kind === 'circular' && cycleOf(r).every((c) => c.startsWith('glock')));
    expect(glockCycle === undefined ? '' : reportTitle(result, glockCycle)).toMatch(/^possible circular locking dependency: glock 2\/F[12] → glock 2\/F[12] → glock 2\/F[12]$/);
  });

  it('under gfs2-5.15, the deadlocking schedule records the edge that closes the cycle while the task sleeps on it', () => {
    const { run, lockdep } = along('gfs2-abba-dio', 'gfs2-5.15', 'both-take-DF-first');
    expect(run.outcome?.kind).toBe('deadlock');
    const closing = lockdep.edges.filter((e) => e.from.startsWith('glock') && e.to.startsWith('glock'));
    expect(closing.map((e) => e.via)).toContain('wait');
    expect(cycles(lockdep)).toContainEqual(['glock 2/F1', 'glock 2/F2']);
  });

  it('under the RFC, trylocks record no glock → glock edge, but faulting with the glock held still inverts against mmap_lock', () => {
    const result = across('gfs2-abba-dio', 'gfs2-rfc-2021');
    expect(result.edges.filter((e) => e.from.startsWith('glock') && e.to.startsWith('glock'))).toEqual([]);
    expect(cycles(result)).toEqual(expect.arrayContaining([['glock 2/F1', 'mmap_sem']]));
    // get_user_pages faults with the DF glock held: mmap_read_lock under it.
    const site = edge(result, 'glock 2/F1', 'mmap_sem')?.site;
    const run = replay(buildSetup(preset('gfs2-abba-dio')), 'gfs2-rfc-2021', site?.schedule ?? []);
    expect(run.trace.at(-1)).toMatchObject({ pid: site?.pid, machine: 'do_page_fault', from: 'down_read_mmap_sem' });
    expect(run.states.at(-1)?.tasks.find((t) => t.pid === site?.pid)?.stack.map((f) => f.machine)).toContain('iomap_dio_rw');
  });
});

describe('fixed variants record no inversion', () => {
  const fixed: readonly VariantId[] = ['gfs2-5.16', 'gfs2-5.18', 'dax-2015', 'dax-2015-norecheck', 'dax-invalidate-lock', 'xfs-2015-mmaplock'];
  const cases = PRESETS.flatMap((scenario) => scenario.variants.filter((v) => fixed.includes(v)).map((variant) => ({ scenario, variant })));
  it.each(cases.map((c) => [c.scenario.id, c.variant, c] as const))('%s under %s: no cycle, no recursion, in any interleaving', (_id, _variant, { scenario, variant }) => {
    const result = across(scenario.id, variant);
    expect(result.reports.map((r) => reportTitle(result, r))).toEqual([]);
  });
});

describe('the BUG and the inversion', () => {
  it('gfs2-read-self under gfs2-5.15: the fault asks for the glock its own read holds, which is recursive locking before trap_recursive BUGs', () => {
    const { run, lockdep } = along('gfs2-read-self', 'gfs2-5.15', 'read-faults-on-own-mapping');
    expect(run.outcome?.kind).toBe('bug');
    const recursive = lockdep.reports.find((r) => r.kind === 'recursive');
    expect(recursive).toMatchObject({ pid: 101, acquiring: { cls: 'glock 2/F', mode: 'SH' }, holding: { cls: 'glock 2/F', mode: 'SH' } });
    expect(cycles(lockdep)).toContainEqual(['glock 2/F', 'mmap_sem']);
  });

  it('gfs2-read-self under gfs2-5.16: the may-demote holder is not counted, so the fault-in under it is no inversion', () => {
    expect(along('gfs2-read-self', 'gfs2-5.16', 'read-faults-on-own-mapping').lockdep.reports).toEqual([]);
  });
});

describe('lockdep across the explorer', () => {
  const small = ['gfs2-read-self', 'gfs2-abba-dio', 'gfs2-write-vs-mmap', 'imutex-mmapsem', 'dax-truncate'];
  const cases = PRESETS.filter((s) => small.includes(s.id)).flatMap((scenario) => scenario.variants.map((variant) => [scenario.id, variant] as const));

  it.each(cases)('%s under %s: the reduced searches record the same dependencies and reports as every interleaving', (id, variant) => {
    const full = across(id, variant, 'none');
    const keys = (r: LockdepResult) => ({ edges: r.edges.map((e) => `${e.from}>${e.to}`).sort(), reports: r.reports.map((x) => x.key).sort() });
    for (const reduction of ['local', 'footprint'] as const) expect(keys(across(id, variant, reduction)), reduction).toEqual(keys(full));
  });

  it('every dependency a random schedule records is one the explorer records', () => {
    const pairs = [
      ['gfs2-abba-dio', 'gfs2-5.15'],
      ['gfs2-abba-dio', 'gfs2-rfc-2021'],
      ['imutex-mmapsem', 'dax-imutex-fault'],
      ['gfs2-write-vs-mmap', 'gfs2-5.15'],
    ] as const;
    const explored = new Map(pairs.map(([id, v]) => [`${id}/${v}`, new Set(across(id, v).edges.map((e) => `${e.from}>${e.to}`))]));
    fc.assert(
      fc.property(fc.constantFrom(...pairs), fc.array(fc.nat(), { minLength: 1, maxLength: 80 }), ([id, variant], choices) => {
        const { states, trace } = runFrom(startAt(initialSystem(buildSetup(preset(id)), variant)), choosing(choices), { maxSteps: choices.length });
        const seen = explored.get(`${id}/${variant}`) ?? new Set();
        for (const e of lockdepOfRun(states, trace).edges) expect(seen.has(`${e.from}>${e.to}`)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the unsafe scenario of a longer cycle', () => {
  const site = (step: number) => ({ step, pid: 1, label: `step ${step}`, backtrace: [`step ${step}`, 'f'] });
  const e = (from: string, to: string, step: number): DepEdge => ({ from, to, fromMode: 'write', toMode: 'write', via: 'acquire', site: site(step) });
  const classes = ['A', 'X', 'B', 'C'].map((k) => ({ key: k, kind: 'i_rwsem' as const, lockdepName: k, name: k }));
  const report = (chain: DepEdge[]) => ({ kind: 'circular' as const, key: 'k', pid: 1, acquiring: { cls: 'A', mode: 'write' as const, site: site(9) }, holding: { cls: 'C', mode: 'write' as const, at: site(8) }, held: [{ cls: 'C', mode: 'write' as const, at: site(8) }], chain });

  it('draws two CPUs, as print_circular_lock_scenario does, after "Chain exists of:" naming the new lock, the one the held lock was taken under, and the held lock', () => {
    // Holding C, acquiring A; existing A → B → C.
    const result: LockdepResult = { era: '5.x', classes, edges: [], reports: [] };
    const text = formatReport(result, report([e('B', 'C', 2), e('A', 'B', 1), e('C', 'A', 9)]), 't');
    expect(text).toContain(['='.repeat(54), 'WARNING: possible circular locking dependency detected', 't', '-'.repeat(54)].join('\n'));
    expect(text).toContain('-> #2 (C){+.+.}-{3:3}:');
    expect(text).toContain('-> #0 (A){+.+.}-{3:3}:');
    expect(text).toContain(
      [
        'Chain exists of:',
        '  A --> B --> C',
        '',
        ' Possible unsafe locking scenario:',
        '',
        '       CPU0                    CPU1',
        '       ----                    ----',
        '  lock(C);',
        '                               lock(B);',
        '                               lock(C);',
        '  lock(A);',
      ].join('\n'),
    );
  });

  it('names only source, parent and target of a cycle of four, as the kernel does', () => {
    const result: LockdepResult = { era: '2015', classes, edges: [], reports: [] };
    const text = formatReport(result, report([e('B', 'C', 3), e('X', 'B', 2), e('A', 'X', 1), e('C', 'A', 9)]), 't');
    expect(text).toContain('[ INFO: possible circular locking dependency detected ]');
    expect(text).toContain('Chain exists of:\n  A --> B --> C\n');
    expect(text).toContain('-> #3 (C){+.+.+.}:');
    expect(text.match(/CPU\d/g)).toEqual(['CPU0', 'CPU1']);
  });
});

describe('lockdep reports in the 5.x format', () => {
  it('gfs2-abba-dio under gfs2-5.15: "WARNING:", four usage characters and the wait type, and the note that glocks are Faultline\'s extension', () => {
    const { lockdep } = along('gfs2-abba-dio', 'gfs2-5.15', 'both-take-DF-first');
    const report = lockdep.reports.find((r) => r.kind === 'circular' && cycleOf(r).every((c) => c.startsWith('glock')));
    if (report === undefined) throw new Error('expected the glock cycle');
    const text = formatReport(lockdep, report, 'gfs2-5.15 (Faultline model)');
    expect(text.split('\n')[0]).toBe('Faultline extension: lockdep does not track gfs2 glocks; Faultline gives it lock classes to show this order.');
    expect(text).toContain(['', '='.repeat(54), 'WARNING: possible circular locking dependency detected', 'gfs2-5.15 (Faultline model)', '-'.repeat(54)].join('\n'));
    // Glocks taken DF and SH only: the read column.
    expect(text).toMatch(/faultline\/10[12] is trying to acquire lock:\n \(glock 2\/F[12]\)\{\.\+\.\+\}-\{3:3\}, at: /);
    expect(text).toMatch(/\d locks? held by faultline\/10[12]:\n #0: {2}\(/);
  });
});

describe('path counts', () => {
  it('gfs2-abba-dio: the fix removes every deadlocking schedule and sends every schedule through an -EFAULT retry', () => {
    const before = explore(buildSetup(preset('gfs2-abba-dio')), 'gfs2-5.15', { paths: true, reduction: 'none' }).paths;
    const after = explore(buildSetup(preset('gfs2-abba-dio')), 'gfs2-5.18', { paths: true, reduction: 'none' }).paths;
    expect(before?.byOutcome.deadlock).toBeGreaterThan(0);
    expect(before?.byEvent['-EFAULT retry']).toBe(0);
    expect(after?.byOutcome.deadlock).toBeUndefined();
    expect(after?.byEvent['-EFAULT retry']).toBe(after?.total);
  });

  it('gfs2-read-self has exactly one schedule: one task', () => {
    const paths = explore(buildSetup(preset('gfs2-read-self')), 'gfs2-5.15', { paths: true }).paths;
    expect(paths).toEqual({ total: 1, byOutcome: { bug: 1 }, byEvent: { '-EFAULT retry': 0, VM_FAULT_RETRY: 0, GLR_TRYFAILED: 0, SIGBUS: 0 } });
  });

  it('counts interleavings: two independent one-step tasks have two schedules', () => {
    // truncate-mapping-repeat with reduction off counts every order of every step; the total equals the sum over outcomes.
    const paths = explore(buildSetup(preset('truncate-mapping-repeat')), 'dax-2015', { paths: true, reduction: 'none' }).paths;
    const sum = Object.values(paths?.byOutcome ?? {}).reduce((a, b) => a + b, 0);
    expect(sum).toBe(paths?.total);
    expect(paths?.byEvent.SIGBUS).toBe(paths?.byOutcome.sigbus);
  });
});
