/**
 * `npm run -s cli -- <command> [options]`: the Node entry to the engine.
 * Each command is a function from parsed arguments to an exit code; usage
 * errors exit 2 with one line on stderr, as the issues ask.
 */
import { readFileSync } from 'node:fs';
import type { CliIo } from './io.ts';
import { runCli } from './run.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

// `cli explore ... | head`: a reader that closed the pipe wants no more; stop
// quietly instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

process.exitCode = runCli(process.argv.slice(2), { version: pkg.version }, io);
