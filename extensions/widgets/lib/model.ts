/**
 * Typed access to the model anywidget hands a view's `render`.
 *
 * `Traits` names the synced traits and their types; events are
 * `change:<trait>` and `msg:custom` (content and binary buffers). A `Model`
 * remembers what it subscribed, so a view's `dispose` can drop it all at once.
 */

import type { BufferLike } from './buffers';

/** What anywidget passes to `render({ model, el })` (the part the views use). */
export interface IAnyModel {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  save_changes(): void;
  send(content: unknown, callbacks?: unknown, buffers?: ArrayBuffer[]): void;
  on(event: string, callback: (...args: never[]) => void): void;
  off(event: string, callback: (...args: never[]) => void): void;
}

export type CustomMessageHandler = (
  content: unknown,
  buffers: readonly BufferLike[]
) => void;

type Events<Traits> = {
  [K in keyof Traits & string as `change:${K}`]: () => void;
} & { 'msg:custom': CustomMessageHandler };

export class Model<Traits extends object> {
  constructor(readonly raw: IAnyModel) {}

  /** A trait's value; undefined when the saved state lacks it. */
  get<K extends keyof Traits & string>(name: K): Traits[K] | undefined {
    return this.raw.get(name) as Traits[K] | undefined;
  }

  on<E extends keyof Events<Traits> & string>(
    event: E,
    callback: Events<Traits>[E]
  ): void {
    const handler = callback as (...args: never[]) => void;
    this.raw.on(event, handler);
    this.subscribed.push([event, handler]);
  }

  off<E extends keyof Events<Traits> & string>(
    event: E,
    callback: Events<Traits>[E]
  ): void {
    const handler = callback as (...args: never[]) => void;
    this.raw.off(event, handler);
    this.subscribed = this.subscribed.filter(
      ([e, h]) => e !== event || h !== handler
    );
  }

  /** Sets a trait and sends it to the kernel (the kernel reads it between cells). */
  save<K extends keyof Traits & string>(name: K, value: Traits[K]): void {
    this.raw.set(name, value);
    this.raw.save_changes();
  }

  send(content: object): void {
    this.raw.send(content);
  }

  /** Drops every subscription made through this object. */
  dispose(): void {
    for (const [event, handler] of this.subscribed) {
      this.raw.off(event, handler);
    }
    this.subscribed = [];
  }

  private subscribed: [string, (...args: never[]) => void][] = [];
}
