/**
 * The projection view: title, colour-by menu, search, the drawing (2-D or
 * 3-D), legend with counts, a tooltip with the hovered row and a status line
 * (selection size, a clicked point's nearest neighbours).
 */

import { BufferLike } from '../lib/buffers';
import { IAnyModel, Model } from '../lib/model';
import { RequestClient } from '../lib/request';
import { toFloat32, toUint32, toUint8 } from '../lib/typed';
import {
  ILegendEntry,
  INeighborsResult,
  IProjectorTraits,
  IRowResult,
  isProjectorMessage
} from './messages';
import { IRenderer } from './renderer';
import { Scatter2D } from './scatter2d';
import { Scatter3D } from './scatter3d';
import { addStyle } from './style';

const HEIGHT = 420;
const NEIGHBORS = 10;

export class ProjectorView {
  constructor(raw: IAnyModel, el: HTMLElement) {
    addStyle();
    this.model = new Model<IProjectorTraits>(raw);
    this.requests = new RequestClient(request => this.model.send(request));
    this.root = el;
    el.classList.add('workbench-projector');
    const dims = this.model.get('dims') ?? 2;
    el.innerHTML = '';
    this.title = div('workbench-projector-title', el);
    const controls = div('workbench-projector-controls', el);
    this.colorSelect = document.createElement('select');
    this.colorSelect.title = 'Colour by';
    const colorLabel = document.createElement('label');
    colorLabel.textContent = 'colour by ';
    colorLabel.appendChild(this.colorSelect);
    controls.appendChild(colorLabel);
    this.search = document.createElement('input');
    this.search.type = 'search';
    this.search.placeholder = 'search labels…';
    controls.appendChild(this.search);
    const hint = document.createElement('span');
    hint.style.color = '#777';
    hint.textContent =
      dims === 3
        ? 'drag: rotate · wheel: zoom · shift-drag: select · click: neighbours'
        : 'drag: pan · wheel: zoom · shift-drag: lasso · click: neighbours';
    controls.appendChild(hint);
    const body = div('workbench-projector-body', el);
    this.stage = div('workbench-projector-stage', body);
    this.legend = div('workbench-projector-legend', body);
    this.status = div('workbench-projector-status', el);
    this.tooltip = div('workbench-projector-tooltip', document.body);
    const canvas = document.createElement('canvas');
    this.stage.appendChild(canvas);
    // JupyterLab's notebook reads a shift-mousedown as extending the cell selection and then
    // takes the mouse moves: a lasso or box drawn in the view is the view's alone
    for (const type of ['mousedown', 'pointerdown', 'dblclick']) {
      this.stage.addEventListener(type, event => event.stopPropagation());
    }
    const width = Math.max(200, (el.clientWidth || 760) - 200);
    const events = {
      hover: (i: number, x: number, y: number) => this.onHover(i, x, y),
      click: (i: number) => void this.onClick(i),
      select: (indices: number[]) => void this.onSelect(indices)
    };
    this.renderer =
      dims === 3
        ? new Scatter3D(canvas, width, HEIGHT, events)
        : new Scatter2D(canvas, width, HEIGHT, events);
    this.model.on('msg:custom', this.onMessage);
    this.model.on('change:legend', () => this.renderLegend());
    this.model.on('change:title', () => this.renderTitle());
    this.colorSelect.addEventListener('change', () => void this.changeColor());
    this.search.addEventListener('input', () => this.queueSearch());
    this.resizer = new ResizeObserver(() => this.onResize());
    this.resizer.observe(el);
    this.renderTitle();
    this.renderColumns();
    this.renderLegend();
    this.status.textContent = 'Loading points…';
    (
      el as unknown as { workbenchProjector: ProjectorView }
    ).workbenchProjector = this;
    void this.load();
  }

  /** The drawing (read by browser tests and the benchmark). */
  readonly renderer: IRenderer;
  /** When the first frame with points was drawn (performance.now()). */
  firstFrameAt = 0;
  /** When the points arrived (performance.now()). */
  pointsAt = 0;
  /** Bytes of point buffers received. */
  bytesReceived = 0;

  dispose(): void {
    this.disposed = true;
    this.resizer.disconnect();
    this.model.dispose();
    this.requests.dispose();
    this.renderer.dispose();
    this.tooltip.remove();
  }

  private async load(): Promise<void> {
    try {
      await this.requests.request('points');
    } catch (error) {
      this.status.textContent = `Could not load the points: ${String(error)}`;
    }
  }

  private onMessage = (
    content: unknown,
    buffers: readonly BufferLike[]
  ): void => {
    if (this.requests.handle(content) || !isProjectorMessage(content)) {
      return;
    }
    const first = buffers[0];
    if (first === undefined) {
      return;
    }
    if (content.type === 'points') {
      this.pointsAt = performance.now();
      const positions = toFloat32(first);
      this.bytesReceived += positions.byteLength;
      this.count = content.n;
      void this.renderer.setPoints(positions, this.codes).then(() => {
        requestAnimationFrame(() => {
          this.firstFrameAt = performance.now();
          this.status.textContent = `${this.count.toLocaleString()} points`;
        });
      });
    } else if (content.type === 'colors') {
      this.codes = toUint8(first);
      this.bytesReceived += this.codes.byteLength;
      const legend = this.model.get('legend') ?? [];
      void this.renderer.setColors(
        this.codes,
        legend.map(e => e.color)
      );
      this.renderColumns();
    } else if (content.type === 'highlight') {
      const indices = toUint32(first);
      if (content.kind === 'none' && this.highlighted !== 'search') {
        return; // an emptied search clears its own marks, not neighbours or a selection
      }
      this.highlighted = content.kind;
      this.renderer.highlight(indices, content.anchor);
      if (content.kind === 'search') {
        this.status.textContent = `${indices.length.toLocaleString()} points match “${this.search.value}”`;
      }
    }
  };

