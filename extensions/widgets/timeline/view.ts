/**
 * The timeline view: a header with the verdict, a search box, a minimap of
 * the whole capture, and the lanes, drawn from the frames the kernel sends.
 *
 * The kernel holds the events; the view asks for a `frame` of the window it
 * shows (one request in flight, the latest window asked next) and redraws
 * the frame it has at the new zoom at once, so zooming and panning never
 * wait for the kernel. Wheel zooms at the cursor (shift+wheel pans), a drag
 * pans, the minimap moves the window, W/S/A/D zoom and pan as in
 * TensorBoard's trace viewer, a click pins an item's tooltip.
 */

import { BufferLike } from '../lib/buffers';
import { FrameScheduler } from '../lib/frame';
import { IAnyModel, Model } from '../lib/model';
import { RequestClient } from '../lib/request';
import { toUint8 } from '../lib/typed';
import {
  ITheme,
  drawMain,
  drawMinimap,
  sizeCanvas,
  themeOf,
  windowText
} from './draw';
import { IFrame, decodeFrame, itemAt } from './frame';
import { ILayout, layout, laneOf, rowAt, shortThread } from './layout';
import {
  IEventDetails,
  IMatchResult,
  ISearchResult,
  ITimelineMeta,
  ITimelineTraits,
  isFrameHeader,
  isMeta
} from './messages';
import { IHovered, renderTooltip } from './tooltip';
import { Viewport } from './viewport';

const LABELS_PX = 200;
const MINIMAP_PX = 36;
const OFFLINE_AFTER_MS = 4000;
const DETAILS_AFTER_MS = 120;
const SEARCH_AFTER_MS = 250;

/** Where the mouse is: what hit testing and the tooltip's place need of a MouseEvent. */
type Pointer = Pick<MouseEvent, 'offsetX' | 'offsetY' | 'clientX' | 'clientY'>;

export class TimelineView {
  constructor(raw: IAnyModel, el: HTMLElement) {
    const model = (this.model = new Model<ITimelineTraits>(raw));
    this.el = el;
    this.started = performance.now();
    this.client = new RequestClient(request => model.send(request));
    this.frames = new FrameScheduler(() => this.draw());
    el.classList.add('workbench-timeline');
    el.tabIndex = 0;
    el.dataset.state = 'waiting';

    const header = el.appendChild(document.createElement('div'));
    header.className = 'workbench-timeline-header';
    this.title = header.appendChild(document.createElement('span'));
    this.title.className = 'workbench-timeline-title';
    this.subtitle = header.appendChild(document.createElement('span'));
    this.subtitle.className = 'workbench-timeline-subtitle';

    const controls = el.appendChild(document.createElement('div'));
    controls.className = 'workbench-timeline-controls';
    this.search = controls.appendChild(document.createElement('input'));
    this.search.type = 'search';
    this.search.placeholder = 'search ops (Enter: next match)';
    this.search.className = 'workbench-timeline-search';
    this.matches = controls.appendChild(document.createElement('span'));
    this.matches.className = 'workbench-timeline-matches';
    const reset = controls.appendChild(document.createElement('button'));
    reset.textContent = 'whole capture';
    reset.className = 'workbench-timeline-reset';
    reset.addEventListener('click', () =>
      this.setViewport(this.viewport?.reset())
    );
    this.status = controls.appendChild(document.createElement('span'));
    this.status.className = 'workbench-timeline-status';

    this.minimap = el.appendChild(document.createElement('canvas'));
    this.minimap.className = 'workbench-timeline-minimap';
    this.scroll = el.appendChild(document.createElement('div'));
    this.scroll.className = 'workbench-timeline-scroll';
    const body = this.scroll.appendChild(document.createElement('div'));
    body.className = 'workbench-timeline-body';
    this.labels = body.appendChild(document.createElement('div'));
    this.labels.className = 'workbench-timeline-labels';
    this.canvas = body.appendChild(document.createElement('canvas'));
    this.canvas.className = 'workbench-timeline-main';
    this.tooltip = el.appendChild(document.createElement('div'));
    this.tooltip.className = 'workbench-timeline-tooltip';
    this.tooltip.hidden = true;
    this.offline = el.appendChild(document.createElement('div'));
    this.offline.className = 'workbench-timeline-offline';
    this.offline.hidden = true;

    model.on('msg:custom', (content, buffers) =>
      this.receive(content, buffers)
    );
    const changed = (): void => this.renderHeader();
    for (const trait of ['title', 'subtitle', 'state', 'error'] as const) {
      model.on(`change:${trait}`, changed);
    }
    model.on('change:first', () => this.applyFirst());
    this.listen();
    this.resize = new ResizeObserver(() => this.resized());
    this.resize.observe(el);
    this.renderHeader();
    this.client
      .request('sync', { width: this.mainWidth() })
      .then(() => (this.answered = true))
      .catch(error => this.failed('sync', error));
    this.applyFirst(); // after the sync: a busy kernel answers requests in order
    this.offlineTimer = window.setTimeout(
      () => this.showOffline(),
      OFFLINE_AFTER_MS
    );
  }

