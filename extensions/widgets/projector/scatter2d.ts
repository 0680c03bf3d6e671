/**
 * The 2-D drawing: regl-scatterplot (WebGL; pan, zoom, lasso with shift-drag,
 * hover through its spatial index), as jupyter-scatter uses it.
 */

import createScatterplot from 'regl-scatterplot';

import { IRenderer, IRendererEvents, pointSize } from './renderer';

type Scatterplot = ReturnType<typeof createScatterplot>;

export class Scatter2D implements IRenderer {
  constructor(
    private readonly canvas: HTMLCanvasElement,
    width: number,
    height: number,
    private readonly events: IRendererEvents
  ) {
    this.plot = createScatterplot({
      canvas,
      width,
      height,
      backgroundColor: [1, 1, 1, 1],
      opacityInactiveMax: 0.15,
      lassoColor: [0.2, 0.2, 0.2, 1],
      pointColorActive: [0.1, 0.1, 0.1, 1],
      pointColorHover: [0.05, 0.05, 0.05, 1],
      showReticle: false,
      pointSizeSelected: 3,
      pointOutlineWidth: 2,
      deselectOnEscape: true
    });
    this.plot.subscribe('draw', () => {
      this.frames += 1;
    });
    this.plot.subscribe('pointOver', (index: number) => {
      this.events.hover(index, this.mouse[0], this.mouse[1]);
    });
    this.plot.subscribe('pointOut', () => {
      this.events.hover(-1, 0, 0);
    });
    // a lasso publishes 'select' before 'lassoEnd': the flag is raised at its start
    this.plot.subscribe('lassoStart', () => {
      this.lassoing = true;
    });
    this.plot.subscribe('select', ({ points }: { points: number[] }) => {
      if (this.lassoing) {
        this.lassoing = false;
        this.lasso = Array.from(points);
        this.events.select(this.lasso);
      } else if (this.shiftDown) {
        // a lasso closed where it began also reads as a click on the point there: keep the lasso
        this.plot.select(this.lasso, { preventEvent: true });
      } else if (points.length === 1) {
        this.events.click(points[0] as number);
      }
    });
    this.plot.subscribe('deselect', () => {
      this.events.select([]);
    });
    canvas.addEventListener('mousemove', this.onMove);
    canvas.addEventListener('mousedown', this.onDown);
  }

  frames = 0;

  async setPoints(positions: Float32Array, codes: Uint8Array): Promise<void> {
    const n = positions.length / 2;
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = positions[2 * i] as number;
      y[i] = positions[2 * i + 1] as number;
    }
    this.xy = { x, y };
    this.index = undefined; // new positions: regl-scatterplot builds its spatial index again
    await this.plot.set({ pointSize: pointSize(n) });
    await this.draw(codes);
  }

  async setColors(codes: Uint8Array, palette: string[]): Promise<void> {
    await this.plot.set({
      pointColor: palette.length ? palette : ['#4a7fb5'],
      colorBy: palette.length ? 'valueA' : null
    });
    if (this.xy) {
      await this.draw(codes);
    }
  }

  highlight(indices: Uint32Array, anchor: number): void {
    if (indices.length === 0) {
      this.plot.deselect({ preventEvent: true });
      return;
    }
    const points = Array.from(indices);
    if (anchor >= 0) {
      points.unshift(anchor);
    }
    this.plot.select(points, { preventEvent: true });
  }

  nudge(step: number): void {
    const angle = step * 0.05;
    void this.plot.set({
      cameraTarget: [0.3 * Math.cos(angle), 0.3 * Math.sin(angle)]
    });
  }

  resize(width: number, height: number): void {
    void this.plot.set({ width, height });
  }

  dispose(): void {
    this.canvas.removeEventListener('mousemove', this.onMove);
    this.canvas.removeEventListener('mousedown', this.onDown);
    this.plot.destroy();
  }

  /** Draws one call at a time (regl-scatterplot ignores a draw while one runs); a colour
   * change reuses the spatial index of the same positions. */
  private draw(codes: Uint8Array): Promise<void> {
    this.drawing = this.drawing.then(async () => {
      const xy = this.xy;
      if (!xy) {
        return;
      }
      const valueA =
        codes.length === xy.x.length ? codes : new Uint8Array(xy.x.length);
      await this.plot.draw(
        { x: xy.x, y: xy.y, valueA },
        {
          zDataType: 'categorical',
          preventFilterReset: true,
          ...(this.index ? { spatialIndex: this.index } : {})
        }
      );
      this.index = this.plot.get('spatialIndex') as ArrayBuffer | undefined;
    });
    return this.drawing;
  }

  private onDown = (event: MouseEvent): void => {
    this.shiftDown = event.shiftKey;
  };

  private onMove = (event: MouseEvent): void => {
    this.mouse = [event.clientX, event.clientY];
  };

  private plot: Scatterplot;
  private xy: { x: Float32Array; y: Float32Array } | null = null;
  private mouse: [number, number] = [0, 0];
  private lassoing = false;
  private shiftDown = false;
  private lasso: number[] = [];
  private drawing: Promise<void> = Promise.resolve();
  private index: ArrayBuffer | undefined;
}
