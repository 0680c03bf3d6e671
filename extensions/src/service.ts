import { ISessionContext } from '@jupyterlab/apputils';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { PromiseDelegate } from '@lumino/coreutils';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import {
  CommClient,
  NoWorkbench,
  RequestError,
  timeoutError,
  WorkbenchUnavailable
} from './client';
import {
  IEvent,
  IMethods,
  IServiceDescription,
  ITopics,
  MethodName,
  TopicName
} from './protocol';
import { ConnectionState, IKernelService, IRequestOptions } from './tokens';
import { topicChanges, TopicListeners } from './topics';

/** How long a request may wait by default; the first `status` imports TensorFlow (seconds). */
export const REQUEST_TIMEOUT_MS = 60_000;

/** Kernel states after which the kernel process, and every comm to it, is gone. */
const RESTARTING: ReadonlySet<Kernel.Status> = new Set<Kernel.Status>([
  'restarting',
  'autorestarting'
]);

/**
 * The workbench of one notebook session's kernel: one comm, typed requests,
 * topics with listeners. Follows the session: another kernel, a restart (the
 * comm dies with the process; a new one is opened once the new process is
 * idle, and the listened topics are subscribed again) and its disposal.
 *
 * A kernel without the workbench (plain Python) closes the comm at once; a
 * cell may change that (`%load_ext workbench`), so after each cell that
 * ends, the service quietly opens one comm again (the state stays
 * `unavailable` unless the kernel answers), until the kernel answers.
 */
export class KernelService implements IKernelService {
  constructor(sessionContext: ISessionContext) {
    this.sessionContext = sessionContext;
    sessionContext.kernelChanged.connect(this._onKernelChanged, this);
    sessionContext.statusChanged.connect(this._onStatusChanged, this);
    sessionContext.iopubMessage.connect(this._onIopub, this);
    sessionContext.disposed.connect(this.dispose, this);
    void this._connect();
  }

  readonly sessionContext: ISessionContext;

  get state(): ConnectionState {
    return this._state;
  }

  get stateChanged(): ISignal<this, ConnectionState> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Emitted once, when the service is disposed (its session was). */
  get disposed(): ISignal<this, void> {
    return this._disposed;
  }

  async request<M extends MethodName>(
    method: M,
    params: IMethods[M]['params'],
    options: IRequestOptions = {}
  ): Promise<IMethods[M]['result']> {
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const started = Date.now();
    const client = await withTimeout(this._connected(), timeoutMs, () =>
      timeoutError(method, timeoutMs)
    );
    const left =
      timeoutMs > 0 ? Math.max(1, timeoutMs - (Date.now() - started)) : 0;
    try {
      return (await client.request(
        method,
        params,
        left
      )) as IMethods[M]['result'];
    } catch (reason) {
      // The client counts from the send; the caller's limit counts from the call.
      if (reason instanceof RequestError && reason.code === 'timeout') {
        throw timeoutError(method, timeoutMs);
      }
      throw reason;
    }
  }

  subscribe<T extends TopicName>(
    topic: T,
    listener: (data: ITopics[T]) => void
  ): IDisposable {
    if (this._isDisposed) {
      return new DisposableDelegate(() => undefined);
    }
    const { handle, first } = this._topics.add(topic, listener);
    if (first) {
      this._scheduleSync();
    }
    return new DisposableDelegate(() => {
      if (this._topics.remove(topic, handle)) {
        this._scheduleSync();
      }
    });
  }

  latest<T extends TopicName>(topic: T): ITopics[T] | undefined {
    return this._topics.latest(topic);
  }

  reconnect(): void {
    void this._connect();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._generation++;
    this._dropClient();
    this._ready.reject(
      new RequestError('closed', 'The notebook was closed.', null)
    );
    this._topics.clear();
    this.sessionContext.kernelChanged.disconnect(this._onKernelChanged, this);
    this.sessionContext.statusChanged.disconnect(this._onStatusChanged, this);
    this.sessionContext.iopubMessage.disconnect(this._onIopub, this);
    this.sessionContext.disposed.disconnect(this.dispose, this);
    this._disposed.emit();
    Signal.clearData(this);
  }

