/**
 * The live curves view: a header, controls and a grid of canvas panels (one
 * per metric group), fed by the kernel's columns messages and redrawn at most
 * once per frame.
 *
 * Once laid out, it asks the kernel for everything at its width (`sync`: the
 * width of its grid of panels, two a row; `resize` when that changes) and it
 * sends its smoothing and log-scale settings back as traits, so the run's
 * final chart is drawn as the view was. The kernel reads them when the cell
 * that runs the training is done (or at once, for a run fed from another
 * thread): meanwhile it sends its default width, and redraws the final chart
 * when late settings arrive.
 *
 * It lives as long as the run: when the run ends, the kernel replaces the
 * view's output with the run's final chart (plotly's, kept in the saved
 * notebook), which disposes the view.
 */

import { BufferLike } from '../lib/buffers';
import { FrameScheduler } from '../lib/frame';
import { ICurvesTraits, isColumnsMessage } from '../lib/messages';
import { IAnyModel, Model } from '../lib/model';
import { RequestClient } from '../lib/request';
import { ColumnSet } from './columns';
import { drawPanel } from './draw';
import { renderHeader } from './header';

const PER_ROW = 2; // panels per row (at most): the kernel's final chart has the same grid
const GAP = 8; // px between panels (style: .workbench-livecurves-panels)
const RESIZE_DELAY = 300; // ms a width must hold before the kernel is told

export class CurvesView {
  constructor(raw: IAnyModel, el: HTMLElement) {
    const model = (this.model = new Model<ICurvesTraits>(raw));
    this.client = new RequestClient(request => model.send(request));
    this.frames = new FrameScheduler(() => this.draw());
    el.classList.add('workbench-livecurves');
    this.header = el.appendChild(document.createElement('div'));
    this.header.className = 'workbench-livecurves-header';
    const controls = el.appendChild(document.createElement('div'));
    controls.className = 'workbench-livecurves-controls';
    this.logBox = this.checkbox(controls, model.get('log_scale') ?? false);
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
    model.on('change:bad_values', changed);
    model.on('change:state', () => {
      this.renderHeader();
      this.frames.schedule();
      if (model.get('state') !== 'running') {
        // the run's chart replaces this view in a moment: show its last state until then
        this.frames.flush();
      }
    });
    model.on('change:smoothing', () => this.settingsChanged());
    model.on('change:log_scale', () => this.settingsChanged());
    this.resize = new ResizeObserver(() => this.resized());
    this.resize.observe(this.panels);
    this.renderHeader();
  }

  dispose(): void {
    this.closed = true;
    this.model.dispose();
    this.client.dispose();
    this.frames.dispose();
    this.resize.disconnect();
    if (this.resizeTimer !== null) {
      clearTimeout(this.resizeTimer);
    }
  }

