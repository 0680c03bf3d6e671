/**
 * The static fallback swap: the kernel leaves a snapshot of a finished view
 * in the output (marked `data-workbench-snapshot="<id>"`) for saved and
 * reopened notebooks. The live view hides it while it has something to show,
 * and shows it again when it has not (a notebook reopened without a kernel,
 * the view closed).
 *
 * Scoped to the view's own output area: the snapshot of the same run shown in
 * another cell stays as it is. The snapshot arrives after the view (when the
 * run ends), so a MutationObserver on that area notices it appear.
 */

/** The output area of a notebook cell (JupyterLab, Notebook 7, Voila). */
const OUTPUT_AREA = '.jp-OutputArea, .jp-Cell-outputArea';
/** One output of an output area: what is hidden (with its prompt). */
const OUTPUT = '.jp-OutputArea-child';

export class SnapshotSwap {
  /**
   * @param el the view's element.
   * @param id the id the view's snapshot is marked with (e.g. the run id).
   */
  constructor(
    private readonly el: HTMLElement,
    private readonly id: string
  ) {
    this.connect();
  }

  /** Whether the live view has something to show: the snapshot is hidden only then. */
  set live(value: boolean) {
    this.isLive = value;
    this.connect();
    this.apply();
  }

  get live(): boolean {
    return this.isLive;
  }

  /**
   * Finds the view's output area once the element is in the page (a view is
   * rendered before it is attached: call again on any later event).
   */
  connect(): void {
    if (this.area || !this.id || !this.el.isConnected) {
      return;
    }
    const area =
      this.el.closest<HTMLElement>(OUTPUT_AREA) ?? this.el.parentElement;
    if (!area) {
      return;
    }
    this.area = area;
    this.observer = new MutationObserver(() => this.apply());
    this.observer.observe(area, { childList: true, subtree: true });
    this.apply();
  }

  dispose(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.isLive = false;
    this.apply();
    this.area = null;
  }

  /** Hides (live) or shows (not live) the snapshots in the area. */
  private apply(): void {
    const area = this.area;
    if (!area) {
      return;
    }
    if (!this.isLive) {
      for (const node of this.hidden) {
        node.style.display = '';
      }
      this.hidden.clear();
      return;
    }
    const selector = `[data-workbench-snapshot="${CSS.escape(this.id)}"]`;
    for (const node of Array.from(
      area.querySelectorAll<HTMLElement>(selector)
    )) {
      const target = this.outputOf(node, area);
      if (!this.hidden.has(target)) {
        target.style.display = 'none';
        this.hidden.add(target);
      }
    }
  }

  /** The output holding a snapshot (never one that holds the view itself). */
  private outputOf(node: HTMLElement, area: HTMLElement): HTMLElement {
    const output = node.closest<HTMLElement>(OUTPUT);
    return output && area.contains(output) && !output.contains(this.el)
      ? output
      : node;
  }

  private area: HTMLElement | null = null;
  private observer: MutationObserver | null = null;
  private isLive = false;
  private hidden = new Set<HTMLElement>();
}