  /** The client once the kernel has answered; rejects when there will be none. */
  private _connected(): Promise<CommClient> {
    if (this._isDisposed) {
      return Promise.reject(
        new RequestError('closed', 'The notebook was closed.', null)
      );
    }
    const state = this._state;
    if (state.kind === 'unavailable') {
      return Promise.reject(new WorkbenchUnavailable(state.reason));
    }
    if (state.kind === 'no-kernel') {
      return Promise.reject(
        new WorkbenchUnavailable('This notebook has no kernel.')
      );
    }
    return this._ready.promise;
  }

  /**
   * Open a new comm and ask the kernel to describe its workbench. `quiet`:
   * a retry on a kernel that refused the comm, which keeps the `unavailable`
   * state unless the kernel answers.
   */
  private async _connect(quiet = false): Promise<void> {
    const generation = ++this._generation;
    this._dropClient();
    this._retryAfterCell = false;
    if (!quiet) {
      this._setState({ kind: 'connecting', restarting: false });
    }
    await this.sessionContext.ready;
    if (generation !== this._generation) {
      return;
    }
    const kernel = this.sessionContext.session?.kernel;
    if (!kernel) {
      this._setState({ kind: 'no-kernel' });
      return;
    }
    let client: CommClient;
    try {
      client = new CommClient(kernel);
    } catch (reason) {
      // e.g. a kernel connection made with comms disabled
      this._unavailable(
        reason instanceof Error ? reason.message : String(reason)
      );
      return;
    }
    this._client = client;
    client.event.connect(this._onEvent, this);
    client.closed.connect(this._onClosed, this);
    let description: IServiceDescription;
    try {
      // No timeout: the kernel answers after the running cell, however long
      // it runs, or closes the comm; until then the state says `connecting`.
      description = (await client.request(
        'describe',
        {},
        0
      )) as IServiceDescription;
    } catch {
      return; // the comm closed (`_onClosed` said why) or was dropped
    }
    if (client !== this._client) {
      return;
    }
    this._description = description;
    this._kernelTopics.clear();
    // Subscribe before announcing `ready`, so that topics added by
    // listeners of `stateChanged` join the next, separate sync.
    this._sync();
    this._ready.resolve(client);
    this._setState({ kind: 'ready', description });
  }

  private _onKernelChanged(): void {
    this._topics.forget();
    this._awaitingIdle = false;
    void this._connect();
  }

  private _onStatusChanged(_: ISessionContext, status: Kernel.Status): void {
    if (RESTARTING.has(status)) {
      // The kernel connection drops its comms without a close message: do not
      // wait for one. A comm opened now would be lost with the old process.
      this._generation++;
      this._dropClient();
      this._topics.forget();
      this._awaitingIdle = true;
      this._setState({ kind: 'connecting', restarting: true });
    } else if (status === 'dead') {
      this._generation++;
      this._dropClient();
      this._topics.forget();
      this._awaitingIdle = true;
      this._retryAfterCell = false;
      this._unavailable(
        'The kernel died. Restart it from the Kernel menu; the workbench reconnects by itself.'
      );
    } else if (status === 'idle' && this._awaitingIdle) {
      this._awaitingIdle = false;
      void this._connect();
    }
  }

  private _onEvent(client: CommClient, event: IEvent): void {
    if (client === this._client) {
      // The kernel publishes only topics it offers, with the data `ITopics` declares.
      this._topics.publish(event.topic as TopicName, event.data as never);
    }
  }

  private _onClosed(client: CommClient, reason: Error): void {
    if (client === this._client) {
      this._client = null;
      this._unavailable(reason.message);
      // a kernel without the workbench, which a cell may load: try again after each cell
      this._retryAfterCell = reason instanceof NoWorkbench;
    }
  }

  /**
   * A cell ended (the kernel went idle after an `execute_request`; the idle
   * after our own comm open does not count, or a refused retry would retry
   * again): a kernel that refused the comm may have loaded the workbench.
   */
  private _onIopub(_: ISessionContext, msg: KernelMessage.IMessage): void {
    if (
      this._retryAfterCell &&
      this._client === null &&
      this._state.kind === 'unavailable' &&
      KernelMessage.isStatusMsg(msg) &&
      msg.content.execution_state === 'idle' &&
      (msg.parent_header as Partial<KernelMessage.IHeader>).msg_type ===
        'execute_request'
    ) {
      void this._connect(true);
    }
  }

