/**
 * Axes: a data range mapped onto pixels, with ticks at round values and
 * labels that tell them apart. Pure (no DOM), so it is unit tested.
 */

import { tickLabels } from './format';

export interface IAxis {
  /** The data range shown (padded when the data has a single value). */
  lo: number;
  hi: number;
  /** Where a data value lands, in pixels. */
  toPixel(value: number): number;
  ticks: number[];
  labels: string[];
}

export interface ITicks {
  values: number[];
  step: number;
}

/**
 * About `count` round values (1, 2 or 5 times a power of ten apart) in
 * [lo, hi]. With `integer`, the step is a whole number (at least 1), so an
 * axis of steps never repeats a label ("1 1 1 2 2 2").
 */
export function niceTicks(
  lo: number,
  hi: number,
  count: number,
  integer = false
): ITicks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) {
    return { values: [], step: 1 };
  }
  if (hi === lo) {
    return { values: [lo], step: 1 };
  }
  const raw = (hi - lo) / Math.max(1, count);
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  let step = [1, 2, 5, 10].map(m => m * magnitude).find(s => s >= raw) ?? raw;
  if (integer) {
    step = Math.max(1, Math.round(step));
  }
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const values: number[] = [];
  for (let k = first; k <= last; k++) {
    values.push(k * step + 0); // + 0: no -0
  }
  return { values, step };
}

/**
 * A linear axis from data [lo, hi] onto pixels [from, to] (to < from for a
 * y axis drawn downwards). A single value is padded: by 1 above for integer
 * axes, by 1 either side otherwise.
 */
export function linearAxis(
  lo: number,
  hi: number,
  pixels: [number, number],
  options: { count?: number; integer?: boolean } = {}
): IAxis {
  const integer = options.integer ?? false;
  if (hi <= lo) {
    [lo, hi] = integer ? [lo, lo + 1] : [lo - 1, hi + 1];
  }
  const [from, to] = pixels;
  const ticks = niceTicks(lo, hi, options.count ?? 5, integer);
  return {
    lo,
    hi,
    toPixel: value => from + ((value - lo) / (hi - lo)) * (to - from),
    ticks: ticks.values,
    labels: tickLabels(ticks.values, ticks.step)
  };
}

/**
 * A log10 axis over positive data [lo, hi]: ticks at powers of ten when the
 * range spans a decade or more, else at round values inside it.
 */
export function logAxis(
  lo: number,
  hi: number,
  pixels: [number, number],
  count = 4
): IAxis {
  if (hi <= lo) {
    [lo, hi] = [lo / 10, hi * 10];
  }
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  const [from, to] = pixels;
  let values: number[];
  let labels: string[];
  if (b - a >= 1) {
    const exponents = niceTicks(a, b, count, true);
    values = exponents.values.map(e => Math.pow(10, e));
    labels = exponents.values.map(e =>
      e >= -3 && e < 6 ? String(Math.pow(10, e)) : `1e${e}`
    );
  } else {
    const ticks = niceTicks(lo, hi, count);
    values = ticks.values.filter(v => v > 0);
    labels = tickLabels(values, ticks.step);
  }
  return {
    lo,
    hi,
    toPixel: value => from + ((Math.log10(value) - a) / (b - a)) * (to - from),
    ticks: values,
    labels
  };
}
