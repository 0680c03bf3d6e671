/**
 * Durations as people read them and time-axis ticks. Pure (no DOM).
 */

/** A duration in µs: `176 ms`, `2.3 ms`, `41 µs`, `1.2 s`, `350 ns`. */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) {
    return String(us);
  }
  const abs = Math.abs(us);
  if (abs >= 1e6) {
    return `${trim(us / 1e6)} s`;
  }
  if (abs >= 1e3) {
    return `${trim(us / 1e3)} ms`;
  }
  if (abs >= 1 || abs === 0) {
    return `${trim(us)} µs`;
  }
  return `${trim(us * 1e3)} ns`;
}

/** Three significant digits, no trailing zeros: 176, 2.3, 41.2. */
function trim(value: number): string {
  return String(Number(value.toPrecision(3)));
}

export interface ITick {
  /** µs from the capture's start. */
  at: number;
  label: string;
}

/**
 * Ticks about every `pixels` pixels over [t0, t1) at round durations (1, 2
 * or 5 times a power of ten µs), labelled with as much precision as their
 * spacing needs.
 */
export function timeTicks(
  t0: number,
  t1: number,
  width: number,
  pixels = 110
): ITick[] {
  if (!(t1 > t0) || !(width > 0)) {
    return [];
  }
  const raw = ((t1 - t0) / width) * pixels;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * magnitude).find(s => s >= raw) ?? raw;
  const ticks: ITick[] = [];
  const first = Math.ceil(t0 / step - 1e-9);
  for (let k = first; k * step < t1; k++) {
    const at = k * step;
    ticks.push({ at, label: tickLabel(at, step) });
  }
  return ticks;
}

/** A tick's label in the unit its step calls for, with the decimals it needs. */
export function tickLabel(at: number, step: number): string {
  const [unit, scale] =
    step >= 1e6 ? ['s', 1e6] : step >= 100 ? ['ms', 1e3] : ['µs', 1];
  const decimals = Math.max(0, Math.ceil(-Math.log10(step / scale) - 1e-9));
  const value = (at / scale).toFixed(Math.min(decimals, 9));
  return `${Number(value) === 0 ? (0).toFixed(Math.min(decimals, 9)) : value} ${unit}`;
}
