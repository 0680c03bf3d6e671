/**
 * The tooltip of a hovered or pinned item: its name, duration and start at
 * once, its thread and args when the kernel answers `details`.
 */

import { IEventDetails } from './messages';
import { formatDuration } from './units';

export interface IHovered {
  name: string;
  /** µs from the capture's start. */
  start: number;
  dur: number;
  /** > 1 for a block of merged events. */
  count: number;
  thread: string;
}

/** Fills `node` with what is known of the item (and its details, once they came). */
export function renderTooltip(
  node: HTMLElement,
  item: IHovered,
  details: IEventDetails | null,
  pinned: boolean
): void {
  const lines: [string, string][] = [];
  if (item.count > 1) {
    lines.push([
      '',
      `${item.count.toLocaleString()} events merged (each narrower than a pixel)`
    ]);
    lines.push(['longest', item.name]);
    lines.push(['span', formatDuration(item.dur)]);
  } else {
    lines.push(['duration', formatDuration(item.dur)]);
  }
  lines.push(['start', `${formatDuration(item.start)} into the capture`]);
  lines.push(['thread', details?.thread ?? item.thread]);
  if (details) {
    if (details.depth > 0) {
      lines.push(['depth', String(details.depth)]);
    }
    for (const [key, value] of Object.entries(details.args)) {
      lines.push([key, value]);
    }
  }
  const title = document.createElement('div');
  title.className = 'workbench-timeline-tooltip-name';
  title.style.fontWeight = 'bold';
  title.textContent = item.count > 1 ? `${item.count} events` : item.name;
  const table = document.createElement('table');
  for (const [key, value] of lines) {
    const row = table.appendChild(document.createElement('tr'));
    const k = row.appendChild(document.createElement('td'));
    k.textContent = key;
    k.style.color = '#777';
    k.style.paddingRight = '6px';
    k.style.verticalAlign = 'top';
    row.appendChild(document.createElement('td')).textContent = value;
  }
  const hint = document.createElement('div');
  hint.style.color = '#999';
  hint.textContent = pinned
    ? 'pinned: click elsewhere or Esc to unpin'
    : 'click to pin';
  node.replaceChildren(title, table, hint);
}
