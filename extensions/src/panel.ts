import { ISessionContext } from '@jupyterlab/apputils';
import { Kernel } from '@jupyterlab/services';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { WorkbenchClient, WorkbenchUnavailable } from './client';
import { shortDeviceName, summarize } from './format';
import { IDeviceInfo, IKernelStatus, IRunInfo } from './protocol';
import { ISignal, Signal } from '@lumino/signaling';
import { MODE_LABELS } from './compilemode';

export const PANEL_ID = 'workbench-panel';

/** Kernel states after which the kernel process (and every comm to it) is gone. */
const RESTARTING: ReadonlySet<Kernel.Status> = new Set<Kernel.Status>([
  'restarting',
  'autorestarting',
  'dead'
]);

/**
 * The Workbench side panel: versions and devices of the active notebook's
 * kernel, asked over the `workbench` comm and updated when the kernel pushes.
 */
export class WorkbenchPanel extends Widget {
  constructor(translator: ITranslator = nullTranslator) {
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
    this._showState(this._trans.__('Open a notebook to see its kernel.'));
  }

  /** The last status the kernel reported, or `null` while there is none. */
  get status(): IKernelStatus | null {
    return this._status;
  }

  /** Emitted whenever `status` changes (another kernel, a push, a restart). */
  get statusChanged(): ISignal<this, IKernelStatus | null> {
    return this._statusChanged;
  }

  /** The notebook whose kernel the panel shows, or `null` when none is active. */
  get sessionContext(): ISessionContext | null {
    return this._session;
  }

  set sessionContext(session: ISessionContext | null) {
    if (session === this._session) {
      return;
    }
    if (this._session) {
      this._session.kernelChanged.disconnect(this._onKernelChanged, this);
      this._session.statusChanged.disconnect(this._onStatusChanged, this);
    }
    this._session = session;
    if (session) {
      session.kernelChanged.connect(this._onKernelChanged, this);
      session.statusChanged.connect(this._onStatusChanged, this);
    }
    void this._connect();
  }

  /** Ask the kernel for its status again (e.g. after `virtual_devices()` in a cell). */
  async refresh(): Promise<void> {
    if (!this._client || this._client.isClosed) {
      return this._connect();
    }
    const client = this._client;
    this._node('busy');
    try {
      const status = await client.request('status');
      if (client === this._client) {
        this._render(status);
      }
    } catch (reason) {
      if (client === this._client) {
        this._showError(reason);
      }
    } finally {
      this._node('idle');
    }
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.sessionContext = null;
    this._client?.dispose();
    super.dispose();
  }

  private async _connect(): Promise<void> {
    this._client?.dispose();
    this._client = null;
    const session = this._session;
    if (!session) {
      this._clear(this._trans.__('Open a notebook to see its kernel.'));
      return;
    }
    this._clear(this._trans.__('Waiting for the kernel…'));
    await session.ready;
    const kernel = session.session?.kernel;
    if (session !== this._session || this._client) {
      return;
    }
    if (!kernel) {
      this._clear(this._trans.__('This notebook has no kernel.'));
      return;
    }
    try {
      this._client = new WorkbenchClient(kernel);
    } catch (reason) {
      this._showError(reason);
      return;
    }
    this._client.statusPushed.connect((sender, status) => {
      if (sender === this._client) {
        this._render(status);
      }
    });
    await this.refresh();
  }

  private _onKernelChanged(): void {
    void this._connect();
  }

  private _onStatusChanged(_: ISessionContext, status: Kernel.Status): void {
    if (RESTARTING.has(status)) {
      this._client?.dispose();
      this._client = null;
      this._clear(this._trans.__('The kernel is restarting…'));
    } else if (status === 'idle' && this._client === null) {
      void this._connect();
    }
  }

