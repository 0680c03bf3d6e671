/**
 * The live training-curves view (anywidget front end of workbench.LiveCurves).
 *
 * The kernel sends points, never whole figures: `reset` replaces a series with
 * a downsampled history, `append` adds the points since the last message. Both
 * carry steps and values as Float64Array buffers. Drawing is on a canvas per
 * metric group, redrawn at most once per animation frame, with at most two
 * points per pixel column (min and max), so 100k+ points stay fast.
 */

interface IModel {
  get(name: string): unknown;
  send(content: unknown): void;
  on(event: string, callback: (...args: never[]) => void): void;
  off(event: string, callback: (...args: never[]) => void): void;
}

interface ISeriesHeader {
  key: string;
  group: string;
  split: string;
  n: number;
}

interface IMessage {
  type: 'reset' | 'append';
  series: ISeriesHeader[];
}

interface IBadValue {
  key: string;
  step: number;
  value: number;
}

interface IProgress {
  text?: string;
}

class Series {
  steps = new Float64Array(256);
  values = new Float64Array(256);
  length = 0;
  constructor(
    readonly key: string,
    readonly group: string,
    readonly split: string
  ) {}

  push(steps: Float64Array, values: Float64Array): void {
    const needed = this.length + steps.length;
    if (needed > this.steps.length) {
      const size = Math.max(needed, this.steps.length * 2);
      const s = new Float64Array(size);
      const v = new Float64Array(size);
      s.set(this.steps.subarray(0, this.length));
      v.set(this.values.subarray(0, this.length));
      this.steps = s;
      this.values = v;
    }
    this.steps.set(steps, this.length);
    this.values.set(values, this.length);
    this.length = needed;
  }

  clear(): void {
    this.length = 0;
  }
}

const COLORS: Record<string, string> = {
  train: '#1f77b4',
  validation: '#ff7f0e'
};
const PALETTE = ['#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function smooth(
  values: Float64Array,
  length: number,
  weight: number
): Float64Array {
  if (weight <= 0) {
    return values.subarray(0, length);
  }
  // TensorBoard's debiased exponential moving average
  const out = new Float64Array(length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    count++;
    out[i] = last / (1 - Math.pow(weight, count));
  }
  return out;
}

function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) {
    return [lo];
  }
  const raw = (hi - lo) / count;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * magnitude).find(s => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(t);
  }
  return ticks;
}

function format(value: number): string {
  if (value === 0) {
    return '0';
  }
  const abs = Math.abs(value);
  if (abs >= 1e4 || abs < 1e-3) {
    return value.toExponential(1);
  }
  return Number(value.toPrecision(3)).toString();
}

class View {
  constructor(
    private model: IModel,
    el: HTMLElement
  ) {
    el.classList.add('workbench-livecurves');
    this.header = el.appendChild(document.createElement('div'));
    this.header.className = 'workbench-livecurves-header';
    const controls = el.appendChild(document.createElement('div'));
    controls.className = 'workbench-livecurves-controls';
    const log = controls.appendChild(document.createElement('label'));
    this.logBox = log.appendChild(document.createElement('input'));
    this.logBox.type = 'checkbox';
    this.logBox.className = 'workbench-livecurves-log';
    log.appendChild(document.createTextNode(' log scale'));
    const smoothLabel = controls.appendChild(document.createElement('label'));
    smoothLabel.appendChild(document.createTextNode('smoothing '));
    this.smoothing = smoothLabel.appendChild(document.createElement('input'));
    this.smoothing.type = 'range';
    this.smoothing.min = '0';
    this.smoothing.max = '0.99';
    this.smoothing.step = '0.01';
    this.smoothing.value = String(model.get('smoothing') ?? 0.6);
    this.smoothing.className = 'workbench-livecurves-smoothing';
    this.panels = el.appendChild(document.createElement('div'));
    this.panels.className = 'workbench-livecurves-panels';
    this.logBox.addEventListener('change', () => this.schedule());
    this.smoothing.addEventListener('input', () => this.schedule());
    this.onMessage = (content: IMessage, buffers: (ArrayBuffer | DataView)[]) =>
      this.receive(content, buffers);
    this.onChange = () => {
      this.renderHeader();
      this.schedule();
    };
    model.on('msg:custom', this.onMessage as never);
    model.on('change:progress', this.onChange);
    model.on('change:state', this.onChange);
    model.on('change:bad_values', this.onChange);
    // The snapshot output is added after the run ends: look for it once it is announced. It is
    // hidden only while this view has points to draw (hideSnapshot): a view rebuilt from saved
    // widget state without a kernel gets no points, and the snapshot must stay the picture.
    this.onSnapshot = () => {
      for (const delay of [0, 200, 1000]) {
        setTimeout(() => this.hideSnapshot(), delay);
      }
    };
    model.on('change:snapshot', this.onSnapshot);
    this.renderHeader();
    model.send({ type: 'sync' }); // the kernel answers with a reset of every series
  }

