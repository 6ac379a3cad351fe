import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { openView } from './workspace.ts';

const fixtures = new URL('../src/sim/splat/fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');

async function openPanel(page: Page) {
  await page.goto('./');
  await openView(page, 'Import lockdep');
  return page.getByRole('region', { name: 'Import lockdep report' });
}

test('a pasted syzbot report (ocfs2, fixed by "ocfs2: fix recursive semaphore deadlock in fiemap call"): one task deadlocks through the fault its copy takes, and the interleaving opens on the timeline', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const panel = await openPanel(page);
  await panel.getByLabel('Lockdep report').fill(fixture('ocfs2-6.11-chain.txt'));
  await panel.getByRole('button', { name: 'Import and explore' }).click();
  const verdict = panel.getByRole('region', { name: 'Verdict' });
  await expect(verdict).toContainText('Deadlock reachable by one task on its own: the cycle closes at step 9', { timeout: 60_000 });
  await expect(verdict).toContainText('pid 101 waits for &oi->ip_alloc_sem held by pid 101');
  const chain = panel.getByRole('region', { name: 'Parsed chain' });
  await expect(chain.getByRole('listitem')).toHaveCount(3);
  await expect(chain).toContainText('sb_pagefaults');
  await expect(chain).toContainText('percpu_down_read in ocfs2_page_mkwrite (read), in a page fault from user mode');
  const tasks = panel.getByRole('region', { name: 'Synthesised tasks' });
  await expect(tasks).toContainText('fiemap_fill_next_extent: copy_to_user of user page 0 faults');
  await expect(tasks).toContainText("the fault's handler takes rwsem sb_pagefaults for read, then rwsem ip_alloc_sem for write");
  await expect(panel.getByRole('table', { name: 'Mapped onto the model' }).getByRole('row', { name: /&oi->ip_alloc_sem rwsem ip_alloc_sem/ })).toBeVisible();
  await panel.screenshot({ path: 'e2e/artifacts/import-lockdep-1440.png' });
  await page.setViewportSize({ width: 1024, height: 700 });
  await panel.screenshot({ path: 'e2e/artifacts/import-lockdep-1024.png' });

  await verdict.getByRole('button', { name: 'Open the deadlocking interleaving on the timeline' }).click();
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('pid 101 waits for &oi->ip_alloc_sem held by pid 101');
  await expect(page.getByRole('slider', { name: 'Step' })).toHaveValue('16');
  await page.keyboard.press('Home');
  for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('slider', { name: 'Step' })).toHaveValue('9');
  // At step 9 the copy's fault is nested in it, on pid 101's lane: the frames lockdep's sketch leaves out.
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('pid 101 waits for &oi->ip_alloc_sem held by pid 101');
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await timeline.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/artifacts/import-lockdep-opened-1024.png' });
  await page.setViewportSize({ width: 1440, height: 900 });
  await timeline.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/artifacts/import-lockdep-opened-1440.png' });
});

test('a report read from a file (hugetlbfs, 3.3, "[ INFO: … ]"): no interleaving of its tasks deadlocks, and what closes it (Al Viro: "misreported")', async ({ page }) => {
  const panel = await openPanel(page);
  await panel.getByLabel('Or read it from a file').setInputFiles(new URL('hugetlbfs-3.3-circular.txt', fixtures).pathname);
  await expect(panel.getByLabel('Lockdep report')).toHaveValue(/\[ INFO: possible circular locking dependency detected \]/);
  await panel.getByRole('button', { name: 'Import and explore' }).click();
  const verdict = panel.getByRole('region', { name: 'Verdict' });
  await expect(verdict).toContainText(/No interleaving of these 2 tasks deadlocks: all \d+ states explored\./, { timeout: 60_000 });
  await expect(verdict).toContainText("&sb->s_type->i_mutex_key#12 is two different locks here: a directory's");
  await expect(verdict).toContainText('Deadlock reachable if the &sb->s_type->i_mutex_key#12 → … dependency lockdep printed for a directory is also taken on the regular file');
  await verdict.getByRole('button', { name: 'Open the deadlocking interleaving on the timeline' }).click();
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('pid 101 waits for i_mutex of F held by pid 102');

  // A normal scenario: the editor opens it, keeps the imported lock entries as they are, and opens it again unchanged.
  await page.getByRole('button', { name: 'Edit scenario' }).click();
  await expect(page.getByText('dcache_readdir: takes i_rwsem of F for write around 1 entry (kept as imported)')).toBeVisible();
  await page.getByRole('button', { name: 'Open this scenario' }).click();
  await expect(page.getByLabel('Scenario', { exact: true }).locator('option:checked')).toHaveText(/^custom: lockdep-import: lockdep: /);
});

test('text that is not a lockdep report: a clear message, and nothing else changes', async ({ page }) => {
  const panel = await openPanel(page);
  const before = await page.getByLabel('Scenario', { exact: true }).inputValue();
  await panel.getByLabel('Lockdep report').fill('BUG: unable to handle page fault for address: ffffffffffffffff');
  await panel.getByRole('button', { name: 'Import and explore' }).click();
  await expect(panel.getByRole('alert')).toHaveText(/^Could not import it: no lockdep report found: expected a line "WARNING: possible circular locking dependency detected"/);
  await expect(page.getByLabel('Scenario', { exact: true })).toHaveValue(before);
});
