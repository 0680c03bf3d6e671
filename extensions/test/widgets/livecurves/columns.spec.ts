import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IColumnsHeader } from '../../../widgets/lib/messages';
import {
  ColumnSeries,
  ColumnSet,
  IColumn,
  merge
} from '../../../widgets/livecurves/columns';
import stream from './columns.cases.json';

/** Float64 little-endian bytes, delivered as ipywidgets does: DataViews into one buffer. */
function dataViews(...arrays: number[][]): DataView[] {
  const total = arrays.reduce((n, a) => n + a.length * 8, 0);
  const buffer = new ArrayBuffer(total + 4);
  let offset = 4;
  return arrays.map(array => {
    const view = new DataView(buffer, offset, array.length * 8);
    array.forEach((v, i) => view.setFloat64(i * 8, v, true));
    offset += array.length * 8;
    return view;
  });
}

function header(
  key: string,
  rows: number[][],
  fields: Partial<IColumnsHeader> = {}
): IColumnsHeader {
  const [split = '', group = ''] = key.split('/');
  return {
    key,
    group,
    split,
    reset: false,
    width: 4,
    size: 1,
    origin: 1,
    first: 1,
    last: 4,
    n: rows.length,
    ...fields
  };
}

/** A series' filled columns as wire rows: column, count, sum, first, a, b, last. */
function rows(series: ColumnSeries | undefined): number[][] {
  return (series?.filled() ?? []).map(c => [
    c,
    series?.count[c] as number,
    series?.total[c] as number,
    ...(series?.values(c) ?? [])
  ]);
}

describe('ColumnSet', () => {
  it('writes rows into their columns and reads them back in order', () => {
    const set = new ColumnSet();
    const loss = [
      [0, 1, 0.9, 0.9, 0.9, 0.9, 0.9],
      [2, 2, 1.5, 0.5, 1, 0.5, 1]
    ];
    set.apply(
      {
        type: 'columns',
        series: [header('train/loss', loss, { reset: true })]
      },
      dataViews(loss.flat())
    );
    const series = set.series.get('train/loss');
    assert.deepEqual(rows(series), loss);
    // the highest came after the lowest: a is the lowest, b the highest
    assert.deepEqual(
      [series?.low[2], series?.high[2], series?.lowFirst[2]],
      [0.5, 1, 0]
    );
    assert.equal(series?.mean(2), 0.75);
    assert.deepEqual(
      [0, 2].map(c => series?.position(c)),
      [1, 3]
    );
  });

  it('merges its columns pairwise when the span doubled, as the kernel', () => {
    const set = new ColumnSet();
    const first = [
      [0, 1, 3, 3, 3, 3, 3],
      [1, 1, 1, 1, 1, 1, 1],
      [2, 1, 5, 5, 5, 5, 5]
    ];
    set.apply(
      {
        type: 'columns',
        series: [header('train/loss', first, { reset: true })]
      },
      dataViews(first.flat())
    );
    // steps 1..3 were one column each; a point at step 6 doubled the span (2 steps a column):
    // the view merges columns (0, 1) and (2, 3) itself and is sent only the changed column
    const changed = [[2, 1, 2, 2, 2, 2, 2]];
    set.apply(
      {
        type: 'columns',
        series: [header('train/loss', changed, { size: 2, last: 6 })]
      },
      dataViews(changed.flat())
    );
    assert.deepEqual(rows(set.series.get('train/loss')), [
      [0, 2, 4, 3, 3, 1, 1], // 3 then 1: the highest (a) came first
      [1, 1, 5, 5, 5, 5, 5],
      [2, 1, 2, 2, 2, 2, 2]
    ]);
  });

  it('starts a series afresh on reset or another origin', () => {
    const set = new ColumnSet();
    const one = [[0, 1, 1, 1, 1, 1, 1]];
    const other = [[1, 1, 2, 2, 2, 2, 2]];
    set.apply(
      { type: 'columns', series: [header('train/loss', one)] },
      dataViews(one.flat())
    );
    set.apply(
      {
        type: 'columns',
        series: [header('train/loss', other, { reset: true })]
      },
      dataViews(other.flat())
    );
    assert.deepEqual(rows(set.series.get('train/loss')), other);
    set.apply(
      { type: 'columns', series: [header('train/loss', one, { origin: 0 })] },
      dataViews(one.flat())
    );
    assert.deepEqual(rows(set.series.get('train/loss')), one);
  });

  it('keeps panels in arrival order, training before validation', () => {
    const set = new ColumnSet();
    const row = [[0, 1, 1, 1, 1, 1, 1]];
    set.apply(
      {
        type: 'columns',
        series: [
          header('validation/loss', row),
          header('train/accuracy', row),
          header('train/loss', row)
        ]
      },
      dataViews(row.flat(), row.flat(), row.flat())
    );
    const groups = set.groups();
    assert.deepEqual([...groups.keys()], ['loss', 'accuracy']);
    assert.deepEqual(
      groups.get('loss')?.map(s => s.split),
      ['train', 'validation']
    );
  });

  it('refuses rows that do not fit', () => {
    const set = new ColumnSet();
    assert.throws(
      () =>
        set.apply(
          {
            type: 'columns',
            series: [header('train/loss', [[0, 1, 1, 1, 1, 1, 1]])]
          },
          dataViews([0, 1, 1])
        ),
      /Expected 1 rows of 7 values \(7\)\. Received: 3/
    );
    assert.throws(
      () =>
        set.apply(
          {
            type: 'columns',
            series: [header('train/loss', [[9, 1, 1, 1, 1, 1, 1]])]
          },
          dataViews([9, 1, 1, 1, 1, 1, 1])
        ),
      /Expected columns in \[0, 4\)\. Received: 9/
    );
    assert.throws(
      () =>
        set.apply({ type: 'columns', series: [header('train/loss', [])] }, []),
      /Expected a buffer per series \(1\)\. Received: 0/
    );
  });
});

