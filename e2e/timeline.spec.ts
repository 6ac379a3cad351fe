import { expect, test, type Locator, type Page } from '@playwright/test';
import type {} from '../bench/api.ts';

/** What the canvas shows, in numbers: how much of it is painted and with how many colours. */
async function canvasStats(canvas: Locator) {
  return canvas.evaluate((node) => {
    if (!(node instanceof HTMLCanvasElement)) throw new Error('not a canvas');
    const ctx = node.getContext('2d');
    if (ctx === null) throw new Error('no 2d context');
    const { data } = ctx.getImageData(0, 0, node.width, node.height);
    let painted = 0;
    const colours = new Set<number>();
    // Every 7th pixel is plenty to tell a drawn timeline from a blank one.
    for (let i = 0; i < data.length; i += 4 * 7) {
      const r = data[i] ?? 0;
      const g = data[i + 1] ?? 0;
      const b = data[i + 2] ?? 0;
      if (r < 250 || g < 250 || b < 250) painted++;
      colours.add((r << 16) | (g << 8) | b);
    }
    return { width: node.width, height: node.height, painted: painted / (data.length / 4 / 7), colours: colours.size };
  });
}

async function tickLabels(page: Page): Promise<string> {
  return (await page.getByRole('list', { name: 'Step axis' }).getByRole('listitem').allTextContents()).join(' ');
}

test('the bench page draws 10,000 events, and dragging and the wheel pan and zoom it', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('./bench/timeline.html?events=10000');
  await expect(page.getByRole('heading', { name: 'Timeline bench' })).toBeVisible();
  await expect(page.getByText('10,000 synthetic steps on 6 lanes')).toBeVisible();
  await expect(page.getByRole('figure')).toBeVisible();
  const canvas = page.getByRole('img', { name: 'Timeline' });
  await expect(canvas).toBeVisible();
  await expect(page.getByRole('list', { name: 'Tasks' }).getByRole('listitem')).toHaveText(['pid 101', 'pid 102', 'pid 103', 'pid 104', 'pid 105', 'pid 106'].map((p) => new RegExp(`^${p}`)));

  await expect.poll(async () => (await canvasStats(canvas)).painted).toBeGreaterThan(0.3);
  const stats = await canvasStats(canvas);
  expect(stats.width).toBeGreaterThan(800);
  // Lock kinds, depths, waits, faults, the path: a timeline, not a smear of one colour.
  expect(stats.colours).toBeGreaterThan(20);

  const full = await tickLabels(page);
  expect(full).toContain('10000');
  const box = await canvas.boundingBox();
  if (box === null) throw new Error('canvas has no box');
  const mid = { x: box.x + box.width / 2, y: box.y + 30 };

  await page.mouse.move(mid.x, mid.y);
  await page.mouse.wheel(0, -800);
  await expect.poll(() => tickLabels(page)).not.toBe(full);
  const zoomed = await tickLabels(page);
  expect(zoomed).not.toContain('10000');

  await page.mouse.down();
  await page.mouse.move(mid.x - 400, mid.y, { steps: 12 });
  await page.mouse.up();
  await expect.poll(() => tickLabels(page)).not.toBe(zoomed);
  // Dragging left brings later steps into view.
  const first = (s: string) => Number(s.split(' ')[0]);
  expect(first(await tickLabels(page))).toBeGreaterThan(first(zoomed));

  await page.getByRole('button', { name: 'Fit' }).click();
  await expect.poll(() => tickLabels(page)).toBe(full);
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect.poll(() => tickLabels(page)).not.toBe(full);
  await page.getByRole('button', { name: 'Fit' }).click();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: 'e2e/artifacts/timeline-10000.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('the scripted pan hook reports one frame per animation frame', async ({ page }) => {
  await page.goto('./bench/timeline.html?events=10000');
  await expect.poll(() => page.evaluate(() => window.__timelineBench !== undefined)).toBe(true);
  const frames = await page.evaluate(() => window.__timelineBench?.pan({ frames: 30, dx: 15, zoom: 4 }));
  // Counts, not timings: the bench prints timings, tests never assert them.
  expect(frames?.intervals.length).toBeGreaterThanOrEqual(30);
  expect(frames?.paintMs.length).toBeGreaterThanOrEqual(29);
});

test('on a real replay, hovering a step names it and clicking moves the cursor after it', async ({ page }) => {
  await page.goto('./bench/timeline.html?scenario=gfs2-read-self&variant=gfs2-5.18');
  await expect(page.getByRole('heading', { name: 'Timeline' })).toBeVisible();
  const canvas = page.getByRole('img', { name: 'Timeline' });
  await expect(page.getByRole('list', { name: 'Tasks' })).toHaveText(/pid 101/);
  await expect(page.getByLabel('Cursor after step 0')).toBeVisible();
  // The panel opens zoomed in for readable labels: every step in view, for the geometry below.
  await page.getByRole('button', { name: 'Fit' }).click();
  const box = await canvas.boundingBox();
  if (box === null) throw new Error('canvas has no box');

  // 61 steps across the plot: the middle of step 13 (index 12) is the read's gfs2_glock_dq before the fault-in.
  const stepWidth = box.width / 61;
  const at = { x: box.x + stepWidth * 12.5, y: box.y + 12 };
  await page.mouse.move(at.x, at.y);
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip).toContainText('step 13 · pid 101');
  await expect(tooltip).toContainText('gfs2_glock_dq on glock 2/F');
  await page.mouse.click(at.x, at.y);
  await expect(page.getByLabel('Cursor after step 13')).toBeVisible();
  await page.mouse.move(box.x + stepWidth * 25.5, box.y + 60);
  await expect(tooltip).toContainText('holds glock 2/F SH · gfs2_fault');
  await page.screenshot({ path: 'e2e/artifacts/timeline-read-self-5.18.png', fullPage: true });
});

test('on gfs2-abba-dio under gfs2-5.15 both lanes end blocked, with deadlock markers', async ({ page }) => {
  await page.goto('./bench/timeline.html?scenario=gfs2-abba-dio&variant=gfs2-5.15');
  const canvas = page.getByRole('img', { name: 'Timeline' });
  await expect(page.getByRole('list', { name: 'Tasks' }).getByRole('listitem')).toHaveCount(2);
  await page.getByRole('button', { name: 'Fit' }).click();
  const box = await canvas.boundingBox();
  if (box === null) throw new Error('canvas has no box');
  // Hover the last step in the second lane's band: pid 102 waits for the glock pid 101 holds.
  const lanes = page.getByRole('list', { name: 'Tasks' }).getByRole('listitem');
  const second = await lanes.nth(1).boundingBox();
  if (second === null) throw new Error('lane has no box');
  await page.mouse.move(box.x + box.width - 3, second.y + second.height / 2);
  await expect(page.getByRole('tooltip')).toContainText('waits for glock 2/F1');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: 'e2e/artifacts/timeline-abba-5.15.png', fullPage: true });
});
