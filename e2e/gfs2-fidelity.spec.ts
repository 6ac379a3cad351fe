import { expect, test } from '@playwright/test';

// The gfs2 cases of issue 16 as a user meets them: pick the preset and the
// kernel, go to the end, read the outcome and the blocked task.

test('gfs2-dio-read-self under gfs2-5.16 hangs: the fault-in waits behind the task’s own may-demote DF holder', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('gfs2-dio-read-self');
  await page.getByLabel('Kernel', { exact: true }).selectOption('gfs2-5.16');
  await expect(page.getByLabel('Kernel', { exact: true }).locator('option:checked')).toContainText('gfs2 5.16 merged fix (and 5.15.37+)');
  await page.getByRole('button', { name: 'End', exact: true }).click();
  const outcome = page.getByRole('region', { name: 'Outcome' });
  await expect(outcome).toContainText('deadlock: pid 101 waits for glock 2/F held by pid 101');
  await expect(outcome).toContainText('no run of it was reported');
  await expect(page.getByRole('region', { name: 'pid 101' })).toContainText('Blocked: waiting for glock 2/F in SH: held DF by pid 101 (HIF_MAY_DEMOTE)');
  await page.screenshot({ path: 'e2e/artifacts/dio-read-self-5.16-hang-1440.png', fullPage: true });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: 'e2e/artifacts/dio-read-self-5.16-hang-1024.png' });
});

test('gfs2-sigbus-kernel-vs-user: the pwrite returns -EFAULT, the load of the same page is killed by SIGBUS', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('gfs2-sigbus-kernel-vs-user');
  await page.getByLabel('Kernel', { exact: true }).selectOption('gfs2-5.18');
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('SIGBUS delivered to pid 101 at user page 1');
  await expect(page.getByRole('region', { name: 'pid 101' })).toContainText('Killed by SIGBUS');
  await page.screenshot({ path: 'e2e/artifacts/sigbus-kernel-vs-user-1440.png', fullPage: true });
});
