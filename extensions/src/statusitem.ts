import { Widget } from '@lumino/widgets';
import { compileStatusText } from './compilemode';
import { ICompileState } from './protocol';

/** Status bar text: how the active notebook's cells run when they have no `%%compile`. */
export class CompileModeItem extends Widget {
  constructor() {
    super();
    this.addClass('jp-Workbench-compileMode');
    this.node.title = 'Default compile mode of the kernel (%compile_mode)';
    this.setState(null);
  }

  /** Show `state`, or nothing while the kernel has not told it. */
  setState(state: ICompileState | null): void {
    if (!state) {
      this.node.textContent = '';
      delete this.node.dataset.mode;
      this.hide();
      return;
    }
    this.node.textContent = compileStatusText(state);
    this.node.dataset.mode = state.mode;
    this.show();
  }
}
