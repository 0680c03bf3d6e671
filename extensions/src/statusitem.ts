import { Widget } from '@lumino/widgets';
import { MODE_LABELS } from './compilemode';
import { IKernelStatus } from './protocol';

/** Status bar text: how the active notebook's cells run when they have no `%%compile`. */
export class CompileModeItem extends Widget {
  constructor() {
    super();
    this.addClass('jp-Workbench-compileMode');
    this.node.title = 'Default compile mode of the kernel (%compile_mode)';
    this.setStatus(null);
  }

  setStatus(status: IKernelStatus | null): void {
    if (!status) {
      this.node.textContent = '';
      this.hide();
      return;
    }
    const debug = status.tf_debug ? ' · tf_debug' : '';
    this.node.textContent = `Compile: ${MODE_LABELS[status.compile_mode]}${debug}`;
    this.node.dataset.mode = status.compile_mode;
    this.show();
  }
}
