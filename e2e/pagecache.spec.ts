import { expect, test } from '@playwright/test';

// Seed 000's hole-punch race on a page-cache filesystem, and the 2015 DAX cases no preset showed before.

test('pagecache-punch-fault: under ext4 4.0 a read-around page is read from the block the punch freed; under XFS with i_mmaplock the punch waits', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('pagecache-punch-fault');
  await expect(page.getByLabel('Kernel', { exact: true })).toHaveValue('ext4-2015');
  await page.getByRole('button', { name: 'End', exact: true }).click();
  const outcome = page.getByRole('region', { name: 'Outcome' });
  await expect(outcome).toContainText('use-after-free of storage: mpage_readpages read F:1 from block 1, which is free');
  await expect(page.getByRole('region', { name: 'pid 101' })).toContainText('The run has ended (use-after-free).');
  await page.screenshot({ path: 'e2e/artifacts/pagecache-punch-ext4-1440.png', fullPage: true });

  await page.getByLabel('Kernel', { exact: true }).selectOption('xfs-2015-mmaplock');
  await page.getByLabel('Interleaving', { exact: true }).selectOption('mmaplock-serializes');
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(outcome).toContainText('completed');
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: 'e2e/artifacts/pagecache-punch-xfs-1024.png', fullPage: true });
});

test('dax-private-write: the store to a MAP_PRIVATE DAX page goes through copy_user_bh into an anonymous copy', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('dax-private-write');
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('completed');
  await page.screenshot({ path: 'e2e/artifacts/dax-private-write-1440.png', fullPage: true });
});
