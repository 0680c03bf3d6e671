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

// largest first: 1.5M, not 1500k
const UNITS: readonly [number, string][] = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k']
];
const EXACT = 1e-9; // relative: a label is exact when it reads back within this of its tick

/**
 * Labels for ticks `step` apart, each exact and so all distinct: thousands
 * and up in human units ("0 50k 100k", "1.25M"), tiny or huge values with an
 * exponent ("2e-5"), the rest with as many decimals as the step needs
 * ("0.05 0.10"). The kernel labels a run's final chart with the same
 * arithmetic (`workbench/widgets/axes.py`; one table of cases tests both).
 */
export function tickLabels(values: readonly number[], step: number): string[] {
  const scale = Math.max(0, ...values.map(Math.abs));
  if (scale >= 1e4 && scale < 1e15) {
    const human = humanLabels(values);
    if (human) {
      return human;
    }
  }
  if (scale >= 1e6 || (scale > 0 && scale < 1e-3)) {
    for (let digits = 0; digits <= 15; digits++) {
      const labels = values.map(v => exponentLabel(v, digits));
      if (labels.every((label, i) => exact(Number(label), values[i] ?? NaN))) {
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

/** Values in thousands (k), millions (M), billions (B), trillions (T), or null if one is not exact. */
export function humanLabels(values: readonly number[]): string[] | null {
  const labels: string[] = [];
  for (const v of values) {
    const unit = UNITS.find(([size]) => Math.abs(v) >= size);
    if (!unit) {
      if (!Number.isInteger(v)) {
        return null;
      }
      labels.push(String(v + 0)); // + 0: no "-0"
      continue;
    }
    const [size, suffix] = unit;
    let label: string | null = null;
    for (let digits = 0; digits <= 2 && label === null; digits++) {
      const text = (v / size).toFixed(digits);
      if (exact(Number(text) * size, v)) {
        label = text + suffix;
      }
    }
    if (label === null) {
      return null;
    }
    labels.push(label);
  }
  return new Set(labels).size === labels.length ? labels : null;
}

function exact(read: number, value: number): boolean {
  return Math.abs(read - value) <= EXACT * Math.abs(value);
}

function exponentLabel(value: number, digits: number): string {
  return value === 0 ? '0' : trimExponent(value.toExponential(digits));
}

/** "1.500e+6" -> "1.5e6": the exponent form without padding. */
function trimExponent(text: string): string {
  const [mantissa = text, exponent = ''] = text.split('e');
  const trimmed = mantissa.includes('.')
    ? mantissa.replace(/0+$/, '').replace(/\.$/, '')
    : mantissa;
  return exponent ? `${trimmed}e${exponent.replace('+', '')}` : trimmed;
}
