/**
 * Drawing the timeline on canvases: the ruler, the step marks, each lane's
 * events (one path per color, so a frame of 100k items is a few dozen fills)
 * and the minimap of the whole capture with the window on it.
 */

import { BLOCK_ALPHA, PALETTE, colorIndex } from './colors';
import { IFrame } from './frame';
import { ILayout, ROW_PX, RULER_PX, STEPS_PX } from './layout';
import { ITimelineLane, ITimelineStep } from './messages';
import { formatDuration, timeTicks } from './units';
import { Viewport } from './viewport';

const DIMMED = '#e4e4e4';
const MATCH_OUTLINE = '#222';
const PIN_OUTLINE = '#d62728';
// neutral greys: readable on JupyterLab's light and dark themes alike
const STEP_LINE = 'rgba(128, 128, 128, 0.45)';
const GRID = 'rgba(128, 128, 128, 0.18)';
const LANE_SHADE = 'rgba(128, 128, 128, 0.07)';
const TEXT = '#222'; // on the events' pastel colors, whatever the theme
const MIN_TEXT_PX = 40;
const MAX_TEXTS = 3000;

/** The page's colors (JupyterLab's theme variables where there are). */
export interface ITheme {
  readonly ink: string;
  readonly muted: string;
  readonly panel: string;
}

export const LIGHT: ITheme = { ink: '#222', muted: '#555', panel: '#fafafa' };

/** The theme of the element's page: JupyterLab's CSS variables, or LIGHT outside it. */
export function themeOf(el: HTMLElement): ITheme {
  const style = getComputedStyle(el);
  const read = (name: string, fallback: string): string =>
    style.getPropertyValue(name).trim() || fallback;
  return {
    ink: read('--jp-ui-font-color1', LIGHT.ink),
    muted: read('--jp-ui-font-color2', LIGHT.muted),
    panel: read('--jp-layout-color1', LIGHT.panel)
  };
}

export interface IScene {
  readonly frame: IFrame | null;
  readonly names: ReadonlyMap<number, string>;
  readonly lanes: readonly ITimelineLane[];
  readonly steps: readonly ITimelineStep[];
  readonly layout: ILayout;
  readonly viewport: Viewport;
  /** CSS pixels. */
  readonly width: number;
  readonly ratio: number;
  /** An item of the frame outlined (pinned), or -1. */
  readonly pinned: number;
  readonly hover: number;
  readonly theme: ITheme;
}

