/** The view's styles, added to the page once (not carried in each widget's state). */

const CSS = `
.workbench-projector { font-family: var(--jp-ui-font-family, sans-serif); font-size: 12px;
  color: #222; background: #fff; border: 1px solid #ddd; padding: 6px; position: relative; }
.workbench-projector-title { font-weight: bold; margin-bottom: 4px; }
.workbench-projector-controls { display: flex; gap: 8px; align-items: center; margin-bottom: 4px;
  flex-wrap: wrap; }
.workbench-projector-controls input[type=search] { width: 180px; font-size: 12px; }
.workbench-projector-controls select { font-size: 12px; }
.workbench-projector-body { display: flex; gap: 8px; align-items: flex-start; }
.workbench-projector-stage { position: relative; flex: 1; min-width: 200px; }
.workbench-projector-stage canvas { display: block; cursor: crosshair; }
.workbench-projector-legend { width: 170px; max-height: 420px; overflow: auto; flex: none; }
.workbench-projector-legend div { white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  cursor: default; line-height: 16px; }
.workbench-projector-legend span { display: inline-block; width: 10px; height: 10px;
  margin-right: 4px; vertical-align: -1px; }
.workbench-projector-status { color: #555; margin-top: 4px; min-height: 16px; }
.workbench-projector-tooltip { position: fixed; z-index: 1000; pointer-events: none;
  background: #fff; border: 1px solid #999; padding: 4px 6px; font-size: 11px;
  box-shadow: 0 1px 4px rgba(0,0,0,.2); white-space: pre; display: none; max-width: 360px;
  overflow: hidden; }
.workbench-projector-box { position: absolute; display: none; pointer-events: none;
  border: 1px dashed #333; background: rgba(80, 80, 80, .08); }
`;

export function addStyle(): void {
  if (document.getElementById('workbench-projector-style')) {
    return;
  }
  const style = document.createElement('style');
  style.id = 'workbench-projector-style';
  style.textContent = CSS;
  document.head.appendChild(style);
}
