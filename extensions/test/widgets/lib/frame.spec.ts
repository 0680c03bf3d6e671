import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FrameScheduler, IFrameClock } from '../../../widgets/lib/frame';

/** A clock whose frames come when the test says. */
class Clock implements IFrameClock {
  callbacks = new Map<number, () => void>();
  last = 0;
  request(callback: () => void): number {
    this.callbacks.set(++this.last, callback);
    return this.last;
  }
  cancel(handle: number): void {
    this.callbacks.delete(handle);
  }
  tick(): void {
    const due = [...this.callbacks.values()];
    this.callbacks.clear();
    due.forEach(callback => callback());
  }
}

describe('FrameScheduler', () => {
  it('draws once per frame however many updates came', () => {
    const clock = new Clock();
    let draws = 0;
    const frames = new FrameScheduler(() => draws++, clock);
    frames.schedule();
    frames.schedule();
    frames.schedule();
    assert.equal(draws, 0);
    clock.tick();
    assert.equal(draws, 1);
    clock.tick();
    assert.equal(draws, 1); // nothing new, no draw
    frames.schedule();
    clock.tick();
    assert.equal(draws, 2);
  });

  it('draws a scheduled frame now when flushed, and only once', () => {
    const clock = new Clock();
    let draws = 0;
    const frames = new FrameScheduler(() => draws++, clock);
    frames.flush();
    assert.equal(draws, 0); // nothing scheduled, nothing drawn
    frames.schedule();
    frames.flush();
    assert.equal(draws, 1);
    clock.tick();
    assert.equal(draws, 1); // the scheduled frame was taken by the flush
  });

  it('draws nothing after dispose', () => {
    const clock = new Clock();
    let draws = 0;
    const frames = new FrameScheduler(() => draws++, clock);
    frames.schedule();
    frames.dispose();
    frames.schedule();
    clock.tick();
    assert.equal(draws, 0);
  });
});