  private _render(status: IKernelStatus): void {
    this._setStatus(status);
    this._showState('');
    this._body.replaceChildren(
      this._section(this._trans.__('Versions'), [
        ['TensorFlow', status.tensorflow],
        ['Keras', status.keras],
        ['Python', status.python],
        ['TF Workbench', status.workbench],
        [
          this._trans.__('Cells run'),
          MODE_LABELS[status.compile_mode] +
            (status.tf_debug ? this._trans.__(' (tf_debug: eagerly)') : '')
        ]
      ]),
      this._devices(
        this._trans.__('Physical devices'),
        status.physical_devices,
        summarize(status.physical_devices, status.logical_devices)
      ),
      status.logical_devices
        ? this._devices(
            this._trans.__('Logical devices'),
            status.logical_devices
          )
        : this._note(
            this._trans.__(
              "TensorFlow's runtime has not started: devices can still be split, e.g. workbench.virtual_devices(4)."
            )
          ),
      this._runs(status.runs)
    );
  }

  private _section(heading: string, rows: [string, string][]): HTMLElement {
    const section = document.createElement('section');
    section.appendChild(document.createElement('h3')).textContent = heading;
    const table = section.appendChild(document.createElement('dl'));
    table.className = 'jp-Workbench-versions';
    for (const [name, value] of rows) {
      table.appendChild(document.createElement('dt')).textContent = name;
      table.appendChild(document.createElement('dd')).textContent = value;
    }
    return section;
  }

  private _devices(
    heading: string,
    devices: IDeviceInfo[],
    summary?: string
  ): HTMLElement {
    const section = document.createElement('section');
    section.appendChild(document.createElement('h3')).textContent = heading;
    if (summary) {
      section.appendChild(this._note(summary));
    }
    const list = section.appendChild(document.createElement('ul'));
    for (const device of devices) {
      const item = list.appendChild(document.createElement('li'));
      item.className = 'jp-Workbench-device';
      item.dataset.deviceType = device.device_type;
      item.title = device.name;
      item.textContent = shortDeviceName(device.name);
    }
    return section;
  }

  private _runs(runs: IRunInfo[]): HTMLElement {
    const section = document.createElement('section');
    section.appendChild(document.createElement('h3')).textContent =
      this._trans.__('Runs');
    if (!runs.length) {
      section.appendChild(
        this._note(
          this._trans.__(
            'No runs yet: train with callbacks=[workbench.LiveCurves()].'
          )
        )
      );
      return section;
    }
    const list = section.appendChild(document.createElement('ul'));
    for (const run of runs) {
      const item = list.appendChild(document.createElement('li'));
      item.className = 'jp-Workbench-run';
      item.dataset.state = run.state;
      item.title = run.logdir ? `${run.logdir}/${run.name}` : run.name;
      const latest = Object.entries(run.last)
        .map(([metric, value]) => `${metric} ${Number(value.toPrecision(4))}`)
        .join(', ');
      const steps = run.steps ? ` · ${run.steps} steps` : '';
      item.textContent = `${run.name} · ${run.state}${steps}${latest ? ' · ' + latest : ''}`;
    }
    return section;
  }

  private _note(text: string): HTMLElement {
    const note = document.createElement('p');
    note.className = 'jp-Workbench-note';
    note.textContent = text;
    return note;
  }

  private _setStatus(status: IKernelStatus | null): void {
    if (status !== this._status) {
      this._status = status;
      this._statusChanged.emit(status);
    }
  }

  private _clear(state: string): void {
    this._setStatus(null);
    this._body.replaceChildren();
    this._showState(state);
  }

  private _showState(text: string): void {
    this._state.textContent = text;
    this._state.classList.remove('jp-mod-error');
    this._state.hidden = text === '';
  }

  private _showError(reason: unknown): void {
    const message = reason instanceof Error ? reason.message : String(reason);
    this._clear(message);
    this._state.classList.add('jp-mod-error');
    this.node.dataset.unavailable = String(
      reason instanceof WorkbenchUnavailable
    );
  }

  private _node(state: 'busy' | 'idle'): void {
    this.node.dataset.state = state;
  }

  private _status: IKernelStatus | null = null;
  private _statusChanged = new Signal<this, IKernelStatus | null>(this);
  private _trans: TranslationBundle;
  private _session: ISessionContext | null = null;
  private _client: WorkbenchClient | null = null;
  private _state: HTMLElement;
  private _body: HTMLElement;
}
