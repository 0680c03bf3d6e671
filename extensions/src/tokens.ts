import { ISessionContext } from '@jupyterlab/apputils';
import { Token } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';
import {
  IMethods,
  IServiceDescription,
  ITopics,
  MethodName,
  TopicName
} from './protocol';

/**
 * Where a notebook's connection to its kernel's workbench stands.
 *
 * - `connecting`: the comm is open (or about to be) and the kernel has not
 *   answered yet; it answers between cells. `restarting` while the kernel
 *   process is being replaced.
 * - `ready`: the kernel answered; `description` lists its methods and topics.
 * - `unavailable`: the kernel refused the comm (no workbench, another
 *   protocol) or died; `reason` says what to do. A kernel without the
 *   workbench is asked again after each cell, quietly (the state changes
 *   only when it answers).
 * - `no-kernel`: the notebook has no kernel.
 */
export type ConnectionState =
  | { readonly kind: 'connecting'; readonly restarting: boolean }
  | { readonly kind: 'ready'; readonly description: IServiceDescription }
  | { readonly kind: 'unavailable'; readonly reason: string }
  | { readonly kind: 'no-kernel' };

/** Options of one request. */
export interface IRequestOptions {
  /** How long to wait for the connection and the reply, in ms (0: as long as it takes). */
  timeoutMs?: number;
}

/** One notebook session's link to the workbench in its kernel. */
export interface IKernelService extends IDisposable {
  readonly sessionContext: ISessionContext;
  readonly state: ConnectionState;
  readonly stateChanged: ISignal<IKernelService, ConnectionState>;

  /**
   * Call `method` in the kernel. Waits for the connection while it is
   * `connecting`; rejects with a `RequestError` carrying the error code
   * (the kernel's, or `timeout`, `closed`, `unavailable`).
   */
  request<M extends MethodName>(
    method: M,
    params: IMethods[M]['params'],
    options?: IRequestOptions
  ): Promise<IMethods[M]['result']>;

  /**
   * Call `listener` with each value of `topic`: at once with the latest one,
   * if known, then whenever the kernel publishes it. The kernel is subscribed
   * while the topic has listeners, again after every reconnect; a topic the
   * kernel does not offer stays silent. Dispose the result to stop.
   */
  subscribe<T extends TopicName>(
    topic: T,
    listener: (data: ITopics[T]) => void
  ): IDisposable;

  /** The topic's latest value while it has listeners, else `undefined`. */
  latest<T extends TopicName>(topic: T): ITopics[T] | undefined;

  /**
   * Open a new comm now (the refresh button). A kernel that refused the comm
   * is asked again after each cell anyway, e.g. after `%load_ext workbench`.
   */
  reconnect(): void;
}

/** The kernel services of open notebooks, one per session. */
export interface IWorkbenchServices {
  /** The service of `session`, made on first use and disposed with the session. */
  forSession(session: ISessionContext): IKernelService;

  /**
   * The service of the notebook the user works in: the last active one when
   * the focus moves to a console or an editor, `null` when none is open.
   */
  readonly current: IKernelService | null;
  readonly currentChanged: ISignal<IWorkbenchServices, IKernelService | null>;
}

export const IWorkbenchServices = new Token<IWorkbenchServices>(
  'tf-workbench:IWorkbenchServices',
  "One workbench connection per notebook session: typed requests and topics of its kernel's workbench."
);
