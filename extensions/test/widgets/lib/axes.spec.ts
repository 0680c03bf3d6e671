import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { linearAxis, logAxis, niceTicks } from '../../../widgets/lib/axes';
import cases from './axes.cases.json';

interface ICase {
  why: string;
  axis: string;
  lo: number;
  hi: number;
  count: number;
  integer?: boolean;
  extend?: boolean;
  range: [number, number];
  ticks: number[];
  labels: string[];
}

// The kernel labels a run's final chart with workbench/widgets/axes.py; tests/widgets/test_axes.py
// runs the same table there, so the live view and the chart that replaces it read alike.
describe('axes as the kernel draws them (axes.cases.json)', () => {
  for (const c of cases as ICase[]) {
    it(c.why, () => {
      const axis =
        c.axis === 'log'
          ? logAxis(c.lo, c.hi, [0, 100], c.count)
          : linearAxis(c.lo, c.hi, [0, 100], {
              count: c.count,
              integer: c.integer,
              extend: c.extend
            });
      assert.deepEqual(
        { range: [axis.lo, axis.hi], ticks: axis.ticks, labels: axis.labels },
        { range: c.range, ticks: c.ticks, labels: c.labels }
      );
    });
  }
});

describe('niceTicks', () => {
  it('puts integer ticks on whole, distinct steps for a short run', () => {
    assert.deepEqual(niceTicks(1, 3, 5, true).values, [1, 2, 3]);
    assert.deepEqual(niceTicks(0, 1, 5, true).values, [0, 1]);
  });

  it('steps 1, 2 or 5 times a power of ten', () => {
    assert.deepEqual(niceTicks(0, 1000, 5, true), {
      values: [0, 200, 400, 600, 800, 1000],
      step: 200
    });
    assert.deepEqual(
      niceTicks(0.1, 0.42, 4).values.map(v => +v.toFixed(10)),
      [0.1, 0.2, 0.3, 0.4]
    );
  });

  it('gives nothing for a range it cannot draw', () => {
    assert.deepEqual(niceTicks(NaN, 1, 5).values, []);
    assert.deepEqual(niceTicks(2, 1, 5).values, []);
  });
});

describe('linearAxis', () => {
  it('ends a 200k-step axis on 200k, in human units', () => {
    const axis = linearAxis(1, 200_000, [0, 500], {
      integer: true,
      extend: true
    });
    assert.deepEqual(axis.labels, ['0', '50k', '100k', '150k', '200k']);
    assert.deepEqual(
      [axis.lo, axis.hi, axis.toPixel(200_000)],
      [0, 200_000, 500]
    );
  });

  it('keeps the data range without extend', () => {
    const axis = linearAxis(1, 200_000, [0, 500], { integer: true });
    assert.deepEqual([axis.lo, axis.hi], [1, 200_000]);
    assert.deepEqual(axis.labels, ['50k', '100k', '150k', '200k']);
  });

  it('labels the steps of a three-step run 1 2 3, never "1 1 1 2 2 2"', () => {
    const axis = linearAxis(1, 3, [0, 600], { count: 5, integer: true });
    assert.deepEqual(axis.labels, ['1', '2', '3']);
  });

  it('pads a single step by one and a single value by one either side', () => {
    const x = linearAxis(5, 5, [0, 100], { integer: true });
    assert.deepEqual([x.lo, x.hi, x.toPixel(5), x.toPixel(6)], [5, 6, 0, 100]);
    const y = linearAxis(0.5, 0.5, [200, 0]);
    assert.deepEqual([y.lo, y.hi, y.toPixel(0.5)], [-0.5, 1.5, 100]);
  });

  it('labels a narrow value range with distinct labels', () => {
    const axis = linearAxis(0.40121, 0.40158, [200, 0], { count: 4 });
    assert.ok(axis.labels.length >= 2);
    assert.equal(
      new Set(axis.labels).size,
      axis.labels.length,
      axis.labels.join(' ')
    );
    assert.deepEqual(axis.labels.slice(0, 2), ['0.4013', '0.4014']);
  });

  it('maps upwards for a y axis drawn from the bottom', () => {
    const axis = linearAxis(0, 10, [200, 0]);
    assert.deepEqual(
      [axis.toPixel(0), axis.toPixel(5), axis.toPixel(10)],
      [200, 100, 0]
    );
  });
});

describe('logAxis', () => {
  it('ticks powers of ten across decades', () => {
    const axis = logAxis(0.004, 20, [200, 0]);
    assert.deepEqual(axis.labels, ['0.01', '0.1', '1', '10']);
    assert.equal(axis.toPixel(20), 0);
  });

  it('ticks round values inside less than a decade', () => {
    const axis = logAxis(2, 9, [200, 0]);
    assert.deepEqual(axis.labels, ['2', '4', '6', '8']);
  });
});
