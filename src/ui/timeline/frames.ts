/**
 * One requestAnimationFrame per frame, however many zoom, pointer or prop
 * changes asked for it: the canvas repaints from refs, and the DOM (axis,
 * cursor, tooltip) is committed by React in the same frame, each only when
 * something it shows has changed (Perfetto's raf_scheduler keeps the same
 * two kinds of redraw apart).
 */

export interface FrameCost {
  /** Milliseconds spent painting the canvas this frame (0 if it was not repainted). */
  readonly paintMs: number;
  /** Milliseconds spent committing React's DOM this frame (0 if it was not). */
  readonly domMs: number;
}

export interface FrameWork {
  paintCanvas(): void;
  commitDom(): void;
  measured?(cost: FrameCost): void;
}

export class FrameScheduler {
  private canvas = false;
  private dom = false;
  private id = 0;

  constructor(private readonly work: FrameWork) {}

  request(what: { canvas?: boolean; dom?: boolean }): void {
    this.canvas ||= what.canvas === true;
    this.dom ||= what.dom === true;
    if (this.id === 0 && (this.canvas || this.dom)) this.id = requestAnimationFrame(this.run);
  }

  dispose(): void {
    if (this.id !== 0) cancelAnimationFrame(this.id);
    this.id = 0;
  }

  private readonly run = (): void => {
    this.id = 0;
    const { canvas, dom } = this;
    this.canvas = false;
    this.dom = false;
    const t0 = performance.now();
    if (canvas) this.work.paintCanvas();
    const t1 = performance.now();
    if (dom) this.work.commitDom();
    const t2 = performance.now();
    this.work.measured?.({ paintMs: canvas ? t1 - t0 : 0, domMs: dom ? t2 - t1 : 0 });
  };
}