  private renderTitle(): void {
    this.title.textContent = this.model.get('title') ?? '';
  }

  private renderColumns(): void {
    const columns = this.model.get('columns') ?? [];
    const current = this.model.get('color_by') ?? '';
    this.colorSelect.innerHTML = '';
    for (const name of ['', ...columns]) {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name || '(none)';
      option.selected = name === current;
      this.colorSelect.appendChild(option);
    }
  }

  private renderLegend(): void {
    const legend: ILegendEntry[] = this.model.get('legend') ?? [];
    this.legend.innerHTML = '';
    const column = this.model.get('color_by') ?? '';
    if (column) {
      const head = div('', this.legend);
      head.style.fontWeight = 'bold';
      head.textContent = column;
    }
    for (const entry of legend) {
      const row = div('', this.legend);
      const swatch = document.createElement('span');
      swatch.style.background = entry.color;
      row.appendChild(swatch);
      row.appendChild(
        document.createTextNode(
          `${entry.label} (${entry.count.toLocaleString()})`
        )
      );
      row.title = `${entry.label}: ${entry.count.toLocaleString()} points`;
    }
  }

  private async changeColor(): Promise<void> {
    try {
      await this.requests.request('color', { column: this.colorSelect.value });
    } catch (error) {
      this.status.textContent = String(error);
    }
  }

  private queueSearch(): void {
    if (this.searchTimer) {
      clearTimeout(this.searchTimer);
    }
    this.searchTimer = setTimeout(() => {
      this.searchTimer = 0;
      void this.requests
        .request('search', { query: this.search.value })
        .catch(error => (this.status.textContent = String(error)));
    }, 200);
  }

  private onHover(index: number, clientX: number, clientY: number): void {
    this.hovered = index;
    if (index < 0) {
      this.tooltip.style.display = 'none';
      return;
    }
    this.tooltip.style.left = `${clientX + 12}px`;
    this.tooltip.style.top = `${clientY + 12}px`;
    const cached = this.rows.get(index);
    if (cached) {
      this.showRow(cached);
      return;
    }
    void this.requests
      .request('row', { index })
      .then(result => {
        const row = result as IRowResult;
        this.rows.set(index, row);
        if (this.rows.size > 2000) {
          this.rows.clear();
        }
        if (this.hovered === index) {
          this.showRow(row);
        }
      })
      .catch(() => undefined);
  }

  private showRow(result: IRowResult): void {
    const lines = Object.entries(result.row).map(([k, v]) => `${k}: ${v}`);
    this.tooltip.textContent = lines.length
      ? lines.join('\n')
      : `point ${result.index}`;
    this.tooltip.style.display = 'block';
  }

  private async onClick(index: number): Promise<void> {
    try {
      const result = (await this.requests.request('neighbors', {
        index,
        k: NEIGHBORS
      })) as INeighborsResult;
      const names = result.indices.map(
        (i, j) =>
          `${result.labels[j] || i} (${(result.distances[j] ?? 0).toPrecision(3)})`
      );
      this.status.textContent = `nearest to point ${index} in the original space: ${names.join(', ')}`;
    } catch (error) {
      this.status.textContent = String(error);
    }
  }

  private async onSelect(indices: number[]): Promise<void> {
    const buffer = new Uint32Array(indices).buffer;
    // the indices ride as a binary buffer (a lasso may hold a million points)
    const id = 1_000_000_000 + ++this.selects;
    this.model.raw.send(
      {
        type: 'request',
        id,
        method: 'select',
        params: { count: indices.length }
      },
      undefined,
      [buffer]
    );
    this.status.textContent = indices.length
      ? `${indices.length.toLocaleString()} points selected (proj.selected)`
      : 'selection cleared';
  }

  private onResize(): void {
    if (this.disposed) {
      return;
    }
    const width = Math.max(200, (this.root.clientWidth || 760) - 200);
    if (Math.abs(width - this.width) > 4) {
      this.width = width;
      this.renderer.resize(width, HEIGHT);
    }
  }

  private model: Model<IProjectorTraits>;
  private requests: RequestClient;
  private root: HTMLElement;
  private title: HTMLElement;
  private colorSelect: HTMLSelectElement;
  private search: HTMLInputElement;
  private stage: HTMLElement;
  private legend: HTMLElement;
  private status: HTMLElement;
  private tooltip: HTMLElement;
  private resizer: ResizeObserver;
  private codes = new Uint8Array(0);
  private count = 0;
  private hovered = -1;
  private rows = new Map<number, IRowResult>();
  private searchTimer: ReturnType<typeof setTimeout> | 0 = 0;
  private selects = 0;
  private highlighted = 'none';
  private width = 0;
  private disposed = false;
}

function div(className: string, parent: HTMLElement): HTMLDivElement {
  const node = document.createElement('div');
  if (className) {
    node.className = className;
  }
  parent.appendChild(node);
  return node;
}