  dispose(): void {
    this.closed = true;
    window.clearTimeout(this.offlineTimer);
    window.clearTimeout(this.detailsTimer);
    window.clearTimeout(this.searchTimer);
    this.model.dispose();
    this.client.dispose();
    this.frames.dispose();
    this.resize.disconnect();
    for (const [target, event, handler] of this.windowListeners) {
      target.removeEventListener(event, handler);
    }
  }

  // --- messages from the kernel -----------------------------------------

  private receive(content: unknown, buffers: readonly BufferLike[]): void {
    if (this.client.handle(content)) {
      return;
    }
    try {
      if (isMeta(content)) {
        this.applyMeta(content, buffers);
      } else if (isFrameHeader(content)) {
        if (!this.meta) {
          return; // a frame before the capture's shape: the meta follows a sync
        }
        for (const [id, name] of Object.entries(content.names)) {
          this.names.set(Number(id), name);
        }
        if (content.seq >= this.applied) {
          this.applied = content.seq;
          this.frame = decodeFrame(content, buffers, this.meta.rows);
          this.restorePin();
          this.rehover(); // the hovered item's index was the old frame's
          this.frames.schedule();
        }
      }
    } catch (error) {
      console.error('workbench timeline: a malformed message', error);
    }
  }

  /**
   * A frame the kernel put in the view's state because it cannot answer
   * requests now (its cell runs on): drawn at once, without asking.
   */
  private applyFirst(): void {
    const first = this.model.get('first');
    if (!first?.meta || !first.frame || !first.buffers || !first.overview) {
      return;
    }
    this.receive(first.meta, [first.overview]);
    if (this.meta && this.applied === 0 && !this.frame) {
      this.receive(first.frame, first.buffers);
    }
  }

  private applyMeta(meta: ITimelineMeta, buffers: readonly BufferLike[]): void {
    this.answered = true;
    if (!meta.ready) {
      this.renderHeader();
      return;
    }
    this.meta = meta;
    this.busy = buffers[0] ? toUint8(buffers[0]) : new Uint8Array();
    this.layout = layout(meta.lanes, meta.rows);
    if (!this.viewport || this.viewport.span !== meta.span) {
      this.viewport = new Viewport(meta.span);
    }
    this.offline.hidden = true;
    this.renderLabels();
    this.renderHeader();
    this.frames.schedule();
    this.requestFrame();
  }

  // --- frames -----------------------------------------------------------

  private requestFrame(): void {
    const viewport = this.viewport;
    if (!viewport || !this.meta || this.closed) {
      return;
    }
    if (this.inflight) {
      this.wanted = true;
      return;
    }
    this.inflight = true;
    const seq = ++this.seq;
    const asked = performance.now();
    this.client
      .request('frame', {
        t0: viewport.t0,
        t1: viewport.t1,
        width: this.mainWidth(),
        seq
      })
      .then(() => {
        this.el.dataset.frameMs = (performance.now() - asked).toFixed(1);
      })
      .catch(error => this.failed('frame', error))
      .finally(() => {
        this.inflight = false;
        if (this.wanted) {
          this.wanted = false;
          this.requestFrame();
        }
      });
  }

