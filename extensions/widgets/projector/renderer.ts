/** What the view asks of a drawing (2-D or 3-D) and hears back from it. */

export interface IRendererEvents {
  /** A point under the mouse (-1: none), at client coordinates. */
  hover(index: number, clientX: number, clientY: number): void;
  /** A point clicked (its neighbours are asked for). */
  click(index: number): void;
  /** A lasso (2-D) or shift-drag box (3-D) selection; empty when cleared. */
  select(indices: number[]): void;
}

export interface IRenderer {
  /** Positions scaled into [-1, 1], `dims` per point, and each point's colour index. */
  setPoints(positions: Float32Array, codes: Uint8Array): Promise<void>;
  setColors(codes: Uint8Array, palette: string[]): Promise<void>;
  /** Marks points (neighbours, search hits); `anchor` is drawn larger; none clears. */
  highlight(indices: Uint32Array, anchor: number): void;
  resize(width: number, height: number): void;
  /** Moves the camera a little (pans in 2-D, turns in 3-D): the benchmark's frames. */
  nudge(step: number): void;
  /** Frames drawn so far (the benchmark reads it). */
  readonly frames: number;
  dispose(): void;
}

export function pointSize(n: number): number {
  return n > 500_000
    ? 1.5
    : n > 100_000
      ? 2
      : n > 20_000
        ? 3
        : n > 2_000
          ? 4
          : 6;
}
