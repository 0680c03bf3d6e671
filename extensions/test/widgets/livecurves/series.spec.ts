import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ISeriesMessage } from '../../../widgets/lib/messages';
import { Series, SeriesSet } from '../../../widgets/livecurves/series';

/** Float64 little-endian bytes, delivered as ipywidgets does: DataViews into one buffer. */
function dataViews(...arrays: number[][]): DataView[] {
  const total = arrays.reduce((n, a) => n + a.length * 8, 0);
  const buffer = new ArrayBuffer(total + 4);
  let offset = 4;
  return arrays.map(array => {
    const view = new DataView(buffer, offset, array.length * 8);
    array.forEach((v, i) => view.setFloat64(i * 8, v, true));
    offset += array.length * 8;
    return view;
  });
}

const header = (key: string, n: number): ISeriesMessage['series'][number] => {
  const [split = '', group = ''] = key.split('/');
  return { key, group, split, n };
};

const points = (series: Series | undefined): [number[], number[]] => [
  Array.from(series?.steps.subarray(0, series.length) ?? []),
  Array.from(series?.values.subarray(0, series.length) ?? [])
];

describe('Series', () => {
  it('grows past its initial capacity, keeping every point', () => {
    const series = new Series('train/loss', 'loss', 'train');
    const steps = Float64Array.from({ length: 1000 }, (_, i) => i);
    series.push(steps.subarray(0, 300), steps.subarray(0, 300));
    series.push(steps.subarray(300), steps.subarray(300));
    assert.equal(series.length, 1000);
    assert.deepEqual(points(series)[0], Array.from(steps));
  });

  it('refuses steps and values of different lengths', () => {
    const series = new Series('k', 'g', 'train');
    assert.throws(
      () => series.push(new Float64Array(2), new Float64Array(3)),
      /2 steps, 3 values/
    );
  });
});

describe('SeriesSet', () => {
  it('appends and resets series by key from message buffers', () => {
    const set = new SeriesSet();
    const two = [header('train/loss', 2), header('validation/loss', 1)];
    set.apply(
      { type: 'append', series: two },
      dataViews([1, 2], [0.9, 0.8], [2], [0.7])
    );
    set.apply(
      { type: 'append', series: [header('train/loss', 1)] },
      dataViews([3], [0.5])
    );
    assert.deepEqual(points(set.series.get('train/loss')), [
      [1, 2, 3],
      [0.9, 0.8, 0.5]
    ]);
    set.apply(
      { type: 'reset', series: [header('train/loss', 1)] },
      dataViews([3], [0.5])
    );
    assert.deepEqual(points(set.series.get('train/loss')), [[3], [0.5]]);
    assert.deepEqual(points(set.series.get('validation/loss')), [[2], [0.7]]);
    assert.deepEqual([...set.groups().keys()], ['loss']);
    assert.deepEqual(
      set
        .groups()
        .get('loss')
        ?.map(s => s.split),
      ['train', 'validation']
    );
  });

  it('refuses a message with fewer buffers than its series need', () => {
    const set = new SeriesSet();
    assert.throws(
      () =>
        set.apply(
          { type: 'append', series: [header('train/loss', 1)] },
          dataViews([1])
        ),
      /Expected 2 buffers per series \(2\)\. Received: 1/
    );
  });
});