  private setViewport(viewport: Viewport | undefined): void {
    if (!viewport) {
      return;
    }
    this.viewport = viewport;
    this.draw(); // at once, from the frame at hand; the kernel's finer one follows
    this.rehover(); // another item is under the resting mouse now
    this.requestFrame();
  }

  // --- drawing -----------------------------------------------------------

  private draw(): void {
    const viewport = this.viewport;
    const grid = this.layout;
    if (!viewport || !grid || !this.meta) {
      return;
    }
    const began = performance.now();
    const width = this.mainWidth();
    const ratio = window.devicePixelRatio || 1;
    this.theme ??= themeOf(this.el); // read once: getComputedStyle costs a layout
    const ctx = sizeCanvas(this.canvas, width, grid.height, ratio);
    let drawn = 0;
    if (ctx) {
      drawn = drawMain(ctx, {
        frame: this.frame,
        names: this.names,
        lanes: this.meta.lanes,
        steps: this.meta.steps,
        layout: grid,
        viewport,
        width,
        ratio,
        pinned: this.pinned?.item ?? -1,
        hover: this.hover,
        theme: this.theme
      });
    }
    const full = this.el.clientWidth || width + LABELS_PX;
    const mini = sizeCanvas(this.minimap, full, MINIMAP_PX, ratio);
    if (mini) {
      drawMinimap(
        mini,
        this.busy,
        this.meta.lanes.length,
        this.meta.bins,
        viewport,
        this.meta.steps,
        full,
        MINIMAP_PX,
        this.theme
      );
    }
    const took = performance.now() - began;
    const data = this.el.dataset;
    data.state = 'ready';
    data.items = String(drawn);
    data.drawMs = took.toFixed(1);
    data.drawnAt = performance.now().toFixed(1); // when, on the page's clock: for benchmarks
    data.window = `${viewport.t0},${viewport.t1}`;
    if (this.frame) {
      data.seq = String(this.frame.seq);
      data.level = String(this.frame.level);
      data.events = String(this.frame.events);
      if (data.firstFrameMs === undefined) {
        data.firstFrameMs = (performance.now() - this.started).toFixed(1);
      }
    }
    this.status.textContent = `${windowText(viewport)} · ${drawn.toLocaleString()} items`;
  }

  private renderHeader(): void {
    this.title.textContent = this.model.get('title') ?? '';
    const state = this.model.get('state') ?? '';
    const error = this.model.get('error') ?? '';
    this.subtitle.textContent =
      state === 'failed'
        ? `could not be shown: ${error}`
        : state === 'converting'
          ? 'converting the capture…'
          : (this.model.get('subtitle') ?? '');
    this.el.dataset.kernelState = state;
  }

  private renderLabels(): void {
    const meta = this.meta;
    const grid = this.layout;
    if (!meta || !grid) {
      return;
    }
    this.labels.style.height = `${grid.height}px`;
    const seen = new Map<string, number>();
    this.labels.replaceChildren(
      ...meta.lanes.map((lane, i) => {
        const label = document.createElement('div');
        label.className = 'workbench-timeline-label';
        label.style.top = `${grid.laneTop[i] ?? 0}px`;
        label.title = `${lane.label}\n${lane.events.toLocaleString()} events`;
        const short = shortThread(lane.thread);
        const count = (seen.get(short) ?? 0) + 1; // two pools of one name: "pool", "pool (2)"
        seen.set(short, count);
        label.textContent = count > 1 ? `${short} (${count})` : short;
        return label;
      })
    );
  }

  private showOffline(): void {
    if (this.answered || this.closed || this.meta) {
      return;
    }
    const picture = this.model.get('overview') ?? '';
    this.offline.replaceChildren();
    const note = this.offline.appendChild(document.createElement('p'));
    note.textContent =
      'The kernel that made this timeline does not answer (restarted, or this notebook was reopened): ' +
      'run the profile again to explore it.';
    if (picture.startsWith('data:image/png;base64,')) {
      const image = this.offline.appendChild(document.createElement('img'));
      image.src = picture;
      image.alt = 'timeline overview';
    }
    this.offline.hidden = false;
    this.el.dataset.state = 'offline';
  }

