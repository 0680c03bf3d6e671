import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  decodeFrame,
  itemAt,
  rowStarts
} from '../../../widgets/timeline/frame';
import { IFrameHeader } from '../../../widgets/timeline/messages';

/** Items (row, start, dur, ref) as the kernel sends them: sorted by row, then start. */
function frame(items: [number, number, number, number][], match = false) {
  const header: IFrameHeader = {
    type: 'frame',
    seq: 3,
    t0: 1000,
    t1: 2000,
    width: 100,
    n: items.length,
    level: -1,
    events: items.length,
    names: {},
    match
  };
  const buffers = [
    new Float32Array(items.map(i => i[1])),
    new Float32Array(items.map(i => i[2])),
    new Uint32Array(items.map(i => i[0])),
    new Int32Array(items.map(() => 0)),
    new Int32Array(items.map(i => i[3])),
    ...(match ? [new Uint8Array(items.map((_, k) => k % 2))] : [])
  ];
  return decodeFrame(header, buffers, 3);
}

describe('decodeFrame', () => {
  it('reads the five buffers (and the sixth with a search) and indexes rows', () => {
    const f = frame(
      [
        [0, 0, 10, 0],
        [0, 20, 5, -7],
        [2, 1, 1, 2]
      ],
      true
    );
    assert.equal(f.n, 3);
    assert.deepEqual(Array.from(f.rowStart), [0, 2, 2, 3]);
    assert.deepEqual(Array.from(f.match ?? []), [0, 1, 0]);
    assert.equal(f.ref[1], -7);
  });

  it('refuses missing or short buffers', () => {
    const header: IFrameHeader = {
      type: 'frame',
      seq: 1,
      t0: 0,
      t1: 1,
      width: 1,
      n: 2,
      level: -1,
      events: 2,
      names: {},
      match: false
    };
    assert.throws(
      () => decodeFrame(header, [], 1),
      /Expected 5 buffers in a frame. Received: 0/
    );
    const short = [
      new Float32Array(2),
      new Float32Array(1),
      new Uint32Array(2),
      new Int32Array(2),
      new Int32Array(2)
    ];
    assert.throws(
      () => decodeFrame(header, short, 1),
      /Expected 2 values in the frame's dur buffer. Received: 1/
    );
  });
});

describe('itemAt', () => {
  const f = frame([
    [0, 0, 10, 0],
    [0, 20, 5, 1],
    [0, 26, 1, 2],
    [1, 100, 50, 3]
  ]);

  it('finds the item under a time of a row, within the slack', () => {
    assert.equal(itemAt(f, 0, 1005, 0), 0);
    assert.equal(itemAt(f, 0, 1022, 0), 1);
    assert.equal(itemAt(f, 0, 1026.5, 0), 2);
    assert.equal(itemAt(f, 0, 1015, 0), -1); // a gap
    assert.equal(itemAt(f, 0, 1013, 5), 0); // near enough to the first, nearer than the second
    assert.equal(itemAt(f, 1, 1120, 0), 3);
  });

  it('finds nothing outside the rows', () => {
    assert.equal(itemAt(f, 2, 1005, 0), -1);
    assert.equal(itemAt(f, -1, 1005, 0), -1);
    assert.equal(itemAt(f, 9, 1005, 0), -1);
  });

  it('indexes rows with no items', () => {
    assert.deepEqual(
      Array.from(rowStarts(new Uint32Array([1, 1, 3]), 4)),
      [0, 0, 2, 2, 3]
    );
  });
});
