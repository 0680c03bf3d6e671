import { nodeRequire } from './node-require';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ISessionContext } from '@jupyterlab/apputils';
import { Signal } from '@lumino/signaling';
import { NO_WORKBENCH, RequestError } from '../src/client';
import { IServiceDescription, PROTOCOL_VERSION } from '../src/protocol';
import { KernelService } from '../src/service';

// The kernel connection is the boundary: a fake comm records what the service
// sends, and the test plays the kernel's part of the protocol.

interface ISent {
  id: number;
  method: string;
  params: Record<string, unknown>;
}

class FakeComm {
  constructor(readonly target: string) {}
  onMsg: ((msg: unknown) => void) | null = null;
  onClose: ((msg: unknown) => void) | null = null;
  opened: unknown = null;
  sent: ISent[] = [];
  closedByClient = false;
  isDisposed = false;

  open(data: unknown): void {
    this.opened = data;
  }
  send(data: ISent): void {
    this.sent.push(data);
  }
  close(): void {
    this.closedByClient = true;
    this.isDisposed = true;
  }
  dispose(): void {
    this.isDisposed = true;
  }

  /** The kernel answers the request `method` sent last (or the `nth`). */
  reply(method: string, result: unknown, nth?: number): void {
    const request =
      nth === undefined
        ? this.last(method)
        : this.sent.filter(r => r.method === method)[nth];
    assert.ok(request, `no ${method} request #${nth}`);
    this.onMsg?.({ content: { data: { id: request.id, result } } });
  }
  fail(method: string, code: string, message: string): void {
    const request = this.last(method);
    this.onMsg?.({
      content: { data: { id: request.id, error: { code, message, method } } }
    });
  }
  publish(topic: string, data: unknown): void {
    this.onMsg?.({ content: { data: { topic, data } } });
  }
  /** The kernel closes the comm, with `data` (a plain kernel sends none). */
  closeFromKernel(data: unknown = {}): void {
    this.onClose?.({ content: { data } });
    this.isDisposed = true;
  }
  last(method: string): ISent {
    const request = [...this.sent].reverse().find(r => r.method === method);
    assert.ok(request, `no ${method} request in ${JSON.stringify(this.sent)}`);
    return request;
  }
  methods(): string[] {
    return this.sent.map(r => r.method);
  }
}

class FakeKernel {
  comms: FakeComm[] = [];
  createComm(target: string): FakeComm {
    const comm = new FakeComm(target);
    this.comms.push(comm);
    return comm;
  }
  get comm(): FakeComm {
    const comm = this.comms[this.comms.length - 1];
    assert.ok(comm, 'no comm opened');
    return comm;
  }
}

class FakeSession {
  kernel: FakeKernel | null = new FakeKernel();
  ready = Promise.resolve();
  isDisposed = false;
  kernelChanged = new Signal<this, unknown>(this);
  statusChanged = new Signal<this, string>(this);
  iopubMessage = new Signal<this, unknown>(this);
  disposed = new Signal<this, void>(this);
  get session() {
    return { kernel: this.kernel };
  }

  /** The kernel's status messages around handling a `parent` request (e.g. a cell's). */
  handled(parent: 'execute_request' | 'comm_open'): void {
    for (const state of ['busy', 'idle']) {
      this.statusChanged.emit(state);
      this.iopubMessage.emit({
        channel: 'iopub',
        header: { msg_type: 'status' },
        parent_header: { msg_type: parent },
        content: { execution_state: state }
      });
    }
  }
}

const DESCRIPTION: IServiceDescription = {
  protocol: PROTOCOL_VERSION,
  methods: ['describe', 'subscribe', 'unsubscribe', 'status', 'runs.list'],
  topics: ['status', 'compile', 'runs']
};

/** Whether a `status` request reaches the kernel and its answer comes back. */
async function requestAnswered(
  service: KernelService,
  kernel: FakeKernel
): Promise<string> {
  const status = service.request('status', {});
  await settle();
  kernel.comm.reply('status', { ok: true });
  await status;
  return 'answered';
}

/** Let promise callbacks and queued microtasks run. */
const settle = () => new Promise(resolve => setTimeout(resolve, 0));

async function readyService() {
  const session = new FakeSession();
  const service = new KernelService(session as unknown as ISessionContext);
  await settle();
  const kernel = session.kernel as FakeKernel;
  kernel.comm.reply('describe', DESCRIPTION);
  await settle();
  return { session, service, kernel };
}

