/**
 * Named locks, `lock` and `copy` program entries and reported fault
 * handlers (the format additions of issue 19): what they validate to, and
 * that the kernel paths they build deadlock exactly when the locks say so.
 */
import { describe, expect, it } from 'vitest';
import { scenarioFileText } from '../export/scenario-json.ts';
import { explore } from '../sim/explore/explore.ts';
import { lockdepOfRun } from '../sim/lockdep.ts';
import { replay } from '../sim/replay.ts';
import { draftOf, scenarioJsonOf } from '../ui/editor/draft.ts';
import { buildSetup } from './build.ts';
import type { Scenario, SyscallSpec } from './types.ts';
import { parseScenarioJson, validateScenario } from './validate.ts';

const named = (name: string) => ({ kind: 'named', name }) as const;

/** One cached file F, mapped MAP_SHARED at user page 0 of process 0, whose ->page_mkwrite takes `faultLocks`. */
function base(tasks: Scenario['tasks'], faultLocks: NonNullable<Scenario['mappings'][number]['fault']>['locks'] = [], extra: Partial<Scenario> = {}): Scenario {
  return {
    id: 'lock-entries',
    title: 'lock entries',
    story: '',
    fs: 'ext2-dax',
    variants: ['dax-invalidate-lock'],
    files: [{ name: 'F', pages: ['cached'] }],
    locks: [
      { name: 'ip_alloc_sem', kind: 'rwsem', class: '&oi->ip_alloc_sem' },
      { name: 'sb_pagefaults', kind: 'rwsem' },
      { name: 'dev_mutex', kind: 'mutex', class: '&dev->mutex' },
    ],
    mappings: [{ process: 0, file: 'F', at: 0, pages: 1, shared: true, fault: { handler: 'ocfs2_page_mkwrite', locks: faultLocks } }],
    tasks,
    schedules: [],
    sources: [],
    ...extra,
  };
}

