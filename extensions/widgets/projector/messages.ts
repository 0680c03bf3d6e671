/**
 * Wire types of the projection view, mirroring
 * `workbench/widgets/projector_messages.py` (see its docstring for buffers).
 */

export interface IPointsMessage {
  type: 'points';
  n: number;
  dims: number;
}

export interface IColorsMessage {
  type: 'colors';
  column: string;
}

export interface IHighlightMessage {
  type: 'highlight';
  kind: 'neighbors' | 'search' | 'selection' | 'none';
  anchor: number;
  count: number;
}

export interface ILegendEntry {
  label: string;
  count: number;
  color: string;
}

export type ProjectorMessage =
  IPointsMessage | IColorsMessage | IHighlightMessage;

/** The view's synced traits. */
export interface IProjectorTraits {
  title: string;
  dims: number;
  n: number;
  columns: string[];
  color_by: string;
  legend: ILegendEntry[];
  selected_count: number;
  bundle_hash: string;
}

export interface INeighborsResult {
  indices: number[];
  distances: number[];
  labels: string[];
}

export interface IRowResult {
  index: number;
  row: Record<string, string>;
}

export function isProjectorMessage(value: unknown): value is ProjectorMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'points' || type === 'colors' || type === 'highlight';
}