describe('KernelService', () => {
  it('runs where @lumino can load Node modules', () => {
    assert.equal(typeof nodeRequire, 'function');
  });

  it('opens the workbench comm with its protocol and is ready once described', async () => {
    const session = new FakeSession();
    const service = new KernelService(session as unknown as ISessionContext);
    assert.equal(service.state.kind, 'connecting');
    await settle();
    const comm = (session.kernel as FakeKernel).comm;
    assert.equal(comm.target, 'workbench');
    assert.deepEqual(comm.opened, { protocol: PROTOCOL_VERSION });
    assert.deepEqual(comm.methods(), ['describe']);
    comm.reply('describe', DESCRIPTION);
    await settle();
    assert.deepEqual(service.state, {
      kind: 'ready',
      description: DESCRIPTION
    });
  });

  it('resolves a request with its result and rejects an error with its code', async () => {
    const { service, kernel } = await readyService();
    const runs = service.request('runs.list', { logdir: 'runs' });
    await settle();
    assert.deepEqual(kernel.comm.last('runs.list').params, { logdir: 'runs' });
    kernel.comm.reply('runs.list', { runs: [] });
    assert.deepEqual(await runs, { runs: [] });

    const status = service.request('status', {});
    await settle();
    kernel.comm.fail('status', 'failed', 'RuntimeError: no devices');
    await assert.rejects(status, (error: unknown) => {
      assert.ok(error instanceof RequestError);
      assert.equal(error.code, 'failed');
      assert.equal(error.method, 'status');
      assert.equal(error.message, 'RuntimeError: no devices');
      return true;
    });
  });

  it('waits for the connection, and times out with a clear message', async () => {
    const session = new FakeSession();
    const service = new KernelService(session as unknown as ISessionContext);
    const early = service.request('status', {});
    const late = service.request('status', {}, { timeoutMs: 20 });
    await settle();
    const comm = (session.kernel as FakeKernel).comm;
    comm.reply('describe', DESCRIPTION);
    await settle();
    comm.reply('status', { workbench: '0.1' }, 0);
    assert.deepEqual(await early, { workbench: '0.1' });
    await assert.rejects(late, (error: unknown) => {
      assert.ok(error instanceof RequestError);
      assert.equal(error.code, 'timeout');
      assert.match(
        error.message,
        /did not answer 'status' within 20 ms: .* a cell may still be running/
      );
      return true;
    });
  });

  it('subscribes the kernel once per burst, only to topics it offers, while they have listeners', async () => {
    const { service, kernel } = await readyService();
    const seen: unknown[] = [];
    const a = service.subscribe('status', data => seen.push(['a', data]));
    const b = service.subscribe('status', data => seen.push(['b', data]));
    const runs = service.subscribe('runs', () => undefined);
    // a topic this kernel does not publish (an older workbench)
    const jobs = service.subscribe('jobs' as 'runs', () => undefined);
    await settle();
    assert.deepEqual(kernel.comm.last('subscribe').params, {
      topics: ['status', 'runs']
    });
    kernel.comm.publish('status', { v: 1 });
    // a copy: asserting on `seen` itself would narrow its type for the pushes below
    assert.deepEqual(seen.slice(), [
      ['a', { v: 1 }],
      ['b', { v: 1 }]
    ]);
    assert.deepEqual(service.latest('status'), { v: 1 });

    // a late listener gets the latest value at once
    service.subscribe('status', data => seen.push(['c', data]));
    assert.deepEqual(seen[2], ['c', { v: 1 }]);

    a.dispose();
    b.dispose();
    runs.dispose();
    jobs.dispose();
    await settle();
    assert.deepEqual(kernel.comm.methods(), [
      'describe',
      'subscribe',
      'unsubscribe'
    ]);
    assert.deepEqual(kernel.comm.last('unsubscribe').params, {
      topics: ['runs']
    });
  });

  it('says why the kernel refused the comm', async () => {
    const plain = new FakeSession();
    const service = new KernelService(plain as unknown as ISessionContext);
    await settle();
    (plain.kernel as FakeKernel).comm.closeFromKernel();
    assert.deepEqual(service.state, {
      kind: 'unavailable',
      reason: NO_WORKBENCH
    });
    await assert.rejects(service.request('status', {}), /%load_ext workbench/);

    const older = new FakeSession();
    const other = new KernelService(older as unknown as ISessionContext);
    await settle();
    (older.kernel as FakeKernel).comm.closeFromKernel({
      error: 'Expected protocol 2. Received: 1'
    });
    assert.equal(other.state.kind, 'unavailable');
    assert.match(
      (other.state as { reason: string }).reason,
      /^Expected protocol 2\. Received: 1\. Reinstall/
    );
  });

  it('connects by itself once a cell loads the workbench into a plain kernel', async () => {
    const session = new FakeSession();
    const service = new KernelService(session as unknown as ISessionContext);
    const kernel = session.kernel as FakeKernel;
    await settle();
    kernel.comm.closeFromKernel(); // a plain kernel: no workbench target
    assert.deepEqual(service.state, {
      kind: 'unavailable',
      reason: NO_WORKBENCH
    });
    const states: string[] = [];
    service.stateChanged.connect((_, state) => states.push(state.kind));

    // the kernel going idle after our own comm open is no cell: no retry
    session.handled('comm_open');
    await settle();
    assert.equal(kernel.comms.length, 1);

    // a cell ends (one without %load_ext): one comm opened again, quietly refused
    session.handled('execute_request');
    await settle();
    assert.equal(kernel.comms.length, 2);
    assert.equal(service.state.kind, 'unavailable');
    kernel.comm.closeFromKernel();
    session.handled('comm_open');
    await settle();
    assert.equal(kernel.comms.length, 2);
    assert.deepEqual(states, []); // the panel stays as it is: no flicker

    // `%load_ext workbench` runs: after the cell, the kernel answers
    session.handled('execute_request');
    session.handled('execute_request'); // another cell: the retry is still under way
    await settle();
    assert.equal(kernel.comms.length, 3);
    kernel.comm.reply('describe', DESCRIPTION);
    await settle();
    assert.equal(service.state.kind, 'ready');
    assert.deepEqual(states, ['ready']);
    assert.equal(await requestAnswered(service, kernel), 'answered');

    // connected: cells end without new comms
    session.handled('execute_request');
    await settle();
    assert.equal(kernel.comms.length, 3);
  });

  it('does not retry a kernel that speaks another protocol', async () => {
    const older = new FakeSession();
    const service = new KernelService(older as unknown as ISessionContext);
    await settle();
    const kernel = older.kernel as FakeKernel;
    kernel.comm.closeFromKernel({ error: 'Expected protocol 2. Received: 1' });
    older.handled('execute_request');
    await settle();
    assert.equal(kernel.comms.length, 1); // a cell cannot change that: reinstalling can
    assert.equal(service.state.kind, 'unavailable');
  });

  it('reconnects after a restart and resubscribes the topics that still have listeners', async () => {
    const { session, service, kernel } = await readyService();
    const seen: unknown[] = [];
    service.subscribe('status', data => seen.push(data));
    const runs = service.subscribe('runs', () => undefined);
    await settle();
    kernel.comm.publish('status', { v: 'old' });
    const before = kernel.comm;

    session.statusChanged.emit('restarting');
    assert.deepEqual(service.state, { kind: 'connecting', restarting: true });
    assert.equal(service.latest('status'), undefined); // the old process's
    runs.dispose();
    const refresh = service.request('status', {});
    session.statusChanged.emit('starting');
    await settle();
    assert.equal(kernel.comms.length, 1); // no comm into a process being replaced

    session.statusChanged.emit('idle');
    await settle();
    assert.equal(kernel.comms.length, 2);
    kernel.comm.reply('describe', DESCRIPTION);
    await settle();
    assert.equal(service.state.kind, 'ready');
    assert.deepEqual(kernel.comm.last('subscribe').params, {
      topics: ['status']
    });
    // the refresh asked during the restart is answered by the new kernel
    kernel.comm.reply('status', { v: 'new' });
    assert.deepEqual(await refresh, { v: 'new' });
    kernel.comm.publish('status', { v: 'new' });
    before.publish('status', { v: 'stale' }); // a comm of the old process
    assert.deepEqual(seen, [{ v: 'old' }, { v: 'new' }]);
  });

  it('follows a kernel change, and says when there is no kernel', async () => {
    const { session, service, kernel } = await readyService();
    session.kernel = null;
    session.kernelChanged.emit({});
    await settle();
    assert.equal(service.state.kind, 'no-kernel');
    assert.equal(kernel.comm.closedByClient, true);

    const next = new FakeKernel();
    session.kernel = next;
    session.kernelChanged.emit({});
    await settle();
    assert.equal(next.comms.length, 1);
    assert.equal(service.state.kind, 'connecting');
  });

  it('is disposed with its session, failing what waits', async () => {
    const session = new FakeSession();
    const service = new KernelService(session as unknown as ISessionContext);
    const pending = service.request('status', {});
    session.disposed.emit();
    assert.equal(service.isDisposed, true);
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof RequestError);
      assert.equal(error.code, 'closed');
      return true;
    });
  });
});
