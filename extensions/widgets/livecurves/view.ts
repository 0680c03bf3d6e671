/**
 * The live curves view: controls, a header and one canvas per metric group,
 * fed by the kernel's series messages and redrawn at most once per frame.
 *
 * It lives as long as the run: when the run ends, the kernel replaces the
 * view's output with the run's final chart (plotly's, kept in the saved
 * notebook) and closes the model, which disposes the view.
 */

import { FrameScheduler } from '../lib/frame';
import { BufferLike } from '../lib/buffers';
import { ICurvesTraits, isSeriesMessage } from '../lib/messages';
import { IAnyModel, Model } from '../lib/model';
import { RequestClient } from '../lib/request';
import { drawPanel } from './draw';
import { renderHeader } from './header';
import { SeriesSet } from './series';

export class CurvesView {
  constructor(raw: IAnyModel, el: HTMLElement) {
    const model = (this.model = new Model<ICurvesTraits>(raw));
    this.el = el;
    this.client = new RequestClient(request => model.send(request));
    this.frames = new FrameScheduler(() => this.draw());
    el.classList.add('workbench-livecurves');
    this.header = el.appendChild(document.createElement('div'));
    this.header.className = 'workbench-livecurves-header';
    const controls = el.appendChild(document.createElement('div'));
    controls.className = 'workbench-livecurves-controls';
    this.logBox = this.checkbox(
      controls,
      'workbench-livecurves-log',
      'log scale'
    );
    this.smoothing = this.slider(controls, model.get('smoothing') ?? 0.6);
    this.panels = el.appendChild(document.createElement('div'));
    this.panels.className = 'workbench-livecurves-panels';
    model.on('msg:custom', (content, buffers) =>
      this.receive(content, buffers)
    );
    const changed = (): void => {
      this.renderHeader();
      this.frames.schedule();
    };
    model.on('change:title', changed);
    model.on('change:progress', changed);
    model.on('change:state', changed);
    model.on('change:bad_values', changed);
    this.resize = new ResizeObserver(() => this.resized());
    this.resize.observe(el);
    this.renderHeader();
    this.client.request('sync').catch(error => this.failed(error)); // answered by a reset
  }

  dispose(): void {
    this.closed = true;
    this.model.dispose();
    this.client.dispose();
    this.frames.dispose();
    this.resize.disconnect();
  }

  private receive(content: unknown, buffers: readonly BufferLike[]): void {
    if (this.client.handle(content) || !isSeriesMessage(content)) {
      return;
    }
    try {
      this.series.apply(content, buffers);
    } catch (error) {
      console.error('workbench live curves: a malformed message', error);
    }
    this.frames.schedule();
  }

  private failed(error: unknown): void {
    if (!this.closed) {
      console.warn('workbench live curves: no curves from the kernel', error);
    }
  }

  private resized(): void {
    if (this.el.clientWidth !== this.width) {
      this.width = this.el.clientWidth;
      this.frames.schedule();
    }
  }

  private renderHeader(): void {
    renderHeader(this.header, {
      title: this.model.get('title') ?? '',
      state: this.model.get('state') ?? '',
      progress: this.model.get('progress') ?? {},
      bad: this.model.get('bad_values') ?? []
    });
  }

  private draw(): void {
    for (const [group, list] of this.series.groups()) {
      const canvas = this.canvas(group);
      const points = drawPanel(canvas, group, list, {
        width: Math.max(200, canvas.parentElement?.clientWidth ?? 320),
        ratio: window.devicePixelRatio || 1,
        log: this.logBox.checked,
        smoothing: Number(this.smoothing.value),
        bad: this.model.get('bad_values') ?? []
      });
      // what tests (and curious users) can read: the points this panel drew from
      canvas.parentElement?.setAttribute('data-points', String(points));
    }
  }

  private canvas(group: string): HTMLCanvasElement {
    let canvas = this.canvases.get(group);
    if (!canvas) {
      const panel = this.panels.appendChild(document.createElement('div'));
      panel.className = 'workbench-livecurves-panel';
      panel.dataset.group = group;
      canvas = panel.appendChild(document.createElement('canvas'));
      this.canvases.set(group, canvas);
    }
    return canvas;
  }

  private checkbox(
    parent: HTMLElement,
    name: string,
    text: string
  ): HTMLInputElement {
    const label = parent.appendChild(document.createElement('label'));
    const box = label.appendChild(document.createElement('input'));
    box.type = 'checkbox';
    box.className = name;
    label.appendChild(document.createTextNode(` ${text}`));
    box.addEventListener('change', () => this.frames.schedule());
    return box;
  }

  private slider(parent: HTMLElement, value: number): HTMLInputElement {
    const label = parent.appendChild(document.createElement('label'));
    label.appendChild(document.createTextNode('smoothing '));
    const range = label.appendChild(document.createElement('input'));
    range.type = 'range';
    range.min = '0';
    range.max = '0.99';
    range.step = '0.01';
    range.value = String(value);
    range.className = 'workbench-livecurves-smoothing';
    range.addEventListener('input', () => this.frames.schedule());
    return range;
  }

  private readonly model: Model<ICurvesTraits>;
  private readonly el: HTMLElement;
  private readonly client: RequestClient;
  private readonly frames: FrameScheduler;
  private readonly resize: ResizeObserver;
  private readonly header: HTMLElement;
  private readonly panels: HTMLElement;
  private readonly logBox: HTMLInputElement;
  private readonly smoothing: HTMLInputElement;
  private readonly series = new SeriesSet();
  private readonly canvases = new Map<string, HTMLCanvasElement>();
  private width = -1;
  private closed = false;
}
