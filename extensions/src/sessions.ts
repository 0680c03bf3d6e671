import { ISessionContext } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import { KernelService } from './service';
import { IKernelService, IWorkbenchServices } from './tokens';

/**
 * One `KernelService` per notebook session, made when something first asks
 * for it (`current` asks for the notebook the user works in) and dropped when
 * its session is disposed.
 */
export class WorkbenchServices implements IWorkbenchServices {
  constructor(tracker: INotebookTracker) {
    // `currentChanged` also fires with null when the last notebook closes,
    // but not when the focus moves to a console or file editor: the current
    // service stays the last notebook's then.
    tracker.currentChanged.connect(this._onCurrentChanged, this);
    this._onCurrentChanged(tracker, tracker.currentWidget);
  }

  get current(): IKernelService | null {
    return this._current;
  }

  get currentChanged(): ISignal<this, IKernelService | null> {
    return this._currentChanged;
  }

  forSession(session: ISessionContext): IKernelService {
    let service = this._services.get(session);
    if (!service || service.isDisposed) {
      service = new KernelService(session);
      this._services.set(session, service);
      service.disposed.connect(() => {
        if (this._services.get(session) === service) {
          this._services.delete(session);
        }
      });
    }
    return service;
  }

  private _onCurrentChanged(_: unknown, panel: NotebookPanel | null): void {
    const service = panel ? this.forSession(panel.sessionContext) : null;
    if (service !== this._current) {
      this._current = service;
      this._currentChanged.emit(service);
    }
  }

  private _services = new Map<ISessionContext, KernelService>();
  private _current: IKernelService | null = null;
  private _currentChanged = new Signal<this, IKernelService | null>(this);
}

/**
 * Run `observe` on the current service and again whenever it changes,
 * disposing what the previous call returned; dispose the result to stop.
 * The way a view follows the notebook the user works in.
 */
export function followCurrent(
  services: IWorkbenchServices,
  observe: (service: IKernelService | null) => IDisposable | void
): IDisposable {
  let observation: IDisposable | void = observe(services.current);
  const onChanged = (_: unknown, service: IKernelService | null) => {
    observation?.dispose();
    observation = observe(service);
  };
  services.currentChanged.connect(onChanged);
  let isDisposed = false;
  return {
    get isDisposed() {
      return isDisposed;
    },
    dispose() {
      if (!isDisposed) {
        isDisposed = true;
        services.currentChanged.disconnect(onChanged);
        observation?.dispose();
      }
    }
  };
}
