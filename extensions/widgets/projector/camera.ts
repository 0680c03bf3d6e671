/**
 * The 3-D view's orbit camera, pure: yaw/pitch around the origin at a
 * distance, a perspective projection, and points projected to pixels (for
 * hover and box selection, done on the CPU: no picking pass to keep in sync).
 */

export interface IOrbit {
  yaw: number;
  pitch: number;
  distance: number;
}

export const FOV = Math.PI / 4;
export const NEAR = 0.05;
export const FAR = 100;
export const MIN_DISTANCE = 0.2;
export const MAX_DISTANCE = 20;

export function initialOrbit(): IOrbit {
  return { yaw: 0.6, pitch: 0.35, distance: 3.2 };
}

/** The orbit after a drag of (dx, dy) pixels. */
export function rotate(orbit: IOrbit, dx: number, dy: number): IOrbit {
  const limit = Math.PI / 2 - 0.01;
  return {
    ...orbit,
    yaw: orbit.yaw - dx * 0.008,
    pitch: Math.max(-limit, Math.min(limit, orbit.pitch + dy * 0.008))
  };
}

/** The orbit after a wheel of `delta` (positive: away). */
export function zoom(orbit: IOrbit, delta: number): IOrbit {
  const distance = orbit.distance * Math.exp(delta * 0.001);
  return {
    ...orbit,
    distance: Math.max(MIN_DISTANCE, Math.min(MAX_DISTANCE, distance))
  };
}

/** The view-projection matrix (column-major, as WebGL reads it). */
export function viewProjection(orbit: IOrbit, aspect: number): Float32Array {
  const { yaw, pitch, distance } = orbit;
  const eye = [
    distance * Math.cos(pitch) * Math.sin(yaw),
    distance * Math.sin(pitch),
    distance * Math.cos(pitch) * Math.cos(yaw)
  ] as const;
  // look at the origin, y up
  const f = normalize([-eye[0], -eye[1], -eye[2]]);
  const s = normalize(cross(f, [0, 1, 0]));
  const u = cross(s, f);
  const view = [
    s[0], u[0], -f[0], 0,
    s[1], u[1], -f[1], 0,
    s[2], u[2], -f[2], 0,
    -dot(s, eye), -dot(u, eye), dot(f, eye), 1
  ]; // prettier-ignore
  const t = 1 / Math.tan(FOV / 2);
  const proj = [
    t / aspect, 0, 0, 0,
    0, t, 0, 0,
    0, 0, (FAR + NEAR) / (NEAR - FAR), -1,
    0, 0, (2 * FAR * NEAR) / (NEAR - FAR), 0
  ]; // prettier-ignore
  return multiply(proj, view);
}

/**
 * Each point's pixel position (x, y, then depth in [-1, 1]; NaN behind the
 * camera), for a canvas of `width` x `height` CSS pixels.
 */
export function projectAll(
  positions: Float32Array,
  matrix: Float32Array,
  width: number,
  height: number,
  out?: Float32Array
): Float32Array {
  const n = positions.length / 3;
  const result = out && out.length === n * 3 ? out : new Float32Array(n * 3);
  const m = matrix;
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i] as number;
    const y = positions[3 * i + 1] as number;
    const z = positions[3 * i + 2] as number;
    const w =
      (m[3] as number) * x +
      (m[7] as number) * y +
      (m[11] as number) * z +
      (m[15] as number);
    if (w <= 0) {
      result[3 * i] = result[3 * i + 1] = result[3 * i + 2] = NaN;
      continue;
    }
    const cx =
      ((m[0] as number) * x +
        (m[4] as number) * y +
        (m[8] as number) * z +
        (m[12] as number)) /
      w;
    const cy =
      ((m[1] as number) * x +
        (m[5] as number) * y +
        (m[9] as number) * z +
        (m[13] as number)) /
      w;
    const cz =
      ((m[2] as number) * x +
        (m[6] as number) * y +
        (m[10] as number) * z +
        (m[14] as number)) /
      w;
    result[3 * i] = ((cx + 1) / 2) * width;
    result[3 * i + 1] = ((1 - cy) / 2) * height;
    result[3 * i + 2] = cz;
  }
  return result;
}

/** The point nearest to (x, y) within `radius` pixels, front-most on ties; -1 if none. */
export function pick(
  screen: Float32Array,
  x: number,
  y: number,
  radius: number
): number {
  let best = -1;
  let bestD = radius * radius;
  let bestZ = Infinity;
  const n = screen.length / 3;
  for (let i = 0; i < n; i++) {
    const dx = (screen[3 * i] as number) - x;
    const dy = (screen[3 * i + 1] as number) - y;
    const d = dx * dx + dy * dy;
    const z = screen[3 * i + 2] as number;
    if (d < bestD || (d === bestD && z < bestZ)) {
      best = i;
      bestD = d;
      bestZ = z;
    }
  }
  return best;
}

/** Indices of points inside the pixel box (x0, y0)-(x1, y1). */
export function inBox(
  screen: Float32Array,
  x0: number,
  y0: number,
  x1: number,
  y1: number
): number[] {
  const [left, right] = x0 < x1 ? [x0, x1] : [x1, x0];
  const [top, bottom] = y0 < y1 ? [y0, y1] : [y1, y0];
  const found: number[] = [];
  const n = screen.length / 3;
  for (let i = 0; i < n; i++) {
    const x = screen[3 * i] as number;
    const y = screen[3 * i + 1] as number;
    if (x >= left && x <= right && y >= top && y <= bottom) {
      found.push(i);
    }
  }
  return found;
}

type Vec3 = readonly [number, number, number];

function cross(a: Vec3, b: Vec3): [number, number, number] {
  return [
    a[1] * b[2] - a[2] * b[1],
    a[2] * b[0] - a[0] * b[2],
    a[0] * b[1] - a[1] * b[0]
  ];
}

function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function normalize(a: Vec3): [number, number, number] {
  const length = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / length, a[1] / length, a[2] / length];
}

function multiply(a: number[], b: number[]): Float32Array {
  const out = new Float32Array(16);
  for (let col = 0; col < 4; col++) {
    for (let row = 0; row < 4; row++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) {
        sum += (a[k * 4 + row] as number) * (b[col * 4 + k] as number);
      }
      out[col * 4 + row] = sum;
    }
  }
  return out;
}
