/**
 * npm run bench: how smooth the timeline is with 10,000 events.
 *
 * Builds the pages, serves the build with `vite preview` on a free port,
 * opens bench/timeline.html?events=N in the system Chromium (headless), and
 * prints frame figures for a scripted pan (d3-zoom translateBy once per
 * animation frame) and a real mouse drag. It prints figures and never
 * asserts timing: a slow CI machine is not a failure.
 *
 * The build goes to a temporary folder, not dist/, so a bench never swaps
 * the files out from under an `npm start` or a browser test serving dist/.
 *
 *   npm run bench [-- --events 10000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { build, preview, type PreviewServer } from 'vite';
import { CHROMIUM_ARGS, chromiumPath } from '../scripts/chromium.ts';
import type { BenchFrames } from './api.ts';

const PORT = 4175;
const PAN_FRAMES = 120;
const PAN_DX = 15;
const PAN_ZOOM = 4;
const DRAG_MOVES = 60;

function eventsArg(argv: readonly string[]): number {
  const at = argv.indexOf('--events');
  const n = at >= 0 ? Number.parseInt(argv[at + 1] ?? '', 10) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : 10_000;
}

/** Nearest-rank percentile of a sorted list. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function summary(values: readonly number[]): string {
  if (values.length === 0) return 'no samples';
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const f = (v: number) => v.toFixed(2).padStart(6);
  return `n ${String(values.length).padStart(4)}  mean ${f(mean)}  p50 ${f(percentile(sorted, 50))}  p95 ${f(percentile(sorted, 95))}  max ${f(sorted.at(-1) ?? NaN)} ms`;
}

function report(title: string, frames: BenchFrames): void {
  const mean = frames.intervals.reduce((a, b) => a + b, 0) / Math.max(1, frames.intervals.length);
  console.log(`\n${title}`);
  console.log(`  frame time     ${summary(frames.intervals)}   → ${(1000 / mean).toFixed(1)} FPS`);
  console.log(`  canvas paint   ${summary(frames.paintMs)}`);
  console.log(`  DOM commit     ${summary(frames.domMs)}`);
}

async function openBench(page: Page, base: string, events: number): Promise<void> {
  await page.goto(`${base}bench/timeline.html?events=${events}`);
  await page.waitForFunction(() => window.__timelineBench !== undefined, null, { timeout: 30_000 });
  // Let the first paint and the ResizeObserver settle before measuring.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

async function scriptedPan(page: Page): Promise<BenchFrames> {
  return page.evaluate(
    async ([frames, dx, zoom]) => {
      const bench = window.__timelineBench;
      if (bench === undefined) throw new Error('the bench page did not load');
      return bench.pan({ frames, dx, zoom });
    },
    [PAN_FRAMES, PAN_DX, PAN_ZOOM] as const,
  );
}

async function mouseDrag(page: Page): Promise<BenchFrames> {
  const canvas = page.getByRole('img', { name: 'Timeline' });
  const box = await canvas.boundingBox();
  if (box === null) throw new Error('the timeline canvas is not visible');
  await page.evaluate((zoom) => {
    window.__timelineBench?.fit();
    window.__timelineBench?.zoomBy(zoom);
  }, PAN_ZOOM);
  await page.evaluate(() => {
    const bench = window.__timelineBench;
    if (bench === undefined) throw new Error('the bench page did not load');
    // Kept on window between the evaluate calls that start and stop it.
    (window as unknown as { __recording?: ReturnType<typeof bench.record> }).__recording = bench.record();
  });
  const y = box.y + box.height / 2;
  let x = box.x + box.width * 0.75;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 0; i < DRAG_MOVES; i++) {
    x += i < DRAG_MOVES / 2 ? -12 : 12;
    await page.mouse.move(x, y);
  }
  await page.mouse.up();
  return page.evaluate(() => {
    const recording = (window as unknown as { __recording?: { stop(): Promise<BenchFrames> } }).__recording;
    if (recording === undefined) throw new Error('no recording');
    return recording.stop();
  });
}

async function fullViewRepaints(page: Page): Promise<BenchFrames> {
  // Every event on screen at once: the heaviest paint, zooming out and in around the full view.
  return page.evaluate(async () => {
    const bench = window.__timelineBench;
    if (bench === undefined) throw new Error('the bench page did not load');
    bench.fit();
    const recording = bench.record();
    for (let i = 0; i < 60; i++) {
      bench.zoomBy(i % 2 === 0 ? 1.05 : 1 / 1.05);
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    return recording.stop();
  });
}

async function main(): Promise<void> {
  const events = eventsArg(process.argv.slice(2));
  const outDir = await mkdtemp(join(tmpdir(), 'faultline-bench-'));
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  try {
    await build({ mode: 'bench', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = await preview({ logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: PORT, strictPort: false, open: false } });
    const base = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${PORT}/`;
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
    for (const dpr of [1, 2]) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: dpr });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await openBench(page, base, events);
      const lanes = await page.evaluate(() => window.__timelineBench?.lanes ?? 0);
      console.log(`\n=== timeline bench: ${events.toLocaleString('en')} events on ${lanes} lanes, 1280×800 at devicePixelRatio ${dpr}, Chromium ${browser.version()} (headless, --disable-gpu)`);
      report(`scripted pan: zoom ×${PAN_ZOOM}, then ${PAN_FRAMES} frames of d3-zoom translateBy(${PAN_DX}px)`, await scriptedPan(page));
      report(`mouse drag: zoom ×${PAN_ZOOM}, ${DRAG_MOVES} Playwright mouse moves`, await mouseDrag(page));
      report('full view: 60 frames of zoom ×1.05 / ÷1.05, all events on screen', await fullViewRepaints(page));
      if (errors.length > 0) console.log(`\npage errors: ${errors.join('; ')}`);
      await page.close();
    }
    console.log('\nFigures only: nothing here is asserted. Frame time is the gap between requestAnimationFrame timestamps (16.7 ms is 60 FPS).');
  } finally {
    await browser?.close();
    await server?.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
