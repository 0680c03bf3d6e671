/**
 * A decoded `frame`: the items the kernel sent for one window, in typed
 * arrays, with absolute times, sorted by (row, start) as the kernel sends
 * them. Pure (no DOM).
 */

import { BufferLike } from '../lib/buffers';
import { toFloat32, toInt32, toUint32, toUint8 } from '../lib/typed';
import { IFrameHeader } from './messages';

export interface IFrame {
  readonly seq: number;
  readonly t0: number;
  readonly t1: number;
  readonly width: number;
  readonly n: number;
  readonly level: number;
  readonly events: number;
  /** µs after t0. */
  readonly start: Float32Array;
  readonly dur: Float32Array;
  readonly row: Uint32Array;
  readonly name: Int32Array;
  /** >= 0: an event's index; < 0: a block of -ref merged events. */
  readonly ref: Int32Array;
  /** With a search: 1 where the item holds a match. */
  readonly match: Uint8Array | null;
  /** Index of the first item of each row (rows + 1 entries; rows past the last are empty). */
  readonly rowStart: Uint32Array;
}

/** A frame message's header and buffers as an IFrame (throws on a malformed one). */
export function decodeFrame(
  header: IFrameHeader,
  buffers: readonly BufferLike[],
  rows: number
): IFrame {
  const needed = header.match ? 6 : 5;
  if (buffers.length < needed) {
    throw new Error(
      `Expected ${needed} buffers in a frame. Received: ${buffers.length}`
    );
  }
  const [startB, durB, rowB, nameB, refB, matchB] = buffers as BufferLike[];
  const start = toFloat32(startB as BufferLike);
  const dur = toFloat32(durB as BufferLike);
  const row = toUint32(rowB as BufferLike);
  const name = toInt32(nameB as BufferLike);
  const ref = toInt32(refB as BufferLike);
  const match = header.match ? toUint8(matchB as BufferLike) : null;
  for (const [what, array] of [
    ['start', start],
    ['dur', dur],
    ['row', row],
    ['name', name],
    ['ref', ref],
    ...(match ? [['match', match] as const] : [])
  ] as const) {
    if (array.length !== header.n) {
      throw new Error(
        `Expected ${header.n} values in the frame's ${what} buffer. Received: ${array.length}`
      );
    }
  }
  return {
    seq: header.seq,
    t0: header.t0,
    t1: header.t1,
    width: header.width,
    n: header.n,
    level: header.level,
    events: header.events,
    start,
    dur,
    row,
    name,
    ref,
    match,
    rowStart: rowStarts(row, rows)
  };
}

/** For items sorted by row: where each row's items begin (rows + 1 entries). */
export function rowStarts(row: Uint32Array, rows: number): Uint32Array {
  const out = new Uint32Array(rows + 1);
  let at = 0;
  for (let r = 0; r <= rows; r++) {
    while (at < row.length && (row[at] as number) < r) {
      at++;
    }
    out[r] = at;
  }
  return out;
}

/**
 * The item of `row` under time `t` (µs from the capture's start), within
 * `slack` µs either side, or -1. Items of a row are sorted by start.
 */
export function itemAt(
  frame: IFrame,
  row: number,
  t: number,
  slack: number
): number {
  if (row < 0 || row + 1 >= frame.rowStart.length) {
    return -1;
  }
  const lo = frame.rowStart[row] as number;
  const hi = frame.rowStart[row + 1] as number;
  const rel = t - frame.t0;
  // the last item starting at or before rel + slack
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >> 1;
    if ((frame.start[mid] as number) <= rel + slack) {
      a = mid + 1;
    } else {
      b = mid;
    }
  }
  let best = -1;
  let bestGap = Infinity;
  for (let i = a - 1; i >= lo && i >= a - 8; i--) {
    const s = frame.start[i] as number;
    const e = s + (frame.dur[i] as number);
    const gap = rel < s ? s - rel : rel > e ? rel - e : 0;
    if (gap <= slack && gap < bestGap) {
      best = i;
      bestGap = gap;
    }
  }
  return best;
}
