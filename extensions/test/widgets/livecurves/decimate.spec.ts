import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decimate } from '../../../widgets/livecurves/decimate';

const identity = (v: number): number => v;

/** The polyline's points as [x, y] pairs. */
function pairs(flat: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) {
    out.push([flat[i] as number, flat[i + 1] as number]);
  }
  return out;
}

describe('decimate', () => {
  it('keeps at most first, lowest, highest and last per pixel column, in order', () => {
    const steps = [0, 1, 2, 3, 4, 5, 10];
    const values = [5, 9, 1, 7, 6, 3, 4];
    // steps 0..5 fall in column 0, step 10 in column 1
    const line = pairs(
      decimate(steps, values, 7, s => Math.floor(s / 10), identity)
    );
    assert.deepEqual(line, [
      [0, 5], // first
      [0, 9], // highest
      [0, 1], // lowest
      [0, 3], // last
      [1, 4]
    ]);
  });

  it('bounds 100k points by the width and keeps a one-point spike', () => {
    const n = 100_000;
    const steps = Float64Array.from({ length: n }, (_, i) => i);
    const values = Float64Array.from({ length: n }, (_, i) =>
      Math.sin(i / 500)
    );
    values[54_321] = 1000; // one divergent batch
    const width = 300;
    const line = pairs(
      decimate(steps, values, n, s => (s / n) * width, identity)
    );
    assert.ok(line.length <= 4 * (width + 1), String(line.length));
    assert.ok(line.some(([, y]) => y === 1000));
    assert.equal(Math.min(...line.map(([, y]) => y)), Math.min(...values));
  });

  it('skips values it must not draw, and draws nothing of an empty series', () => {
    const line = pairs(
      decimate([1, 2, 3], [NaN, 2, Infinity], 3, identity, identity)
    );
    assert.deepEqual(line, [[2, 2]]);
    const positive = (v: number): boolean => Number.isFinite(v) && v > 0;
    assert.deepEqual(
      decimate([1, 2], [0, -1], 2, identity, identity, positive),
      []
    );
    assert.deepEqual(decimate([], [], 0, identity, identity), []);
  });

  it('maps values through the axis', () => {
    const line = pairs(
      decimate(
        [0, 10],
        [1, 2],
        2,
        s => s * 2,
        v => 100 - v
      )
    );
    assert.deepEqual(line, [
      [0, 99],
      [20, 98]
    ]);
  });

  it('reads only the first `length` points of a buffer', () => {
    assert.deepEqual(
      pairs(decimate([0, 1, 2], [1, 2, 3], 2, identity, identity)),
      [
        [0, 1],
        [1, 2]
      ]
    );
  });
});
