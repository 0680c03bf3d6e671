import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatFloat,
  formatRun,
  groupByType,
  shortDeviceName,
  summarize
} from '../src/format';
import { IDeviceInfo, IRunInfo } from '../src/protocol';

const cpu = (name: string): IDeviceInfo => ({ name, device_type: 'CPU' });
const gpu = (name: string): IDeviceInfo => ({ name, device_type: 'GPU' });

describe('shortDeviceName', () => {
  it('drops the physical and logical device prefixes', () => {
    assert.equal(shortDeviceName('/physical_device:CPU:0'), 'CPU:0');
    assert.equal(
      shortDeviceName('/job:localhost/replica:0/task:0/device:GPU:1'),
      'GPU:1'
    );
  });

  it('keeps a name it does not recognise', () => {
    assert.equal(shortDeviceName('TPU_SYSTEM'), 'TPU_SYSTEM');
  });
});

describe('groupByType', () => {
  it('groups in the order TensorFlow lists the types', () => {
    const groups = groupByType([cpu('c0'), gpu('g0'), cpu('c1')]);
    assert.deepEqual([...groups.keys()], ['CPU', 'GPU']);
    assert.deepEqual(
      groups.get('CPU')?.map(d => d.name),
      ['c0', 'c1']
    );
  });
});

describe('summarize', () => {
  it('counts physical devices while the runtime has not started', () => {
    assert.equal(summarize([cpu('c0'), gpu('g0')], null), '1 CPU, 1 GPU');
  });

  it('names a split into logical devices', () => {
    const logical = [cpu('l0'), cpu('l1'), cpu('l2')];
    assert.equal(summarize([cpu('c0')], logical), '3 logical CPU on 1 CPU');
  });

  it('does not call one logical device per physical one a split', () => {
    assert.equal(summarize([cpu('c0')], [cpu('l0')]), '1 CPU');
  });

  it('says so when there are none', () => {
    assert.equal(summarize([], null), 'no devices');
  });
});

describe('formatFloat', () => {
  it('shows 4 significant digits without trailing zeros', () => {
    assert.equal(formatFloat(0.123456), '0.1235');
    assert.equal(formatFloat(2.5), '2.5');
    assert.equal(formatFloat(1234567), '1235000');
    assert.equal(formatFloat(0), '0');
  });

  it('shows the wire form of a non-finite value as it came', () => {
    // JSON has no NaN: the kernel sends strings, which have no toPrecision.
    assert.equal(formatFloat('NaN'), 'NaN');
    assert.equal(formatFloat('inf'), 'inf');
    assert.equal(formatFloat('-inf'), '-inf');
  });
});

describe('formatRun', () => {
  const run = (over: Partial<IRunInfo>) =>
    ({
      name: 'live',
      logdir: 'runs',
      state: 'running',
      steps: 0,
      last: {},
      warnings: [],
      ...over
    }) as IRunInfo;

  it('gives name, state, steps and the latest metrics', () => {
    assert.equal(
      formatRun(run({ steps: 120, last: { loss: 0.25, mae: 0.123456 } })),
      'live · running · 120 steps · loss 0.25, mae 0.1235'
    );
  });

  it('leaves out steps and metrics a run does not have yet', () => {
    assert.equal(formatRun(run({})), 'live · running');
  });

  it('counts what could not be read', () => {
    assert.equal(
      formatRun(run({ state: 'unreadable', warnings: ['no such file'] })),
      'live · unreadable · 1 warning'
    );
    assert.equal(
      formatRun(run({ steps: 9, warnings: ['a', 'b'] })),
      'live · running · 9 steps · 2 warnings'
    );
  });

  it('shows a diverged loss', () => {
    assert.equal(
      formatRun(run({ state: 'failed', steps: 3, last: { loss: 'NaN' } })),
      'live · failed · 3 steps · loss NaN'
    );
  });
});
