import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { RequestError } from './client';
import { ISection, ISectionView } from './sections';
import { ConnectionState, IKernelService } from './tokens';

export const PANEL_ID = 'workbench-panel';

interface IMounted {
  section: ISection;
  body: HTMLElement;
  view: ISectionView | null;
}

/**
 * The Workbench side panel: a host of sections (versions, devices, runs...),
 * each showing one capability of the active notebook's kernel. The panel owns
 * no connection: it observes a `KernelService`, shows the connection's state,
 * and mounts the sections while the service is ready.
 */
export class WorkbenchPanel extends Widget {
  constructor(
    sections: readonly ISection[],
    translator: ITranslator = nullTranslator
  ) {
    super();
    this._trans = translator.load('tf-workbench');
    this.id = PANEL_ID;
    this.addClass('jp-Workbench');
    this.title.caption = this._trans.__('TF Workbench');

    const header = this.node.appendChild(document.createElement('header'));
    header.className = 'jp-Workbench-header';
    const title = header.appendChild(document.createElement('h2'));
    title.textContent = this._trans.__('TF Workbench');
    const refresh = header.appendChild(document.createElement('button'));
    refresh.className = 'jp-Workbench-refresh jp-Button jp-mod-minimal';
    refresh.title = this._trans.__('Ask the kernel again');
    refresh.setAttribute('aria-label', refresh.title);
    refreshIcon.element({ container: refresh, tag: 'span' });
    refresh.addEventListener('click', () => void this.refresh());

    this._state = this.node.appendChild(document.createElement('p'));
    this._state.className = 'jp-Workbench-state';
    this._body = this.node.appendChild(document.createElement('div'));
    this._body.className = 'jp-Workbench-body';
    for (const section of sections) {
      this.addSection(section);
    }
    this._showState();
  }

  /** The service whose kernel the panel shows, or `null` when no notebook is open. */
  get service(): IKernelService | null {
    return this._service;
  }

  set service(service: IKernelService | null) {
    if (service === this._service) {
      return;
    }
    this._service?.stateChanged.disconnect(this._onStateChanged, this);
    this._unmount();
    this._service = service;
    service?.stateChanged.connect(this._onStateChanged, this);
    this._showState();
  }

  /** Add a section below the others (mounted at once if the kernel is ready). */
  addSection(section: ISection): void {
    const element = this._body.appendChild(document.createElement('section'));
    element.className = 'jp-Workbench-section';
    element.dataset.section = section.id;
    element.appendChild(document.createElement('h3')).textContent =
      this._trans.__(section.title);
    const body = element.appendChild(document.createElement('div'));
    const mounted: IMounted = { section, body, view: null };
    this._sections.push(mounted);
    if (this._service?.state.kind === 'ready') {
      this._mountOne(mounted, this._service);
    }
  }

  /**
   * Ask the kernel again for every section's data, or, when the kernel
   * refused the workbench, open a new connection (the service also tries
   * again by itself after each cell, so `%load_ext workbench` needs no click).
   */
  async refresh(): Promise<void> {
    const service = this._service;
    if (!service) {
      return;
    }
    if (service.state.kind !== 'ready') {
      if (service.state.kind === 'unavailable') {
        service.reconnect();
      }
      return;
    }
    this.node.dataset.state = 'busy';
    const results = await Promise.allSettled(
      this._sections.map(mounted => mounted.view?.refresh())
    );
    if (service !== this._service) {
      return;
    }
    this.node.dataset.state = 'idle';
    const failure = results.find(
      (result): result is PromiseRejectedResult =>
        result.status === 'rejected' &&
        // `closed`: the kernel restarted meanwhile, and the state says so.
        !(
          result.reason instanceof RequestError &&
          result.reason.code === 'closed'
        )
    );
    if (failure) {
      this._showError(failure.reason);
    } else {
      this._showState();
    }
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.service = null;
    super.dispose();
  }

  private _onStateChanged(): void {
    this._showState();
  }

  /** Show the connection's state, with the sections only while it is ready. */
  private _showState(): void {
    const service = this._service;
    const state: ConnectionState | null = service?.state ?? null;
    this.node.dataset.connection = state?.kind ?? 'none';
    if (service && state?.kind === 'ready') {
      this._setStateText('', false);
      for (const mounted of this._sections) {
        if (!mounted.view) {
          this._mountOne(mounted, service);
        }
      }
      this._body.hidden = false;
      return;
    }
    this._unmount();
    this._body.hidden = true;
    if (!state) {
      this._setStateText(this._trans.__('Open a notebook to see its kernel.'));
    } else if (state.kind === 'connecting') {
      this._setStateText(
        state.restarting
          ? this._trans.__('The kernel is restarting…')
          : this._trans.__(
              'Waiting for the kernel… (it answers once the running cell ends)'
            )
      );
    } else if (state.kind === 'no-kernel') {
      this._setStateText(this._trans.__('This notebook has no kernel.'));
    } else if (state.kind === 'unavailable') {
      this._setStateText(state.reason, true);
    }
  }

  private _mountOne(mounted: IMounted, service: IKernelService): void {
    mounted.body.replaceChildren();
    try {
      mounted.view = mounted.section.mount(mounted.body, service, this._trans);
    } catch (reason) {
      // One broken section must not take the others down.
      console.error(`TF Workbench: section '${mounted.section.id}'`, reason);
      mounted.body.textContent = String(reason);
    }
  }

  private _unmount(): void {
    for (const mounted of this._sections) {
      mounted.view?.dispose();
      mounted.view = null;
      mounted.body.replaceChildren();
    }
  }

  private _setStateText(text: string, error = false): void {
    this._state.textContent = text;
    this._state.classList.toggle('jp-mod-error', error);
    this._state.hidden = text === '';
  }

  private _showError(reason: unknown): void {
    this._setStateText(
      reason instanceof Error ? reason.message : String(reason),
      true
    );
  }

  private _trans: TranslationBundle;
  private _service: IKernelService | null = null;
  private _sections: IMounted[] = [];
  private _state: HTMLElement;
  private _body: HTMLElement;
}
