// Stops the browser-test step with one line when there is no browser to drive,
// instead of letting Playwright fail with a long stack or skip silently.
import { missingChromiumMessage } from './chromium.ts';

const message = missingChromiumMessage();
if (message !== undefined) {
  console.error(message);
  process.exit(1);
}
