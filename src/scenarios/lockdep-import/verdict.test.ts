/**
 * Real lockdep reports (src/sim/splat/fixtures, each citing its thread)
 * through synthesis and the explorer: the verdict must be what the thread
 * concluded. Then variations that exercise each reason a cycle cannot close.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSetup } from '../build.ts';
import { replay } from '../../sim/replay.ts';
import { stepName } from '../../sim/trace-query.ts';
import { explore } from '../../sim/explore/explore.ts';
import { cycleOf } from '../../sim/lockdep.ts';
import { baseClass, parseSplat } from '../../sim/splat/parse.ts';
import type { Splat } from '../../sim/splat/types.ts';
import { synthesize } from './synthesize.ts';
import { judge, type Judged } from './verdict.ts';
import { importLockdep } from './view.ts';

function fixture(name: string): string {
  return readFileSync(new URL(`../../sim/splat/fixtures/${name}`, import.meta.url), 'utf8');
}

function splatOf(text: string): Splat {
  const r = parseSplat(text);
  if (!r.ok) throw new Error(r.message);
  return r.splat;
}

function judged(text: string): Judged {
  const r = judge(splatOf(text));
  if (!r.ok) throw new Error(r.message);
  return r.judged;
}

/** The machines (frames) the deadlocking schedule of a verdict runs through. */
function machinesOf(j: Judged): string[] {
  const run = replay(buildSetup(j.open.scenario), j.open.variant, j.open.schedule);
  return [...new Set(run.trace.map((t) => t.machine))];
}

