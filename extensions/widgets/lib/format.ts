/**
 * Numbers as the views show them, including the wire form of non-finite
 * floats ('NaN', 'inf', '-inf': JSON has no NaN or infinity).
 */

import type { WireFloat } from './messages';

/** A wire float as a number: 'NaN', 'inf' and '-inf' become NaN and ±Infinity. */
export function fromWire(value: WireFloat): number {
  switch (value) {
    case 'NaN':
      return NaN;
    case 'inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    default:
      return typeof value === 'number' ? value : NaN;
  }
}

/**
 * A value in a few characters: integers whole, else 4 significant digits;
 * an exponent from 1e6 up and under 1e-3.
 */
export function formatNumber(value: number | WireFloat): string {
  const v = typeof value === 'number' ? value : fromWire(value);
  if (Number.isNaN(v)) {
    return 'NaN';
  }
  if (!Number.isFinite(v)) {
    return v > 0 ? 'inf' : '-inf';
  }
  if (v === 0) {
    return '0';
  }
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-3) {
    return trimExponent(v.toExponential(3));
  }
  if (Number.isInteger(v)) {
    return String(v);
  }
  return String(Number(v.toPrecision(4)));
}

/**
 * Labels for evenly spaced ticks `step` apart: as many decimals as the step
 * needs, so neighbouring labels always differ.
 */
export function tickLabels(values: readonly number[], step: number): string[] {
  const scale = Math.max(0, ...values.map(Math.abs));
  if (scale >= 1e6 || (scale > 0 && scale < 1e-3)) {
    for (let digits = 0; digits <= 15; digits++) {
      const labels = values.map(v =>
        v === 0 ? '0' : trimExponent(v.toExponential(digits))
      );
      if (new Set(labels).size === labels.length) {
        return labels;
      }
    }
  }
  const decimals = Math.min(
    15,
    Math.max(0, Math.ceil(-Math.log10(step) - 1e-9))
  );
  return values.map(v => {
    const label = v.toFixed(decimals);
    return Number(label) === 0 ? (0).toFixed(decimals) : label; // no "-0"
  });
}

/** "1.500e+6" -> "1.5e6": the exponent form without padding. */
function trimExponent(text: string): string {
  const [mantissa = text, exponent = ''] = text.split('e');
  const trimmed = mantissa.includes('.')
    ? mantissa.replace(/0+$/, '').replace(/\.$/, '')
    : mantissa;
  return exponent ? `${trimmed}e${exponent.replace('+', '')}` : trimmed;
}