/** Sizes a canvas for `width` x `height` CSS pixels at `ratio` device pixels each. */
export function sizeCanvas(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
  ratio: number
): CanvasRenderingContext2D | null {
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext('2d');
  ctx?.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

/** Draws the scene; returns how many items were drawn. */
export function drawMain(ctx: CanvasRenderingContext2D, scene: IScene): number {
  const { width, layout, viewport } = scene;
  const height = layout.height;
  ctx.clearRect(0, 0, width, height);
  shadeLanes(ctx, scene);
  drawRuler(ctx, viewport, width, height, scene.theme);
  drawSteps(ctx, scene.steps, viewport, width, height, scene.theme);
  const frame = scene.frame;
  if (!frame) {
    return 0;
  }
  return drawItems(ctx, frame, scene);
}

function shadeLanes(ctx: CanvasRenderingContext2D, scene: IScene): void {
  const { lanes, layout, width } = scene;
  ctx.fillStyle = LANE_SHADE;
  lanes.forEach((lane, i) => {
    if (i % 2 === 0) {
      ctx.fillRect(0, layout.laneTop[i] ?? 0, width, lane.rows * ROW_PX);
    }
  });
}

function drawRuler(
  ctx: CanvasRenderingContext2D,
  viewport: Viewport,
  width: number,
  height: number,
  theme: ITheme
): void {
  ctx.font = '10px sans-serif';
  ctx.textBaseline = 'middle';
  for (const tick of timeTicks(viewport.t0, viewport.t1, width)) {
    const x = Math.round(viewport.toPixel(tick.at, width)) + 0.5;
    ctx.fillStyle = GRID;
    ctx.fillRect(x, RULER_PX, 1, height - RULER_PX);
    ctx.fillStyle = theme.muted;
    ctx.fillText(tick.label, x + 3, RULER_PX / 2);
  }
  ctx.fillStyle = STEP_LINE;
  ctx.fillRect(0, RULER_PX - 1, width, 1);
}

function drawSteps(
  ctx: CanvasRenderingContext2D,
  steps: readonly ITimelineStep[],
  viewport: Viewport,
  width: number,
  height: number,
  theme: ITheme
): void {
  let lastLabel = -Infinity;
  ctx.font = '10px sans-serif';
  ctx.textBaseline = 'middle';
  for (const step of steps) {
    if (step.end < viewport.t0 || step.start > viewport.t1) {
      continue;
    }
    const x = Math.round(viewport.toPixel(step.start, width)) + 0.5;
    const right = viewport.toPixel(step.end, width);
    ctx.fillStyle = STEP_LINE;
    ctx.fillRect(x, RULER_PX, 1, height - RULER_PX);
    ctx.fillStyle = 'rgba(78, 121, 167, 0.12)';
    ctx.fillRect(x, RULER_PX + 2, Math.max(1, right - x), STEPS_PX - 4);
    // "step 12" where a step is wide enough, else just "12" on every step with room for it
    const wide = right - x > 48;
    const label = wide ? `step ${step.label}` : step.label;
    if (x - lastLabel > (wide ? 48 : 24)) {
      ctx.fillStyle = theme.ink;
      ctx.fillText(label, Math.max(x + 2, 2), RULER_PX + STEPS_PX / 2);
      lastLabel = x;
    }
  }
}

function drawItems(
  ctx: CanvasRenderingContext2D,
  frame: IFrame,
  scene: IScene
): number {
  const { width, viewport, layout, names } = scene;
  const scale = width / viewport.duration;
  const offset = frame.t0 - viewport.t0;
  const searching = frame.match !== null;
  // one list of items per (color, block) group, drawn with one fill each
  const groups = new Map<string, number[]>();
  const colorOf = new Map<number, string>();
  let drawn = 0;
  const x0s = new Float64Array(frame.n);
  const x1s = new Float64Array(frame.n);
  for (let i = 0; i < frame.n; i++) {
    const top = layout.rowTop[frame.row[i] as number] ?? -1;
    if (top < 0) {
      continue;
    }
    const start = (frame.start[i] as number) + offset;
    const x0 = start * scale;
    const x1 = (start + (frame.dur[i] as number)) * scale;
    if (x1 < 0 || x0 > width) {
      continue;
    }
    x0s[i] = Math.max(x0, -1);
    x1s[i] = Math.min(Math.max(x1, x0 + 1), width + 1);
    const nameId = frame.name[i] as number;
    let color = colorOf.get(nameId);
    if (color === undefined) {
      color = PALETTE[colorIndex(names.get(nameId) ?? '')] as string;
      colorOf.set(nameId, color);
    }
    const matched = !searching || (frame.match?.[i] ?? 0) > 0;
    const key = `${matched ? color : DIMMED}|${(frame.ref[i] as number) < 0 ? 'b' : 'e'}`;
    let list = groups.get(key);
    if (!list) {
      list = [];
      groups.set(key, list);
    }
    list.push(i);
    drawn++;
  }
  for (const [key, list] of groups) {
    const [color, kind] = key.split('|');
    ctx.fillStyle = color as string;
    ctx.globalAlpha = kind === 'b' ? BLOCK_ALPHA : 1;
    ctx.beginPath();
    for (const i of list) {
      const top = layout.rowTop[frame.row[i] as number] as number;
      ctx.rect(
        x0s[i] as number,
        top + 1,
        (x1s[i] as number) - (x0s[i] as number),
        ROW_PX - 2
      );
    }
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  drawLabels(ctx, frame, scene, x0s, x1s);
  if (searching) {
    ctx.strokeStyle = MATCH_OUTLINE;
    ctx.lineWidth = 1;
    ctx.beginPath();
    let outlined = 0;
    for (let i = 0; i < frame.n && outlined < 20000; i++) {
      if (
        (frame.match?.[i] ?? 0) > 0 &&
        (x1s[i] as number) > (x0s[i] as number)
      ) {
        const top = layout.rowTop[frame.row[i] as number] as number;
        ctx.rect(
          (x0s[i] as number) + 0.5,
          top + 1.5,
          (x1s[i] as number) - (x0s[i] as number) - 1,
          ROW_PX - 3
        );
        outlined++;
      }
    }
    ctx.stroke();
  }
  for (const [item, color] of [
    [scene.hover, '#555'],
    [scene.pinned, PIN_OUTLINE]
  ] as const) {
    if (
      item >= 0 &&
      item < frame.n &&
      (x1s[item] as number) > (x0s[item] as number)
    ) {
      const top = layout.rowTop[frame.row[item] as number] as number;
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.strokeRect(
        x0s[item] as number,
        top + 1,
        Math.max(2, (x1s[item] as number) - (x0s[item] as number)),
        ROW_PX - 2
      );
    }
  }
  return drawn;
}

function drawLabels(
  ctx: CanvasRenderingContext2D,
  frame: IFrame,
  scene: IScene,
  x0s: Float64Array,
  x1s: Float64Array
): void {
  ctx.font = '10px sans-serif';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = TEXT;
  let written = 0;
  for (let i = 0; i < frame.n && written < MAX_TEXTS; i++) {
    const x0 = Math.max(x0s[i] as number, 0);
    const x1 = Math.min(x1s[i] as number, scene.width);
    if (x1 - x0 < MIN_TEXT_PX) {
      continue;
    }
    const ref = frame.ref[i] as number;
    const name = scene.names.get(frame.name[i] as number) ?? '';
    const text = ref < 0 ? `${-ref} events · ${name}` : name;
    const top = scene.layout.rowTop[frame.row[i] as number] as number;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x0, top, x1 - x0 - 2, ROW_PX);
    ctx.clip();
    ctx.fillText(text, x0 + 3, top + ROW_PX / 2);
    ctx.restore();
    written++;
  }
}

/**
 * The minimap: each lane's busyness over the whole capture (uint8, lanes x
 * bins, from the kernel), the steps, and the window shown.
 */
export function drawMinimap(
  ctx: CanvasRenderingContext2D,
  busy: Uint8Array,
  lanes: number,
  bins: number,
  viewport: Viewport,
  steps: readonly ITimelineStep[],
  width: number,
  height: number,
  theme: ITheme = LIGHT
): void {
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = theme.panel;
  ctx.fillRect(0, 0, width, height);
  const span = viewport.span;
  if (lanes > 0 && bins > 0 && busy.length >= lanes * bins) {
    const band = height / lanes;
    const column = width / bins;
    for (let lane = 0; lane < lanes; lane++) {
      for (let bin = 0; bin < bins; bin++) {
        const value = busy[lane * bins + bin] as number;
        if (value > 0) {
          ctx.fillStyle = `rgba(78, 121, 167, ${(0.15 + (0.85 * value) / 255).toFixed(3)})`;
          ctx.fillRect(
            bin * column,
            lane * band,
            Math.ceil(column),
            Math.max(1, band - 0.5)
          );
        }
      }
    }
  }
  ctx.fillStyle = 'rgba(0, 0, 0, 0.35)';
  if (span > 0 && steps.length <= width / 3) {
    for (const step of steps) {
      ctx.fillRect(Math.round((step.start / span) * width), 0, 1, 4);
    }
  }
  if (span > 0) {
    const x0 = (viewport.t0 / span) * width;
    const x1 = (viewport.t1 / span) * width;
    ctx.fillStyle = 'rgba(0, 0, 0, 0.08)';
    ctx.fillRect(0, 0, Math.max(0, x0), height);
    ctx.fillRect(x1, 0, Math.max(0, width - x1), height);
    ctx.strokeStyle = PIN_OUTLINE;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(x0, 0.75, Math.max(2, x1 - x0), height - 1.5);
  }
}

/** The window's text: `12.3 ms – 45.6 ms (33.3 ms of 2.61 s)`. */
export function windowText(viewport: Viewport): string {
  return `${formatDuration(Math.max(0, viewport.t0))} – ${formatDuration(
    Math.min(viewport.t1, viewport.span)
  )} (${formatDuration(viewport.duration)} of ${formatDuration(viewport.span)})`;
}
