/** Command dispatch, kept free of `process` so tests can drive it. */

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export interface CliInfo {
  version: string;
}

/** Exit codes: 0 ok, 1 the run found something (later commands), 2 bad usage. */
export const EXIT_USAGE = 2;

export const HELP = `Faultline: page faults racing with locks, one atomic kernel step at a time.

Usage: npm run -s cli -- <command> [options]

Commands:
  help               show this text

Options:
  -h, --help         show this text
  -v, --version      print the version`;

export function runCli(argv: readonly string[], info: CliInfo, io: CliIo): number {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    io.out(HELP);
    return 0;
  }
  if (first === '-v' || first === '--version') {
    io.out(info.version);
    return 0;
  }
  if (first.startsWith('-')) {
    io.err(`faultline: unknown option '${first}' (try --help)`);
    return EXIT_USAGE;
  }
  io.err(`faultline: unknown command '${first}'${rest.length > 0 ? ` ${rest.join(' ')}` : ''} (try --help)`);
  return EXIT_USAGE;
}
