import {
  CommsOverSubshells,
  Kernel,
  KernelMessage
} from '@jupyterlab/services';
import { JSONObject } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';
import {
  COMM_TARGET,
  ErrorCode,
  IEvent,
  IOpenData,
  IReply,
  IRequest,
  PROTOCOL_VERSION
} from './protocol';

/** Shown when the kernel closes the comm at once: it has no `workbench` target. */
export const NO_WORKBENCH =
  'This kernel does not run the workbench. Switch to the "TensorFlow Workbench" kernel, or run %load_ext workbench in a cell: the panel connects when the cell ends.';

/**
 * A request that failed. `code` is the kernel's error code, or, when no reply
 * came, `timeout` (the kernel stayed busy), `closed` (we closed the comm, e.g.
 * on a restart) or `unavailable` (the kernel refused or closed the comm).
 */
export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode | 'timeout' | 'closed' | 'unavailable',
    message: string,
    readonly method: string | null
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** The error of a request that had no answer within `timeoutMs`. */
export function timeoutError(method: string, timeoutMs: number): RequestError {
  const wait =
    timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
  return new RequestError(
    'timeout',
    `The kernel did not answer '${method}' within ${wait}: it answers between cells, and a cell may still be running.`,
    method
  );
}

/** Why the kernel closed the comm: it has no workbench, or speaks another protocol. */
export class WorkbenchUnavailable extends RequestError {
  constructor(message: string) {
    super('unavailable', message, null);
    this.name = 'WorkbenchUnavailable';
  }
}

/**
 * The kernel closed the comm without a word: it has no `workbench` target
 * (a plain kernel), which `%load_ext workbench` in a cell can change.
 */
export class NoWorkbench extends WorkbenchUnavailable {
  constructor() {
    super(NO_WORKBENCH);
    this.name = 'NoWorkbench';
  }
}

interface IPending {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * One comm to one kernel's `workbench` target: requests answered by id and
 * events pushed by the kernel, untyped (`KernelService` adds the types).
 * Closed for good once either side closes it; a restarted kernel needs a new
 * client.
 */
export class CommClient {
  constructor(kernel: Kernel.IKernelConnection) {
    this._comm = kernel.createComm(COMM_TARGET);
    // JupyterLab runs comms on a subshell per target where the kernel has them
    // (ipykernel 7). It keeps the target's subshell id across a restart, so a
    // new comm can send to a subshell the new process never made, where the
    // request is dropped. Set now, before the subshell's creation starts.
    this._comm.commsOverSubshells = CommsOverSubshells.Disabled;
    this._comm.onMsg = msg => this._onMsg(msg);
    this._comm.onClose = msg => this._onClose(msg);
    const open: IOpenData = { protocol: PROTOCOL_VERSION };
    this._comm.open({ ...open });
  }

  /** An event (`{topic, data}`) pushed by the kernel. */
  get event(): ISignal<this, IEvent> {
    return this._event;
  }

  /** Emitted once, with the reason, when the comm closes. */
  get closed(): ISignal<this, Error> {
    return this._closed;
  }

  get isClosed(): boolean {
    return this._closeReason !== null;
  }

  /**
   * Send `method(params)`; resolves with the result or rejects with a
   * `RequestError`. `timeoutMs` of 0 waits as long as the comm is open.
   */
  request(method: string, params: object, timeoutMs: number): Promise<unknown> {
    if (this._closeReason) {
      return Promise.reject(this._closeReason);
    }
    const id = ++this._lastId;
    return new Promise<unknown>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this._pending.delete(id);
              reject(timeoutError(method, timeoutMs));
            }, timeoutMs)
          : null;
      this._pending.set(id, { method, resolve, reject, timer });
      const request: IRequest = {
        id,
        method,
        params: params as Record<string, unknown>
      };
      // Params are JSON by the contract (`IMethods`); TypeScript cannot see it.
      this._comm.send(request as unknown as JSONObject);
    });
  }

  /** Close the comm (if the kernel still has it) and fail what is pending. */
  dispose(): void {
    if (this._closeReason) {
      return;
    }
    this._finish(
      new RequestError('closed', 'The workbench connection was closed.', null)
    );
    // Our own close must not read as the kernel refusing the comm.
    this._comm.onClose = () => undefined;
    if (!this._comm.isDisposed) {
      try {
        this._comm.close();
      } catch {
        // The kernel connection is already gone (a restart or shutdown): the
        // kernel side of the comm went with it, so there is nothing to close.
        this._comm.dispose();
      }
    }
  }

  private _onMsg(msg: KernelMessage.ICommMsgMsg): void {
    const data = msg.content.data as Partial<IReply & IEvent>;
    if (typeof data.topic === 'string') {
      this._event.emit({ topic: data.topic, data: data.data });
      return;
    }
    const id = typeof data.id === 'number' ? data.id : null;
    const pending = id === null ? undefined : this._pending.get(id);
    if (id === null || !pending) {
      // A reply to a request that timed out, or an error about a request the
      // kernel could not read (`id: null`): nobody waits for it any more.
      if (data.error) {
        console.warn('TF Workbench: kernel error', data.error);
      }
      return;
    }
    this._pending.delete(id);
    if (pending.timer !== null) {
      clearTimeout(pending.timer);
    }
    if (data.error) {
      pending.reject(
        new RequestError(
          data.error.code,
          data.error.message,
          data.error.method ?? pending.method
        )
      );
    } else if ('result' in data) {
      pending.resolve(data.result);
    } else {
      pending.reject(
        new RequestError(
          'bad_request',
          'The kernel sent a reply with neither result nor error.',
          pending.method
        )
      );
    }
  }

  private _onClose(msg: KernelMessage.ICommCloseMsg): void {
    const error = (msg.content.data as { error?: unknown } | undefined)?.error;
    this._finish(
      typeof error === 'string'
        ? new WorkbenchUnavailable(
            `${error}. Reinstall tf-workbench so that the kernel and JupyterLab match.`
          )
        : new NoWorkbench()
    );
  }

  private _finish(reason: Error): void {
    this._closeReason = reason;
    for (const pending of this._pending.values()) {
      if (pending.timer !== null) {
        clearTimeout(pending.timer);
      }
      pending.reject(reason);
    }
    this._pending.clear();
    this._closed.emit(reason);
  }

  private _comm: Kernel.IComm;
  private _lastId = 0;
  private _pending = new Map<number, IPending>();
  private _closeReason: Error | null = null;
  private _event = new Signal<this, IEvent>(this);
  private _closed = new Signal<this, Error>(this);
}