  // --- input ------------------------------------------------------------

  private listen(): void {
    const canvas = this.canvas;
    canvas.addEventListener('wheel', event => this.wheel(event), {
      passive: false
    });
    canvas.addEventListener('mousedown', event => this.pressed(event));
    canvas.addEventListener('mousemove', event => this.moved(event));
    canvas.addEventListener('mouseleave', () => this.left());
    this.minimap.addEventListener('mousedown', event => {
      this.minimapDrag = true;
      this.minimapTo(event);
    });
    this.onWindow('mousemove', event => this.dragged(event as MouseEvent));
    this.onWindow('mouseup', event => this.released(event as MouseEvent));
    this.el.addEventListener('keydown', event => this.key(event));
    this.search.addEventListener('input', () => {
      window.clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(
        () => this.runSearch(),
        SEARCH_AFTER_MS
      );
    });
    this.search.addEventListener('keydown', event => {
      event.stopPropagation(); // W/A/S/D are letters here
      if (event.key === 'Enter') {
        event.preventDefault();
        window.clearTimeout(this.searchTimer);
        void this.runSearch().then(() => this.nextMatch());
      }
    });
  }

  private onWindow(event: string, handler: (event: Event) => void): void {
    window.addEventListener(event, handler);
    this.windowListeners.push([window, event, handler]);
  }

  private wheel(event: WheelEvent): void {
    const viewport = this.viewport;
    if (!viewport) {
      return;
    }
    event.preventDefault();
    const width = this.mainWidth();
    const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? width : 1;
    const dx = event.deltaX * unit;
    const dy = event.deltaY * unit;
    if (event.shiftKey || Math.abs(dx) > Math.abs(dy)) {
      const delta = event.shiftKey && dx === 0 ? dy : dx;
      this.setViewport(viewport.pan((delta / width) * viewport.duration));
    } else {
      const anchor = Math.min(1, Math.max(0, event.offsetX / width));
      this.setViewport(viewport.zoom(Math.exp(-dy * 0.002), anchor));
    }
  }

  private pressed(event: MouseEvent): void {
    if (!this.viewport || event.button !== 0) {
      return;
    }
    this.drag = { x: event.clientX, viewport: this.viewport, moved: 0 };
    this.canvas.classList.add('dragging');
  }

  private dragged(event: MouseEvent): void {
    if (this.minimapDrag) {
      this.minimapTo(event);
      return;
    }
    const drag = this.drag;
    if (!drag) {
      return;
    }
    const dx = event.clientX - drag.x;
    drag.moved = Math.max(drag.moved, Math.abs(dx));
    if (drag.moved >= 3) {
      const width = this.mainWidth();
      this.setViewport(
        drag.viewport.pan((-dx / width) * drag.viewport.duration)
      );
    }
  }

  private released(event: MouseEvent): void {
    this.minimapDrag = false;
    const drag = this.drag;
    this.drag = null;
    this.canvas.classList.remove('dragging');
    if (drag && drag.moved < 3 && event.target === this.canvas) {
      this.togglePin(event);
    }
  }

  private minimapTo(event: MouseEvent): void {
    const viewport = this.viewport;
    if (!viewport) {
      return;
    }
    const box = this.minimap.getBoundingClientRect();
    const x = Math.min(Math.max(event.clientX - box.left, 0), box.width);
    this.setViewport(
      viewport.centre((x / Math.max(box.width, 1)) * viewport.span)
    );
  }

  private key(event: KeyboardEvent): void {
    const viewport = this.viewport;
    if (!viewport) {
      return;
    }
    const moves: Record<string, () => Viewport> = {
      w: () => viewport.zoom(1.5),
      s: () => viewport.zoom(1 / 1.5),
      a: () => viewport.pan(-viewport.duration * 0.2),
      d: () => viewport.pan(viewport.duration * 0.2),
      '0': () => viewport.reset()
    };
    const move = moves[event.key.toLowerCase()];
    if (move) {
      event.preventDefault();
      this.setViewport(move());
    } else if (event.key === 'Escape' && this.pinned) {
      this.pinned = null;
      this.tooltip.hidden = true;
      this.tooltip.classList.remove('pinned');
      this.frames.schedule();
    }
  }

