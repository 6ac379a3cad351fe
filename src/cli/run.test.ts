import { describe, expect, it } from 'vitest';
import { EXIT_USAGE, runCli } from './run.ts';

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(argv, { version: '9.9.9' }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('cli', () => {
  it('prints usage for --help and for no command', () => {
    for (const argv of [['--help'], ['-h'], []]) {
      const r = run(argv);
      expect(r.code).toBe(0);
      expect(r.out).toContain('Usage: npm run -s cli -- <command>');
    }
  });

  it('prints the version', () => {
    expect(run(['--version'])).toEqual({ code: 0, out: '9.9.9', err: '' });
  });

  it('refuses an unknown command with one line and exit 2', () => {
    const r = run(['frobnicate']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain("unknown command 'frobnicate'");
  });
});

describe('cli replay', () => {
  it('replays gfs2-read-self under gfs2-5.15 to the recursive-glock BUG, with the holder log', () => {
    const r = run(['replay', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.15']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('gfs2_glock_nq(SH) on glock 2/F → trap_recursive → BUG()');
    expect(r.out).toContain('gfs2: original: gfs2_file_read_iter');
    expect(r.out).toContain('gfs2: new: gfs2_fault');
  });

  it('prints JSON with the steps, the outcome and each task’s returns', () => {
    const r = run(['replay', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.18', '--json']);
    const parsed = JSON.parse(r.out) as { scenario: string; variant: string; steps: { task: number; label: string; machine: string }[]; outcome: { kind: string }; returns: Record<string, number[]> };
    expect(parsed.scenario).toBe('gfs2-read-self');
    expect(parsed.outcome.kind).toBe('completed');
    expect(parsed.returns).toEqual({ '101': [4096] });
    // One -EFAULT retry: the read takes the glock twice and drops it twice.
    const read = parsed.steps.filter((s) => s.machine === 'gfs2_file_read_iter (5.18)');
    expect(read.filter((s) => s.label.startsWith('gfs2_glock_nq(SH)'))).toHaveLength(2);
    expect(read.filter((s) => s.label.startsWith('gfs2_glock_dq'))).toHaveLength(2);
  });

  it('continues round-robin after an explicit schedule: gfs2-abba-dio deadlocks under gfs2-5.15', () => {
    const r = run(['replay', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--schedule', '101,101,101,102,102,102']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('deadlock: pid 101 waits for glock 2/F2 held by pid 102; pid 102 waits for glock 2/F1 held by pid 101');
  });

  it.each([
    [['replay', '--scenario', 'nope', '--variant', 'gfs2-5.15'], "unknown scenario 'nope'"],
    [['replay', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-9.9'], "unknown variant 'gfs2-9.9'"],
    [['replay', '--scenario', 'dax-truncate', '--variant', 'gfs2-5.15'], 'does not apply to variant gfs2-5.15'],
    [['replay', '--scenario', 'dax-truncate', '--variant', 'dax-2015', '--schedule', '101,x'], "entry 2 ('x') is not a pid"],
    [['replay', '--scenario', 'dax-truncate', '--variant', 'dax-2015', '--schedule', '101,999'], 'no task with pid 999'],
    [['replay', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--schedule', `102,102,102,${Array(12).fill('101').join(',')}`], 'step 15: pid 101 is blocked: waiting for glock 2/F2 in SH: held DF by pid 102'],
    [['replay', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.15', '--schedule', Array(16).fill('101').join(',')], 'the run has ended (bug)'],
    [['replay', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.15', '--frobnicate'], "Unknown option '--frobnicate'"],
  ])('refuses %j with exit 2 and one line', (argv, message) => {
    const r = run(argv);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain(message);
  });
});
