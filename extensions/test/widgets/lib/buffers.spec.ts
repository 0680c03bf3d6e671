import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeFloat64, toFloat64 } from '../../../widgets/lib/buffers';

/** `values` as little-endian float64 bytes, at `offset` inside a larger buffer. */
function wire(values: number[], offset: number): DataView {
  const buffer = new ArrayBuffer(offset + values.length * 8 + 5);
  const view = new DataView(buffer, offset, values.length * 8);
  values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  new Uint8Array(buffer).fill(0xff, 0, offset); // the message's other bytes
  return view;
}

describe('toFloat64', () => {
  it('reads a DataView at an offset that is not a multiple of 8, as ipywidgets delivers', () => {
    const values = [1, -2.5, 1e300, NaN, -Infinity];
    assert.deepEqual(Array.from(toFloat64(wire(values, 3))), values);
  });

  it('reads an ArrayBuffer and a typed array, as anywidget may deliver', () => {
    const array = new Float64Array([0.25, 7]);
    assert.deepEqual(Array.from(toFloat64(array.buffer)), [0.25, 7]);
    assert.deepEqual(Array.from(toFloat64(array.subarray(1))), [7]);
  });

  it('copies: the result outlives the message buffer', () => {
    const view = wire([1, 2], 8);
    const out = toFloat64(view);
    view.setFloat64(0, 99, true);
    assert.deepEqual(Array.from(out), [1, 2]);
  });

  it('reads little-endian bytes on a big-endian host too', () => {
    assert.deepEqual(
      Array.from(decodeFloat64(wire([3.5, -1], 5), false)),
      [3.5, -1]
    );
  });

  it('refuses a length that is not whole float64 values', () => {
    assert.throws(() => toFloat64(new ArrayBuffer(12)), /Received: 12 bytes/);
  });
});
