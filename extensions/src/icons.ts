import { LabIcon } from '@jupyterlab/ui-components';

/** A tensor cube: the Workbench side panel's tab icon, coloured by the theme. */
export const workbenchIcon = new LabIcon({
  name: 'tf-workbench:icon',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 1.5 21.5 7v10L12 22.5 2.5 17V7L12 1.5Zm0 2.3L5.2 7.7 12 11.6l6.8-3.9L12 3.8Zm-7.5 5.6v6.4l6.5 3.8v-6.4L4.5 9.4Zm15 0L13 13.2v6.4l6.5-3.8V9.4Z"/>
  </g>
</svg>`
});

/** A bolt: the cell toolbar's compile-mode toggle, coloured by the theme. */
export const compileIcon = new LabIcon({
  name: 'tf-workbench:compile',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M13.5 2 4 13.5h6.5L9 22l10-12.5h-6.6L13.5 2Z"/>
  </g>
</svg>`
});
