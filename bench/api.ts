/**
 * What the bench page exposes on `window` for bench/run.ts and the browser
 * test: a scripted pan and a frame recorder. Types only, shared by the page
 * (browser) and the scripts that drive it (Node).
 */

export interface BenchFrames {
  /** Gaps between successive requestAnimationFrame timestamps, in ms. */
  readonly intervals: readonly number[];
  /** Canvas paint time of each frame that repainted, in ms. */
  readonly paintMs: readonly number[];
  /** React DOM commit time (axis, cursor, tooltip) of each frame that committed, in ms. */
  readonly domMs: readonly number[];
}

export interface PanOptions {
  readonly frames: number;
  /** CSS pixels per frame; the pan turns around every 60 frames so it never runs into the edge. */
  readonly dx: number;
  /** Zoom factor applied (from the full view) before panning. */
  readonly zoom: number;
}

export interface TimelineBench {
  readonly events: number;
  readonly lanes: number;
  /** Pan with d3-zoom's translateBy, one step per animation frame, and return the frames it took. */
  pan(options: PanOptions): Promise<BenchFrames>;
  /** Collect frames until stop() (around a real mouse drag from Playwright). */
  record(): { stop(): Promise<BenchFrames> };
  fit(): void;
  zoomBy(factor: number): void;
}

declare global {
  interface Window {
    __timelineBench?: TimelineBench;
  }
}
