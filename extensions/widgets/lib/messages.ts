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

/** One series of an ISeriesMessage; its steps and values are the next two buffers. */
export interface ISeriesHeader {
  key: string; // "<split>/<metric>"
  group: string; // the panel it is drawn in (the metric)
  split: string; // train or validation
  n: number; // points in each of its two buffers
}

/** Kernel -> front end: `reset` replaces each series, `append` adds points to it. */
export interface ISeriesMessage {
  type: 'reset' | 'append';
  series: ISeriesHeader[];
}

/** The `progress` trait: one line of text (epoch, step, ETA, latest values). */
export interface IProgress {
  text: string;
}

/** An item of the `bad_values` trait: the first NaN/Inf value of a series. */
export interface IBadValue {
  key: string; // the series key, as in ISeriesHeader
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
  smoothing: number; // the plot's initial smoothing, 0 to 0.99
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

/** Whether a custom message is a series message of the live curves view. */
export function isSeriesMessage(content: unknown): content is ISeriesMessage {
  return (
    isObject(content) &&
    (content.type === 'reset' || content.type === 'append') &&
    Array.isArray(content.series)
  );
}