  private _unavailable(reason: string): void {
    this._ready.reject(new WorkbenchUnavailable(reason));
    this._setState({ kind: 'unavailable', reason });
  }

  /**
   * Forget the current comm (its pending requests fail as `closed`). Requests
   * still waiting for a connection keep waiting for the next one, within
   * their timeout: a refresh during a restart is answered by the new kernel.
   */
  private _dropClient(): void {
    const client = this._client;
    this._client = null;
    this._description = null;
    this._kernelTopics.clear();
    if (this._ready.settled) {
      this._ready = new ReadyClient();
    }
    if (client) {
      client.event.disconnect(this._onEvent, this);
      client.closed.disconnect(this._onClosed, this);
      client.dispose();
    }
  }

  /**
   * Listeners come and go in bursts (the panel mounts its sections one after
   * the other): ask the kernel once per burst.
   */
  private _scheduleSync(): void {
    if (this._syncScheduled) {
      return;
    }
    this._syncScheduled = true;
    queueMicrotask(() => {
      this._syncScheduled = false;
      this._sync();
    });
  }

  /** Make the kernel publish exactly the listened topics it offers. */
  private _sync(): void {
    const client = this._client;
    const description = this._description;
    if (!client || !description || this._isDisposed) {
      return; // `_connect` syncs once the kernel answers
    }
    const offered = new Set(description.topics);
    const changes = topicChanges<string>(
      this._topics.topics().filter(topic => offered.has(topic)),
      this._kernelTopics
    );
    for (const method of ['unsubscribe', 'subscribe'] as const) {
      const topics = changes[method];
      if (!topics.length) {
        continue;
      }
      for (const topic of topics) {
        if (method === 'subscribe') {
          this._kernelTopics.add(topic);
        } else {
          this._kernelTopics.delete(topic);
        }
      }
      // No timeout: a running cell delays the answer, not the subscription.
      client.request(method, { topics }, 0).catch((reason: unknown) => {
        if (!(reason instanceof RequestError) || reason.code !== 'closed') {
          console.warn(
            `TF Workbench: ${method} ${topics.join(', ')} failed`,
            reason
          );
        }
      });
    }
  }

  private _setState(state: ConnectionState): void {
    if (this._isDisposed || sameUnavailable(this._state, state)) {
      return; // a quiet retry refused like the last: nothing changed
    }
    this._state = state;
    this._stateChanged.emit(state);
  }

  private _generation = 0;
  private _state: ConnectionState = { kind: 'connecting', restarting: false };
  private _stateChanged = new Signal<this, ConnectionState>(this);
  private _disposed = new Signal<this, void>(this);
  private _isDisposed = false;
  private _client: CommClient | null = null;
  private _ready = new ReadyClient();
  private _description: IServiceDescription | null = null;
  /** Topics this comm asked the kernel for (sent, maybe not answered yet). */
  private _kernelTopics = new Set<string>();
  private _topics = new TopicListeners<ITopics>();
  private _awaitingIdle = false;
  /** The kernel refused the comm (no workbench): open one again after each cell. */
  private _retryAfterCell = false;
  private _syncScheduled = false;
}

function sameUnavailable(a: ConnectionState, b: ConnectionState): boolean {
  return (
    a.kind === 'unavailable' &&
    b.kind === 'unavailable' &&
    a.reason === b.reason
  );
}

/** The client of one connection, once the kernel has answered; settles once. */
class ReadyClient {
  constructor() {
    // Nobody need be waiting: a refused connection is no unhandled rejection.
    this.promise.catch(() => undefined);
  }

  get promise(): Promise<CommClient> {
    return this._delegate.promise;
  }

  get settled(): boolean {
    return this._settled;
  }

  resolve(client: CommClient): void {
    this._settled = true;
    this._delegate.resolve(client);
  }

  reject(reason: Error): void {
    this._settled = true;
    this._delegate.reject(reason);
  }

  private _delegate = new PromiseDelegate<CommClient>();
  private _settled = false;
}

/** `promise`, or `onTimeout()` as the rejection after `ms` (0: no limit). */
function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error
): Promise<T> {
  if (ms <= 0) {
    return promise;
  }
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      value => {
        clearTimeout(timer);
        resolve(value);
      },
      (reason: unknown) => {
        clearTimeout(timer);
        reject(reason);
      }
    );
  });
}
