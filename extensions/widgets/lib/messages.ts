/**
 * The workbench widgets' messages and synced trait shapes, as the front ends see them.
 *
 * Declared once in Python (`workbench/widgets/messages.py`) and mirrored here;
 * `tests/unit/test_protocol_mirror.py` keeps the two in step (field names and
 * optionality). Arrays travel as binary buffers (float64, little-endian), in
 * the order the message's headers list them.
 */

/** JSON has no NaN or infinity: a float that is not finite travels as one of these strings. */
export type WireFloat = number | 'NaN' | 'inf' | '-inf';

// --- every streamed view ------------------------------------------------------

/** Front end -> kernel. */
export interface IWidgetRequest {
  type: 'request';
  id: number;
  method: string;
  params: Record<string, unknown>;
}

export interface IWidgetError {
  message: string;
}

/** Kernel -> front end: `result` or `error`, after whatever the request called for. */
export interface IWidgetResponse {
  type: 'response';
  id: number;
  result?: unknown;
  error?: IWidgetError;
}

// --- the live curves view -------------------------------------------------------

/** The fields of a column's row in an IColumnsHeader's buffer, in order (float64 each). */
export const COLUMN_FIELDS = [
  'column',
  'count',
  'sum',
  'first',
  'a',
  'b',
  'last'
] as const;

/**
 * One series of an IColumnsMessage: its next buffer holds `n` rows of
 * COLUMN_FIELDS. A view keeps `width` columns per series, each `size` steps
 * wide from step `origin`; when `size` grew the span doubled, and the view
 * merges its columns pairwise, as the kernel did, before writing the rows.
 * `reset` drops what the view held of the series first.
 */
export interface IColumnsHeader {
  key: string; // "<split>/<metric>"
  group: string; // the panel it is drawn in (the metric)
  split: string; // train or validation
  reset: boolean;
  width: number;
  size: number; // steps per column, a power of two
  origin: number;
  first: number; // the first and last step with a finite value: the series' extent
  last: number;
  n: number; // rows in its buffer
}

/** Kernel -> front end: the columns of each series that changed (or all of them). */
export interface IColumnsMessage {
  type: 'columns';
  series: IColumnsHeader[];
}

/** Params of the view's `sync` and `resize` requests: what it can draw. */
export interface IViewGeometry {
  width: number; // the view's grid of panels, in CSS pixels (a panel's plot area: the columns)
}

/** The `progress` trait: one line of text (epoch, step, ETA, latest values). */
export interface IProgress {
  text: string;
}

/** An item of the `bad_values` trait: the first NaN/Inf value of a series. */
export interface IBadValue {
  key: string; // the series key, as in IColumnsHeader
  label: string; // what the user calls it: "loss", "val_loss"
  step: number;
  value: WireFloat;
}

/**
 * The synced traits of the live curves view (`CurvesWidget`); `progress` is
 * `{}` until the first update, and a saved state may lack any of them.
 */
export interface ICurvesTraits {
  title: string; // the run's name
  state: string; // running, finished, interrupted, failed
  run_id: string; // unique per view of the run
  progress: Partial<IProgress>;
  bad_values: IBadValue[];
  smoothing: number; // 0 to 0.99, set by the view's slider (the final chart uses it too)
  log_scale: boolean; // the y axes, set by the view's checkbox
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a custom message is a response to a request. */
export function isResponse(content: unknown): content is IWidgetResponse {
  return (
    isObject(content) &&
    content.type === 'response' &&
    typeof content.id === 'number'
  );
}

/** Whether a custom message is a columns message of the live curves view. */
export function isColumnsMessage(content: unknown): content is IColumnsMessage {
  return (
    isObject(content) &&
    content.type === 'columns' &&
    Array.isArray(content.series)
  );
}
