/**
 * The page keeps the user's place (issue 15): a workspace that never scrolls
 * the window, a refused step that changes nothing, an Interleaving picker
 * that names what is loaded, a lock-order graph whose labels are each their
 * own, words that do not misstate the kernel, exports that say why they
 * cannot be made, a timeline whose labels can be read, and links that open
 * where they should.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { openView, scrollY } from './workspace.ts';

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

const outcome = (page: Page) => page.getByRole('region', { name: 'Outcome' });
const slider = (page: Page) => page.getByRole('slider', { name: 'Step' });
const interleaving = (page: Page) => page.getByLabel('Interleaving', { exact: true }).locator('option:checked');

async function boxOf(locator: Locator) {
  const box = await locator.boundingBox();
  if (box === null) throw new Error('no box');
  return box;
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

for (const viewport of VIEWPORTS) {
  test.describe(`at ${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport });

    test('1. the window never scrolls: not on opening, stepping, arrows or timeline clicks; the current line scrolls inside its own list', async ({ page }) => {
      await page.goto('./');
      await expect(page.getByLabel('Scenario', { exact: true })).toBeInViewport();
      expect(await scrollY(page)).toBe(0);
      await page.locator('body').press('ArrowRight');
      for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
      await expect(slider(page)).toHaveValue('11');
      expect(await scrollY(page)).toBe(0);
      await page.keyboard.press('Home');
      for (let i = 0; i < 14; i++) await page.keyboard.press('1');
      await expect(outcome(page)).toContainText('BUG');
      expect(await scrollY(page)).toBe(0);
      const canvas = page.getByRole('img', { name: 'Timeline' });
      const box = await boxOf(canvas);
      await canvas.click({ position: { x: box.width * 0.3, y: 30 } });
      await canvas.click({ position: { x: box.width * 0.9, y: 30 } });
      expect(await scrollY(page)).toBe(0);
      // The top frame's current line is in view inside its own scrolled list.
      const line = page.getByRole('region', { name: 'pid 101' }).locator('[aria-current="step"]');
      const list = line.locator('xpath=..');
      const lineBox = await boxOf(line);
      const listBox = await boxOf(list);
      expect(lineBox.y).toBeGreaterThanOrEqual(listBox.y - 1);
      expect(lineBox.y + lineBox.height).toBeLessThanOrEqual(listBox.y + listBox.height + 1);
      // A link opens at the top of the workspace too.
      await page.goto('./#v=1&s=gfs2-abba-dio&k=gfs2-5.15&c=20');
      await expect(slider(page)).toHaveValue('20');
      expect(await scrollY(page)).toBe(0);
    });

    test('7. a workspace, not a document: the timeline, the tasks and the kernel state in view together; step labels read whole; markers beside them', async ({ page }) => {
      await page.goto('./');
      const height = await page.evaluate(() => document.scrollingElement?.scrollHeight ?? 0);
      expect(height).toBeLessThanOrEqual(viewport.height);
      const timeline = page.getByRole('region', { name: 'Timeline' });
      expect((await boxOf(timeline)).y).toBeLessThan(viewport.width >= 1440 ? 120 : 160);
      for (const region of [timeline, page.getByRole('region', { name: 'pid 101' }), page.getByRole('region', { name: 'Kernel state' })]) await expect(region).toBeInViewport();
      // The step labels are text that wraps in their step's box, not "gfs2_fi…".
      const label = page.getByRole('list', { name: 'Steps in view' }).getByRole('listitem').filter({ hasText: 'gfs2_glock_nq(SH) on glock 2/F → granted' });
      await expect(label).toBeVisible();
      expect(await label.evaluate((el) => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1)).toBe(true);
      await page.screenshot({ path: `e2e/artifacts/workspace-${viewport.width}.png` });

      // At the BUG: its badge sits in the mark row, over no step label.
      await page.keyboard.press('End');
      const bug = page.getByRole('list', { name: 'Marks' }).getByRole('listitem').filter({ hasText: 'BUG' });
      await expect(bug).toBeVisible();
      const badge = await boxOf(bug);
      for (const l of await page.getByRole('list', { name: 'Steps in view' }).getByRole('listitem').all()) expect(overlaps(badge, await boxOf(l))).toBe(false);
      expect(await scrollY(page)).toBe(0);
      await page.screenshot({ path: `e2e/artifacts/workspace-bug-${viewport.width}.png` });
    });

    test('7. every view of the dock opens in place and scrolls inside itself', async ({ page }) => {
      await page.goto('./#v=1&s=gfs2-abba-dio&k=gfs2-5.15&c=22');
      await expect(outcome(page)).toContainText('deadlock');
      for (const view of ['Kernel state', 'Story & sources', 'Wait-for graph', 'Lock order', 'Statechart', 'Explore', 'Compare', 'Editor', 'Export']) {
        await openView(page, view);
        const panel = page.getByRole('tabpanel', { name: view });
        await expect(panel).toBeInViewport();
        expect(await page.evaluate(() => document.scrollingElement?.scrollHeight ?? 0)).toBeLessThanOrEqual(viewport.height);
        expect(await scrollY(page)).toBe(0);
        await page.screenshot({ path: `e2e/artifacts/view-${view.toLowerCase().replace(/[^a-z]+/g, '-')}-${viewport.width}.png` });
      }
    });
  });
}

test('7. lock-page-retry: the VM_FAULT_RETRY is marked on the timeline where lock_page_or_retry gives up', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('lock-page-retry');
  await page.getByRole('button', { name: 'Fit' }).click();
  const mark = page.getByRole('list', { name: 'Marks' }).getByRole('listitem').filter({ hasText: 'VM_FAULT_RETRY' });
  await expect(mark).toHaveCount(1);
  // Marked once, where the fault handler's VM_FAULT_RETRY reaches the fault path (the mmap_sem already dropped), not again where it is passed up.
  await expect(mark).toContainText('->fault returned VM_FAULT_RETRY: mmap_sem already dropped');
  await page.getByRole('region', { name: 'Timeline' }).screenshot({ path: 'e2e/artifacts/timeline-vm-fault-retry.png' });
});

test('2. a refused step changes nothing: gfs2-abba-dio under gfs2-5.15 at step 21 of 22, pid 101 is blocked', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('gfs2-abba-dio');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await expect(slider(page)).toHaveValue('21');
  await expect(page.getByText('21 / 22')).toBeVisible();
  await page.waitForFunction(() => window.location.hash.includes('c=21'));
  const before = page.url();
  await page.keyboard.press('1');
  await expect(page.getByRole('alert')).toContainText('pid 101 is blocked');
  await expect(page.getByText('21 / 22')).toBeVisible();
  await expect(slider(page)).toHaveValue('21');
  expect(page.url()).toBe(before);
  await page.keyboard.press('End');
  await expect(outcome(page)).toContainText('deadlock');
});

test('3. the Interleaving picker names what is loaded, every option can be picked again, and a kernel switch loads the new variant’s documented interleaving', async ({ page }) => {
  await page.goto('./');
  await expect(interleaving(page)).toContainText('read-faults-on-own-mapping (documented for gfs2-5.15)');
  await expect(outcome(page)).toContainText('Documented for this interleaving under gfs2-5.15');

  // Stepped by hand, it is the user's own.
  await page.getByRole('button', { name: 'Clear schedule' }).click();
  await page.getByRole('button', { name: 'Step pid 101' }).click();
  await expect(interleaving(page)).toHaveText('custom: 1 steps you scheduled');
  await expect(outcome(page)).toContainText('Documented for read-faults-on-own-mapping under gfs2-5.15, not the interleaving loaded');
  // And the documented one can be picked again.
  await page.getByLabel('Interleaving', { exact: true }).selectOption('read-faults-on-own-mapping');
  await expect(interleaving(page)).toContainText('documented for gfs2-5.15');
  await expect(page.getByText('0 / 15')).toBeVisible();

  // A kernel switch offers, and loads, what the sources document under the new variant; the run ends as they say.
  await page.getByLabel('Kernel', { exact: true }).selectOption('gfs2-5.18');
  await expect(interleaving(page)).toContainText('documented for gfs2-5.18');
  await expect(outcome(page)).toContainText('Documented for this interleaving under gfs2-5.18');
  await page.keyboard.press('End');
  await expect(outcome(page).getByRole('status')).toContainText('completed');

  // A link to a schedule of one's own says it came from a link.
  await page.getByRole('button', { name: 'Clear schedule' }).click();
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step pid 101' }).click();
  await page.waitForFunction(() => window.location.hash.includes('c=3'));
  const other = await page.context().newPage();
  await other.goto(page.url());
  await expect(interleaving(other)).toHaveText('from link: 3 steps as the link gives them');
  await other.close();
});

test('4. lock order: opposite arrows keep their labels apart and each label goes to its own step; the recursive glock is drawn as a loop', async ({ page }) => {
  await page.goto('./#v=1&s=gfs2-abba-dio&k=gfs2-5.15&c=22');
  await openView(page, 'Lock order');
  const graph = page.getByRole('region', { name: 'Lock order (lockdep)' });
  const f1f2 = graph.getByRole('button', { name: /^glock 2\/F1 → glock 2\/F2: / });
  const f2f1 = graph.getByRole('button', { name: /^glock 2\/F2 → glock 2\/F1: / });
  await expect(f1f2).toContainText('waits, step 21');
  await expect(f2f1).toContainText('waits, step 22');
  const labels = await graph.getByRole('button').all();
  const boxes = await Promise.all(labels.map(boxOf));
  for (const [i, a] of boxes.entries()) for (const b of boxes.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
  await f1f2.click();
  await expect(slider(page)).toHaveValue('21');
  await f2f1.click();
  await expect(slider(page)).toHaveValue('22');
  await graph.screenshot({ path: 'e2e/artifacts/lockdep-abba.png' });

  await page.goto('./#v=1&s=gfs2-read-self&k=gfs2-5.15');
  await openView(page, 'Lock order');
  const loop = page.getByRole('region', { name: 'Lock order (lockdep)' }).getByRole('button', { name: /^glock 2\/F → glock 2\/F: .*possible recursive locking/ });
  await expect(loop).toContainText('recursive, step 15');
  await loop.click();
  await expect(slider(page)).toHaveValue('15');
  await expect(outcome(page)).toContainText('BUG: gfs2 recursive glock');
  await page.getByRole('region', { name: 'Lock order (lockdep)' }).screenshot({ path: 'e2e/artifacts/lockdep-recursive.png' });
});

test('5. words: the rwsem wait behind a queued writer, the kernel picker, the DAX do_mmap frame, a caller frame while its callee runs', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('imutex-mmapsem');
  await page.getByLabel('Kernel', { exact: true }).selectOption('dax-imutex-fault');
  await page.getByLabel('Interleaving', { exact: true }).selectOption('three-task-cycle');
  await page.keyboard.press('End');
  await expect(outcome(page)).toContainText('pid 101 waits for mmap_sem of mm 0 held by pid 102, queued behind writer pid 103');
  await expect(outcome(page)).not.toContainText('held by pid 103');

  const kernels = await page.getByLabel('Kernel', { exact: true }).locator('option').allTextContents();
  for (const k of kernels) expect(k.match(/hypothetical/g)?.length ?? 0).toBeLessThanOrEqual(1);
  expect(kernels.find((k) => k.startsWith('dax-imutex-fault'))).toMatch(/hypothetical/);

  // ext2 DAX's do_mmap() has no gfs2_mmap glock steps.
  await page.getByLabel('Kernel', { exact: true }).selectOption('dax-2015');
  await page.getByRole('button', { name: 'Clear schedule' }).click();
  await page.getByRole('button', { name: 'Step pid 103' }).click();
  const mmap = page.getByRole('region', { name: 'pid 103' });
  await expect(mmap).toContainText('do_mmap()');
  await expect(mmap).toContainText('add_vma');
  await expect(mmap).not.toContainText('gfs2_mmap');

  // While pread64 runs, task() waits for it: its line is where it resumes, not a step it is running.
  await page.goto('./');
  for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Step pid 101' }).click();
  const panel = page.getByRole('region', { name: 'pid 101' });
  await expect(panel.locator('[aria-current="step"]')).toHaveCount(1);
  await expect(panel).toContainText('in gfs2_file_read_iter(); resumes at returned');
});

test('6. exports: what cannot be exported is disabled with the reason, and "downloaded" speaks only of what was', async ({ page }) => {
  await page.goto('./');
  await openView(page, 'Export');
  const promela = page.getByRole('button', { name: 'Export Promela model' });
  await expect(promela).toBeEnabled();
  const saving = page.waitForEvent('download');
  await promela.click();
  await saving;
  await expect(page.getByRole('tabpanel', { name: 'Export' }).getByRole('status')).toHaveText('Promela model downloaded');

  await page.getByLabel('Scenario', { exact: true }).selectOption('dax-truncate');
  await expect(promela).toBeDisabled();
  await expect(promela).toHaveAccessibleDescription(/^Not available for dax-truncate under dax-2015: Promela export models gfs2 scenarios/);
  await expect(page.getByRole('tabpanel', { name: 'Export' }).getByRole('status')).toHaveText('');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Export trace for Perfetto' })).toBeEnabled();
});

test('8. a link without a position opens the documented interleaving at its start', async ({ page }) => {
  await page.goto('./#v=1&s=gfs2-abba-dio&k=gfs2-5.15');
  await expect(page.getByText('0 / 22')).toBeVisible();
  await expect(interleaving(page)).toContainText('both-take-DF-first (documented for gfs2-5.15)');
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('8. a link keeps the statechart’s task and the timeline’s zoom', async ({ page, context }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('gfs2-abba-dio');
  await openView(page, 'Statechart');
  await page.getByLabel('Statechart of', { exact: true }).selectOption('102');
  await page.getByRole('button', { name: 'Fit' }).click();
  await page.getByRole('button', { name: 'Zoom in' }).click();
  const ticks = async (p: Page) => (await p.getByRole('list', { name: 'Step axis' }).getByRole('listitem').allTextContents()).join(' ');
  await expect.poll(() => page.evaluate(() => window.location.hash)).toMatch(/&t=102&w=[\d.]+-[\d.]+$/);
  const axis = await ticks(page);
  const other = await context.newPage();
  await other.goto(page.url());
  await openView(other, 'Statechart');
  await expect(other.getByLabel('Statechart of', { exact: true })).toHaveValue('102');
  await expect.poll(() => ticks(other)).toBe(axis);
  await other.close();
});

test('8. dist/ ships the app alone: no bench page and no source maps unless asked for', () => {
  test.setTimeout(180_000);
  const out = mkdtempSync(join(tmpdir(), 'faultline-dist-'));
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error', '--outDir', out, '--emptyOutDir'], { stdio: 'pipe', env: { ...process.env, FAULTLINE_SOURCEMAP: '' } });
  const files = readdirSync(out, { recursive: true }).map(String);
  expect(files).toContain('index.html');
  expect(existsSync(join(out, 'bench'))).toBe(false);
  expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
});
