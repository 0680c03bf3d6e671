import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { cellMode, cycleMode, MODE_LABELS } from './compilemode';
import { workbenchIcon } from './icons';
import { CompileModeItem } from './statusitem';
import { PANEL_ID, WorkbenchPanel } from './panel';

export namespace CommandIDs {
  export const openPanel = 'workbench:open-panel';
  export const refresh = 'workbench:refresh';
  export const cycleCompileMode = 'workbench:cycle-compile-mode';
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'tf-workbench:plugin',
  description:
    'The Workbench side panel: versions and devices of the notebook kernel.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [
    ILabShell,
    ILayoutRestorer,
    ICommandPalette,
    ITranslator,
    IStatusBar
  ],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    labShell: ILabShell | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    statusBar: IStatusBar | null
  ) => {
    const trans = (translator ?? nullTranslator).load('tf-workbench');
    const panel = new WorkbenchPanel(translator ?? nullTranslator);
    panel.title.icon = workbenchIcon;
    app.shell.add(panel, 'right', { rank: 600 });
    restorer?.add(panel, PANEL_ID);

    // The panel follows the notebook the user works in. `currentChanged` also
    // fires with null when the last notebook closes, but not when the focus
    // moves to a console or file editor: the panel keeps the last notebook then.
    const follow = (_: unknown, current: NotebookPanel | null) => {
      panel.sessionContext = current?.sessionContext ?? null;
    };
    tracker.currentChanged.connect(follow);
    follow(tracker, tracker.currentWidget);

    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Show the Workbench Panel'),
      caption: trans.__('Versions and devices of the notebook kernel'),
      icon: workbenchIcon,
      execute: () => {
        if (labShell) {
          labShell.activateById(PANEL_ID);
        } else {
          app.shell.activateById(PANEL_ID);
        }
      }
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh the Workbench Panel'),
      execute: () => panel.refresh()
    });
    // The cell toolbar button (declared in schema/plugin.json) shows the active
    // cell's mode; it edits only the cell's text, never the kernel.
    const kernelDefault = () => panel.status?.compile_mode ?? 'eager';
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
    const relabel = () =>
      app.commands.notifyCommandChanged(CommandIDs.cycleCompileMode);
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
    panel.statusChanged.connect(relabel);

    if (statusBar) {
      const item = new CompileModeItem();
      panel.statusChanged.connect((_, status) => item.setStatus(status));
      statusBar.registerStatusItem('tf-workbench:compile-mode', {
        item,
        align: 'left',
        rank: 4,
        isActive: () => tracker.currentWidget !== null
      });
    }

    const category = trans.__('TF Workbench');
    palette?.addItem({ command: CommandIDs.openPanel, category });
    palette?.addItem({ command: CommandIDs.refresh, category });
  }
};

export default plugin;