  // --- hover and pin ----------------------------------------------------

  private itemUnder(event: Pointer): number {
    const viewport = this.viewport;
    const frame = this.frame;
    if (!viewport || !frame || !this.meta) {
      return -1;
    }
    const width = this.mainWidth();
    const row = rowAt(this.meta.lanes, event.offsetY);
    const t = viewport.toTime(event.offsetX, width);
    return itemAt(frame, row, t, (3 / width) * viewport.duration);
  }

  private moved(event: Pointer): void {
    this.pointer = {
      offsetX: event.offsetX,
      offsetY: event.offsetY,
      clientX: event.clientX,
      clientY: event.clientY
    };
    if (this.drag && this.drag.moved >= 3) {
      return;
    }
    const item = this.itemUnder(event);
    if (item !== this.hover) {
      this.hover = item;
      this.frames.schedule();
    }
    if (this.pinned) {
      return;
    }
    if (item < 0) {
      this.tooltip.hidden = true;
      this.el.dataset.hover = '';
      return;
    }
    this.showTooltip(item, event, false);
  }

  /** Hit-tests again where the mouse rests (after a new frame or a zoom). */
  private rehover(): void {
    this.hover = -1;
    if (this.pointer) {
      this.moved(this.pointer);
    } else if (!this.pinned) {
      this.tooltip.hidden = true;
    }
  }

  private left(): void {
    this.pointer = null;
    this.hover = -1;
    if (!this.pinned) {
      this.tooltip.hidden = true;
    }
    this.frames.schedule();
  }

  private togglePin(event: MouseEvent): void {
    const item = this.itemUnder(event);
    if (item < 0 || (this.pinned && this.pinned.item === item)) {
      this.pinned = null;
      this.tooltip.classList.remove('pinned');
      this.tooltip.hidden = item < 0;
      if (item >= 0) {
        this.showTooltip(item, event, false);
      }
    } else {
      const frame = this.frame as IFrame;
      this.pinned = {
        item,
        ref: frame.ref[item] as number,
        start: this.itemStart(item)
      };
      this.tooltip.classList.add('pinned');
      this.showTooltip(item, event, true);
    }
    this.el.dataset.pinned = this.pinned ? String(this.pinned.ref) : '';
    this.frames.schedule();
  }

  private itemStart(item: number): number {
    const frame = this.frame as IFrame;
    return frame.t0 + (frame.start[item] as number);
  }

  /** After a new frame: the pinned event's index in it (blocks are pinned by time). */
  private restorePin(): void {
    const pin = this.pinned;
    const frame = this.frame;
    if (!pin || !frame) {
      return;
    }
    pin.item = -1;
    for (let i = 0; i < frame.n; i++) {
      if (
        pin.ref >= 0
          ? frame.ref[i] === pin.ref
          : Math.abs(this.itemStart(i) - pin.start) < 1e-3
      ) {
        pin.item = i;
        break;
      }
    }
  }

  private showTooltip(item: number, event: Pointer, pinned: boolean): void {
    const frame = this.frame;
    const meta = this.meta;
    if (!frame || !meta) {
      return;
    }
    const ref = frame.ref[item] as number;
    const row = frame.row[item] as number;
    const hovered: IHovered = {
      name: this.names.get(frame.name[item] as number) ?? '',
      start: this.itemStart(item),
      dur: frame.dur[item] as number,
      count: ref < 0 ? -ref : 1,
      thread: laneOf(meta.lanes, row)?.thread ?? ''
    };
    const known = ref >= 0 ? (this.details.get(ref) ?? null) : null;
    renderTooltip(this.tooltip, hovered, known, pinned);
    this.placeTooltip(event);
    this.tooltip.hidden = false;
    this.el.dataset.hover = hovered.name;
    window.clearTimeout(this.detailsTimer);
    if (ref >= 0 && !known) {
      this.detailsTimer = window.setTimeout(() => {
        this.client
          .request('details', { ref })
          .then(result => {
            const details = result as IEventDetails;
            this.details.set(ref, details);
            const current = this.pinned
              ? this.pinned.ref
              : (this.frame?.ref[this.hover] ?? -1);
            if (current === ref) {
              renderTooltip(
                this.tooltip,
                hovered,
                details,
                this.pinned !== null
              );
            }
          })
          .catch(error => this.failed('details', error));
      }, DETAILS_AFTER_MS);
    }
  }

