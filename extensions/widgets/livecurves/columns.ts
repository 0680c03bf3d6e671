/**
 * The columns a live curves view holds: per series, its step span cut into
 * about a pixel's worth of columns, each with the first, lowest, highest and
 * last finite value (in the order they came) and the sum and count of its
 * values. Fed by the kernel's `columns` messages; pure (no DOM), so it is unit
 * tested.
 *
 * When the kernel's span doubled (a header's `size` grew), the view merges its
 * columns pairwise exactly as the kernel did (`workbench/widgets/columns.py`,
 * `merge`), so the kernel sends only the columns that new points changed.
 */

import { BufferLike, toFloat64 } from '../lib/buffers';
import {
  COLUMN_FIELDS,
  IColumnsHeader,
  IColumnsMessage
} from '../lib/messages';

const FIELDS = COLUMN_FIELDS.length;
const SPLITS = ['train', 'validation'];

export class ColumnSeries {
  width = 0;
  size = 1; // steps per column
  origin = 0; // the step where column 0 starts
  first = 0; // the first and last step with a finite value
  last = 0;
  count = new Float64Array(0);
  total = new Float64Array(0);
  head = new Float64Array(0); // the first value
  low = new Float64Array(0);
  high = new Float64Array(0);
  tail = new Float64Array(0); // the last value
  lowFirst = new Uint8Array(0);

  constructor(
    readonly key: string,
    readonly group: string,
    readonly split: string
  ) {}

  /** Applies a header and its rows (`n` rows of COLUMN_FIELDS). */
  apply(header: IColumnsHeader, rows: Float64Array): void {
    if (rows.length !== header.n * FIELDS) {
      throw new Error(
        `Expected ${header.n} rows of ${FIELDS} values (${header.n * FIELDS}). Received: ${rows.length}`
      );
    }
    const fresh =
      header.reset ||
      header.width !== this.width ||
      header.origin !== this.origin ||
      header.size < this.size;
    if (fresh) {
      this.clear(header.width, header.size, header.origin);
    }
    while (this.size < header.size) {
      this.double();
    }
    this.first = header.first;
    this.last = header.last;
    for (let r = 0; r < header.n; r++) {
      const at = r * FIELDS;
      const column = rows[at] as number;
      if (!(column >= 0 && column < this.width)) {
        throw new Error(
          `Expected columns in [0, ${this.width}). Received: ${column}`
        );
      }
      const a = rows[at + 4] as number;
      const b = rows[at + 5] as number;
      this.count[column] = rows[at + 1] as number;
      this.total[column] = rows[at + 2] as number;
      this.head[column] = rows[at + 3] as number;
      this.low[column] = Math.min(a, b);
      this.high[column] = Math.max(a, b);
      this.lowFirst[column] = a <= b ? 1 : 0;
      this.tail[column] = rows[at + 6] as number;
    }
  }

