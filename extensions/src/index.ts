import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { workbenchIcon } from './icons';
import { PANEL_ID, WorkbenchPanel } from './panel';

export namespace CommandIDs {
  export const openPanel = 'workbench:open-panel';
  export const refresh = 'workbench:refresh';
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'tf-workbench:plugin',
  description:
    'The Workbench side panel: versions and devices of the notebook kernel.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ILabShell, ILayoutRestorer, ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    labShell: ILabShell | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
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
    const category = trans.__('TF Workbench');
    palette?.addItem({ command: CommandIDs.openPanel, category });
    palette?.addItem({ command: CommandIDs.refresh, category });
  }
};

export default plugin;
