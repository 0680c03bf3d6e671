import { CompileMode, ICompileState } from './protocol';

export const MODES: CompileMode[] = ['eager', 'function', 'xla'];

export const MODE_LABELS: Record<CompileMode, string> = {
  eager: 'Eager',
  function: 'tf.function',
  xla: 'XLA'
};

// `%%compile` must end at a space or the line's end: `%%compiler` is another magic.
const MAGIC = /^%%compile(?=[ \t]|$)(?:[ \t]+(eager|function|xla)\b)?(.*)$/;

/** The `%%compile` magic of a cell's first line: its mode (null: the kernel default) and the rest. */
export function parseMagic(
  source: string
): { mode: CompileMode | null; rest: string } | null {
  const first = source.split('\n', 1)[0] ?? '';
  const match = MAGIC.exec(first.trimEnd());
  if (!match) {
    return null;
  }
  return {
    mode: (match[1] as CompileMode | undefined) ?? null,
    rest: match[2] ?? ''
  };
}

/** The mode a cell runs in: its magic's, else the kernel's default. */
export function cellMode(
  source: string,
  kernelDefault: CompileMode
): CompileMode {
  return parseMagic(source)?.mode ?? kernelDefault;
}

/** The mode after `mode` in the toggle's cycle: eager -> function -> xla -> eager. */
export function nextMode(mode: CompileMode): CompileMode {
  return MODES[(MODES.indexOf(mode) + 1) % MODES.length] as CompileMode;
}

/**
 * The cell toolbar toggle's tooltip: the cell's mode, and what a click does.
 * `Compile mode: Eager. Click for tf.function (edits this cell's %%compile line)`
 */
export function toggleCaption(mode: CompileMode): string {
  return `Compile mode: ${MODE_LABELS[mode]}. Click for ${MODE_LABELS[nextMode(mode)]} (edits this cell's %%compile line)`;
}

/**
 * The cell's source switched to the next mode (eager -> function -> xla -> eager),
 * by writing its first-line `%%compile` magic, so the notebook runs the same
 * without the extension. Options after the mode (`--compare`) are kept; a cell
 * that lands on the kernel default with no options loses the magic altogether.
 */
export function cycleMode(source: string, kernelDefault: CompileMode): string {
  const magic = parseMagic(source);
  const next = nextMode(magic?.mode ?? kernelDefault);
  const body = magic
    ? source.slice((source.split('\n', 1)[0] ?? '').length + 1)
    : source;
  const rest = magic?.rest.trim() ?? '';
  if (next === kernelDefault && next === 'eager' && rest === '') {
    return body;
  }
  return `%%compile ${next}${rest ? ' ' + rest : ''}\n${body}`;
}

/** The status bar's text for the kernel's compile state: `Compile: XLA · tf_debug`. */
export function compileStatusText(state: ICompileState): string {
  return `Compile: ${MODE_LABELS[state.mode]}${state.tf_debug ? ' · tf_debug' : ''}`;
}
