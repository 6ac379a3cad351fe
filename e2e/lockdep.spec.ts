import { expect, test } from '@playwright/test';
import { openView } from './workspace.ts';

test('imutex-mmapsem under dax-imutex-fault: a schedule that completes still gets lockdep’s circular-dependency report, and its edges lead to their steps', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('imutex-mmapsem');
  await page.getByLabel('Kernel', { exact: true }).selectOption('dax-imutex-fault');
  await page.getByLabel('Interleaving', { exact: true }).selectOption('no-deadlock-lockdep-warns');
  await page.keyboard.press('End');
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('completed');

  await openView(page, 'Lock order');
  const lockdep = page.getByRole('region', { name: 'Lock order (lockdep)' });
  await expect(lockdep.getByRole('status', { name: 'Lockdep' })).toHaveText('1 lockdep warning over the whole schedule.');
  const reports = lockdep.getByRole('list', { name: 'Lockdep reports' });
  await expect(reports).toContainText('possible circular locking dependency: i_mutex → mmap_sem → i_mutex');
  await expect(reports).toContainText('[ INFO: possible circular locking dependency detected ]');
  await expect(reports).toContainText('-> #0 (&mm->mmap_sem){++++++}:');
  await expect(reports).toContainText('__might_fault');
  await lockdep.scrollIntoViewIfNeeded();
  await lockdep.screenshot({ path: 'e2e/artifacts/lockdep-graph.png' });

  // The might_fault edge was made by pid 101's copy; clicking it puts the cursor right after that step.
  const edge = lockdep.getByRole('button', { name: /^i_mutex → mmap_sem: pid 101 took mmap_sem for read while holding i_mutex for write \(might_fault in a user copy\), step (\d+)/ });
  const name = (await edge.getAttribute('aria-label')) ?? '';
  const step = /step (\d+):/.exec(name)?.[1] ?? '';
  await edge.click();
  await expect(page.getByRole('slider', { name: 'Step' })).toHaveValue(step);
});

test('imutex-mmapsem under dax-2015, the real handler: no circular dependency', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('imutex-mmapsem');
  await page.getByLabel('Kernel', { exact: true }).selectOption('dax-2015');
  await page.getByRole('button', { name: 'Run to end' }).click();
  await openView(page, 'Lock order');
  await expect(page.getByRole('region', { name: 'Lock order (lockdep)' }).getByRole('status', { name: 'Lockdep' })).toContainText('No circular dependency');
});

test('compare gfs2-abba-dio before and after the fix: deadlocks removed, every schedule goes through an -EFAULT retry, the bug schedule on aligned timelines', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('gfs2-abba-dio');
  await openView(page, 'Compare');
  const compare = page.getByRole('region', { name: 'Compare variants' });
  await compare.getByLabel('Before', { exact: true }).selectOption('gfs2-5.15');
  await compare.getByLabel('After', { exact: true }).selectOption('gfs2-5.18');
  await compare.getByRole('button', { name: 'Compare' }).click();
  await expect(compare.getByRole('status', { name: 'Comparison' })).toContainText('Every interleaving of gfs2-abba-dio: all 1,060 states under gfs2-5.15', { timeout: 60_000 });
  await expect(compare.getByRole('row', { name: 'deadlock: 35,042,352 paths → 0' })).toContainText('gone: gfs2-5.15 → gfs2-5.18');
  await expect(compare.getByRole('row', { name: /^-EFAULT retry: 0 → ≈1\.5×10\^33 paths$/ })).toContainText('new: gfs2-5.15 → gfs2-5.18');
  // After may be a hypothetical regression as well as a fix: no change is credited to "the fix".
  await expect(compare.getByRole('table')).not.toContainText('by the fix');
  await expect(compare.getByRole('row', { name: /^lockdep warnings: 3 → 0$/ })).toBeVisible();
  const beforeRun = compare.getByRole('figure', { name: 'Timeline under gfs2-5.15' });
  const afterRun = compare.getByRole('figure', { name: 'Timeline under gfs2-5.18' });
  await expect(beforeRun).toContainText('Before: gfs2-5.15 — deadlock');
  await expect(afterRun).toContainText('After: gfs2-5.18 — completed');
  await compare.scrollIntoViewIfNeeded();
  await compare.screenshot({ path: 'e2e/artifacts/compare.png' });
});
