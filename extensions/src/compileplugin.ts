import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { DisposableDelegate, DisposableSet } from '@lumino/disposable';
import { CommandIDs } from './commands';
import { cellMode, cycleMode, MODE_LABELS } from './compilemode';
import { ICompileState } from './protocol';
import { followCurrent } from './sessions';
import { CompileModeItem } from './statusitem';
import { IWorkbenchServices } from './tokens';

/**
 * The cell toolbar's compile toggle and the status bar's default mode, both
 * from the current notebook's `compile` topic. Its id is the one
 * `schema/plugin.json` (which declares the toolbar button) belongs to.
 */
export const compileModePlugin: JupyterFrontEndPlugin<void> = {
  id: 'tf-workbench:plugin',
  description:
    "A cell-toolbar toggle of the cell's compile mode, and the kernel's default mode in the status bar.",
  autoStart: true,
  requires: [IWorkbenchServices, INotebookTracker],
  optional: [ITranslator, IStatusBar],
  activate: (
    app: JupyterFrontEnd,
    services: IWorkbenchServices,
    tracker: INotebookTracker,
    translator: ITranslator | null,
    statusBar: IStatusBar | null
  ) => {
    const trans = (translator ?? nullTranslator).load('tf-workbench');
    let kernelState: ICompileState | null = null;
    const relabel = () =>
      app.commands.notifyCommandChanged(CommandIDs.cycleCompileMode);
    const item = statusBar ? new CompileModeItem() : null;
    const show = (state: ICompileState | null) => {
      kernelState = state;
      item?.setState(state);
      relabel();
    };
    // The cell toolbar button (declared in schema/plugin.json) shows the active
    // cell's mode; it edits only the cell's text, never the kernel.
    const kernelDefault = () => kernelState?.mode ?? 'eager';
    app.commands.addCommand(CommandIDs.cycleCompileMode, {
      label: () => {
        const cell = tracker.activeCell;
        if (!cell || cell.model.type !== 'code') {
          return trans.__('Compile mode');
        }
        return MODE_LABELS[
          cellMode(cell.model.sharedModel.getSource(), kernelDefault())
        ];
      },
      caption: trans.__(
        'How this cell runs: Eager -> tf.function -> XLA (edits its %%compile line)'
      ),
      isVisible: () => tracker.activeCell?.model.type === 'code',
      execute: () => {
        const cell = tracker.activeCell;
        if (!cell || cell.model.type !== 'code') {
          return;
        }
        const shared = cell.model.sharedModel;
        shared.setSource(cycleMode(shared.getSource(), kernelDefault()));
      }
    });
    // After addCommand: `relabel` names the command, which must exist by then.
    followCurrent(services, service => {
      show(null);
      if (!service) {
        return;
      }
      const observation = new DisposableSet();
      observation.add(service.subscribe('compile', show));
      // A restart or another kernel: the old default no longer holds, and
      // the new kernel publishes its own once connected.
      const onState = () => {
        if (service.state.kind !== 'ready') {
          show(null);
        }
      };
      service.stateChanged.connect(onState);
      observation.add(
        new DisposableDelegate(() => service.stateChanged.disconnect(onState))
      );
      return observation;
    });

    let watched: { disconnect: () => void } | null = null;
    tracker.activeCellChanged.connect((_, cell) => {
      watched?.disconnect();
      watched = null;
      if (cell) {
        const onChange = () => relabel();
        cell.model.contentChanged.connect(onChange);
        watched = {
          disconnect: () => cell.model.contentChanged.disconnect(onChange)
        };
      }
      relabel();
    });

    if (statusBar && item) {
      statusBar.registerStatusItem('tf-workbench:compile-mode', {
        item,
        align: 'left',
        rank: 4,
        isActive: () => tracker.currentWidget !== null
      });
    }
  }
};
