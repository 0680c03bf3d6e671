/**
 * Drawing one panel of the live curves view on a canvas: axes with gridlines,
 * per series its columns as a faint zigzag and its smoothed line solid
 * (validation dashed), NaN/Inf marks, and a legend of splits beside the
 * panel's name. A run's final chart draws the same panel from the same
 * columns (`workbench/widgets/runs_plot.py` and `snapshot.py`, with these
 * sizes and colors).
 */

import { IAxis, linearAxis, logAxis } from '../lib/axes';
import { IBadValue } from '../lib/messages';
import { ColumnSeries } from './columns';
import { extent, Keep, smoothedLine, zigzag } from './decimate';

export const HEIGHT = 200;
export const LEFT = 48;
export const RIGHT = 16;
const TOP = 18;
const BOTTOM = 22;
const RAW_OPACITY = 0.3;

const COLORS: Record<string, string> = {
  train: '#1f77b4',
  validation: '#ff7f0e'
};
const PALETTE = ['#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const BAD = '#d62728';

export interface IPanelOptions {
  width: number; // CSS pixels
  ratio: number; // device pixels per CSS pixel
  log: boolean;
  smoothing: number;
  bad: readonly IBadValue[];
}

/** What a panel drew: what tests (and curious users) can read off its element. */
export interface IDrawn {
  points: number; // points of the series in the columns drawn
  columns: number; // columns drawn, all series
  xLabels: string[];
  yLabels: string[];
  marks: number[]; // steps of the NaN/Inf marks
}

function color(series: ColumnSeries, index: number): string {
  return COLORS[series.split] ?? PALETTE[index % PALETTE.length] ?? '#000';
}

/** Draws one panel. */
export function drawPanel(
  canvas: HTMLCanvasElement,
  group: string,
  list: readonly ColumnSeries[],
  options: IPanelOptions
): IDrawn {
  const { width, ratio } = options;
  const drawn: IDrawn = {
    points: 0,
    columns: 0,
    xLabels: [],
    yLabels: [],
    marks: []
  };
  canvas.width = width * ratio;
  canvas.height = HEIGHT * ratio;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${HEIGHT}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) {
    return drawn;
  }
  ctx.scale(ratio, ratio);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, HEIGHT);
  ctx.font = '11px sans-serif';
  ctx.fillStyle = '#555';
  ctx.fillText(group, LEFT, 12);
  let legend = LEFT + ctx.measureText(group).width + 14;
  list.forEach((series, index) => {
    ctx.fillStyle = color(series, index);
    ctx.fillText(series.split, legend, 12);
    legend += ctx.measureText(series.split).width + 12;
  });
  const keep: Keep = options.log
    ? v => Number.isFinite(v) && v > 0
    : Number.isFinite;
  const e = extent(list, keep);
  drawn.points = e.points;
  if (!Number.isFinite(e.y0)) {
    ctx.fillStyle = '#888';
    ctx.fillText('no finite values', LEFT, HEIGHT / 2);
    return drawn;
  }
  for (const b of options.bad) {
    if (list.some(s => s.key === b.key)) {
      // a NaN after the last finite step is in view (the final chart does the same)
      e.x0 = Math.min(e.x0, b.step);
      e.x1 = Math.max(e.x1, b.step);
    }
  }
  const bottom = HEIGHT - BOTTOM;
  const x = linearAxis(e.x0, e.x1, [LEFT, width - RIGHT], {
    count: 5,
    integer: true,
    extend: true
  });
  const y = options.log
    ? logAxis(e.y0, e.y1, [bottom, TOP])
    : linearAxis(e.y0, e.y1, [bottom, TOP], { count: 4 });
  drawAxes(ctx, x, y, width);
  drawn.xLabels = x.labels;
  drawn.yLabels = y.labels;
  ctx.save();
  ctx.beginPath();
  ctx.rect(LEFT, TOP, width - LEFT - RIGHT, bottom - TOP);
  ctx.clip(); // a log axis can put a column's zigzag past the frame
  list.forEach((series, index) => {
    drawn.columns += series.filled().length;
    ctx.strokeStyle = color(series, index);
    ctx.fillStyle = ctx.strokeStyle;
    ctx.globalAlpha = RAW_OPACITY;
    ctx.lineWidth = 1;
    ctx.setLineDash([]);
    stroke(ctx, zigzag(series, x.toPixel, y.toPixel, keep));
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1.5;
    ctx.setLineDash(series.split === 'train' ? [] : [5, 3]);
    const line = smoothedLine(
      series,
      options.smoothing,
      x.toPixel,
      y.toPixel,
      keep
    );
    if (line.length === 2) {
      ctx.fillRect((line[0] as number) - 2, (line[1] as number) - 2, 4, 4); // a lone point
    }
    stroke(ctx, line);
  });
  ctx.restore();
  drawn.marks = drawBadMarks(ctx, x, list, options.bad);
  return drawn;
}

function stroke(ctx: CanvasRenderingContext2D, line: readonly number[]): void {
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
}

function drawAxes(
  ctx: CanvasRenderingContext2D,
  x: IAxis,
  y: IAxis,
  width: number
): void {
  const right = width - RIGHT;
  const bottom = HEIGHT - BOTTOM;
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#eee';
  ctx.beginPath();
  for (const t of x.ticks) {
    const px = Math.round(x.toPixel(t)) + 0.5;
    ctx.moveTo(px, TOP);
    ctx.lineTo(px, bottom);
  }
  for (const t of y.ticks) {
    const py = Math.round(y.toPixel(t)) + 0.5;
    ctx.moveTo(LEFT, py);
    ctx.lineTo(right, py);
  }
  ctx.stroke();
  ctx.strokeStyle = '#ccc';
  ctx.strokeRect(LEFT + 0.5, TOP + 0.5, right - LEFT, bottom - TOP);
  ctx.fillStyle = '#666';
  ctx.textAlign = 'right';
  y.ticks.forEach((t, i) => {
    ctx.fillText(y.labels[i] ?? '', LEFT - 4, y.toPixel(t) + 4);
  });
  ctx.textAlign = 'center';
  x.ticks.forEach((t, i) => {
    ctx.fillText(x.labels[i] ?? '', x.toPixel(t), HEIGHT - 6);
  });
  ctx.textAlign = 'left';
}

/** NaN/Inf: a dotted red line at the step it appeared, a red mark at the top. */
function drawBadMarks(
  ctx: CanvasRenderingContext2D,
  x: IAxis,
  list: readonly ColumnSeries[],
  bad: readonly IBadValue[]
): number[] {
  const steps: number[] = [];
  ctx.strokeStyle = BAD;
  ctx.fillStyle = BAD;
  ctx.lineWidth = 1;
  ctx.setLineDash([2, 2]);
  for (const b of bad) {
    if (list.some(s => s.key === b.key)) {
      const step = Math.min(Math.max(b.step, x.lo), x.hi);
      const px = Math.round(x.toPixel(step)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(px, TOP);
      ctx.lineTo(px, HEIGHT - BOTTOM);
      ctx.stroke();
      ctx.fillText('▼', px - 4.5, TOP + 10);
      steps.push(b.step);
    }
  }
  ctx.setLineDash([]);
  return steps;
}
