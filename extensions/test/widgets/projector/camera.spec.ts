import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  MAX_DISTANCE,
  MIN_DISTANCE,
  inBox,
  initialOrbit,
  pick,
  projectAll,
  rotate,
  viewProjection,
  zoom
} from '../../../widgets/projector/camera';

describe('the 3-D orbit camera', () => {
  it('projects the centre to the middle of the canvas', () => {
    const matrix = viewProjection(initialOrbit(), 800 / 400);
    const [x, y] = projectAll(new Float32Array([0, 0, 0]), matrix, 800, 400);
    assert.ok(Math.abs((x as number) - 400) < 1e-3);
    assert.ok(Math.abs((y as number) - 200) < 1e-3);
  });

  it('puts a point above the centre higher on screen, and nearer points in front', () => {
    const orbit = { yaw: 0, pitch: 0, distance: 3 };
    const matrix = viewProjection(orbit, 1);
    const screen = projectAll(
      new Float32Array([0, 0.5, 0, 0, 0, 1, 0, 0, -1]),
      matrix,
      100,
      100
    );
    assert.ok((screen[1] as number) < 50); // y grows downwards on screen
    assert.ok((screen[5] as number) < (screen[8] as number)); // z = 1 is nearer the eye at +z
  });

  it('drops points behind the camera', () => {
    const matrix = viewProjection({ yaw: 0, pitch: 0, distance: 1 }, 1);
    const screen = projectAll(new Float32Array([0, 0, 5]), matrix, 100, 100);
    assert.ok(Number.isNaN(screen[0]));
  });

  it('rotates with a drag, never past the poles, and zooms within bounds', () => {
    const start = initialOrbit();
    const turned = rotate(start, 100, 10_000);
    assert.notEqual(turned.yaw, start.yaw);
    assert.ok(turned.pitch < Math.PI / 2);
    assert.equal(zoom(start, 1e6).distance, MAX_DISTANCE);
    assert.equal(zoom(start, -1e6).distance, MIN_DISTANCE);
  });

  it('picks the nearest point within the radius and boxes points', () => {
    const screen = new Float32Array([10, 10, 0, 20, 20, 0, 12, 10, -0.5]);
    assert.equal(pick(screen, 11.5, 10, 5), 2);
    assert.equal(pick(screen, 50, 50, 5), -1);
    assert.deepEqual(inBox(screen, 25, 25, 5, 5), [0, 1, 2]);
    assert.deepEqual(inBox(screen, 15, 15, 25, 25), [1]);
  });
});
