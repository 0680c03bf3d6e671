import { Kernel, KernelMessage } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';
import {
  COMM_TARGET,
  IEvent,
  IReply,
  IRequest,
  IKernelStatus,
  Method,
  PROTOCOL_VERSION
} from './protocol';

/** How long a request may wait; the first `status` imports TensorFlow (seconds). */
export const REQUEST_TIMEOUT_MS = 60_000;

/** Why the kernel closed the comm: it has no workbench, or speaks another protocol. */
export class WorkbenchUnavailable extends Error {}

interface IPending {
  resolve: (result: IKernelStatus) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One comm to one kernel's `workbench` target: requests answered by id,
 * events pushed by the kernel. Closed for good once the kernel closes it or
 * the kernel restarts; make a new client for the new kernel process.
 */
export class WorkbenchClient {
  constructor(kernel: Kernel.IKernelConnection) {
    this._comm = kernel.createComm(COMM_TARGET);
    this._comm.onMsg = msg => this._onMsg(msg);
    this._comm.onClose = msg => this._onClose(msg);
    this._comm.open({ protocol: PROTOCOL_VERSION });
  }

  /** Status pushed by the kernel after a cell imported TensorFlow or started its runtime. */
  get statusPushed(): ISignal<this, IKernelStatus> {
    return this._statusPushed;
  }

  /** Emitted once, with the reason, when the comm closes. */
  get closed(): ISignal<this, Error> {
    return this._closed;
  }

  get isClosed(): boolean {
    return this._closeReason !== null;
  }

  request(method: Method): Promise<IKernelStatus> {
    if (this._closeReason) {
      return Promise.reject(this._closeReason);
    }
    const id = ++this._lastId;
    return new Promise<IKernelStatus>((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(
          new Error(
            `The kernel did not answer '${method}' within ${REQUEST_TIMEOUT_MS / 1000} s: it may be busy running a cell.`
          )
        );
      }, REQUEST_TIMEOUT_MS);
      this._pending.set(id, { resolve, reject, timer });
      const request: IRequest = { id, method };
      this._comm.send({ ...request });
    });
  }

  dispose(): void {
    if (this._closeReason) {
      return;
    }
    this._finish(new Error('The workbench connection was closed.'));
    if (!this._comm.isDisposed) {
      this._comm.close();
    }
  }

  private _onMsg(msg: KernelMessage.ICommMsgMsg): void {
    const data = msg.content.data as unknown as Partial<IReply & IEvent>;
    if (data.event === 'status' && data.data) {
      this._statusPushed.emit(data.data);
      return;
    }
    const pending =
      data.id === undefined ? undefined : this._pending.get(data.id);
    if (!pending) {
      return;
    }
    this._pending.delete(data.id as number);
    clearTimeout(pending.timer);
    if (data.error) {
      pending.reject(new Error(data.error.message));
    } else if (data.result) {
      pending.resolve(data.result);
    } else {
      pending.reject(
        new Error('The kernel sent a reply with neither result nor error.')
      );
    }
  }

  private _onClose(msg: KernelMessage.ICommCloseMsg): void {
    const error = (msg.content.data as { error?: string } | undefined)?.error;
    this._finish(
      new WorkbenchUnavailable(
        error ??
          'This kernel does not run the workbench. Switch to the "TensorFlow Workbench" kernel, or run %load_ext workbench in a cell and press refresh.'
      )
    );
  }

  private _finish(reason: Error): void {
    this._closeReason = reason;
    for (const pending of this._pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(reason);
    }
    this._pending.clear();
    this._closed.emit(reason);
  }

  private _comm: Kernel.IComm;
  private _lastId = 0;
  private _pending = new Map<number, IPending>();
  private _closeReason: Error | null = null;
  private _statusPushed = new Signal<this, IKernelStatus>(this);
  private _closed = new Signal<this, Error>(this);
}
