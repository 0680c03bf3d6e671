import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IWidgetRequest } from '../../../widgets/lib/messages';
import {
  RequestClient,
  WidgetRequestError
} from '../../../widgets/lib/request';

describe('RequestClient', () => {
  it('sends numbered requests and resolves each with its own response', async () => {
    const sent: IWidgetRequest[] = [];
    const client = new RequestClient(r => sent.push(r));
    const first = client.request('sync');
    const second = client.request('range', { from: 2 });
    assert.deepEqual(sent, [
      { type: 'request', id: 1, method: 'sync', params: {} },
      { type: 'request', id: 2, method: 'range', params: { from: 2 } }
    ]);
    assert.equal(
      client.handle({ type: 'response', id: 2, result: [1, 2] }),
      true
    );
    assert.equal(
      client.handle({ type: 'response', id: 1, result: null }),
      true
    );
    assert.deepEqual(await second, [1, 2]);
    assert.equal(await first, null);
    assert.equal(client.waiting, 0);
  });

  it('rejects with the error the kernel sent, naming the method', async () => {
    const client = new RequestClient(() => undefined);
    const pending = client.request('sync');
    client.handle({
      type: 'response',
      id: 1,
      error: { message: 'the disk is full' }
    });
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof WidgetRequestError);
      assert.equal(error.message, 'sync: the disk is full');
      return true;
    });
  });

  it('leaves other messages to the view, and ignores responses nobody waits for', () => {
    const client = new RequestClient(() => undefined);
    assert.equal(client.handle({ type: 'reset', series: [] }), false);
    assert.equal(client.handle({ type: 'response', id: 'x' }), false);
    assert.equal(client.handle({ type: 'response', id: 9, result: 1 }), true);
  });

  it('rejects what is pending when disposed, and refuses new requests', async () => {
    const client = new RequestClient(() => undefined);
    const pending = client.request('sync');
    client.dispose();
    await assert.rejects(pending, /sync: the view is closed/);
    await assert.rejects(client.request('sync'), /the view is closed/);
  });
});
