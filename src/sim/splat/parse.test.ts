/**
 * The lockdep report reader against real reports (fixtures/, each citing
 * where it was posted) and against the ways people paste them: with dmesg
 * timestamps, syslog prefixes, quoted in a reply, cut off.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { baseClass, functionOf, parseSplat, usageHasRead } from './parse.ts';
import type { Splat } from './types.ts';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

function parsed(text: string): Splat {
  const r = parseSplat(text);
  if (!r.ok) throw new Error(r.message);
  return r.splat;
}

const fns = (frames: readonly { fn: string | null }[]) => frames.map((f) => f.fn);

describe('real reports', () => {
  it('hugetlbfs, 3.3: the "[ INFO: … ]" header, no lock addresses, [<addr>] stack lines, a one-space indent', () => {
    const s = parsed(fixture('hugetlbfs-3.3-circular.txt'));
    expect(s.kind).toBe('circular');
    expect(s.header).toBe('info');
    expect(s.release).toBe('3.3.0-rc4+');
    expect(s.task).toEqual({ comm: 'shared', pid: 1568 });
    expect(s.acquiring).toMatchObject({ cls: '&sb->s_type->i_mutex_key#12', usage: '+.+.+.', wait: null, address: null, at: ['hugetlbfs_file_mmap'] });
    expect(s.holding).toMatchObject({ cls: '&mm->mmap_sem', usage: '++++++', at: ['sys_mmap_pgoff'] });
    expect(s.chain.map((e) => [e.depth, e.cls])).toEqual([
      [1, '&mm->mmap_sem'],
      [0, '&sb->s_type->i_mutex_key#12'],
    ]);
    expect(fns(s.chain[0]?.stack ?? [])).toEqual(['lock_acquire', 'might_fault', 'filldir', 'dcache_readdir', 'vfs_readdir', 'sys_getdents', 'system_call_fastpath']);
    expect(s.chainExists).toBeNull();
    expect(s.scenario.map((x) => `${x.cpu}:${x.read ? 'r' : ''}lock(${x.cls})`)).toEqual(['0:lock(&mm->mmap_sem)', '1:lock(&sb->s_type->i_mutex_key#12)', '1:lock(&mm->mmap_sem)', '0:lock(&sb->s_type->i_mutex_key#12)']);
    expect(s.held?.map((h) => [h.index, h.lock.cls, h.lock.at])).toEqual([[0, '&mm->mmap_sem', ['sys_mmap_pgoff']]]);
    // "? fn" frames of the Call Trace are left out.
    expect(fns(s.backtrace)).toEqual(['print_circular_bug', '__lock_acquire', 'lock_acquire']);
    expect(s.notes).toEqual([]);
  });

  it('f2fs, 6.4: dmesg timestamps on every line, addresses, wait types', () => {
    const s = parsed(fixture('f2fs-6.4-circular.txt'));
    expect(s.header).toBe('warning');
    expect(s.release).toBe('6.4.0-rc1-00039-g18a87f3eaef5');
    expect(s.acquiring).toMatchObject({ cls: '&sb->s_type->i_mutex_key#11', usage: '+.+.', wait: '3:3', address: 'ffff888103a2c888', at: ['f2fs_file_mmap'] });
    expect(s.holding).toMatchObject({ cls: '&mm->mmap_lock', address: 'ffff888103d0e8c0', at: ['vm_mmap_pgoff'] });
    expect(fns(s.chain[0]?.stack ?? [])).toEqual(['lock_acquire', '__might_fault', '_copy_to_user', 'fiemap_fill_next_extent', 'f2fs_fiemap', 'do_vfs_ioctl', '__x64_sys_ioctl', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']);
    expect(s.chain[1]?.line).toBe(38);
    // The register dump after RIP: is not part of the trace.
    expect(fns(s.backtrace).at(-1)).toBe('entry_SYSCALL_64_after_hwframe');
    expect(s.held?.length).toBe(1);
  });

  it('ocfs2, 6.11 (syzbot): three classes, "Chain exists of:", rlock lines, [inline] frames', () => {
    const s = parsed(fixture('ocfs2-6.11-chain.txt'));
    expect(s.chain.map((e) => [e.depth, e.cls, e.usage])).toEqual([
      [2, '&oi->ip_alloc_sem', '++++'],
      [1, 'sb_pagefaults', '.+.+'],
      [0, '&mm->mmap_lock', '++++'],
    ]);
    expect(s.chainExists).toEqual(['&mm->mmap_lock', 'sb_pagefaults', '&oi->ip_alloc_sem']);
    expect(s.scenario.filter((x) => x.read).map((x) => x.cls)).toEqual(['&oi->ip_alloc_sem', '&mm->mmap_lock']);
    const sb = s.chain[1]?.stack ?? [];
    expect(sb[1]).toMatchObject({ fn: 'percpu_down_read', inline: true });
    expect(fns(sb).at(-1)).toBe('asm_exc_page_fault');
    expect(s.notes).toEqual([]);
  });

  it('bcachefs, 6.12 (syzbot): a recursive report; the same address twice', () => {
    const s = parsed(fixture('bcachefs-6.12-recursive.txt'));
    expect(s.kind).toBe('recursive');
    expect(s.acquiring).toMatchObject({ cls: '&c->sb_lock', address: 'ffff888078a80908', at: ['bch2_replicas_entry_validate'] });
    expect(s.holding).toMatchObject({ cls: '&c->sb_lock', address: 'ffff888078a80908', at: ['bch2_read_superblock_clean'] });
    expect(s.chain).toEqual([]);
    expect(s.held?.map((h) => h.lock.cls)).toEqual(['&c->state_lock', '&c->sb_lock']);
    expect(fns(s.backtrace)).toContain('bch2_replicas_entry_validate');
  });

  it('kvm, 6.8: quoted in a reply ("> "), cut off after the held lock: what it has, and a note', () => {
    const s = parsed(fixture('kvm-xen-6.8-recursive-cut.txt'));
    expect(s.kind).toBe('recursive');
    expect(s.task).toEqual({ comm: 'xen_shinfo_test', pid: 250013 });
    expect(s.acquiring?.at).toEqual(['kvm_xen_set_evtchn']);
    expect(s.holding?.address).toBe(s.acquiring?.address);
    expect(s.held).toBeNull();
    expect(s.notes.map((n) => n.message)).toEqual(['no "locks held by" list']);
  });
});

describe('how reports are pasted', () => {
  const f2fs = fixture('f2fs-6.4-circular.txt');
  const body = f2fs.slice(f2fs.indexOf('[    9.622928]'));
  const plain = body.replace(/^\[\s*\d+\.\d+\] ?/gm, '');
  const reference = parsed(plain);
  const same = (s: Splat) => ({ acquiring: s.acquiring?.cls, holding: s.holding?.cls, chain: s.chain.map((e) => [e.depth, e.cls, fns(e.stack)]), held: s.held?.map((h) => h.lock.cls) });

  it.each([
    ['syslog prefixes', plain.replace(/^/gm, 'Jun 16 06:03:42 host kernel: ')],
    ['ISO syslog prefixes', plain.replace(/^/gm, '2023-06-16T06:03:42.526357+00:00 host kernel: ')],
    ['caller ids', body.replace(/^(\[\s*\d+\.\d+\])/gm, '$1[ T2440]')],
    ['printk levels', plain.replace(/^/gm, '<4>')],
    ['a reply quoting a reply', plain.replace(/^/gm, '> > ')],
    ['rsyslog #012 for newlines', plain.split('\n').join('#012')],
    ['CRLF line ends', plain.replace(/\n/g, '\r\n')],
  ])('reads it with %s', (_how, text) => {
    expect(same(parsed(text))).toEqual(same(reference));
  });

  it('reads it wrapped by a mailer at 76 columns, as syzbot’s mails are ("at:  " then the function on the next line)', () => {
    const ocfs2 = fixture('ocfs2-6.11-chain.txt');
    const wrap = (line: string): string => {
      if (line.length <= 78) return line;
      const at = line.lastIndexOf(' ', 76);
      return at <= 0 ? line : `${line.slice(0, at)}  \n${wrap(line.slice(at + 1))}`;
    };
    const wrapped = ocfs2.split('\n').map(wrap).join('\n');
    expect(wrapped).toContain('at:  \n');
    const a = parsed(ocfs2);
    const b = parsed(wrapped);
    const view = (s: Splat) => ({ ...same(s), at: [s.acquiring?.at, s.holding?.at, s.held?.map((h) => h.lock.at)], trace: fns(s.backtrace), notes: s.notes });
    expect(view(b)).toEqual(view(a));
  });

  it('keeps line numbers of the text as pasted', () => {
    const s = parsed(`mail text\n\n${plain}`);
    expect(s.line).toBe(reference.line + 2);
  });
});

describe('bad and partial input', () => {
  it('says what it expected when there is no report', () => {
    expect(parseSplat('hello\nworld')).toEqual({
      ok: false,
      line: null,
      message: 'no lockdep report found: expected a line "WARNING: possible circular locking dependency detected" or "WARNING: possible recursive locking detected" (before 4.14: "[ INFO: possible … detected ]")',
    });
  });

  it('names another kind of lockdep report', () => {
    const r = parseSplat('=================================\nWARNING: inconsistent lock state\n6.1.0 #1 Not tainted\n');
    expect(r).toMatchObject({ ok: false, line: 2 });
    expect(r.ok ? '' : r.message).toBe('line 2 starts an "inconsistent lock state" report: only "possible circular locking dependency detected" and "possible recursive locking detected" reports can be imported');
  });

  it('names the line after which the task line is missing', () => {
    const r = parseSplat('======\nWARNING: possible circular locking dependency detected\n6.1.0 #1\n------\n');
    expect(r.ok ? '' : r.message).toBe('line 2 starts a lockdep report, but no line "<task>/<pid> is trying to acquire lock:" follows it');
  });

  it('names a lock line it cannot read', () => {
    const r = parseSplat('WARNING: possible circular locking dependency detected\nfoo/1 is trying to acquire lock:\n\nbut task is already holding lock:\n');
    expect(r.ok ? '' : r.message).toBe('line 3: expected the lock being acquired, "(class){usage}, at: function", after "foo/1 is trying to acquire lock:"');
  });

  it('reads a report cut off in the middle of the chain, and says so', () => {
    const text = fixture('ocfs2-6.11-chain.txt');
    const cut = text.slice(0, text.indexOf('-> #0'));
    const s = parsed(cut);
    expect(s.chain.map((e) => e.depth)).toEqual([2, 1]);
    expect(s.notes.map((n) => n.message)).toEqual(['-> #2 where -> #1 was expected: the chain is incomplete', '-> #1 where -> #0 was expected: the chain is incomplete']);
  });

  it('notes a chain line it cannot read, by line, and goes on', () => {
    const text = fixture('f2fs-6.4-circular.txt').replace('-> #1 (&mm->mmap_lock){++++}-{3:3}:', '-> #1 &mm->mmap_lock garbled');
    const s = parsed(text);
    expect(s.notes[0]).toEqual({ line: 27, message: '"-> #1 &mm->mmap_lock garbled" is not a dependency-chain entry: expected "-> #N (class){usage}:"' });
    expect(s.chain.map((e) => e.depth)).toEqual([0]);
  });

  it('refuses text far larger than a report', () => {
    expect(parseSplat('x'.repeat(300 * 1024))).toMatchObject({ ok: false, message: 'the text is 300 KiB; paste the report itself (at most 256 KiB)' });
  });

  it('never throws on hostile text', () => {
    for (const text of ['WARNING: possible recursive locking detected', 'WARNING: possible recursive locking detected\na/1 is trying to acquire lock:\n ((((){}, at:', '-> #', '\u0000'.repeat(100), `WARNING: possible circular locking dependency detected\n${'-> #1 (x){+}:\n'.repeat(500)}`]) {
      expect(() => parseSplat(text)).not.toThrow();
    }
  });
});

describe('pieces', () => {
  it('reads function names from every stack style', () => {
    expect(functionOf('[<ffffffff8109fb8f>] lock_acquire+0xd5/0xfa')).toBe('lock_acquire');
    expect(functionOf('lock_acquire+0x1ed/0x550 kernel/locking/lockdep.c:5759')).toBe('lock_acquire');
    expect(functionOf('percpu_down_read include/linux/percpu-rwsem.h:51 [inline]')).toBe('percpu_down_read');
    expect(functionOf('lock_acquire (arch/x86/include/asm/current.h:14 kernel/locking/lockdep.c:3602)')).toBe('lock_acquire');
    expect(functionOf('? hugetlbfs_file_mmap+0x7d/0x108')).toBe('hugetlbfs_file_mmap');
    expect(functionOf('lock_acquire.part.0+0x1ed/0x550')).toBe('lock_acquire.part.0');
    expect(functionOf('0x7e8d0c68')).toBeNull();
  });

  it('reads the usage bits: a read use is any second character of a pair', () => {
    expect(usageHasRead('+.+.')).toBe(false);
    expect(usageHasRead('++++')).toBe(true);
    expect(usageHasRead('.+.+')).toBe(true);
    expect(usageHasRead('+.+.+.')).toBe(false);
  });

  it('strips the name version and subclass of a class', () => {
    expect(baseClass('&sb->s_type->i_mutex_key#12')).toBe('&sb->s_type->i_mutex_key');
    expect(baseClass('&pipe->mutex/1')).toBe('&pipe->mutex');
  });
});
