import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Download, type Page } from '@playwright/test';
import { openView } from './workspace.ts';

async function downloadOf(page: Page, button: string): Promise<{ file: Download; path: string }> {
  const waiting = page.waitForEvent('download');
  await page.getByRole('button', { name: button }).click();
  const file = await waiting;
  return { file, path: await file.path() };
}

async function openAbbaDeadlock(page: Page): Promise<void> {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('gfs2-abba-dio');
  await page.getByLabel('Kernel', { exact: true }).selectOption('gfs2-5.15');
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('deadlock');
  await openView(page, 'Export');
}

interface TraceEvent {
  readonly ph: string;
  readonly name: string;
  readonly pid: number;
  readonly tid: number;
  readonly args?: { readonly name?: string };
}

test('the trace exports as Chrome Trace Event JSON: a thread per task, a track per lock, the deadlock as instants', async ({ page }) => {
  await openAbbaDeadlock(page);
  const { file, path } = await downloadOf(page, 'Export trace for Perfetto');
  expect(file.suggestedFilename()).toBe('gfs2-abba-dio.gfs2-5.15.trace.json');
  const trace = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEvent[] };
  const threadNames = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name ?? '');
  expect(threadNames.some((n) => n.startsWith('pid 101'))).toBe(true);
  expect(threadNames.some((n) => n.startsWith('pid 102'))).toBe(true);
  expect(threadNames.some((n) => n.includes('glock 2/F1'))).toBe(true);
  // The O_DIRECT read's frames, outermost first: the syscall, then iomap's direct I/O that faults on the buffer.
  expect(trace.traceEvents.some((e) => e.ph === 'X' && e.name === 'gfs2_file_read_iter')).toBe(true);
  expect(trace.traceEvents.some((e) => e.ph === 'X' && e.name === 'iomap_dio_rw')).toBe(true);
  expect(trace.traceEvents.filter((e) => e.ph === 'i' && /deadlock/i.test(e.name)).length).toBeGreaterThan(0);
});

test('the timeline exports as an SVG that draws the run, and as a PNG of it', async ({ page }) => {
  await openAbbaDeadlock(page);
  const svg = await downloadOf(page, 'Export timeline SVG');
  expect(svg.file.suggestedFilename()).toBe('gfs2-abba-dio.gfs2-5.15.svg');
  const text = readFileSync(svg.path, 'utf8');
  expect(text).toContain('<svg');
  expect(text).toContain('deadlock');

  // The browser renders the file on its own, as a bug tracker would show it (Playwright keeps downloads without their extension).
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-svg-')), svg.file.suggestedFilename());
  copyFileSync(svg.path, file);
  const view = await page.context().newPage();
  await view.setViewportSize({ width: 1400, height: 600 });
  await view.goto(`file://${file}`);
  await expect(view.locator('svg').first()).toBeVisible();
  await expect(view.locator('svg text').getByText('pid 101', { exact: true }).first()).toBeVisible();
  await view.screenshot({ path: 'e2e/artifacts/timeline-export-svg.png' });
  await view.close();

  const png = await downloadOf(page, 'Export timeline PNG');
  expect(png.file.suggestedFilename()).toBe('gfs2-abba-dio.gfs2-5.15.png');
  const bytes = readFileSync(png.path);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  expect(width).toBeGreaterThan(800);
  expect(height).toBeGreaterThan(150);
  copyFileSync(png.path, 'e2e/artifacts/timeline-export.png');
});

test('the scenario exports as a Promela model that Spin accepts', async ({ page }) => {
  await openAbbaDeadlock(page);
  const { file, path } = await downloadOf(page, 'Export Promela model');
  expect(file.suggestedFilename()).toBe('gfs2-abba-dio.gfs2-5.15.pml');
  const model = readFileSync(path, 'utf8');
  expect(model).toContain('proctype');
  // spin -a parses the model and writes the verifier's source; a syntax error exits non-zero.
  const dir = mkdtempSync(join(tmpdir(), 'faultline-pml-'));
  execFileSync('spin', ['-a', path], { cwd: dir, stdio: 'pipe' });
  expect(readFileSync(join(dir, 'pan.c'), 'utf8').length).toBeGreaterThan(1000);
});
