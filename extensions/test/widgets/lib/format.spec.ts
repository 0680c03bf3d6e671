import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  formatNumber,
  fromWire,
  tickLabels
} from '../../../widgets/lib/format';

describe('fromWire', () => {
  it('turns the wire form of non-finite floats into numbers', () => {
    assert.ok(Number.isNaN(fromWire('NaN')));
    assert.equal(fromWire('inf'), Infinity);
    assert.equal(fromWire('-inf'), -Infinity);
    assert.equal(fromWire(0.5), 0.5);
  });
});

describe('formatNumber', () => {
  it('shows wire values and non-finite numbers as the kernel names them', () => {
    assert.deepEqual(
      ['NaN', 'inf', '-inf', NaN, Infinity, -Infinity].map(v =>
        formatNumber(v as never)
      ),
      ['NaN', 'inf', '-inf', 'NaN', 'inf', '-inf']
    );
  });

  it('keeps four significant digits, integers whole', () => {
    assert.deepEqual([0, 0.123456, 2.5, 123456, -0.0012346].map(formatNumber), [
      '0',
      '0.1235',
      '2.5',
      '123456',
      '-0.001235'
    ]);
  });

  it('writes very large and very small values with an exponent', () => {
    assert.deepEqual([1.5e6, 2e-5, -3.25e9].map(formatNumber), [
      '1.5e6',
      '2e-5',
      '-3.25e9'
    ]);
  });
});

describe('tickLabels', () => {
  it('gives as many decimals as the step needs', () => {
    assert.deepEqual(tickLabels([0, 0.05, 0.1], 0.05), [
      '0.00',
      '0.05',
      '0.10'
    ]);
    assert.deepEqual(tickLabels([0, 200, 400], 200), ['0', '200', '400']);
  });

  it('never shows "-0"', () => {
    assert.deepEqual(tickLabels([-0.1 + 0.1 - 1e-17, 0.1], 0.1), [
      '0.0',
      '0.1'
    ]);
  });

  it('keeps exponent labels distinct', () => {
    const labels = tickLabels([1e6, 1.5e6, 2e6], 5e5);
    assert.deepEqual(labels, ['1e6', '1.5e6', '2e6']);
  });
});
