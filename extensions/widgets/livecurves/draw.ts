/**
 * Drawing one panel of the live curves view on a canvas: axes, one line per
 * series (decimated to the panel's width), NaN/Inf marks and a legend.
 */

import { IAxis, linearAxis, logAxis } from '../lib/axes';
import { IBadValue } from '../lib/messages';
import { decimate } from './decimate';
import { Series } from './series';
import { smooth } from './smoothing';

export const HEIGHT = 200;
const LEFT = 48;
const RIGHT = 8;
const TOP = 18;
const BOTTOM = 22;

const COLORS: Record<string, string> = {
  train: '#1f77b4',
  validation: '#ff7f0e'
};
const PALETTE = ['#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export interface IPanelOptions {
  width: number; // CSS pixels
  ratio: number; // device pixels per CSS pixel
  log: boolean;
  smoothing: number;
  bad: readonly IBadValue[];
}

interface IExtent {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  points: number;
}

function color(series: Series, index: number): string {
  return COLORS[series.split] ?? PALETTE[index % PALETTE.length] ?? '#000';
}

/** The range of what is drawn: finite values (positive ones on a log axis). */
function extent(
  list: readonly Series[],
  values: readonly Float64Array[],
  keep: (v: number) => boolean
): IExtent {
  const e = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
  let points = 0;
  list.forEach((s, index) => {
    const v = values[index] ?? s.values;
    for (let i = 0; i < s.length; i++) {
      const y = v[i] as number;
      if (!keep(y)) {
        continue;
      }
      const x = s.steps[i] as number;
      points++;
      e.x0 = Math.min(e.x0, x);
      e.x1 = Math.max(e.x1, x);
      e.y0 = Math.min(e.y0, y);
      e.y1 = Math.max(e.y1, y);
    }
  });
  return { ...e, points };
}

/** Draws one panel; returns how many finite points it drew from. */
export function drawPanel(
  canvas: HTMLCanvasElement,
  group: string,
  list: readonly Series[],
  options: IPanelOptions
): number {
  const { width, ratio } = options;
  canvas.width = width * ratio;
  canvas.height = HEIGHT * ratio;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${HEIGHT}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) {
    return 0;
  }
  ctx.scale(ratio, ratio);
  ctx.clearRect(0, 0, width, HEIGHT);
  ctx.font = '11px sans-serif';
  ctx.fillStyle = '#555';
  ctx.fillText(group, LEFT, 12);
  const keep = options.log
    ? (v: number) => Number.isFinite(v) && v > 0
    : Number.isFinite;
  const values = list.map(s => smooth(s.values, s.length, options.smoothing));
  const e = extent(list, values, keep);
  if (e.points === 0) {
    return 0;
  }
  const bottom = HEIGHT - BOTTOM;
  const x = linearAxis(e.x0, e.x1, [LEFT, width - RIGHT], {
    count: 5,
    integer: true
  });
  const y = options.log
    ? logAxis(e.y0, e.y1, [bottom, TOP])
    : linearAxis(e.y0, e.y1, [bottom, TOP], { count: 4 });
  drawAxes(ctx, x, y, width);
  list.forEach((series, index) => {
    ctx.strokeStyle = color(series, index);
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = 1.5;
    const v = values[index] ?? series.values;
    const line = decimate(
      series.steps,
      v,
      series.length,
      x.toPixel,
      y.toPixel,
      keep
    );
    if (line.length === 2) {
      ctx.fillRect((line[0] as number) - 2, (line[1] as number) - 2, 4, 4); // a lone point
    }
    ctx.beginPath();
    for (let i = 0; i < line.length; i += 2) {
      const [px, py] = [line[i] as number, line[i + 1] as number];
      if (i === 0) {
        ctx.moveTo(px, py);
      } else {
        ctx.lineTo(px, py);
      }
    }
    ctx.stroke();
  });
  drawBadMarks(ctx, x, list, options.bad);
  let legend = LEFT + 60;
  list.forEach((series, index) => {
    ctx.fillStyle = color(series, index);
    ctx.fillText(series.split, legend, 12);
    legend += ctx.measureText(series.split).width + 12;
  });
  return e.points;
}

function drawAxes(
  ctx: CanvasRenderingContext2D,
  x: IAxis,
  y: IAxis,
  width: number
): void {
  ctx.strokeStyle = '#ccc';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.rect(LEFT, TOP, width - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
  ctx.stroke();
  ctx.fillStyle = '#666';
  y.ticks.forEach((t, i) => {
    ctx.fillText(y.labels[i] ?? '', 2, y.toPixel(t) + 4);
  });
  x.ticks.forEach((t, i) => {
    const label = x.labels[i] ?? '';
    const half = ctx.measureText(label).width / 2;
    ctx.fillText(label, x.toPixel(t) - half, HEIGHT - 6);
  });
}

/** NaN/Inf: a red mark at the top of the panel, at the step it appeared. */
function drawBadMarks(
  ctx: CanvasRenderingContext2D,
  x: IAxis,
  list: readonly Series[],
  bad: readonly IBadValue[]
): void {
  ctx.fillStyle = '#d62728';
  for (const b of bad) {
    if (list.some(s => s.key === b.key)) {
      const step = Math.min(Math.max(b.step, x.lo), x.hi);
      ctx.fillText('▼', x.toPixel(step) - 4, TOP + 10);
    }
  }
}
