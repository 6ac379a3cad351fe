import { expect, test, type Page } from '@playwright/test';
import { openView } from './workspace.ts';

/** Press the task's Step button until it is disabled (the task blocked, exited or the run ended). */
async function stepUntilStuck(page: Page, pid: number, limit = 200) {
  const button = page.getByRole('button', { name: `Step pid ${pid}` });
  for (let i = 0; i < limit && (await button.isEnabled()); i++) await button.click();
}

test('gfs2-read-self under gfs2-5.15, stepped by hand, BUGs on the recursive glock', async ({ page }) => {
  await page.goto('./');
  await expect(page.getByLabel('Scenario', { exact: true })).toHaveValue('gfs2-read-self');
  await expect(page.getByLabel('Kernel', { exact: true })).toHaveValue('gfs2-5.15');
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('Step 0 of 15: running');

  await stepUntilStuck(page, 101);
  const outcome = page.getByRole('region', { name: 'Outcome' });
  await expect(outcome).toContainText('BUG: gfs2 recursive glock: pid 101 already holds glock 2/F, new SH request from gfs2_fault');
  await expect(outcome).toContainText('gfs2: original: gfs2_file_read_iter');
  await expect(outcome).toContainText('gfs2: new: gfs2_fault');
  const panel = page.getByRole('region', { name: 'pid 101' });
  await expect(panel).toContainText('Holds: mmap_lock of mm 0 (read), glock 2/F (SH)');
  await expect(panel.locator('[aria-current="step"]').last()).toHaveText('glock_nq');
  await page.screenshot({ path: 'e2e/artifacts/read-self-5.15-bug.png', fullPage: true });
});

test('gfs2-read-self under gfs2-5.18 goes through one -EFAULT retry and returns 4096', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Kernel', { exact: true }).selectOption('gfs2-5.18');
  await stepUntilStuck(page, 101);
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('completed');
  await expect(page.getByRole('region', { name: 'pid 101' })).toContainText('Exited; returned 4096');
  await page.screenshot({ path: 'e2e/artifacts/read-self-5.18-retry.png', fullPage: true });
});

test('gfs2-abba-dio under gfs2-5.15 deadlocks with the cycle named, and each task says what it waits for', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('gfs2-abba-dio');
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('deadlock: pid 101 waits for glock 2/F2 held by pid 102; pid 102 waits for glock 2/F1 held by pid 101');
  await expect(page.getByRole('region', { name: 'pid 101' })).toContainText('Blocked: waiting for glock 2/F2 in SH: held DF by pid 102');
  await expect(page.getByRole('button', { name: 'Step pid 101' })).toBeDisabled();
  // The wait-for graph highlights and names the same cycle.
  await openView(page, 'Wait-for graph');
  await expect(page.getByRole('img', { name: /^Wait-for graph\. Deadlock: / })).toBeVisible();
  await expect(page.getByText('pid 101 → glock 2/F2 → pid 102 → glock 2/F1 → pid 101')).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/abba-5.15-deadlock.png', fullPage: true });
});

test('dax-truncate under dax-2015 ends in SIGBUS from the i_size re-check', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('dax-truncate');
  await expect(page.getByLabel('Kernel', { exact: true })).toHaveValue('dax-2015');
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('SIGBUS delivered to pid 101');
  await expect(page.getByRole('region', { name: 'pid 101' })).toContainText('Killed by SIGBUS');
  await page.screenshot({ path: 'e2e/artifacts/dax-truncate-sigbus.png', fullPage: true });
});

test('keyboard only: digits step tasks, arrows move the cursor, ? lists the shortcuts, and each step is announced', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('gfs2-abba-dio');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  const announcer = page.getByTestId('announcer');
  await page.keyboard.press('1');
  await expect(announcer).toHaveText('Step 1: pid 101, pread64(F1 O_DIRECT, buf=user page 0, 4096, 0).');
  await page.keyboard.press('2');
  await expect(announcer).toHaveText('Step 2: pid 102, pread64(F2 O_DIRECT, buf=user page 0, 4096, 0).');
  await page.keyboard.press('ArrowLeft');
  await expect(announcer).toContainText('Step 1: pid 101');
  await page.keyboard.press('ArrowRight');
  // Stepping 101 and 102 in turn from here, both end up waiting on the other's glock.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('1');
    await page.keyboard.press('2');
  }
  await expect(announcer).toContainText('deadlock: pid 101 waits for glock 2/F2');
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();

  // Every control is reachable with Tab and shows where focus is.
  await page.keyboard.press('Tab');
  const focused = page.locator(':focus');
  await expect(focused).toBeVisible();
  const outline = await focused.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
});
