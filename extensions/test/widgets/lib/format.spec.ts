import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  formatNumber,
  fromWire,
  humanLabels,
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

  it('writes thousands and up in human units', () => {
    assert.deepEqual(tickLabels([0, 5e4, 1e5, 1.5e5, 2e5], 5e4), [
      '0',
      '50k',
      '100k',
      '150k',
      '200k'
    ]);
    assert.deepEqual(tickLabels([1e6, 1.25e6, 1.5e6], 2.5e5), [
      '1M',
      '1.25M',
      '1.5M'
    ]);
    assert.deepEqual(tickLabels([-1e4, 0, 1e4], 1e4), ['-10k', '0', '10k']);
    assert.deepEqual(tickLabels([2e9, 4e12], 2e9), ['2B', '4T']);
  });

  it('keeps plain numbers under 10,000', () => {
    assert.deepEqual(tickLabels([0, 2000, 4000, 6000, 8000], 2000), [
      '0',
      '2000',
      '4000',
      '6000',
      '8000'
    ]);
  });

  it('falls back where a unit would round a tick', () => {
    assert.equal(humanLabels([10_000, 10_001]), null);
    assert.deepEqual(tickLabels([10_000, 10_001, 10_002], 1), [
      '10000',
      '10001',
      '10002'
    ]);
    assert.equal(humanLabels([12_345.5]), null);
  });

  it('keeps exponent labels exact and distinct', () => {
    assert.deepEqual(tickLabels([1e15, 1.5e15, 2e15], 5e14), [
      '1e15',
      '1.5e15',
      '2e15'
    ]);
    // 1.25e16 at one digit rounds half up in JavaScript and half to even in Python: exact labels
    // need no rounding, so both read 1.25e16
    assert.deepEqual(tickLabels([1e16, 1.25e16, 1.5e16], 2.5e15), [
      '1e16',
      '1.25e16',
      '1.5e16'
    ]);
  });
});
