/** A topic's listener: called with each value the kernel publishes. */
export type Listener<D> = (data: D) => void;

/** What `add` hands back: the handle to `remove`, and whether the topic was new. */
export interface IAdded {
  handle: object;
  first: boolean;
}

/**
 * Who listens to which topic, and the latest value of each listened topic:
 * the bookkeeping of `KernelService`, kept free of any kernel so that it can
 * be tested on its own. `M` maps a topic name to the type of its data.
 *
 * A topic's latest value is kept only while it has listeners: without them
 * the kernel is not asked for updates, so a kept value would go stale.
 */
export class TopicListeners<M> {
  /** `onError` hears about a listener that threw; the other listeners still run. */
  constructor(
    onError: (error: unknown, topic: keyof M) => void = (error, topic) =>
      console.error(`TF Workbench: a '${String(topic)}' listener failed`, error)
  ) {
    this._onError = onError;
  }

  /**
   * Add `listener` to `topic` and call it at once with the latest value, if
   * one is known. `first` is true when the topic had no listener before (the
   * kernel must be asked to publish it).
   */
  add<T extends keyof M>(topic: T, listener: Listener<M[T]>): IAdded {
    let entries = this._listeners.get(topic);
    const first = entries === undefined;
    if (!entries) {
      entries = new Map();
      this._listeners.set(topic, entries);
    }
    // A fresh handle per call: the same function added twice is two listeners.
    const handle = {};
    entries.set(handle, listener as Listener<unknown>);
    if (this._latest.has(topic)) {
      this._call(topic, listener as Listener<unknown>, this._latest.get(topic));
    }
    return { handle, first };
  }

  /**
   * Remove the listener `add` returned `handle` for. True when it was the
   * topic's last one (the kernel may stop publishing it); false also when the
   * handle was removed already.
   */
  remove(topic: keyof M, handle: object): boolean {
    const entries = this._listeners.get(topic);
    if (!entries?.delete(handle) || entries.size > 0) {
      return false;
    }
    this._listeners.delete(topic);
    this._latest.delete(topic);
    return true;
  }

  /** Keep `data` as the topic's latest value and hand it to its listeners. */
  publish<T extends keyof M>(topic: T, data: M[T]): void {
    const entries = this._listeners.get(topic);
    if (!entries) {
      return; // an event that crossed our unsubscribe
    }
    this._latest.set(topic, data);
    // A listener may add or remove listeners: call the ones there were.
    for (const listener of [...entries.values()]) {
      this._call(topic, listener, data);
    }
  }

  latest<T extends keyof M>(topic: T): M[T] | undefined {
    return this._latest.get(topic) as M[T] | undefined;
  }

  /** Topics with at least one listener, in the order they were first added. */
  topics(): (keyof M)[] {
    return [...this._listeners.keys()];
  }

  /** Drop every latest value (another kernel process: they describe the old one). */
  forget(): void {
    this._latest.clear();
  }

  /** Remove every listener and value. */
  clear(): void {
    this._listeners.clear();
    this._latest.clear();
  }

  private _call(topic: keyof M, listener: Listener<unknown>, data: unknown) {
    try {
      listener(data);
    } catch (error) {
      this._onError(error, topic);
    }
  }

  private _onError: (error: unknown, topic: keyof M) => void;
  private _listeners = new Map<keyof M, Map<object, Listener<unknown>>>();
  private _latest = new Map<keyof M, unknown>();
}

/** What to ask the kernel so that it publishes `wanted` when it publishes `current`. */
export function topicChanges<T>(
  wanted: Iterable<T>,
  current: Iterable<T>
): { subscribe: T[]; unsubscribe: T[] } {
  const want = new Set(wanted);
  const have = new Set(current);
  return {
    subscribe: [...want].filter(topic => !have.has(topic)),
    unsubscribe: [...have].filter(topic => !want.has(topic))
  };
}
