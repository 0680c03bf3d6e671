/**
 * The projection view's `_esm`: a small loader. The view's front end
 * (`projector.js`, with regl-scatterplot) is not carried in every widget's
 * state: the loader asks the kernel for it once per page and bundle digest
 * (the `bundle` request), imports it from a blob URL and hands it the model.
 */

import type { IAnyModel } from '../lib/model';

interface IViewModule {
  default: {
    render(args: { model: IAnyModel; el: HTMLElement }): () => void;
  };
}

type Cache = Map<string, Promise<IViewModule>>;
const KEY = '__tfWorkbenchProjectorBundles';
const TIMEOUT_MS = 60_000;

function cache(): Cache {
  const scope = globalThis as unknown as Record<string, Cache | undefined>;
  return (scope[KEY] ??= new Map());
}

function fetchBundle(model: IAnyModel): Promise<string> {
  // an id no RequestClient uses (theirs count up from 1)
  const id = 2_000_000_000 + Math.floor(Math.random() * 100_000_000);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      model.off('msg:custom', onMessage);
      reject(new Error('the kernel did not send the view (is it busy?)'));
    }, TIMEOUT_MS);
    const onMessage = (content: unknown): void => {
      const response = content as {
        type?: string;
        id?: number;
        result?: { code?: string };
        error?: { message?: string };
      };
      if (response?.type !== 'response' || response.id !== id) {
        return;
      }
      clearTimeout(timer);
      model.off('msg:custom', onMessage);
      if (typeof response.result?.code === 'string') {
        resolve(response.result.code);
      } else {
        reject(new Error(response.error?.message ?? 'no bundle in the answer'));
      }
    };
    model.on('msg:custom', onMessage);
    model.send({ type: 'request', id, method: 'bundle', params: {} });
  });
}

async function load(model: IAnyModel): Promise<IViewModule> {
  const code = await fetchBundle(model);
  const url = URL.createObjectURL(
    new Blob([code], { type: 'text/javascript' })
  );
  try {
    return (await import(/* @vite-ignore */ url)) as IViewModule;
  } finally {
    URL.revokeObjectURL(url);
  }
}

export default {
  async render({
    model,
    el
  }: {
    model: IAnyModel;
    el: HTMLElement;
  }): Promise<() => void> {
    const hash = String(model.get('bundle_hash') ?? '');
    const bundles = cache();
    let pending = bundles.get(hash);
    if (!pending) {
      pending = load(model);
      bundles.set(hash, pending);
    }
    el.textContent = 'Loading the projection view…';
    try {
      const view = await pending;
      el.textContent = '';
      return view.default.render({ model, el });
    } catch (error) {
      bundles.delete(hash);
      el.textContent = `tf-workbench: the projection view could not load: ${String(error)}`;
      return () => undefined;
    }
  }
};