describe('merge', () => {
  const column = (fields: Partial<IColumn>): IColumn => ({
    count: 1,
    total: 0,
    head: 0,
    low: 0,
    high: 0,
    tail: 0,
    lowFirst: true,
    ...fields
  });

  it('takes the earlier point on a tie', () => {
    const left = column({ low: 1, high: 5, lowFirst: false });
    const right = column({ low: 1, high: 5, lowFirst: true });
    assert.equal(merge(left, right).lowFirst, false);
  });

  it('orders the lowest and highest across the two', () => {
    const left = column({ low: 0, high: 2 });
    const right = column({ low: 1, high: 9 });
    assert.equal(merge(left, right).lowFirst, true);
    assert.equal(merge(right, column({ low: -1, high: 3 })).lowFirst, false);
  });

  it('is the other column when one is empty', () => {
    const empty = column({
      count: 0,
      head: NaN,
      low: NaN,
      high: NaN,
      tail: NaN
    });
    const full = column({
      count: 2,
      total: 3,
      head: 1,
      low: 1,
      high: 2,
      tail: 2
    });
    assert.deepEqual(merge(empty, full), full);
    assert.deepEqual(merge(full, empty), full);
  });
});

interface IStream {
  messages: { series: IColumnsHeader[]; rows: number[][][] }[];
  expected: Record<string, number[][]>;
}

// Messages a kernel sent for a run that doubled its span many times, under a traffic budget
// (tests/widgets/test_columns.py writes them and checks the kernel still sends exactly these).
describe('a view fed by the kernel (columns.cases.json)', () => {
  it('ends holding exactly the kernel columns', () => {
    const set = new ColumnSet();
    for (const message of (stream as IStream).messages) {
      set.apply(
        { type: 'columns', series: message.series },
        dataViews(...message.rows.map(r => r.flat()))
      );
    }
    for (const [key, expected] of Object.entries(
      (stream as IStream).expected
    )) {
      assert.deepEqual(rows(set.series.get(key)), expected, key);
    }
  });
});
