/**
 * TensorBoard's smoothing: a debiased exponential moving average. Pure; the
 * kernel's `workbench.widgets.columns.ema` takes the same steps, so a run's
 * final chart draws the line the live view drew.
 */

/**
 * The first `length` values smoothed with `weight` in [0, 1): 0 leaves them
 * as they are. Non-finite values pass through and do not enter the average.
 */
export function smooth(
  values: Float64Array,
  length: number,
  weight: number
): Float64Array {
  if (weight <= 0) {
    return values.subarray(0, length);
  }
  const out = new Float64Array(length);
  let last = 0;
  let decay = 1; // weight to the power of the values seen (a product, as the kernel takes it)
  for (let i = 0; i < length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    decay *= weight;
    out[i] = last / (1 - decay); // debiased: the first value is itself
  }
  return out;
}