  dispose(): void {
    this.model.off('msg:custom', this.onMessage as never);
    this.model.off('change:progress', this.onChange);
    this.model.off('change:state', this.onChange);
    this.model.off('change:bad_values', this.onChange);
    this.model.off('change:snapshot', this.onSnapshot);
    if (this.frame !== null) {
      cancelAnimationFrame(this.frame);
    }
  }

  private receive(
    content: IMessage,
    buffers: (ArrayBuffer | DataView)[]
  ): void {
    if (content.type !== 'reset' && content.type !== 'append') {
      return;
    }
    content.series.forEach((header, i) => {
      let series = this.series.get(header.key);
      if (!series) {
        series = new Series(header.key, header.group, header.split);
        this.series.set(header.key, series);
      }
      if (content.type === 'reset') {
        series.clear();
      }
      const steps = buffers[2 * i];
      const values = buffers[2 * i + 1];
      if (steps && values) {
        series.push(toFloat64(steps), toFloat64(values));
      }
    });
    this.schedule();
  }

  /** The saved-notebook snapshot next to this view is for when the view cannot render. */
  private hideSnapshot(): void {
    const id = String(this.model.get('run_id') ?? '');
    if (!id || this.drawn === 0) {
      return;
    }
    for (const node of Array.from(
      document.querySelectorAll<HTMLElement>(
        `[data-workbench-snapshot="${id}"]`
      )
    )) {
      const output = node.closest<HTMLElement>('.jp-OutputArea-child') ?? node;
      output.style.display = 'none';
    }
  }

  private renderHeader(): void {
    const progress = (this.model.get('progress') ?? {}) as IProgress;
    const state = String(this.model.get('state') ?? '');
    const title = String(this.model.get('title') ?? '');
    const bad = (this.model.get('bad_values') ?? []) as IBadValue[];
    this.header.textContent = '';
    const strong = this.header.appendChild(document.createElement('b'));
    strong.textContent = title;
    this.header.appendChild(document.createTextNode(` · ${state}`));
    if (progress.text) {
      const span = this.header.appendChild(document.createElement('span'));
      span.className = 'workbench-livecurves-progress';
      span.textContent = ` · ${progress.text}`;
    }
    if (bad.length) {
      const span = this.header.appendChild(document.createElement('span'));
      span.className = 'workbench-livecurves-bad';
      span.textContent =
        ' · ' +
        bad.map(b => `${b.key}=${b.value} at step ${b.step}`).join(', ');
    }
  }

  private schedule(): void {
    if (this.frame === null) {
      this.frame = requestAnimationFrame(() => {
        this.frame = null;
        this.draw();
      });
    }
  }

  private draw(): void {
    const groups = new Map<string, Series[]>();
    for (const series of this.series.values()) {
      const list = groups.get(series.group) ?? [];
      list.push(series);
      groups.set(series.group, list);
    }
    let drawn = 0;
    for (const [group, list] of groups) {
      let canvas = this.canvases.get(group);
      if (!canvas) {
        const panel = this.panels.appendChild(document.createElement('div'));
        panel.className = 'workbench-livecurves-panel';
        panel.dataset.group = group;
        canvas = panel.appendChild(document.createElement('canvas'));
        this.canvases.set(group, canvas);
      }
      const points = this.drawPanel(canvas, group, list);
      // what tests (and curious users) can read: the points this panel drew from
      canvas.parentElement?.setAttribute('data-points', String(points));
      drawn += points;
    }
    const first = this.drawn === 0 && drawn > 0;
    this.drawn = drawn;
    if (first) {
      this.hideSnapshot(); // the live view now shows what the snapshot shows
    }
  }

