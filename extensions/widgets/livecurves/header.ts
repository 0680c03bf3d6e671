/**
 * The header line of the live curves view: title, state, progress and the
 * NaN/Inf values reported.
 */

import { formatNumber } from '../lib/format';
import { IBadValue, IProgress } from '../lib/messages';

export interface IHeader {
  title: string;
  state: string;
  progress: Partial<IProgress>;
  bad: readonly IBadValue[];
}

export function renderHeader(el: HTMLElement, header: IHeader): void {
  el.textContent = '';
  const strong = el.appendChild(document.createElement('b'));
  strong.textContent = header.title;
  el.appendChild(document.createTextNode(` · ${header.state}`));
  if (header.progress.text) {
    const span = el.appendChild(document.createElement('span'));
    span.className = 'workbench-livecurves-progress';
    span.textContent = ` · ${header.progress.text}`;
  }
  if (header.bad.length) {
    const span = el.appendChild(document.createElement('span'));
    span.className = 'workbench-livecurves-bad';
    span.textContent =
      ' · ' +
      header.bad
        .map(b => `${b.label}=${formatNumber(b.value)} at step ${b.step}`)
        .join(', ');
  }
}