  /** The columns that hold points, in step order. */
  filled(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.width; c++) {
      if ((this.count[c] as number) > 0) {
        out.push(c);
      }
    }
    return out;
  }

  /** Where column `c` is drawn: its middle step, within the series' finite steps. */
  position(c: number): number {
    const middle =
      this.origin + c * this.size + Math.floor((this.size - 1) / 2); // a whole step
    return Math.min(Math.max(middle, this.first), this.last);
  }

  /** Column `c`'s values in the order they came: first, lowest/highest, last. */
  values(c: number): [number, number, number, number] {
    const low = this.low[c] as number;
    const high = this.high[c] as number;
    const lowFirst = this.lowFirst[c] === 1;
    return [
      this.head[c] as number,
      lowFirst ? low : high,
      lowFirst ? high : low,
      this.tail[c] as number
    ];
  }

  mean(c: number): number {
    return (this.total[c] as number) / (this.count[c] as number);
  }

  /** Points in the columns (what the kernel bucketed of the series so far). */
  points(): number {
    let sum = 0;
    for (let c = 0; c < this.width; c++) {
      sum += this.count[c] as number;
    }
    return sum;
  }

  private clear(width: number, size: number, origin: number): void {
    this.width = width;
    this.size = size;
    this.origin = origin;
    this.count = new Float64Array(width);
    this.total = new Float64Array(width);
    this.head = new Float64Array(width).fill(NaN);
    this.low = new Float64Array(width).fill(NaN);
    this.high = new Float64Array(width).fill(NaN);
    this.tail = new Float64Array(width).fill(NaN);
    this.lowFirst = new Uint8Array(width).fill(1);
  }

  /** Twice the steps per column: column j becomes columns 2j and 2j + 1 merged. */
  private double(): void {
    const pairs = Math.ceil(this.width / 2);
    for (let j = 0; j < pairs; j++) {
      const l = 2 * j;
      const r = l + 1;
      const merged =
        r < this.width ? merge(this.get(l), this.get(r)) : this.get(l);
      this.write(j, merged);
    }
    for (let j = pairs; j < this.width; j++) {
      this.write(j, EMPTY);
    }
    this.size *= 2;
  }

  /** Column `c` as one value. */
  get(c: number): IColumn {
    return {
      count: this.count[c] as number,
      total: this.total[c] as number,
      head: this.head[c] as number,
      low: this.low[c] as number,
      high: this.high[c] as number,
      tail: this.tail[c] as number,
      lowFirst: this.lowFirst[c] === 1
    };
  }

  private write(c: number, column: IColumn): void {
    this.count[c] = column.count;
    this.total[c] = column.total;
    this.head[c] = column.head;
    this.low[c] = column.low;
    this.high[c] = column.high;
    this.tail[c] = column.tail;
    this.lowFirst[c] = column.lowFirst ? 1 : 0;
  }
}

export interface IColumn {
  count: number;
  total: number;
  head: number;
  low: number;
  high: number;
  tail: number;
  lowFirst: boolean;
}

const EMPTY: IColumn = {
  count: 0,
  total: 0,
  head: NaN,
  low: NaN,
  high: NaN,
  tail: NaN,
  lowFirst: true
};

/**
 * The points of `left` then `right` as one column: the kernel's `merge`, rule
 * for rule (on a tie the earlier point is the lowest or highest).
 */
export function merge(left: IColumn, right: IColumn): IColumn {
  const hasLeft = left.count > 0;
  const hasRight = right.count > 0;
  const lowLeft = !hasRight || (hasLeft && left.low <= right.low);
  const highLeft = !hasRight || (hasLeft && left.high >= right.high);
  return {
    count: left.count + right.count,
    total: left.total + right.total,
    head: hasLeft ? left.head : right.head,
    low: lowLeft ? left.low : right.low,
    high: highLeft ? left.high : right.high,
    tail: hasRight ? right.tail : left.tail,
    lowFirst:
      lowLeft && highLeft
        ? left.lowFirst
        : !lowLeft && !highLeft
          ? right.lowFirst
          : lowLeft
  };
}

/** Every series of a view, in the order they first arrived. */
export class ColumnSet {
  readonly series = new Map<string, ColumnSeries>();

  /** Applies a message: its i-th series' rows are buffer i. */
  apply(message: IColumnsMessage, buffers: readonly BufferLike[]): void {
    if (buffers.length < message.series.length) {
      throw new Error(
        `Expected a buffer per series (${message.series.length}). Received: ${buffers.length}`
      );
    }
    message.series.forEach((header, i) => {
      let series = this.series.get(header.key);
      if (!series) {
        series = new ColumnSeries(header.key, header.group, header.split);
        this.series.set(header.key, series);
      }
      series.apply(header, toFloat64(buffers[i] as BufferLike));
    });
  }

  /**
   * Series by the panel they are drawn in: panels in the order they arrived,
   * training before validation in each (as the kernel's final chart).
   */
  groups(): Map<string, ColumnSeries[]> {
    const groups = new Map<string, ColumnSeries[]>();
    for (const series of this.series.values()) {
      const list = groups.get(series.group) ?? [];
      list.push(series);
      groups.set(series.group, list);
    }
    for (const list of groups.values()) {
      list.sort((a, b) => splitOrder(a.split) - splitOrder(b.split));
    }
    return groups;
  }
}

function splitOrder(split: string): number {
  const index = SPLITS.indexOf(split);
  return index < 0 ? SPLITS.length : index;
}