  /** Draws one panel; returns how many finite points it drew from. */
  private drawPanel(
    canvas: HTMLCanvasElement,
    group: string,
    list: Series[]
  ): number {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(200, canvas.parentElement?.clientWidth ?? 320);
    const height = 200;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) {
      return 0;
    }
    ctx.scale(ratio, ratio);
    ctx.clearRect(0, 0, width, height);
    const log = this.logBox.checked;
    const weight = Number(this.smoothing.value);
    const left = 48;
    const right = 8;
    const top = 18;
    const bottom = 22;
    const plotted = list.map(s => ({
      s,
      v: smooth(s.values, s.length, weight)
    }));
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    let points = 0;
    for (const { s, v } of plotted) {
      for (let i = 0; i < s.length; i++) {
        const x = s.steps[i] as number;
        const y = v[i] as number;
        if (!Number.isFinite(y) || (log && y <= 0)) {
          continue;
        }
        points++;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        const t = log ? Math.log10(y) : y;
        y0 = Math.min(y0, t);
        y1 = Math.max(y1, t);
      }
    }
    ctx.font = '11px sans-serif';
    ctx.fillStyle = '#555';
    ctx.fillText(group, left, 12);
    if (!Number.isFinite(x0)) {
      return 0;
    }
    if (x1 === x0) {
      x1 = x0 + 1;
    }
    if (y1 === y0) {
      y1 = y0 + 1;
      y0 -= 1;
    }
    const w = width - left - right;
    const h = height - top - bottom;
    const px = (x: number) => left + ((x - x0) / (x1 - x0)) * w;
    const py = (y: number) =>
      top + h - (((log ? Math.log10(y) : y) - y0) / (y1 - y0)) * h;
    ctx.strokeStyle = '#ccc';
    ctx.beginPath();
    ctx.rect(left, top, w, h);
    ctx.stroke();
    ctx.fillStyle = '#666';
    for (const t of niceTicks(y0, y1, 4)) {
      const y = top + h - ((t - y0) / (y1 - y0)) * h;
      ctx.fillText(format(log ? Math.pow(10, t) : t), 2, y + 4);
    }
    for (const t of niceTicks(x0, x1, 5)) {
      ctx.fillText(format(Math.round(t)), px(t) - 8, height - 6);
    }
    list.forEach((series, index) => {
      const values = plotted[index]?.v ?? series.values;
      ctx.strokeStyle =
        COLORS[series.split] ?? PALETTE[index % PALETTE.length] ?? '#000';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      // one pixel column holds at most its first, min, max and last point
      let column = -1;
      let lo = 0;
      let hi = 0;
      let started = false;
      for (let i = 0; i < series.length; i++) {
        const v = values[i] as number;
        if (!Number.isFinite(v) || (log && v <= 0)) {
          continue;
        }
        const x = Math.round(px(series.steps[i] as number));
        const y = py(v);
        if (x !== column) {
          if (started && lo !== hi) {
            ctx.lineTo(column, lo);
            ctx.lineTo(column, hi);
          }
          column = x;
          lo = y;
          hi = y;
          if (started) {
            ctx.lineTo(x, y);
          } else {
            ctx.moveTo(x, y);
            started = true;
          }
        } else {
          lo = Math.min(lo, y);
          hi = Math.max(hi, y);
        }
      }
      ctx.stroke();
      if (series.length < 2 && series.length === 1) {
        const v = values[0] as number;
        if (Number.isFinite(v)) {
          ctx.fillStyle = ctx.strokeStyle;
          ctx.fillRect(px(series.steps[0] as number) - 2, py(v) - 2, 4, 4);
        }
      }
    });
    // NaN/Inf: a red mark at the top of the panel, at their step
    const bad = (this.model.get('bad_values') ?? []) as IBadValue[];
    ctx.fillStyle = '#d62728';
    for (const b of bad) {
      if (list.some(s => s.key === b.key)) {
        ctx.fillText('▼', px(Math.min(Math.max(b.step, x0), x1)) - 4, top + 10);
      }
    }
    let legend = left + 60;
    list.forEach((series, index) => {
      ctx.fillStyle =
        COLORS[series.split] ?? PALETTE[index % PALETTE.length] ?? '#000';
      ctx.fillText(series.split, legend, 12);
      legend += ctx.measureText(series.split).width + 12;
    });
    return points;
  }

  private header: HTMLElement;
  private panels: HTMLElement;
  private logBox: HTMLInputElement;
  private smoothing: HTMLInputElement;
  private series = new Map<string, Series>();
  private canvases = new Map<string, HTMLCanvasElement>();
  private frame: number | null = null;
  private drawn = 0; // finite points drawn in the last frame, over all panels
  private onMessage: (
    content: IMessage,
    buffers: (ArrayBuffer | DataView)[]
  ) => void;
  private onChange: () => void;
  private onSnapshot: () => void;
}

function toFloat64(buffer: ArrayBuffer | DataView): Float64Array {
  if (buffer instanceof DataView) {
    return new Float64Array(
      buffer.buffer.slice(
        buffer.byteOffset,
        buffer.byteOffset + buffer.byteLength
      )
    );
  }
  return new Float64Array(buffer);
}

export default {
  render({ model, el }: { model: IModel; el: HTMLElement }): () => void {
    const view = new View(model, el);
    return () => view.dispose();
  }
};
