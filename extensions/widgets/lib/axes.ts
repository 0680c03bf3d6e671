/**
 * Axes: a data range mapped onto pixels, with ticks at round values and
 * labels that tell them apart. Pure (no DOM), so it is unit tested.
 *
 * The kernel draws a run's final chart with the same arithmetic, operation
 * for operation (`workbench/widgets/axes.py`): the live view and the chart
 * that replaces it label their axes alike. One table of cases
 * (`test/widgets/lib/axes.cases.json`) tests both.
 */

import { humanLabels, tickLabels } from './format';

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

const SQRT50 = Math.sqrt(50);
const SQRT10 = Math.sqrt(10);
const SQRT2 = Math.sqrt(2);

/**
 * About `count` round values (1, 2 or 5 times a power of ten apart, the step
 * nearest (hi - lo) / count, as d3 picks it) in [lo, hi]. With `integer`, the step is a whole number (at least 1), so an
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
  const magnitude = power(Math.floor(Math.log10(raw)));
  const error = raw / magnitude; // in [1, 10): the nearest of 1, 2, 5 and 10 times it, as d3
  let step =
    magnitude *
    (error >= SQRT50 ? 10 : error >= SQRT10 ? 5 : error >= SQRT2 ? 2 : 1);
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

/** 10^exponent, exact both ways (Math.pow(10, -2) need not be 1 / 100). */
function power(exponent: number): number {
  return exponent >= 0 ? 10 ** exponent : 1 / 10 ** -exponent;
}

/**
 * A linear axis from data [lo, hi] onto pixels [from, to] (to < from for a
 * y axis drawn downwards). A single value is padded: by 1 above for integer
 * axes, by 1 either side otherwise. `extend` widens the range to the ticks
 * around it, so the axis ends on a labelled tick (0 to 200k for steps 1 to
 * 200,000).
 */
export function linearAxis(
  lo: number,
  hi: number,
  pixels: [number, number],
  options: { count?: number; integer?: boolean; extend?: boolean } = {}
): IAxis {
  const integer = options.integer ?? false;
  if (hi <= lo) {
    [lo, hi] = integer ? [lo, lo + 1] : [lo - 1, hi + 1];
  }
  const [from, to] = pixels;
  let ticks = niceTicks(lo, hi, options.count ?? 5, integer);
  if (options.extend && ticks.values.length) {
    const { step } = ticks;
    const first = Math.floor(lo / step + 1e-9);
    const last = Math.ceil(hi / step - 1e-9);
    const values: number[] = [];
    for (let k = first; k <= last; k++) {
      values.push(k * step + 0);
    }
    ticks = { values, step };
    [lo, hi] = [values[0] ?? lo, values[values.length - 1] ?? hi];
  }
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
    values = exponents.values.map(power);
    labels = exponents.values.map(powerLabel);
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

/** 10^exponent as a label: 0.001 to 1000 plain, then 10k to 100T, else 1e-5, 1e15. */
function powerLabel(exponent: number): string {
  if (exponent >= -3 && exponent < 0) {
    return `0.${'0'.repeat(-exponent - 1)}1`;
  }
  if (exponent >= 0 && exponent < 4) {
    return `1${'0'.repeat(exponent)}`;
  }
  const human =
    exponent >= 4 && exponent < 15 ? humanLabels([power(exponent)]) : null;
  return human?.[0] ?? `1e${exponent}`;
}
