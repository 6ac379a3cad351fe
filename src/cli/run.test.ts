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
