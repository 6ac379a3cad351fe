import { expect, test } from '@playwright/test';
import { encodeLink } from '../src/share/link.ts';
import { gfs2DioRing } from '../src/scenarios/ring.ts';
import { openView } from './workspace.ts';

test('a search too big to wait for in the page: after Cancel, the page gives the exact command that runs it in Spin', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  // The ring of 4 under 5.18 has millions of states: far more than the page finishes while a test waits.
  await page.goto(`./#${encodeLink({ scenario: gfs2DioRing(4), preset: false, variant: 'gfs2-5.18', schedule: null, cursor: 0 })}`);
  await openView(page, 'Explore');
  await page.getByRole('button', { name: 'Explore all interleavings' }).click();
  const status = page.getByRole('status', { name: 'Exploration' });
  await expect(status).toContainText(/Exploring: [\d,]+ states/, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  const note = page.getByRole('note', { name: 'Run it outside the browser' });
  await expect(note).toContainText('npm run -s cli -- explore --engine spin --scenario gfs2-dio-ring --tasks 4 --variant gfs2-5.18');
  await expect(note).toContainText('Spin searches the Promela export');
  await page.screenshot({ path: 'e2e/artifacts/explore-outside-1440.png', fullPage: false });
  await page.setViewportSize({ width: 1024, height: 700 });
  await expect(note).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/explore-outside-1024.png', fullPage: false });
});
