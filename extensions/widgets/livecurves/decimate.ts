/**
 * Min/max-per-column decimation: what a series looks like at a given width.
 * Pure (no DOM), so it is unit tested.
 */

/**
 * The polyline of a series in pixels, with at most four points per pixel
 * column: the column's first, lowest, highest and last value, in order. Drawn,
 * it looks exactly like every point drawn, spikes included, at a cost bounded
 * by the width instead of the length.
 *
 * @param toX data step -> pixel x (rounded to a column).
 * @param toY data value -> pixel y.
 * @param keep which values are drawn (default: finite ones).
 * @returns flat [x0, y0, x1, y1, ...].
 */
export function decimate(
  steps: ArrayLike<number>,
  values: ArrayLike<number>,
  length: number,
  toX: (step: number) => number,
  toY: (value: number) => number,
  keep: (value: number) => boolean = Number.isFinite
): number[] {
  const out: number[] = [];
  let column = NaN;
  let first = -1;
  let low = -1;
  let high = -1;
  let last = -1;
  const flush = (): void => {
    if (first < 0) {
      return;
    }
    const picked = [first, low, high, last].sort((a, b) => a - b);
    picked.forEach((index, i) => {
      if (i === 0 || index !== picked[i - 1]) {
        out.push(column, toY(values[index] as number));
      }
    });
  };
  for (let i = 0; i < length; i++) {
    const v = values[i] as number;
    if (!keep(v)) {
      continue;
    }
    const x = Math.round(toX(steps[i] as number));
    if (x !== column) {
      flush();
      column = x;
      first = low = high = last = i;
      continue;
    }
    last = i;
    if (v < (values[low] as number)) {
      low = i;
    }
    if (v > (values[high] as number)) {
      high = i;
    }
  }
  flush();
  return out;
}
