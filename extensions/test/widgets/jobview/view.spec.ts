import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNumber, metricsText } from '../../../widgets/jobview/view';

describe('the job view: a worker’s last metrics', () => {
  it('shows integers as they are and others with four significant digits', () => {
    assert.equal(formatNumber(120), '120');
    assert.equal(formatNumber(0.041666), '0.04167');
    assert.equal(formatNumber(1.5), '1.500');
  });

  it('uses exponents for very large or very small values', () => {
    assert.equal(formatNumber(123456.7), '1.235e+5');
    assert.equal(formatNumber(0.0000123), '1.230e-5');
  });

  it('passes the wire form of a non-finite value through', () => {
    assert.equal(formatNumber('NaN'), 'NaN');
    assert.equal(formatNumber('-inf'), '-inf');
  });

  it('joins metrics in the order the worker logged them', () => {
    assert.equal(
      metricsText({ loss: 0.5, accuracy: 0.91234, bad: 'inf' }),
      'loss 0.5000 · accuracy 0.9123 · bad inf'
    );
    assert.equal(metricsText({}), '');
  });
});
