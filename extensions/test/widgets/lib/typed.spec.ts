import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  toFloat32,
  toInt32,
  toUint32,
  toUint8
} from '../../../widgets/lib/typed';

/** `values` written by `write` at `offset` inside a larger message buffer. */
function wire(
  values: number[],
  size: number,
  offset: number,
  write: (view: DataView, at: number, value: number) => void
): DataView {
  const buffer = new ArrayBuffer(offset + values.length * size + 3);
  new Uint8Array(buffer).fill(0xee);
  const view = new DataView(buffer, offset, values.length * size);
  values.forEach((v, i) => write(view, i * size, v));
  return view;
}

describe('typed buffers', () => {
  for (const offset of [0, 1, 3, 4]) {
    it(`read little-endian values at byte offset ${offset}, on either host`, () => {
      const floats = [1.5, -2.25, 3.5e30, 0].map(Math.fround);
      const f32 = wire(floats, 4, offset, (v, at, x) =>
        v.setFloat32(at, x, true)
      );
      assert.deepEqual(Array.from(toFloat32(f32)), floats);
      assert.deepEqual(Array.from(toFloat32(f32, false)), floats);
      const ints = [-1, 2 ** 31 - 1, -(2 ** 31), 7];
      const i32 = wire(ints, 4, offset, (v, at, x) => v.setInt32(at, x, true));
      assert.deepEqual(Array.from(toInt32(i32)), ints);
      assert.deepEqual(Array.from(toInt32(i32, false)), ints);
      const unsigned = [0, 2 ** 32 - 1, 65536];
      const u32 = wire(unsigned, 4, offset, (v, at, x) =>
        v.setUint32(at, x, true)
      );
      assert.deepEqual(Array.from(toUint32(u32)), unsigned);
      assert.deepEqual(Array.from(toUint32(u32, false)), unsigned);
      const bytes = wire([0, 255, 7], 1, offset, (v, at, x) =>
        v.setUint8(at, x)
      );
      assert.deepEqual(Array.from(toUint8(bytes)), [0, 255, 7]);
    });
  }

  it('refuses a buffer that is not a whole number of values', () => {
    assert.throws(
      () => toInt32(new Uint8Array(6)),
      /Expected a whole number of 4-byte values. Received: 6 bytes/
    );
  });

  it('reads a plain ArrayBuffer', () => {
    assert.deepEqual(
      Array.from(toUint32(new Uint32Array([5, 6]).buffer)),
      [5, 6]
    );
  });
});
