/** What every command writes to, and the error that makes it exit with EXIT_USAGE. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Bad usage: a missing or malformed option, a scenario file that does not validate. */
export class UsageError extends Error {}
