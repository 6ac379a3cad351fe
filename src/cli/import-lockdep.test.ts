/** `import-lockdep`: a real report in, the verdict, the scenario and a link that opens the interleaving out. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSetup } from '../scenarios/build.ts';
import { parseScenarioJson } from '../scenarios/validate.ts';
import { decodeLink } from '../share/link.ts';
import { replay } from '../sim/replay.ts';
import { EXIT_USAGE, runCli } from './run.ts';

const fixtures = new URL('../sim/splat/fixtures/', import.meta.url).pathname;

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(argv, { version: '9.9.9' }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'faultline-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli import-lockdep', () => {
  it('imports the ocfs2 report: the chain, the mapping, the tasks, the verdict with its fault frames, the scenario and a link (exit 1: deadlock)', () => {
    const r = run(['import-lockdep', '--file', `${fixtures}ocfs2-6.11-chain.txt`]);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toContain('-> #1 sb_pagefaults (line 44): percpu_down_read in ocfs2_page_mkwrite (read), in a page fault from user mode');
    expect(r.out).toContain('&oi->ip_alloc_sem → rwsem ip_alloc_sem');
    expect(r.out).toContain('Verdict: Deadlock reachable by one task on its own: the cycle closes at step 9');
    expect(r.out).toContain('task › lock_region › copy_user › do_page_fault › vm_ops_fault: ocfs2_page_mkwrite: down_write(&oi->ip_alloc_sem) → sleeps: held by pid 101');
    const scenarioText = r.out.slice(r.out.indexOf('{\n'), r.out.indexOf('\n}\n') + 2);
    expect(parseScenarioJson(scenarioText).ok).toBe(true);
    const link = /Share link: (\S+)/.exec(r.out)?.[1] ?? '';
    expect(link.startsWith('http://127.0.0.1:4173/#v=1&x=')).toBe(true);
    const decoded = decodeLink(link.slice(link.indexOf('#')));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.view.schedule).not.toBeNull();
    const replayed = replay(buildSetup(decoded.view.scenario), decoded.view.variant, decoded.view.schedule ?? []);
    expect(replayed.outcome?.kind === 'deadlock' ? replayed.outcome.message : '').toBe('pid 101 waits for &oi->ip_alloc_sem held by pid 101');
  });

  it('prints JSON with --json', () => {
    const r = run(['import-lockdep', '--file', `${fixtures}hugetlbfs-3.3-circular.txt`, '--json', '--base', 'https://example.org/faultline/']);
    const parsed = JSON.parse(r.out) as { report: { form: string }; verdict: { kind: string; reasons: string[]; closing: { assumption: string } }; link: string; scenario: { tasks: unknown[] } };
    expect(parsed.report.form).toBe('"[ INFO: … ]" header (before 4.14)');
    expect(parsed.verdict.kind).toBe('no-deadlock');
    expect(parsed.verdict.reasons[0]).toContain('is two different locks here');
    expect(parsed.verdict.closing.assumption).toContain('also taken on the regular file');
    expect(parsed.link.startsWith('https://example.org/faultline/#v=1&x=')).toBe(true);
    expect(r.code).toBe(1);
  });

  it('refuses what is not a report, naming what it expected, with exit 2', () => {
    const path = join(dir, 'not-a-splat.txt');
    writeFileSync(path, 'BUG: unable to handle page fault for address: ffffffffffffffff\n');
    const r = run(['import-lockdep', '--file', path]);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toBe(`faultline import-lockdep: ${path}: no lockdep report found: expected a line "WARNING: possible circular locking dependency detected" or "WARNING: possible recursive locking detected" (before 4.14: "[ INFO: possible … detected ]")`);
  });

  it('needs --file, and a file that exists', () => {
    expect(run(['import-lockdep']).err).toBe('faultline import-lockdep: --file <splat.txt> is required: a lockdep report, as the kernel printed it');
    expect(run(['import-lockdep', '--file', join(dir, 'nope.txt')])).toMatchObject({ code: EXIT_USAGE, err: `faultline import-lockdep: ${join(dir, 'nope.txt')}: cannot read it: no such file` });
  });
});