describe('verdicts on real reports match what their threads concluded', () => {
  it('f2fs (6.4, Eric Biggers): "This patch causes the following deadlock report" — the patch was dropped: an ABBA deadlock of two tasks', () => {
    const j = judged(fixture('f2fs-6.4-circular.txt'));
    expect(j.verdict.kind).toBe('deadlock');
    if (j.verdict.kind !== 'deadlock') return;
    expect(j.verdict.found.cycleTasks).toBe(2);
    expect(j.verdict.found.cycle).toBe('pid 101 waits for i_rwsem of F held by pid 102; pid 102 waits for mmap_lock of mm 0 held by pid 101');
    // fiemap's copy_to_user faults (the fault lockdep's sketch leaves out) and waits for mmap_lock, which mmap() holds for write.
    expect(machinesOf(j)).toEqual(expect.arrayContaining(['lock_region', 'copy_user', 'do_page_fault']));
    const mmap = j.synthesis.scenario.tasks[0]?.program[0];
    expect(mmap).toMatchObject({ call: 'lock', lock: { kind: 'mmap_lock' }, write: true, at: 'vm_mmap_pgoff', body: [{ call: 'lock', lock: { kind: 'i_rwsem', file: 'F' }, at: 'f2fs_file_mmap' }] });
  });

  it('ocfs2 (6.11, syzbot; fixed by 04100f775c2e "ocfs2: fix recursive semaphore deadlock in fiemap call"): one task deadlocks with itself, through the fault its copy takes', () => {
    const j = judged(fixture('ocfs2-6.11-chain.txt'));
    expect(j.verdict.kind).toBe('deadlock');
    if (j.verdict.kind !== 'deadlock') return;
    expect(j.verdict.found.cycleTasks).toBe(1);
    expect(j.verdict.found.cycle).toBe('pid 101 waits for &oi->ip_alloc_sem held by pid 101');
    expect(j.verdict.found.cycleAt).toBe(9);
    // ocfs2_fiemap holds ip_alloc_sem for read; copy_to_user faults into the shared mapping; ocfs2_page_mkwrite takes sb_pagefaults, then ip_alloc_sem for write.
    const run = replay(buildSetup(j.open.scenario), j.open.variant, j.open.schedule.slice(0, 9));
    expect(run.trace.map(stepName)).toEqual([
      'task.next_syscall → sys.call',
      'lock_region.lock → lock.granted',
      'lock_region.body → body.call',
      'copy_user.copy → copy.fault',
      'do_page_fault.down_read_mmap_sem → lock.granted',
      'do_page_fault.find_vma → fault.found',
      'do_page_fault.handle_mm_fault → fault.call',
      'vm_ops_fault.lock → lock.granted',
      'vm_ops_fault.lock → lock.queued',
    ]);
    expect(run.trace[6]?.call).toBe('vm_ops_fault');
    // The task holds ip_alloc_sem for read and sb_pagefaults, and sleeps for ip_alloc_sem for write.
    const named = run.states.at(-1)?.kernel.named ?? [];
    expect(named.map((n) => [n.name, n.lock.writer, n.lock.readers, n.lock.waiters.map((w) => [w.pid, w.write])]).sort()).toEqual([
      ['ip_alloc_sem', null, [101], [[101, true]]],
      ['sb_pagefaults', null, [101], []],
    ]);
  });

  it('hugetlbfs (3.3, Al Viro: "Deadlock in hugetlbfs mmap getting misreported"): the chain as printed cannot deadlock (a directory), the same dependency on the file does', () => {
    const j = judged(fixture('hugetlbfs-3.3-circular.txt'));
    expect(j.verdict.kind).toBe('no-deadlock');
    if (j.verdict.kind !== 'no-deadlock') return;
    expect(j.verdict.headline).toMatch(/^No interleaving of these 2 tasks deadlocks: all \d+ states explored\.$/);
    expect(j.verdict.reasons).toEqual([
      "&sb->s_type->i_mutex_key#12 is two different locks here: a directory's (a directory: filldir (line 31)) and a regular file's (a regular file: hugetlbfs_file_mmap (line 42)); the cycle needs them to be one",
    ]);
    expect(j.verdict.closing?.assumption).toContain('also taken on the regular file');
    expect(j.verdict.closing?.cycle).toBe('pid 101 waits for i_mutex of F held by pid 102; pid 102 waits for mmap_sem of mm 0 held by pid 101');
    expect(j.synthesis.variant).toBe('dax-2015');
  });

  it('bcachefs (6.12, syzbot; bisected to 49fd90b2cc33, fixed upstream): the same mutex twice, one task deadlocks', () => {
    const j = judged(fixture('bcachefs-6.12-recursive.txt'));
    expect(j.verdict.kind).toBe('deadlock');
    if (j.verdict.kind !== 'deadlock') return;
    expect(j.verdict.found.cycle).toBe('pid 101 waits for &c->sb_lock held by pid 101');
    expect(j.synthesis.notes).toContain('left out: other locks the task holds (&c->state_lock, #0 line 36)');
  });

  it('kvm xen (6.8, cut off after the held lock; "a recursive locking deadlock", fixed): still a verdict, one task deadlocks', () => {
    const j = judged(fixture('kvm-xen-6.8-recursive-cut.txt'));
    expect(j.verdict.kind).toBe('deadlock');
    if (j.verdict.kind !== 'deadlock') return;
    expect(j.verdict.found.cycle).toBe('pid 101 waits for &kvm->arch.xen.xen_lock held by pid 101');
  });
});

describe('round trip: the imported scenario under Faultline’s own lockdep', () => {
  it.each(['f2fs-6.4-circular.txt', 'ocfs2-6.11-chain.txt'])('%s: reports a cycle through classes of the real report', (name) => {
    const j = judged(fixture(name));
    const splat = splatOf(fixture(name));
    const reported = new Set(splat.chain.map((e) => baseClass(e.cls)));
    const result = explore(buildSetup(j.synthesis.scenario), j.synthesis.variant, { lockdep: true }).lockdep;
    const circular = (result?.reports ?? []).filter((r) => r.kind === 'circular');
    expect(circular.length).toBeGreaterThan(0);
    const names = (r: (typeof circular)[number]) => cycleOf(r).map((key) => baseClass(result?.classes.find((c) => c.key === key)?.lockdepName ?? key));
    for (const r of circular) for (const cls of names(r)) expect(reported).toContain(cls);
  });
});

