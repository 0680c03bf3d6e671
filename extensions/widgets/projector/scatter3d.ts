/**
 * The 3-D drawing: one regl draw call of GL points (regl is already in the
 * bundle under regl-scatterplot, so 3-D adds ~6 KB rather than three.js's
 * ~600 KB or deck.gl's ~1 MB). Drag rotates around the centre, the wheel
 * zooms, shift-drag selects a box; hover and the box test points projected
 * on the CPU (~10 ms for 1M points, once per camera change).
 */

import createREGL from 'regl';

import {
  IOrbit,
  initialOrbit,
  inBox,
  pick,
  projectAll,
  rotate,
  viewProjection,
  zoom
} from './camera';
import { IRenderer, IRendererEvents, pointSize } from './renderer';

const PALETTE_SIZE = 32;

interface IDrawProps {
  matrix: Float32Array;
  size: number;
  marking: number;
  count: number;
}
const HOVER_RADIUS = 6;

function rgb(hex: string): [number, number, number] {
  const value = parseInt(hex.replace('#', ''), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

export class Scatter3D implements IRenderer {
  constructor(
    private readonly canvas: HTMLCanvasElement,
    private width: number,
    private height: number,
    private readonly events: IRendererEvents
  ) {
    this.setCanvasSize();
    this.regl = createREGL({ canvas, attributes: { antialias: true } });
    this.position = this.regl.buffer({
      usage: 'static',
      type: 'float',
      length: 0
    });
    this.code = this.regl.buffer({ usage: 'static', type: 'uint8', length: 0 });
    this.mark = this.regl.buffer({
      usage: 'dynamic',
      type: 'uint8',
      length: 0
    });
    this.palette = this.regl.texture({
      width: PALETTE_SIZE,
      height: 1,
      format: 'rgba'
    });
    this.command = this.regl({
      vert: `
        precision highp float;
        attribute vec3 position;
        attribute float code;
        attribute float mark;
        uniform mat4 matrix;
        uniform sampler2D palette;
        uniform float size;
        uniform float marking;
        varying vec4 color;
        void main() {
          gl_Position = matrix * vec4(position, 1.0);
          vec3 base = texture2D(palette, vec2((code + 0.5) / ${PALETTE_SIZE}.0, 0.5)).rgb;
          float faded = marking > 0.5 && mark < 0.5 ? 1.0 : 0.0;
          color = vec4(mix(base, vec3(0.92), faded * 0.8), 1.0);
          if (mark > 1.5) { color = vec4(0.05, 0.05, 0.05, 1.0); }
          gl_PointSize = size * (mark > 0.5 ? 2.0 : 1.0);
        }`,
      frag: `
        precision mediump float;
        varying vec4 color;
        void main() {
          vec2 c = gl_PointCoord - 0.5;
          if (dot(c, c) > 0.25) discard;
          gl_FragColor = color;
        }`,
      attributes: {
        position: this.position,
        code: { buffer: this.code, normalized: false },
        mark: { buffer: this.mark, normalized: false }
      },
      uniforms: {
        matrix: this.regl.prop<IDrawProps, 'matrix'>('matrix'),
        palette: this.palette,
        size: this.regl.prop<IDrawProps, 'size'>('size'),
        marking: this.regl.prop<IDrawProps, 'marking'>('marking')
      },
      count: this.regl.prop<IDrawProps, 'count'>('count'),
      primitive: 'points',
      depth: { enable: true }
    });
    canvas.addEventListener('pointerdown', this.onDown);
    canvas.addEventListener('pointermove', this.onMove);
    canvas.addEventListener('pointerup', this.onUp);
    canvas.addEventListener('pointerleave', this.onLeave);
    canvas.addEventListener('wheel', this.onWheel, { passive: false });
    this.box = document.createElement('div');
    this.box.className = 'workbench-projector-box';
    canvas.parentElement?.appendChild(this.box);
  }

  frames = 0;

  async setPoints(positions: Float32Array, codes: Uint8Array): Promise<void> {
    this.positions = positions;
    this.count = positions.length / 3;
    this.position({ data: positions });
    this.marks = new Uint8Array(this.count);
    this.mark({ data: this.marks });
    this.codes =
      codes.length === this.count ? codes : new Uint8Array(this.count);
    this.code({ data: this.codes });
    this.screen = null;
    this.requestDraw();
  }

  async setColors(codes: Uint8Array, palette: string[]): Promise<void> {
    const pixels = new Uint8Array(PALETTE_SIZE * 4);
    const colors = palette.length ? palette : ['#4a7fb5'];
    for (let i = 0; i < PALETTE_SIZE; i++) {
      const [r, g, b] = rgb(colors[Math.min(i, colors.length - 1)] as string);
      pixels.set([r, g, b, 255], i * 4);
    }
    this.palette({ width: PALETTE_SIZE, height: 1, data: pixels });
    if (codes.length === this.count) {
      this.codes = codes;
      this.code({ data: codes });
    }
    this.requestDraw();
  }

  highlight(indices: Uint32Array, anchor: number): void {
    this.marks.fill(0);
    for (const i of indices) {
      if (i < this.count) {
        this.marks[i] = 1;
      }
    }
    if (anchor >= 0 && anchor < this.count) {
      this.marks[anchor] = 2;
    }
    this.marking = indices.length > 0 || anchor >= 0;
    this.mark({ data: this.marks });
    this.requestDraw();
  }

  nudge(step: number): void {
    this.orbit = rotate(this.camera, step === 0 ? 0 : 4, 0);
  }

  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.setCanvasSize();
    this.screen = null;
    this.requestDraw();
  }

  dispose(): void {
    this.disposed = true;
    this.canvas.removeEventListener('pointerdown', this.onDown);
    this.canvas.removeEventListener('pointermove', this.onMove);
    this.canvas.removeEventListener('pointerup', this.onUp);
    this.canvas.removeEventListener('pointerleave', this.onLeave);
    this.canvas.removeEventListener('wheel', this.onWheel);
    this.box.remove();
    this.regl.destroy();
  }

  /** The camera (tests and the benchmark turn it). */
  get orbit(): IOrbit {
    return this.camera;
  }

  set orbit(value: IOrbit) {
    this.camera = value;
    this.screen = null;
    this.requestDraw();
  }

  private setCanvasSize(): void {
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(this.width * ratio);
    this.canvas.height = Math.round(this.height * ratio);
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
  }

  private requestDraw(): void {
    if (this.pending || this.disposed) {
      return;
    }
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      if (!this.disposed) {
        this.draw();
      }
    });
  }

  private draw(): void {
    this.regl.poll();
    this.regl.clear({ color: [1, 1, 1, 1], depth: 1 });
    const ratio = window.devicePixelRatio || 1;
    this.command({
      matrix: viewProjection(
        this.camera,
        this.width / Math.max(this.height, 1)
      ),
      size: pointSize(this.count) * ratio,
      marking: this.marking ? 1 : 0,
      count: this.count
    });
    this.frames += 1;
  }

  private projected(): Float32Array {
    if (!this.screen) {
      const matrix = viewProjection(
        this.camera,
        this.width / Math.max(this.height, 1)
      );
      this.screen = projectAll(this.positions, matrix, this.width, this.height);
    }
    return this.screen;
  }

  private local(event: MouseEvent): [number, number] {
    const rect = this.canvas.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  private onDown = (event: PointerEvent): void => {
    this.drag = {
      start: this.local(event),
      last: this.local(event),
      box: event.shiftKey
    };
    this.moved = false;
    this.canvas.setPointerCapture(event.pointerId);
  };

  private onMove = (event: PointerEvent): void => {
    const [x, y] = this.local(event);
    if (this.drag) {
      const [lx, ly] = this.drag.last;
      if (
        Math.abs(x - this.drag.start[0]) + Math.abs(y - this.drag.start[1]) >
        3
      ) {
        this.moved = true;
      }
      this.drag.last = [x, y];
      if (this.drag.box) {
        const [sx, sy] = this.drag.start;
        Object.assign(this.box.style, {
          display: 'block',
          left: `${Math.min(sx, x)}px`,
          top: `${Math.min(sy, y)}px`,
          width: `${Math.abs(x - sx)}px`,
          height: `${Math.abs(y - sy)}px`
        });
      } else {
        this.orbit = rotate(this.camera, x - lx, y - ly);
      }
      return;
    }
    if (this.hoverQueued) {
      return;
    }
    this.hoverQueued = true;
    requestAnimationFrame(() => {
      this.hoverQueued = false;
      const index = pick(this.projected(), x, y, HOVER_RADIUS);
      this.events.hover(index, event.clientX, event.clientY);
    });
  };

  private onUp = (event: PointerEvent): void => {
    const drag = this.drag;
    this.drag = null;
    this.box.style.display = 'none';
    if (!drag) {
      return;
    }
    const [x, y] = this.local(event);
    if (drag.box && this.moved) {
      const found = inBox(this.projected(), drag.start[0], drag.start[1], x, y);
      this.highlight(Uint32Array.from(found), -1);
      this.events.select(found);
    } else if (!this.moved) {
      const index = pick(this.projected(), x, y, HOVER_RADIUS);
      if (index >= 0) {
        this.events.click(index);
      }
    }
  };

  private onLeave = (): void => {
    this.events.hover(-1, 0, 0);
  };

  private onWheel = (event: WheelEvent): void => {
    event.preventDefault();
    this.orbit = zoom(this.camera, event.deltaY);
  };

  private regl: createREGL.Regl;
  private command: createREGL.DrawCommand<
    createREGL.DefaultContext,
    IDrawProps
  >;
  private position: createREGL.Buffer;
  private code: createREGL.Buffer;
  private mark: createREGL.Buffer;
  private palette: createREGL.Texture2D;
  private box: HTMLDivElement;
  private positions = new Float32Array(0);
  private codes = new Uint8Array(0);
  private marks = new Uint8Array(0);
  private count = 0;
  private marking = false;
  private camera: IOrbit = initialOrbit();
  private screen: Float32Array | null = null;
  private pending = false;
  private disposed = false;
  private hoverQueued = false;
  private moved = false;
  private drag: {
    start: [number, number];
    last: [number, number];
    box: boolean;
  } | null = null;
}
