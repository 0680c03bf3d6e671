/**
 * Requests to the kernel over widget messages, answered by one response each.
 *
 * The kernel (`workbench.widgets.base.StreamedView`) sends whatever a request
 * calls for as ordinary messages first, then an IWidgetResponse echoing the
 * request's id. Pure: it takes the send function and is fed custom messages,
 * so it runs without a DOM or a kernel.
 */

import { IWidgetRequest, IWidgetResponse, isResponse } from './messages';

/** An error response from the kernel (or the client closed before one came). */
export class WidgetRequestError extends Error {
  constructor(
    readonly method: string,
    message: string
  ) {
    super(`${method}: ${message}`);
    this.name = 'WidgetRequestError';
  }
}

interface IPending {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

export class RequestClient {
  constructor(private readonly post: (request: IWidgetRequest) => void) {}

  /** Sends a request; resolves with its result, rejects with its error. */
  request(
    method: string,
    params: Record<string, unknown> = {}
  ): Promise<unknown> {
    if (this.closed) {
      return Promise.reject(
        new WidgetRequestError(method, 'the view is closed')
      );
    }
    const id = ++this.last;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      this.post({ type: 'request', id, method, params });
    });
  }

  /** Feed every custom message here; returns whether it was a response (and so handled). */
  handle(content: unknown): boolean {
    if (!isResponse(content)) {
      return false;
    }
    const pending = this.pending.get(content.id);
    if (pending) {
      this.pending.delete(content.id);
      settle(pending, content);
    }
    return true;
  }

  /** Rejects what is still pending: the view is gone and nobody waits. */
  dispose(): void {
    this.closed = true;
    for (const pending of this.pending.values()) {
      pending.reject(
        new WidgetRequestError(pending.method, 'the view is closed')
      );
    }
    this.pending.clear();
  }

  /** Requests sent and not answered yet. */
  get waiting(): number {
    return this.pending.size;
  }

  private last = 0;
  private closed = false;
  private pending = new Map<number, IPending>();
}

function settle(pending: IPending, response: IWidgetResponse): void {
  if (response.error) {
    pending.reject(
      new WidgetRequestError(pending.method, response.error.message)
    );
  } else {
    pending.resolve(response.result);
  }
}
