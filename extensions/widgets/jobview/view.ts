/**
 * Draws a job: a header line (name, backend, state, elapsed, error) and a
 * table of its workers (role, state, step, last metrics, output tail).
 */

export interface IWorkerInfo {
  key: string;
  role: string;
  pid: number | null;
  state: string;
  step: number;
  latest: Record<string, number | string>;
  last_line: string;
  problem: string;
  tail?: string[];
}

export interface IJobInfo {
  id: string;
  name: string;
  backend: string;
  state: string;
  elapsed: number;
  run: string | null;
  error: string;
  workers: IWorkerInfo[];
}

const STATE_COLORS: Record<string, string> = {
  running: '#1a7f37',
  serving: '#1a7f37',
  starting: '#9a6700',
  finished: '#0969da',
  failed: '#cf222e',
  killed: '#cf222e',
  hung: '#cf222e',
  cancelled: '#6e7781',
  stopped: '#6e7781'
};

const STYLE = `
.workbench-jobview { font: 12px var(--jp-ui-font-family, sans-serif);
  color: var(--jp-ui-font-color1, #1f2328); padding: 4px 0; }
.workbench-jobview .wb-job-head { margin-bottom: 4px; }
.workbench-jobview .wb-job-error { color: #cf222e; margin-bottom: 4px; }
.workbench-jobview table { border-collapse: collapse; width: 100%; }
.workbench-jobview th { text-align: left; font-weight: 600;
  border-bottom: 1px solid var(--jp-border-color2, #d0d7de); padding: 2px 8px 2px 0; }
.workbench-jobview td { vertical-align: top; padding: 3px 8px 3px 0;
  border-bottom: 1px solid var(--jp-border-color3, #eaeef2); }
.workbench-jobview td.wb-num { text-align: right; font-variant-numeric: tabular-nums; }
.workbench-jobview .wb-state { font-weight: 600; }
.workbench-jobview pre { margin: 0; font: 11px var(--jp-code-font-family, monospace);
  white-space: pre-wrap; max-height: 7.5em; overflow: hidden;
  color: var(--jp-ui-font-color2, #57606a); }
`;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text = '',
  className = ''
): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  if (text) {
    made.textContent = text;
  }
  if (className) {
    made.className = className;
  }
  return made;
}

export function formatNumber(value: number | string): string {
  if (typeof value === 'string') {
    return value;
  }
  if (Number.isInteger(value)) {
    return String(value);
  }
  return Math.abs(value) >= 1e4 || Math.abs(value) < 1e-3
    ? value.toExponential(3)
    : value.toPrecision(4);
}

export function metricsText(latest: Record<string, number | string>): string {
  return Object.entries(latest)
    .map(([name, value]) => `${name} ${formatNumber(value)}`)
    .join(' · ');
}

/** Replaces `root`'s content with the job's header and worker table. */
export function render(root: HTMLElement, job: IJobInfo): void {
  const style = el('style');
  style.textContent = STYLE;
  const head = el('div', '', 'wb-job-head');
  head.append(el('b', `job ${job.name}`));
  head.append(` (${job.backend}) · `);
  const state = el('span', job.state, 'wb-state');
  state.style.color = STATE_COLORS[job.state] ?? 'inherit';
  head.append(state);
  head.append(` · ${job.elapsed.toFixed(1)} s`);
  if (job.run) {
    head.append(` · run ${job.run}`);
  }
  const children: HTMLElement[] = [style, head];
  if (job.error) {
    children.push(el('div', job.error, 'wb-job-error'));
  }
  const table = el('table');
  const header = el('tr');
  for (const name of ['worker', 'state', 'step', 'last metrics', 'output']) {
    header.append(el('th', name));
  }
  table.append(el('thead'));
  table.tHead?.append(header);
  const body = el('tbody');
  for (const worker of job.workers) {
    const row = el('tr');
    row.dataset.worker = worker.key;
    const who = el('td', worker.key);
    who.title = `${worker.role}${worker.pid ? `, pid ${worker.pid}` : ''}`;
    const cell = el('td', worker.state, 'wb-state');
    cell.style.color = STATE_COLORS[worker.state] ?? 'inherit';
    const step = el('td', String(worker.step), 'wb-num wb-step');
    const metrics = el('td', metricsText(worker.latest));
    const output = el('td');
    const lines = worker.problem
      ? [worker.problem]
      : (worker.tail ?? [worker.last_line]);
    output.append(el('pre', lines.join('\n')));
    row.append(who, cell, step, metrics, output);
    body.append(row);
  }
  table.append(body);
  children.push(table);
  root.replaceChildren(...children);
}