function valid(s: Scenario): Scenario {
  const v = validateScenario(s);
  if (!v.ok) throw new Error(v.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return v.scenario;
}

function errorsOf(s: unknown): string[] {
  const v = validateScenario(s);
  return v.ok ? [] : v.errors.map((e) => `${e.path}: ${e.message}`);
}

const fiemap: SyscallSpec = { call: 'lock', lock: named('ip_alloc_sem'), write: false, at: 'ocfs2_fiemap', body: [{ call: 'copy', buf: 0, write: true, at: 'fiemap_fill_next_extent' }] };
const pageMkwriteLocks = [
  { lock: named('sb_pagefaults'), write: false, at: 'ocfs2_page_mkwrite' },
  { lock: named('ip_alloc_sem'), write: true, at: 'ocfs2_page_mkwrite' },
] as const;

describe('reported fault handlers and lock entries', () => {
  it('a copy under ip_alloc_sem (read) that faults into a mapping whose ->page_mkwrite takes it for write deadlocks on its own', () => {
    const s = valid(base([{ pid: 101, process: 0, program: [fiemap] }], [...pageMkwriteLocks]));
    const result = explore(buildSetup(s), 'dax-invalidate-lock');
    expect(result.complete).toBe(true);
    expect(Object.keys(result.outcomes)).toEqual(['deadlock']);
    const run = replay(buildSetup(s), 'dax-invalidate-lock', result.outcomes.deadlock?.shortest.schedule ?? []);
    expect(run.outcome?.kind === 'deadlock' ? run.outcome.message : run.outcome?.kind).toBe('pid 101 waits for &oi->ip_alloc_sem held by pid 101');
    // The fault the copy took is on the path, nested in it: the frames lockdep's two-CPU sketch leaves out.
    expect(run.trace.map((t) => t.machine)).toEqual(['task', 'lock_region', 'lock_region', 'copy_user', 'do_page_fault', 'do_page_fault', 'do_page_fault', 'vm_ops_fault', 'vm_ops_fault']);
    // ->page_mkwrite's down_write sleeps on the ip_alloc_sem its own task holds for read.
    expect(run.trace.at(-1)).toMatchObject({ pid: 101, machine: 'vm_ops_fault', event: 'lock.queued' });
    const index = s.locks?.findIndex((l) => l.name === 'ip_alloc_sem') ?? -1;
    expect(run.states.at(-1)?.kernel.named?.[index]?.lock).toMatchObject({ readers: [101], waiters: [{ pid: 101, write: true }] });
  });

  it('labels a lock entry’s step with the kernel function the report names', () => {
    const s = valid(base([{ pid: 101, process: 0, program: [fiemap] }], [...pageMkwriteLocks]));
    const run = replay(buildSetup(s), 'dax-invalidate-lock', [], { finish: true });
    expect(run.trace.at(-1)?.label).toBe('ocfs2_page_mkwrite: down_write(&oi->ip_alloc_sem) → sleeps: held by pid 101');
  });

  it('the same copy completes when the handler takes ip_alloc_sem for read: readers share it', () => {
    const s = valid(base([{ pid: 101, process: 0, program: [fiemap] }], [pageMkwriteLocks[0], { ...pageMkwriteLocks[1], write: false }]));
    const result = explore(buildSetup(s), 'dax-invalidate-lock');
    expect(Object.keys(result.outcomes)).toEqual(['completed']);
  });

  it('two readers and a writer queued between them deadlock: rwsem fairness', () => {
    // pid 101 holds X for read and copies (faulting into a handler that takes X for read);
    // pid 102 asks X for write after 101 took it; 101's fault then queues behind the writer.
    const s = valid(
      base(
        [
          { pid: 101, process: 0, program: [fiemap] },
          { pid: 102, process: 1, program: [{ call: 'lock', lock: named('ip_alloc_sem'), write: true, at: 'ocfs2_truncate_file', body: [] }] },
        ],
        [{ lock: named('ip_alloc_sem'), write: false, at: 'ocfs2_fault' }],
      ),
    );
    const result = explore(buildSetup(s), 'dax-invalidate-lock');
    expect(result.outcomes.deadlock).toBeDefined();
    expect(result.outcomes.completed).toBeDefined();
  });

  it('ABBA between an inode lock held across a copy and an mmap that takes the inode lock under mmap_lock (write)', () => {
    const fiemapF: SyscallSpec = { call: 'lock', lock: { kind: 'i_rwsem', file: 'F' }, write: true, at: 'f2fs_fiemap', body: [{ call: 'copy', buf: 0, write: true, at: 'fiemap_fill_next_extent' }] };
    const mmapF: SyscallSpec = { call: 'lock', lock: { kind: 'mmap_lock' }, write: true, at: 'vm_mmap_pgoff', body: [{ call: 'lock', lock: { kind: 'i_rwsem', file: 'F' }, write: true, at: 'f2fs_file_mmap', body: [] }] };
    const threads = valid(base([{ pid: 101, process: 0, program: [fiemapF] }, { pid: 102, process: 0, program: [mmapF] }]));
    const explored = explore(buildSetup(threads), 'dax-invalidate-lock');
    expect(explored.outcomes.deadlock).toBeDefined();
    const run = replay(buildSetup(threads), 'dax-invalidate-lock', explored.outcomes.deadlock?.shortest.schedule ?? []);
    expect(run.outcome?.kind === 'deadlock' ? run.outcome.cycle.map((e) => `${e.pid}→${e.lockName}`) : []).toEqual(['101→mmap_lock of mm 0', '102→i_rwsem of F']);
    // In another process the mmap takes another mm's mmap_lock: nothing to wait for.
    const apart = valid({ ...threads, tasks: [threads.tasks[0], { ...threads.tasks[1], process: 1 }] as Scenario['tasks'] });
    expect(explore(buildSetup(apart), 'dax-invalidate-lock').outcomes.deadlock).toBeUndefined();
  });

  it('lockdep along the deadlocking run records the named classes and the cycle through them', () => {
    const s = valid(base([{ pid: 101, process: 0, program: [fiemap] }], [...pageMkwriteLocks]));
    const run = replay(buildSetup(s), 'dax-invalidate-lock', [], { finish: true });
    const ld = lockdepOfRun(run.states, run.trace);
    expect(ld.classes.map((c) => c.lockdepName).sort()).toEqual(['&mm->mmap_lock', '&oi->ip_alloc_sem', 'sb_pagefaults']);
    expect(ld.edges.map((e) => `${e.from} → ${e.to} (${e.via})`).sort()).toEqual([
      'mmap_sem → named &oi->ip_alloc_sem (wait)',
      'mmap_sem → named sb_pagefaults (acquire)',
      'named &oi->ip_alloc_sem → mmap_sem (might_fault)',
      'named &oi->ip_alloc_sem → named sb_pagefaults (acquire)',
      'named sb_pagefaults → named &oi->ip_alloc_sem (wait)',
    ]);
    expect(ld.reports.map((r) => r.kind)).toContain('recursive');
  });
});

describe('the partial-order reduction and named locks', () => {
  it('a step that takes a named lock is never taken alone: reduced and full searches reach the same outcomes', () => {
    // gfs2, two processes: the only tasks the reduction applies to. Named locks are shared state (sim/local.ts poisons them).
    const abba = (first: string, second: string): SyscallSpec => ({ call: 'lock', lock: named(first), write: true, at: 'path', body: [{ call: 'lock', lock: named(second), write: true, at: 'path', body: [] }] });
    const s = valid({
      ...base([
        { pid: 101, process: 0, program: [abba('ip_alloc_sem', 'dev_mutex')] },
        { pid: 102, process: 1, program: [abba('dev_mutex', 'ip_alloc_sem')] },
      ]),
      fs: 'gfs2',
      variants: ['gfs2-5.15'],
      mappings: [],
    });
    const reduced = explore(buildSetup(s), 'gfs2-5.15');
    const full = explore(buildSetup(s), 'gfs2-5.15', { reduction: 'none' });
    expect(reduced.reducedTasks).toBe(2);
    expect(Object.keys(reduced.outcomes).sort()).toEqual(Object.keys(full.outcomes).sort());
    expect(reduced.outcomes.deadlock?.shortest.length).toBe(full.outcomes.deadlock?.shortest.length);
  });
});

describe('validation of the additions', () => {
  const ok = base([{ pid: 101, process: 0, program: [fiemap] }], [...pageMkwriteLocks]);

  it('accepts them and keeps them through the scenario file and the editor', () => {
    const s = valid(ok);
    const again = parseScenarioJson(scenarioFileText(s));
    expect(again.ok ? again.scenario : again.errors).toEqual(s);
    expect(valid(scenarioJsonOf(draftOf(s)) as unknown as Scenario)).toEqual(s);
  });

  it('names what is wrong, by field', () => {
    expect(errorsOf({ ...ok, tasks: [{ pid: 101, process: 0, program: [{ ...fiemap, lock: named('nope') }] }] })).toEqual([
      'tasks[0].program[0].lock.name: no lock "nope" in locks (locks: ip_alloc_sem, sb_pagefaults, dev_mutex)',
    ]);
    expect(errorsOf({ ...ok, tasks: [{ pid: 101, process: 0, program: [{ ...fiemap, lock: named('dev_mutex') }] }] })).toEqual(['tasks[0].program[0].write: dev_mutex is a mutex: it has no read mode (write: true)']);
    expect(errorsOf({ ...ok, tasks: [{ pid: 101, process: 0, program: [{ call: 'copy', buf: 9, write: true }] }] })).toEqual(['tasks[0].program[0].buf: user page 9 is not mapped in process 0 (mapped: user pages 0)']);
    const deep = (n: number): SyscallSpec => (n === 0 ? { call: 'copy', buf: 0, write: true } : { call: 'lock', lock: named('ip_alloc_sem'), write: true, body: [deep(n - 1)] });
    expect(errorsOf({ ...ok, tasks: [{ pid: 101, process: 0, program: [deep(4)] }] })).toEqual([]);
    expect(errorsOf({ ...ok, tasks: [{ pid: 101, process: 0, program: [deep(5)] }] })).toEqual(['tasks[0].program[0].body[0].body[0].body[0].body[0]: lock entries nest at most 4 deep']);
    const mapping = ok.mappings[0];
    if (mapping === undefined) throw new Error('no mapping');
    expect(errorsOf({ ...ok, mappings: [{ ...mapping, fault: { handler: 'x_fault', locks: [{ lock: { kind: 'mmap_lock' }, write: false }] } }] })).toEqual([
      'mappings[0].fault.locks[0].lock.kind: a fault handler runs with mmap_lock already held for read: it cannot take it again',
    ]);
    expect(errorsOf({ ...ok, files: [{ name: 'F', pages: ['disk'] }] })).toEqual(['mappings[0].fault.handler: a reported fault handler maps the page-cache page, but F:0 is disk: make the mapped pages cached']);
    expect(errorsOf({ ...ok, locks: [{ name: 'a b', kind: 'mutex' }] })[0]).toBe('locks[0].name: "a b" is not a valid lock name: use letters, digits and underscores, starting with a letter or underscore (ip_alloc_sem)');
  });
});
