import { expect, test } from '@playwright/test';

test('the default scenario, gfs2-read-self, BUGs under gfs2-5.15 and completes under gfs2-5.18', async ({ page }) => {
  await page.goto('./');
  await expect(page.getByLabel('Scenario')).toHaveValue('gfs2-read-self');
  await expect(page.getByLabel('Kernel')).toHaveValue('gfs2-5.15');

  const outcome = page.getByRole('status', { name: 'Outcome' });
  await expect(outcome).toContainText('BUG: gfs2 recursive glock: pid 101 already holds glock 2/F, new SH request from gfs2_fault');
  await expect(outcome).toContainText('gfs2: original: gfs2_file_read_iter');
  await expect(page.getByRole('list', { name: 'Steps' }).getByText('gfs2_glock_nq(SH) on glock 2/F → trap_recursive → BUG()')).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/replay-read-self-5.15.png', fullPage: true });

  await page.getByLabel('Kernel').selectOption('gfs2-5.18');
  await expect(outcome).toContainText('completed');
  await expect(page.getByRole('list', { name: 'Steps' }).getByText('fault-in made progress (1 page(s)) → re-acquire the glock and retry')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Steps' }).getByText('pread64(F, buf=user page 0, 4096, 4096) = 4096')).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/replay-read-self-5.18.png', fullPage: true });
});

test('gfs2-abba-dio deadlocks under gfs2-5.15, and the cycle is named', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario').selectOption('gfs2-abba-dio');
  await expect(page.getByRole('heading', { level: 2 })).toHaveText('Two O_DIRECT reads into mmaps of each other’s file (ABBA)');
  await expect(page.getByRole('status', { name: 'Outcome' })).toContainText('deadlock: pid 101 waits for glock 2/F2 held by pid 102; pid 102 waits for glock 2/F1 held by pid 101');
  await page.screenshot({ path: 'e2e/artifacts/replay-abba-5.15.png', fullPage: true });
});

test('dax-truncate under dax-2015 ends in SIGBUS from the i_size re-check', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario').selectOption('dax-truncate');
  await expect(page.getByLabel('Kernel')).toHaveValue('dax-2015');
  await expect(page.getByRole('status', { name: 'Outcome' })).toContainText('SIGBUS delivered to pid 101');
  await expect(page.getByRole('list', { name: 'Steps' }).getByText('i_size re-checked under i_mmap: truncated → -EIO')).toBeVisible();
});
