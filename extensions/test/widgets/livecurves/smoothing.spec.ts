import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { smooth } from '../../../widgets/livecurves/smoothing';

const close = (a: ArrayLike<number>, b: number[]): void =>
  assert.deepEqual(
    Array.from(a, v => +v.toFixed(9)),
    b
  );

describe('smooth', () => {
  it('leaves values as they are at weight 0', () => {
    const values = new Float64Array([3, 1, 2, 99]);
    close(smooth(values, 3, 0), [3, 1, 2]);
  });

  it('is debiased: a constant series stays constant from its first point', () => {
    close(smooth(new Float64Array([2, 2, 2, 2]), 4, 0.9), [2, 2, 2, 2]);
  });

  it('is an exponential moving average, as TensorBoard draws it', () => {
    // weight 0.5: (0.5*0 + 0.5*1)/0.5 = 1, (0.5*0.5 + 0.5*3)/0.75 = 2.333...
    close(smooth(new Float64Array([1, 3]), 2, 0.5), [1, 2.333333333]);
  });

  it('passes NaN and inf through without poisoning later values', () => {
    const out = smooth(new Float64Array([1, NaN, Infinity, 1]), 4, 0.6);
    assert.ok(Number.isNaN(out[1]));
    assert.equal(out[2], Infinity);
    close([out[0] as number, out[3] as number], [1, 1]);
  });
});
