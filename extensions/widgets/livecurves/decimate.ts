/**
 * The lines of a series in pixels, from its columns. Pure (no DOM), so it is
 * unit tested; the kernel draws the final chart point for point the same
 * (`workbench/widgets/columns.py`: `zigzag`, `smooth`).
 *
 * Each column is drawn at its position as its first, lowest and highest (in
 * the order they came) and last value: a short vertical zigzag that looks
 * exactly like every point of the column drawn, spikes included, at a cost
 * bounded by the width, whatever the series' length. Every column is drawn
 * the same way, the newest as the oldest: the curve keeps one texture while
 * it streams.
 */

import { ColumnSeries } from './columns';
import { smooth } from './smoothing';

export type Keep = (value: number) => boolean;

/**
 * The series' zigzag through its columns, flat [x0, y0, x1, y1, ...]: per
 * column the values `keep` keeps, each unless it repeats the one before.
 */
export function zigzag(
  series: ColumnSeries,
  toX: (step: number) => number,
  toY: (value: number) => number,
  keep: Keep = Number.isFinite
): number[] {
  const out: number[] = [];
  for (const c of series.filled()) {
    const x = toX(series.position(c));
    let previous = NaN;
    for (const v of series.values(c)) {
      if (!keep(v)) {
        continue;
      }
      if (v !== previous) {
        out.push(x, toY(v));
      }
      previous = v;
    }
  }
  return out;
}

/**
 * The smoothed line, flat [x0, y0, ...]: TensorBoard's smoothing of the
 * columns' means (`weight` 0: the means), the points `keep` keeps.
 */
export function smoothedLine(
  series: ColumnSeries,
  weight: number,
  toX: (step: number) => number,
  toY: (value: number) => number,
  keep: Keep = Number.isFinite
): number[] {
  const columns = series.filled();
  const means = Float64Array.from(columns, c => series.mean(c));
  const smoothed = smooth(means, means.length, weight);
  const out: number[] = [];
  columns.forEach((c, i) => {
    const v = smoothed[i] as number;
    if (keep(v)) {
      out.push(toX(series.position(c)), toY(v));
    }
  });
  return out;
}

/** The range of the values the zigzags draw, and the steps they span. */
export interface IExtent {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  points: number; // points of the series in the columns drawn
}

export function extent(list: readonly ColumnSeries[], keep: Keep): IExtent {
  const e = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
  let points = 0;
  for (const series of list) {
    let any = false;
    for (const c of series.filled()) {
      points += series.count[c] as number;
      for (const v of series.values(c)) {
        if (keep(v)) {
          any = true;
          e.y0 = Math.min(e.y0, v);
          e.y1 = Math.max(e.y1, v);
        }
      }
    }
    if (any) {
      e.x0 = Math.min(e.x0, series.first);
      e.x1 = Math.max(e.x1, series.last);
    }
  }
  return { ...e, points };
}
