import { TranslationBundle } from '@jupyterlab/translation';
import { DisposableSet, IDisposable } from '@lumino/disposable';
import { IKernelService } from '../tokens';

/**
 * One part of the Workbench side panel, showing one capability of the
 * kernel's workbench (versions, devices, runs, later jobs and profiles).
 * The panel mounts it while the notebook's workbench is connected and
 * unmounts it when the connection ends (a restart, another kernel), so a
 * section only renders data: it never handles the connection.
 */
export interface ISection {
  /** Stable id, set as `data-section` on the section's element. */
  readonly id: string;
  /** The heading, in English; the panel translates it. */
  readonly title: string;
  /**
   * Render into `node` (empty, owned by the section) from `service`, and keep
   * it current (subscribe to topics) until the view is disposed.
   */
  mount(
    node: HTMLElement,
    service: IKernelService,
    trans: TranslationBundle
  ): ISectionView;
}

/** A mounted section. Disposing it ends its subscriptions. */
export interface ISectionView extends IDisposable {
  /** Ask the kernel again for what the section shows (the refresh button). */
  refresh(): Promise<void>;
}

/** A view whose subscriptions are its disposables. */
export class SectionView extends DisposableSet implements ISectionView {
  constructor(refresh: () => Promise<void>) {
    super();
    this._refresh = refresh;
  }

  refresh(): Promise<void> {
    return this._refresh();
  }

  private _refresh: () => Promise<void>;
}
