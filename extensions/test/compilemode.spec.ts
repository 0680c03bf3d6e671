import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cellMode,
  compileStatusText,
  cycleMode,
  parseMagic,
  toggleCaption
} from '../src/compilemode';

describe('parseMagic', () => {
  it('reads the mode and the options of a first-line %%compile', () => {
    assert.deepEqual(parseMagic('%%compile xla --compare\nx = 1'), {
      mode: 'xla',
      rest: ' --compare'
    });
  });

  it('gives a null mode to a bare %%compile (the kernel default)', () => {
    assert.deepEqual(parseMagic('%%compile\nx'), { mode: null, rest: '' });
  });

  it('ignores a magic that is not on the first line, or another magic', () => {
    assert.equal(parseMagic('x = 1\n%%compile xla'), null);
    assert.equal(parseMagic('%%compiler xla\nx'), null);
    assert.equal(parseMagic('%%compilexla\nx'), null);
  });
});

describe('cellMode', () => {
  it("is the magic's mode, else the kernel default", () => {
    assert.equal(cellMode('%%compile function\nx', 'eager'), 'function');
    assert.equal(cellMode('x', 'xla'), 'xla');
    assert.equal(cellMode('%%compile --compare\nx', 'xla'), 'xla');
  });
});

describe('cycleMode', () => {
  it('goes eager -> function -> xla -> eager', () => {
    const first = cycleMode('y = x * 2', 'eager');
    assert.equal(first, '%%compile function\ny = x * 2');
    const second = cycleMode(first, 'eager');
    assert.equal(second, '%%compile xla\ny = x * 2');
    // back on the kernel default with nothing else on the line: no magic left
    assert.equal(cycleMode(second, 'eager'), 'y = x * 2');
  });

  it('starts from the kernel default of a cell without a magic', () => {
    assert.equal(cycleMode('y', 'function'), '%%compile xla\ny');
  });

  it('keeps the options after the mode', () => {
    assert.equal(
      cycleMode('%%compile function --compare\ny', 'eager'),
      '%%compile xla --compare\ny'
    );
    assert.equal(
      cycleMode('%%compile xla --compare\ny', 'eager'),
      '%%compile eager --compare\ny'
    );
  });

  it('writes eager out when the kernel default is another mode', () => {
    assert.equal(
      cycleMode('%%compile xla\ny', 'function'),
      '%%compile eager\ny'
    );
  });
});

describe('toggleCaption', () => {
  it('says the mode and what a click does', () => {
    assert.equal(
      toggleCaption('eager'),
      "Compile mode: Eager. Click for tf.function (edits this cell's %%compile line)"
    );
    assert.equal(
      toggleCaption('xla'),
      "Compile mode: XLA. Click for Eager (edits this cell's %%compile line)"
    );
  });
});

describe('compileStatusText', () => {
  it('names the mode as the toolbar does', () => {
    assert.equal(
      compileStatusText({ mode: 'xla', tf_debug: false }),
      'Compile: XLA'
    );
  });

  it('says when tf.functions run eagerly', () => {
    assert.equal(
      compileStatusText({ mode: 'function', tf_debug: true }),
      'Compile: tf.function · tf_debug'
    );
  });
});
