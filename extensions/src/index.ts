import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { CommandIDs } from './commands';
import { compileModePlugin } from './compileplugin';
import { workbenchIcon } from './icons';
import { PANEL_ID, WorkbenchPanel } from './panel';
import { profileViewerPlugin } from './profileviewer';
import { SECTIONS } from './sections';
import { followCurrent, WorkbenchServices } from './sessions';
import { IWorkbenchServices } from './tokens';

export { CommandIDs } from './commands';
export { IWorkbenchServices } from './tokens';
export type { ConnectionState, IKernelService } from './tokens';

/** One kernel service per notebook session; every view observes these. */
const servicesPlugin: JupyterFrontEndPlugin<IWorkbenchServices> = {
  id: 'tf-workbench:services',
  description:
    "One connection per notebook to its kernel's workbench: typed requests and topics.",
  autoStart: true,
  requires: [INotebookTracker],
  provides: IWorkbenchServices,
  activate: (_: JupyterFrontEnd, tracker: INotebookTracker) =>
    new WorkbenchServices(tracker)
};

/** The Workbench side panel, following the notebook the user works in. */
const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'tf-workbench:panel',
  description:
    'The Workbench side panel: versions, devices and runs of the notebook kernel.',
  autoStart: true,
  requires: [IWorkbenchServices],
  optional: [ILabShell, ILayoutRestorer, ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    services: IWorkbenchServices,
    labShell: ILabShell | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('tf-workbench');
    const panel = new WorkbenchPanel(SECTIONS, translator ?? nullTranslator);
    panel.title.icon = workbenchIcon;
    app.shell.add(panel, 'right', { rank: 600 });
    restorer?.add(panel, PANEL_ID);
    followCurrent(services, service => {
      panel.service = service;
    });

    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Show the Workbench Panel'),
      caption: trans.__('Versions, devices and runs of the notebook kernel'),
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

export default [
  servicesPlugin,
  panelPlugin,
  compileModePlugin,
  profileViewerPlugin
];
