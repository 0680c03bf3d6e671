import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PALETTE, colorIndex } from '../../../widgets/timeline/colors';
import cases from './colors.cases.json';

// The same table is checked against the kernel's op_colors.py (tests/unit/test_timeline_messages_mirror.py).
describe('colorIndex', () => {
  it('gives each name the color the kernel gives it', () => {
    assert.deepEqual([...PALETTE], cases.palette);
    for (const [name, index] of cases.cases as [string, number][]) {
      assert.equal(colorIndex(name), index, name);
    }
  });
});