  private placeTooltip(event: Pointer): void {
    const box = this.el.getBoundingClientRect();
    const x = event.clientX - box.left + 14;
    const y = event.clientY - box.top + 14;
    this.tooltip.style.left = `${Math.min(x, Math.max(0, box.width - 300))}px`;
    this.tooltip.style.top = `${y}px`;
  }

  // --- search -----------------------------------------------------------

  private async runSearch(): Promise<void> {
    const query = this.search.value.trim();
    if (query === this.query) {
      return;
    }
    this.query = query;
    this.lastMatch = -1;
    try {
      const result = (await this.client.request('search', {
        query
      })) as ISearchResult;
      this.matches.textContent = query
        ? `${result.events.toLocaleString()} events match (${result.names} names)`
        : '';
      this.el.dataset.matches = String(result.events);
    } catch (error) {
      this.failed('search', error);
    }
    this.requestFrame();
  }

  private async nextMatch(): Promise<void> {
    const viewport = this.viewport;
    if (!viewport || !this.query) {
      return;
    }
    try {
      const match = (await this.client.request('next', {
        after: this.lastMatch
      })) as IMatchResult | null;
      if (!match) {
        return;
      }
      this.lastMatch = match.start;
      this.pinned = { item: -1, ref: match.ref, start: match.start };
      this.el.dataset.pinned = String(match.ref);
      const width = Math.max(match.dur * 8, 20);
      const centre = match.start + match.dur / 2;
      this.setViewport(
        viewport.with({ t0: centre - width / 2, t1: centre + width / 2 })
      );
    } catch (error) {
      this.failed('next', error);
    }
  }

  // --- helpers ------------------------------------------------------------

  private mainWidth(): number {
    const total = this.el.clientWidth || 900;
    return Math.max(200, total - LABELS_PX - 2);
  }

  private resized(): void {
    const width = this.el.clientWidth;
    if (width !== this.width) {
      this.width = width;
      this.frames.schedule();
      this.requestFrame();
    }
  }

  private failed(what: string, error: unknown): void {
    if (!this.closed) {
      console.warn(`workbench timeline: ${what} failed`, error);
    }
  }

  private readonly model: Model<ITimelineTraits>;
  private readonly el: HTMLElement;
  private readonly client: RequestClient;
  private readonly frames: FrameScheduler;
  private readonly resize: ResizeObserver;
  private readonly started: number;
  private readonly title: HTMLElement;
  private readonly subtitle: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly matches: HTMLElement;
  private readonly status: HTMLElement;
  private readonly minimap: HTMLCanvasElement;
  private readonly scroll: HTMLElement;
  private readonly labels: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: HTMLElement;
  private readonly offline: HTMLElement;
  private readonly names = new Map<number, string>();
  private readonly details = new Map<number, IEventDetails>();
  private readonly windowListeners: [Window, string, (event: Event) => void][] =
    [];
  private meta: ITimelineMeta | null = null;
  private layout: ILayout | null = null;
  private busy: Uint8Array = new Uint8Array();
  private theme: ITheme | undefined;
  private viewport: Viewport | undefined;
  private frame: IFrame | null = null;
  private seq = 0;
  private applied = 0;
  private inflight = false;
  private wanted = false;
  private hover = -1;
  private pointer: Pointer | null = null;
  private pinned: { item: number; ref: number; start: number } | null = null;
  private drag: { x: number; viewport: Viewport; moved: number } | null = null;
  private minimapDrag = false;
  private query = '';
  private lastMatch = -1;
  private width = -1;
  private answered = false;
  private closed = false;
  private offlineTimer = 0;
  private detailsTimer = 0;
  private searchTimer = 0;
}
