import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  MIN_WINDOW_US,
  Viewport,
  clamp
} from '../../../widgets/timeline/viewport';

const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6;

describe('Viewport', () => {
  it('starts on the whole capture and maps time to pixels and back', () => {
    const v = new Viewport(1000);
    assert.deepEqual([v.t0, v.t1], [0, 1000]);
    assert.equal(v.toPixel(250, 400), 100);
    assert.equal(v.toTime(100, 400), 250);
  });

  it('zooms in keeping the time under the cursor in place', () => {
    const v = new Viewport(1000).zoom(4, 0.25); // cursor at 250 µs
    assert.ok(close(v.duration, 250));
    assert.ok(close(v.toTime(0.25 * 400, 400), 250));
  });

  it('pans, centres, and never leaves the capture by more than its margin', () => {
    const v = new Viewport(1000).zoom(10, 0.5);
    assert.ok(close(v.pan(100).t0, v.t0 + 100));
    assert.ok(close(v.centre(900).t0 + v.duration / 2, 900));
    const far = v.pan(1e9);
    assert.ok(close(far.t1, 1050)); // 5% margin past the end
    assert.ok(close(far.duration, v.duration));
    const before = v.pan(-1e9);
    assert.ok(close(before.t0, -50));
  });

  it('zooms out no further than the capture and in no further than 10 ns', () => {
    assert.ok(close(new Viewport(1000).zoom(1 / 100).duration, 1100));
    assert.ok(
      close(new Viewport(1000).zoom(1e12, 0.5).duration, MIN_WINDOW_US)
    );
  });

  it('clamps windows that are empty, reversed or not numbers', () => {
    assert.ok(
      close(
        clamp({ t0: 5, t1: 5 }, 100).t1 - clamp({ t0: 5, t1: 5 }, 100).t0,
        MIN_WINDOW_US
      )
    );
    const reversed = clamp({ t0: 50, t1: 10 }, 100);
    assert.ok(reversed.t1 > reversed.t0);
    const nan = clamp({ t0: NaN, t1: NaN }, 100);
    assert.ok(Number.isFinite(nan.t0) && Number.isFinite(nan.t1));
    assert.deepEqual(new Viewport(100).reset().duration, 100);
  });
});
