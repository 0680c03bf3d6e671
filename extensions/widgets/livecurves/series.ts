/**
 * The points a live curves view holds: one growable buffer per series, fed by
 * `reset` and `append` messages. Pure (no DOM), so it is unit tested.
 */

import { BufferLike, toFloat64 } from '../lib/buffers';
import { ISeriesMessage } from '../lib/messages';

export class Series {
  steps = new Float64Array(256);
  values = new Float64Array(256);
  length = 0;

  constructor(
    readonly key: string,
    readonly group: string,
    readonly split: string
  ) {}

  push(steps: Float64Array, values: Float64Array): void {
    if (steps.length !== values.length) {
      throw new Error(
        `Expected as many steps as values. Received: ${steps.length} steps, ${values.length} values`
      );
    }
    const needed = this.length + steps.length;
    if (needed > this.steps.length) {
      const size = Math.max(needed, this.steps.length * 2);
      const s = new Float64Array(size);
      const v = new Float64Array(size);
      s.set(this.steps.subarray(0, this.length));
      v.set(this.values.subarray(0, this.length));
      this.steps = s;
      this.values = v;
    }
    this.steps.set(steps, this.length);
    this.values.set(values, this.length);
    this.length = needed;
  }

  clear(): void {
    this.length = 0;
  }
}

/** Every series of a view, in the order they first arrived. */
export class SeriesSet {
  readonly series = new Map<string, Series>();

  /** Applies a message: its i-th series' steps and values are buffers 2i and 2i+1. */
  apply(message: ISeriesMessage, buffers: readonly BufferLike[]): void {
    message.series.forEach((header, i) => {
      const steps = buffers[2 * i];
      const values = buffers[2 * i + 1];
      if (!steps || !values) {
        throw new Error(
          `Expected 2 buffers per series (${2 * message.series.length}). Received: ${buffers.length}`
        );
      }
      let series = this.series.get(header.key);
      if (!series) {
        series = new Series(header.key, header.group, header.split);
        this.series.set(header.key, series);
      }
      if (message.type === 'reset') {
        series.clear();
      }
      series.push(toFloat64(steps), toFloat64(values));
    });
  }

  /** Series by the panel they are drawn in. */
  groups(): Map<string, Series[]> {
    const groups = new Map<string, Series[]>();
    for (const series of this.series.values()) {
      const list = groups.get(series.group) ?? [];
      list.push(series);
      groups.set(series.group, list);
    }
    return groups;
  }
}
