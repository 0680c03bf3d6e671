import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  LANE_GAP_PX,
  ROW_PX,
  RULER_PX,
  STEPS_PX,
  laneOf,
  layout,
  rowAt,
  shortThread
} from '../../../widgets/timeline/layout';
import { ITimelineLane } from '../../../widgets/timeline/messages';

const lanes: ITimelineLane[] = [
  {
    label: 'p · python',
    process: 'p',
    thread: 'python',
    rows: 3,
    first_row: 0,
    events: 10
  },
  {
    label: 'p · tf_Compute/123',
    process: 'p',
    thread: 'tf_Compute/123',
    rows: 2,
    first_row: 3,
    events: 5
  }
];

describe('layout', () => {
  it('stacks each lane s rows under the ruler and the steps, a gap between lanes', () => {
    const grid = layout(lanes, 5);
    const top = RULER_PX + STEPS_PX;
    assert.deepEqual(Array.from(grid.rowTop), [
      top,
      top + ROW_PX,
      top + 2 * ROW_PX,
      top + 3 * ROW_PX + LANE_GAP_PX,
      top + 4 * ROW_PX + LANE_GAP_PX
    ]);
    assert.deepEqual(grid.laneTop, [top, top + 3 * ROW_PX + LANE_GAP_PX]);
    assert.equal(grid.height, top + 5 * ROW_PX + 2 * LANE_GAP_PX);
  });

  it('finds the row under a height, and none in gaps and the ruler', () => {
    const top = RULER_PX + STEPS_PX;
    assert.equal(rowAt(lanes, top + 1), 0);
    assert.equal(rowAt(lanes, top + 2 * ROW_PX + 3), 2);
    assert.equal(rowAt(lanes, top + 3 * ROW_PX + 1), -1); // the gap
    assert.equal(rowAt(lanes, top + 3 * ROW_PX + LANE_GAP_PX + 1), 3);
    assert.equal(rowAt(lanes, 2), -1);
    assert.equal(laneOf(lanes, 4)?.thread, 'tf_Compute/123');
    assert.equal(laneOf(lanes, 5), undefined);
  });

  it('drops the numeric id TensorFlow appends to pool threads', () => {
    assert.equal(shortThread('tf_Compute/4309473845213577614'), 'tf_Compute');
    assert.equal(
      shortThread('tf_data_iterator_resource/-6157681645407316146'),
      'tf_data_iterator_resource'
    );
    assert.equal(shortThread('python'), 'python');
    assert.equal(shortThread('a/b'), 'a/b');
  });
});
