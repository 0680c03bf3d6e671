/**
 * The time window a timeline shows, and how zooming and panning move it.
 * Pure (no DOM), so it is unit tested.
 */

/** The narrowest window: 10 ns (TensorFlow's events are timed to the ns). */
export const MIN_WINDOW_US = 0.01;
/** How far past the capture's ends a window may go, as a share of its span. */
const MARGIN = 0.05;

export interface IWindow {
  readonly t0: number;
  readonly t1: number;
}

export class Viewport {
  constructor(
    /** The capture's span, µs (its events lie in [0, span]). */
    readonly span: number,
    window?: IWindow
  ) {
    const all = { t0: 0, t1: Math.max(span, MIN_WINDOW_US) };
    this.window = clamp(window ?? all, this.span);
  }

  get t0(): number {
    return this.window.t0;
  }

  get t1(): number {
    return this.window.t1;
  }

  get duration(): number {
    return this.window.t1 - this.window.t0;
  }

  /** Where time `t` lands on a `width`-pixel axis. */
  toPixel(t: number, width: number): number {
    return ((t - this.t0) / this.duration) * width;
  }

  /** The time at pixel `x` of a `width`-pixel axis. */
  toTime(x: number, width: number): number {
    return this.t0 + (x / width) * this.duration;
  }

  /** Zooms by `factor` (> 1: in) keeping the time under `anchor` (0..1 of the width) in place. */
  zoom(factor: number, anchor = 0.5): Viewport {
    const at = this.t0 + anchor * this.duration;
    const duration = this.duration / factor;
    return this.with({
      t0: at - anchor * duration,
      t1: at - anchor * duration + duration
    });
  }

  /** Moves the window by `dt` µs (> 0: later). */
  pan(dt: number): Viewport {
    return this.with({ t0: this.t0 + dt, t1: this.t1 + dt });
  }

  /** The window centred on `t`, as wide as now. */
  centre(t: number): Viewport {
    const half = this.duration / 2;
    return this.with({ t0: t - half, t1: t + half });
  }

  /** The window [t0, t1), kept inside the capture. */
  with(window: IWindow): Viewport {
    return new Viewport(this.span, window);
  }

  /** The whole capture. */
  reset(): Viewport {
    return new Viewport(this.span);
  }

  private readonly window: IWindow;
}

/**
 * A window no narrower than MIN_WINDOW_US, no wider than the capture (plus a
 * margin), and not past its ends by more than the margin.
 */
export function clamp(window: IWindow, span: number): IWindow {
  const margin = Math.max(span, MIN_WINDOW_US) * MARGIN;
  const lo = -margin;
  const hi = Math.max(span, MIN_WINDOW_US) + margin;
  let duration = window.t1 - window.t0;
  if (!Number.isFinite(duration) || duration < MIN_WINDOW_US) {
    duration = MIN_WINDOW_US;
  }
  duration = Math.min(duration, hi - lo);
  const centre = Number.isFinite(window.t0 + window.t1)
    ? (window.t0 + window.t1) / 2
    : span / 2;
  let t0 = centre - duration / 2;
  t0 = Math.min(Math.max(t0, lo), hi - duration);
  return { t0, t1: t0 + duration };
}
