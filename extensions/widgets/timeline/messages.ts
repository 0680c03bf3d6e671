/**
 * The timeline view's messages and synced traits, as its front end sees them.
 *
 * Declared once in Python (`workbench/widgets/timeline_messages.py`) and
 * mirrored here; `tests/unit/test_timeline_messages_mirror.py` keeps the two
 * in step. A `frame` carries five or six buffers of `n` items each: `start`
 * (float32, µs after `t0`), `dur` (float32), `row` (uint32), `name` (int32),
 * `ref` (int32: >= 0 an event, < 0 a block of -ref events) and, with a
 * search, `match` (uint8). A `meta` carries one: the minimap, uint8, lanes x
 * `bins`.
 */

/** A thread of a process: `rows` rows from global row `first_row`. */
export interface ITimelineLane {
  label: string;
  process: string;
  thread: string;
  rows: number;
  first_row: number;
  events: number;
}

/** A training step, µs from the capture's start. */
export interface ITimelineStep {
  start: number;
  end: number;
  label: string;
}

/** Kernel -> front end: the capture's shape. */
export interface ITimelineMeta {
  type: 'meta';
  ready: boolean;
  span: number;
  rows: number;
  bins: number;
  lanes: ITimelineLane[];
  steps: ITimelineStep[];
}

/** Kernel -> front end: what the window [t0, t1) shows at `width` pixels. */
export interface IFrameHeader {
  type: 'frame';
  seq: number;
  t0: number;
  t1: number;
  width: number;
  n: number;
  level: number;
  events: number;
  names: Record<string, string>;
  match: boolean;
}

/** Front end -> kernel: the `frame` request. */
export interface IFrameParams {
  t0: number;
  t1: number;
  width: number;
  seq: number;
}

export interface IFrameResult {
  n: number;
  bytes: number;
}

export interface ISearchResult {
  query: string;
  events: number;
  names: number;
}

export interface IMatchResult {
  start: number;
  dur: number;
  row: number;
  ref: number;
}

export interface IEventDetails {
  name: string;
  start: number;
  dur: number;
  thread: string;
  process: string;
  depth: number;
  args: Record<string, string>;
}

/**
 * The `first` trait: the whole capture's meta and frame with their buffers
 * (DataViews, as ipywidgets delivers bytes in state), for a view shown while
 * its kernel runs a cell and answers no request; `{}` otherwise.
 */
export interface IFirstFrame {
  meta: ITimelineMeta;
  overview: DataView;
  frame: IFrameHeader;
  buffers: DataView[];
}

/** The synced traits of the timeline view; a saved state may lack any. */
export interface ITimelineTraits {
  title: string;
  subtitle: string;
  state: string;
  error: string;
  overview: string;
  first: Partial<IFirstFrame>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isMeta(content: unknown): content is ITimelineMeta {
  return (
    isObject(content) &&
    content.type === 'meta' &&
    Array.isArray(content.lanes) &&
    Array.isArray(content.steps)
  );
}

export function isFrameHeader(content: unknown): content is IFrameHeader {
  return (
    isObject(content) &&
    content.type === 'frame' &&
    typeof content.n === 'number' &&
    typeof content.t0 === 'number' &&
    typeof content.t1 === 'number' &&
    isObject(content.names)
  );
}