  private receive(content: unknown, buffers: readonly BufferLike[]): void {
    if (this.client.handle(content) || !isColumnsMessage(content)) {
      return;
    }
    try {
      this.columns.apply(content, buffers);
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

  /** The grid of panels' width in CSS pixels (the kernel sizes its columns to it). */
  private gridWidth(): number {
    return Math.round(this.panels.clientWidth);
  }

  /** A panel's width: the grid's, shared by two a row (as the kernel reckons it). */
  private panelWidth(): number {
    const perRow = Math.min(PER_ROW, Math.max(1, this.columns.groups().size));
    const width = this.panels.clientWidth || 640;
    return Math.max(200, (width - GAP * (perRow - 1)) / perRow);
  }

  private resized(): void {
    const width = this.gridWidth();
    if (width === this.width || width <= 0) {
      return; // not laid out (yet): nothing to draw, nothing to ask for
    }
    this.width = width;
    this.frames.schedule();
    if (this.told < 0) {
      this.told = width; // laid out: everything, at this width
      this.client.request('sync', { width }).catch(error => this.failed(error));
      return;
    }
    if (this.resizeTimer !== null) {
      clearTimeout(this.resizeTimer);
    }
    this.resizeTimer = setTimeout(() => {
      this.resizeTimer = null;
      if (this.width !== this.told && !this.closed) {
        this.told = this.width;
        this.client
          .request('resize', { width: this.told })
          .catch(error => this.failed(error));
      }
    }, RESIZE_DELAY);
  }

  private settingsChanged(): void {
    const smoothing = this.model.get('smoothing') ?? 0.6;
    if (Number(this.smoothing.value) !== smoothing) {
      this.smoothing.value = String(smoothing);
    }
    this.logBox.checked = this.model.get('log_scale') ?? false;
    this.showSmoothing();
    this.frames.schedule();
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
    const groups = this.columns.groups();
    this.panels.style.gridTemplateColumns = `repeat(${Math.min(PER_ROW, Math.max(1, groups.size))}, minmax(0, 1fr))`;
    const width = Math.floor(this.panelWidth());
    for (const [group, list] of groups) {
      const canvas = this.canvas(group);
      const drawn = drawPanel(canvas, group, list, {
        width,
        ratio: window.devicePixelRatio || 1,
        log: this.logBox.checked,
        smoothing: Number(this.smoothing.value),
        bad: this.model.get('bad_values') ?? []
      });
      // what tests (and curious users) can read: what this panel drew
      const panel = canvas.parentElement;
      if (panel) {
        panel.dataset.points = String(drawn.points);
        panel.dataset.columns = String(drawn.columns);
        panel.dataset.xTicks = drawn.xLabels.join('|');
        panel.dataset.yTicks = drawn.yLabels.join('|');
        panel.dataset.marks = drawn.marks.join('|');
      }
    }
  }

  private canvas(group: string): HTMLCanvasElement {
    let canvas = this.canvases.get(group);
    if (!canvas) {
      const panel = this.panels.appendChild(document.createElement('div'));
      panel.className = 'workbench-livecurves-panel';
      panel.dataset.group = group;
      canvas = panel.appendChild(document.createElement('canvas'));
      canvas.style.display = 'block';
      this.canvases.set(group, canvas);
    }
    return canvas;
  }

  private checkbox(parent: HTMLElement, checked: boolean): HTMLInputElement {
    const label = parent.appendChild(document.createElement('label'));
    const box = label.appendChild(document.createElement('input'));
    box.type = 'checkbox';
    box.className = 'workbench-livecurves-log';
    box.checked = checked;
    label.appendChild(document.createTextNode(' log scale'));
    box.addEventListener('change', () => {
      this.model.save('log_scale', box.checked);
      this.frames.schedule();
    });
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
    this.smoothingValue = label.appendChild(document.createElement('span'));
    this.smoothingValue.className = 'workbench-livecurves-smoothing-value';
    range.addEventListener('input', () => {
      this.showSmoothing(range);
      this.frames.schedule();
    });
    // the kernel hears the setting once the slider is let go (its final chart uses it)
    range.addEventListener('change', () =>
      this.model.save('smoothing', Number(range.value))
    );
    this.showSmoothing(range);
    return range;
  }

  private showSmoothing(range: HTMLInputElement = this.smoothing): void {
    if (this.smoothingValue) {
      this.smoothingValue.textContent = Number(range.value).toFixed(2);
    }
  }

  private readonly model: Model<ICurvesTraits>;
  private readonly client: RequestClient;
  private readonly frames: FrameScheduler;
  private readonly resize: ResizeObserver;
  private readonly header: HTMLElement;
  private readonly panels: HTMLElement;
  private readonly logBox: HTMLInputElement;
  private readonly smoothing: HTMLInputElement;
  private smoothingValue: HTMLElement | null = null;
  private readonly columns = new ColumnSet();
  private readonly canvases = new Map<string, HTMLCanvasElement>();
  private width = -1;
  private told = -1;
  private resizeTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
}
