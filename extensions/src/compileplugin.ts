import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { CommandToolbarButton } from '@jupyterlab/ui-components';
import { DisposableDelegate, DisposableSet } from '@lumino/disposable';
import { CommandIDs } from './commands';
import { cellMode, cycleMode, MODE_LABELS, toggleCaption } from './compilemode';
import { compileIcon } from './icons';
import { CompileMode, ICompileState } from './protocol';
import { followCurrent } from './sessions';
import { CompileModeItem } from './statusitem';
import { ConnectionState, IWorkbenchServices } from './tokens';

/** The toggle's name among the cell toolbar's items in `schema/plugin.json`. */
const TOGGLE_ITEM = 'workbench-compile-mode';

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
  optional: [ITranslator, IStatusBar, IToolbarWidgetRegistry],
  activate: (
    app: JupyterFrontEnd,
    services: IWorkbenchServices,
    tracker: INotebookTracker,
    translator: ITranslator | null,
    statusBar: IStatusBar | null,
    toolbars: IToolbarWidgetRegistry | null
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
    // The cell toolbar toggle (declared in schema/plugin.json) shows the active
    // cell's mode; it edits only the cell's text, never the kernel. It shows
    // only where the notebook's kernel runs the workbench: elsewhere a
    // %%compile line would be an unknown magic.
    const kernelDefault = () => kernelState?.mode ?? 'eager';
    const activeMode = (): CompileMode | null => {
      const cell = tracker.activeCell;
      if (!cell || cell.model.type !== 'code') {
        return null;
      }
      return cellMode(cell.model.sharedModel.getSource(), kernelDefault());
    };
    app.commands.addCommand(CommandIDs.cycleCompileMode, {
      label: () => {
        const mode = activeMode();
        return mode ? MODE_LABELS[mode] : trans.__('Compile mode');
      },
      caption: () => {
        const mode = activeMode();
        return mode
          ? toggleCaption(mode)
          : trans.__(
              'How a cell runs: Eager, tf.function or XLA (edits its %%compile line)'
            );
      },
      icon: compileIcon,
      className: () =>
        `jp-Workbench-compileToggle jp-Workbench-mode-${activeMode() ?? 'none'}`,
      // pressed: the cell runs compiled (tf.function or XLA)
      isToggled: () => {
        const mode = activeMode();
        return mode !== null && mode !== 'eager';
      },
      isVisible: () =>
        activeMode() !== null && runsWorkbench(services.current?.state),
      execute: () => {
        const cell = tracker.activeCell;
        if (!cell || cell.model.type !== 'code') {
          return;
        }
        const shared = cell.model.sharedModel;
        shared.setSource(cycleMode(shared.getSource(), kernelDefault()));
      }
    });
    // The toolbar's default button drops the label of a command with an icon;
    // the toggle shows both, the label read again at each change.
    toolbars?.addFactory('Cell', TOGGLE_ITEM, () => {
      const id = CommandIDs.cycleCompileMode;
      return new CommandToolbarButton({
        commands: app.commands,
        id,
        args: { toolbar: true },
        label: args => app.commands.label(id, args)
      });
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
      // the new kernel publishes its own once connected. Whether the toggle
      // shows follows the state too.
      const onState = () => {
        if (service.state.kind !== 'ready') {
          show(null);
        } else {
          relabel();
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

/** Whether a kernel in this connection state runs the workbench's compile magics. */
function runsWorkbench(state: ConnectionState | undefined): boolean {
  return (
    state?.kind === 'ready' && state.description.topics.includes('compile')
  );
}