describe('why a cycle does not close, and what would close it', () => {
  const bcachefs = fixture('bcachefs-6.12-recursive.txt');

  it('two locks of one class at different addresses: no deadlock, and the reason', () => {
    const j = judged(bcachefs.replace('ffff888078a80908 (&c->sb_lock){+.+.}-{3:3}, at: bch2_replicas', 'ffff888078a80aaa (&c->sb_lock){+.+.}-{3:3}, at: bch2_replicas'));
    expect(j.verdict.kind).toBe('no-deadlock');
    if (j.verdict.kind !== 'no-deadlock') return;
    expect(j.verdict.reasons).toEqual(['the two locks of &c->sb_lock are different locks (addresses ffff888078a80908 and ffff888078a80aaa): lockdep\'s "May be due to missing lock nesting notation"']);
    expect(j.verdict.closing).toBeNull();
  });

  it('an rwsem taken twice for read: no deadlock alone; a writer queued between closes it', () => {
    const rwsem = bcachefs
      .replaceAll('(&c->sb_lock){+.+.}', '(&c->sb_lock){++++}')
      .replace('__mutex_lock_common kernel/locking/mutex.c:608 [inline]\n __mutex_lock+0x136/0xd70 kernel/locking/mutex.c:752', 'down_read+0x99/0x220 kernel/locking/rwsem.c:1524');
    const j = judged(rwsem);
    expect(j.verdict.kind).toBe('no-deadlock');
    if (j.verdict.kind !== 'no-deadlock') return;
    expect(j.verdict.reasons[0]).toMatch(/^every acquisition of &c->sb_lock in the cycle is a read \(.*\): readers do not exclude each other$/);
    expect(j.verdict.closing?.assumption).toContain('if a writer queues for &c->sb_lock between the readers');
    expect(j.verdict.closing?.cycle).toBe('pid 101 waits for &c->sb_lock held by pid 101, queued behind writer pid 102; pid 102 waits for &c->sb_lock held by pid 101');
  });

  it('the ocfs2 chain with its fault taking ip_alloc_sem for read: no deadlock, every rwsem of the cycle is read; a writer of ip_alloc_sem closes it', () => {
    const text = fixture('ocfs2-6.11-chain.txt').replace('down_write+0x99/0x220 kernel/locking/rwsem.c:1579\n       ocfs2_page_mkwrite+0x347', 'down_read+0x99/0x220 kernel/locking/rwsem.c:1579\n       ocfs2_page_mkwrite+0x347');
    const j = judged(text);
    expect(j.verdict.kind).toBe('no-deadlock');
    if (j.verdict.kind !== 'no-deadlock') return;
    expect(j.verdict.reasons.map((r) => r.replace(/ in the cycle is a read .*$/, ''))).toEqual(['every acquisition of &oi->ip_alloc_sem', 'every acquisition of &mm->mmap_lock', 'every acquisition of sb_pagefaults']);
    // An mmap() queued on mmap_lock does not close it (the fault's handler only reads); a writer of ip_alloc_sem between the readers does.
    expect(j.verdict.closing?.assumption).toBe('if a writer queues for &oi->ip_alloc_sem between the readers (a reader waits behind a queued writer)');
    expect(j.verdict.closing?.cycle).toBe('pid 101 waits for &oi->ip_alloc_sem held by pid 101, queued behind writer pid 103; pid 103 waits for &oi->ip_alloc_sem held by pid 101');
  });

  it('a report cut before its chain: a message saying what is missing', () => {
    const text = fixture('ocfs2-6.11-chain.txt');
    const r = importLockdep(text.slice(0, text.indexOf('the existing dependency chain')));
    expect(r).toEqual({ ok: false, message: 'the report has no "-> #N" entries in its dependency chain (the report ends before the dependency chain): the stacks that make each dependency are needed' });
  });

  it('a state limit too small: no verdict, and why', () => {
    const r = judge(splatOf(fixture('f2fs-6.4-circular.txt')), { maxStates: 20, timeBudgetMs: 10_000 });
    expect(r.ok && r.judged.verdict.kind).toBe('unknown');
    expect(r.ok ? r.judged.verdict.headline : '').toMatch(/^No verdict: the state limit \(20\) was reached after 20 states of the 2 tasks, with no deadlock found so far\.$/);
  });

  it('every synthesized scenario validates and keeps its classes as named locks with their lockdep class', () => {
    const s = synthesize(splatOf(fixture('ocfs2-6.11-chain.txt')));
    expect(s.ok && s.synthesis.scenario.locks).toEqual([
      { name: 'ip_alloc_sem', kind: 'rwsem', class: '&oi->ip_alloc_sem' },
      { name: 'sb_pagefaults', kind: 'rwsem', class: 'sb_pagefaults' },
    ]);
  });
});
