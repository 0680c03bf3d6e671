/**
 * Where lanes and rows go on the canvas: a ruler and a step strip on top,
 * then each lane's rows, a gap between lanes. Pure (no DOM).
 */

import { ITimelineLane } from './messages';

export const RULER_PX = 18;
export const STEPS_PX = 14;
export const ROW_PX = 16;
export const LANE_GAP_PX = 8;

export interface ILayout {
  /** The y of each global row's top. */
  readonly rowTop: Float64Array;
  /** The y of each lane's top. */
  readonly laneTop: number[];
  readonly height: number;
}

export function layout(lanes: readonly ITimelineLane[], rows: number): ILayout {
  const rowTop = new Float64Array(rows).fill(-1);
  const laneTop: number[] = [];
  let y = RULER_PX + STEPS_PX;
  for (const lane of lanes) {
    laneTop.push(y);
    for (let depth = 0; depth < lane.rows; depth++) {
      const row = lane.first_row + depth;
      if (row >= 0 && row < rows) {
        rowTop[row] = y + depth * ROW_PX;
      }
    }
    y += lane.rows * ROW_PX + LANE_GAP_PX;
  }
  return { rowTop, laneTop, height: y };
}

/** The global row at height `y`, or -1 (a gap, the ruler). */
export function rowAt(lanes: readonly ITimelineLane[], y: number): number {
  let top = RULER_PX + STEPS_PX;
  for (const lane of lanes) {
    const bottom = top + lane.rows * ROW_PX;
    if (y >= top && y < bottom) {
      return lane.first_row + Math.floor((y - top) / ROW_PX);
    }
    top = bottom + LANE_GAP_PX;
  }
  return -1;
}

/** The lane holding global row `row`, or undefined. */
export function laneOf(
  lanes: readonly ITimelineLane[],
  row: number
): ITimelineLane | undefined {
  return lanes.find(l => row >= l.first_row && row < l.first_row + l.rows);
}

/** TensorFlow's pool threads are named "tf_Compute/4309473845213577614": the id says nothing. */
export function shortThread(thread: string): string {
  const cut = thread.lastIndexOf('/');
  if (cut > 0 && /^-?\d+$/.test(thread.slice(cut + 1))) {
    return thread.slice(0, cut);
  }
  return thread;
}
