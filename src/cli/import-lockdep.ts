/**
 * `import-lockdep --file <splat.txt> [--json] [--max-states N] [--base <url>]`:
 * read a lockdep report ("possible circular locking dependency detected" or
 * "possible recursive locking detected", either header form), turn it into a
 * scenario, explore every interleaving, and print what was read, what it was
 * mapped to, the verdict with its interleaving, the scenario file and a share
 * link. Exit 1 when a deadlock is reachable (as reported, or under the named
 * assumption), 0 when none is, 2 when the report cannot be read.
 */
import { readFileSync, statSync } from 'node:fs';
import { scenarioFileText } from '../export/scenario-json.ts';
import { importLockdep, importText } from '../scenarios/lockdep-import/view.ts';
import { DEFAULT_VERDICT_LIMITS } from '../scenarios/lockdep-import/verdict.ts';
import { encodeLink } from '../share/link.ts';
import { MAX_SPLAT_BYTES } from '../sim/splat/parse.ts';
import { UsageError, type CliIo } from './io.ts';

export interface ImportLockdepOptions {
  readonly file: string | undefined;
  readonly json: boolean;
  readonly maxStates: number | undefined;
  /** Where the page is served, for the share link. */
  readonly base: string | undefined;
}

/** `npm start` serves the page here. */
export const DEFAULT_BASE = 'http://127.0.0.1:4173/';

function readSplat(path: string): string {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new UsageError(`${path}: not a regular file`);
    if (stat.size > MAX_SPLAT_BYTES) throw new UsageError(`${path}: the file is ${stat.size} bytes; paste the report itself (at most ${MAX_SPLAT_BYTES / 1024} KiB)`);
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    throw new UsageError(`${path}: cannot read it${code === 'ENOENT' ? ': no such file' : code === 'EACCES' ? ': permission denied' : ''}`);
  }
}

export function runImportLockdep(options: ImportLockdepOptions, io: CliIo, now: () => number): number {
  if (options.file === undefined) throw new UsageError('--file <splat.txt> is required: a lockdep report, as the kernel printed it');
  const text = readSplat(options.file);
  const result = importLockdep(text, { ...DEFAULT_VERDICT_LIMITS, ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}), now });
  if (!result.ok) throw new UsageError(`${options.file}: ${result.message}`);
  const { view, judged } = result;
  const open = judged.open;
  const link = `${options.base ?? DEFAULT_BASE}#${encodeLink({ scenario: open.scenario, preset: false, variant: open.variant, schedule: open.schedule, cursor: 0 })}`;
  const verdict = judged.verdict;
  const deadlock = verdict.kind === 'deadlock' || (verdict.kind === 'no-deadlock' && verdict.closing !== null);
  if (options.json) {
    io.out(
      JSON.stringify({
        report: view.report,
        chain: view.chain,
        mapping: view.mapping,
        tasks: view.tasks,
        notes: view.notes,
        verdict: {
          kind: verdict.kind,
          headline: verdict.headline,
          states: verdict.states,
          ...(verdict.kind === 'no-deadlock' ? { reasons: verdict.reasons, closing: verdict.closing === null ? null : { assumption: verdict.closing.assumption, cycle: verdict.closing.cycle, schedule: verdict.closing.schedule } } : {}),
          ...(verdict.kind === 'deadlock' ? { cycle: verdict.found.cycle, schedule: verdict.found.schedule, cycleAt: verdict.found.cycleAt } : {}),
          interleaving: view.verdict.interleaving,
        },
        scenario: open.scenario,
        variant: open.variant,
        link,
      }),
    );
  } else {
    io.out(importText(view));
    io.out('');
    io.out(`Scenario (docs/scenario-format.md; run it with: npm run -s cli -- replay --scenario-file <file> --variant ${open.variant}):`);
    io.out(scenarioFileText(open.scenario).trimEnd());
    io.out('');
    io.out(`Share link: ${link}`);
  }
  return deadlock ? 1 : 0;
}
