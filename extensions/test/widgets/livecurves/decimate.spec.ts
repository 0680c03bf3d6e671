import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ColumnSet } from '../../../widgets/livecurves/columns';
import {
  extent,
  smoothedLine,
  zigzag
} from '../../../widgets/livecurves/decimate';

const identity = (v: number): number => v;

/** The polyline's points as [x, y] pairs. */
function pairs(flat: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) {
    out.push([flat[i] as number, flat[i + 1] as number]);
  }
  return out;
}

/** A series of columns (rows: column, count, sum, first, a, b, last). */
function series(rows: number[][], size = 1, first = 0, last = 100) {
  const set = new ColumnSet();
  const bytes = new Float64Array(rows.flat());
  set.apply(
    {
      type: 'columns',
      series: [
        {
          key: 'train/loss',
          group: 'loss',
          split: 'train',
          reset: true,
          width: 10,
          size,
          origin: 0,
          first,
          last,
          n: rows.length
        }
      ]
    },
    [bytes]
  );
  const found = set.series.get('train/loss');
  assert.ok(found);
  return found;
}

describe('zigzag', () => {
  it('draws each column as its first, lowest and highest in order, and last', () => {
    const s = series(
      [
        [0, 4, 20, 5, 9, 1, 3], // first 5, highest 9 before lowest 1, last 3
        [1, 1, 4, 4, 4, 4, 4] // one point: once
      ],
      10,
      0,
      19
    );
    assert.deepEqual(pairs(zigzag(s, identity, identity)), [
      [4, 5],
      [4, 9],
      [4, 1],
      [4, 3],
      [14, 4]
    ]);
  });

  it('skips values it must not draw (a log axis: not positive)', () => {
    const s = series([[0, 3, 1, -1, -1, 2, 2]], 1, 0, 0);
    const positive = (v: number): boolean => Number.isFinite(v) && v > 0;
    assert.deepEqual(pairs(zigzag(s, identity, identity, positive)), [[0, 2]]);
  });

  it('costs the columns, not the points: a million points in 10 columns', () => {
    const rows = Array.from({ length: 10 }, (_, c) => [
      c,
      100_000,
      0,
      0,
      -1,
      1000, // one divergent batch in each column is drawn
      0
    ]);
    const line = pairs(
      zigzag(series(rows, 100_000, 0, 999_999), identity, identity)
    );
    assert.equal(line.length, 40);
    assert.ok(line.some(([, y]) => y === 1000));
  });

  it('maps steps and values through the axes', () => {
    const s = series([[0, 1, 2, 2, 2, 2, 2]], 1, 0, 0);
    assert.deepEqual(
      pairs(
        zigzag(
          s,
          x => x * 2 + 1,
          v => 100 - v
        )
      ),
      [[1, 98]]
    );
  });
});

describe('smoothedLine', () => {
  it('goes through the columns means, smoothed as TensorBoard', () => {
    const s = series([
      [0, 2, 2, 0, 0, 2, 2], // mean 1
      [1, 1, 3, 3, 3, 3, 3] // mean 3
    ]);
    assert.deepEqual(pairs(smoothedLine(s, 0, identity, identity)), [
      [0, 1],
      [1, 3]
    ]);
    // weight 0.5: 1, then (0.5 * 0.5 + 0.5 * 3) / 0.75
    const smoothed = pairs(smoothedLine(s, 0.5, identity, identity));
    assert.equal(smoothed[0]?.[1], 1);
    assert.equal(smoothed[1]?.[1], (0.5 * 0.5 + 0.5 * 3) / (1 - 0.5 * 0.5));
  });
});

describe('extent', () => {
  it('spans the values drawn and the series steps', () => {
    const s = series([[3, 2, 0, -2, -2, 7, 7]], 1, 3, 3);
    assert.deepEqual(extent([s], Number.isFinite), {
      x0: 3,
      x1: 3,
      y0: -2,
      y1: 7,
      points: 2
    });
  });
});
