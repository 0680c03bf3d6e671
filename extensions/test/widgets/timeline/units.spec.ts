import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  formatDuration,
  tickLabel,
  timeTicks
} from '../../../widgets/timeline/units';

describe('formatDuration', () => {
  it('reads as people say durations', () => {
    assert.deepEqual(
      [1.234e6, 176000, 2345, 41.2, 0.35, 0].map(formatDuration),
      ['1.23 s', '176 ms', '2.35 ms', '41.2 µs', '350 ns', '0 µs']
    );
  });
});

describe('timeTicks', () => {
  it('puts round ticks about every 110 pixels, labelled in the unit of their step', () => {
    const ticks = timeTicks(0, 1e6, 1100);
    assert.deepEqual(
      ticks.map(t => t.label),
      [
        '0 ms',
        '100 ms',
        '200 ms',
        '300 ms',
        '400 ms',
        '500 ms',
        '600 ms',
        '700 ms',
        '800 ms',
        '900 ms'
      ]
    );
    assert.deepEqual(
      timeTicks(0, 1e7, 500).map(t => t.label),
      ['0 s', '5 s']
    );
    const fine = timeTicks(1234.5, 1236.5, 200);
    assert.ok(fine.length >= 1);
    assert.ok(fine.every(t => t.at >= 1234.5 && t.at < 1236.5));
    assert.equal(new Set(fine.map(t => t.label)).size, fine.length); // labels tell ticks apart
  });

  it('gives nothing for an empty window', () => {
    assert.deepEqual(timeTicks(5, 5, 100), []);
    assert.deepEqual(timeTicks(0, 10, 0), []);
  });

  it('labels with the decimals the step needs', () => {
    assert.equal(tickLabel(2500, 500), '2.5 ms');
    assert.equal(tickLabel(20, 10), '20 µs');
    assert.equal(tickLabel(0.25, 0.05), '0.25 µs');
    assert.equal(tickLabel(2e6, 1e6), '2 s');
  });
});
