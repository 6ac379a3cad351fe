/**
 * Which Chromium the browser tests drive. Playwright cannot download its own
 * browser on our machines, so we use the system one: CHROMIUM_PATH if set,
 * else Debian's /usr/bin/chromium.
 */
import { existsSync } from 'node:fs';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Flags the sandboxed, offline machines need (see DEVELOPERS.md, "Tests"). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['CHROMIUM_PATH'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_CHROMIUM;
}

/** The one line printed when no browser is found; undefined when one is. */
export function missingChromiumMessage(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = chromiumPath(env);
  if (existsSync(path)) return undefined;
  return env['CHROMIUM_PATH']
    ? `browser tests: CHROMIUM_PATH=${path} does not exist; point it at a Chromium binary.`
    : `browser tests: no Chromium at ${DEFAULT_CHROMIUM}; install it (sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.`;
}
