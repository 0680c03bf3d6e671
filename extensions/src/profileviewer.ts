import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Panel, Widget } from '@lumino/widgets';
import { IKernelService, IWorkbenchServices } from './tokens';

/** ipywidgets' mimetype: a widget model of the notebook's kernel, rendered by its manager. */
export const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';
/** Converting a large capture takes the kernel seconds: more than the default request wait. */
export const OPEN_TIMEOUT_MS = 300_000;

/**
 * How the Profiles section opens a capture (set by `profileViewerPlugin`).
 * The section only renders data: it has no shell to open a tab in.
 */
export const profileViewer: {
  open: ((service: IKernelService, folder: string) => Promise<Widget>) | null;
} = { open: null };

/**
 * Opens a capture of the notebook's kernel in the main area: the kernel
 * converts it and makes a timeline view (`profiles.open`, a typed method:
 * no code is sent), which the notebook's own widget renderer shows beside
 * the notebook. The view asks its kernel for what it draws, as in a cell.
 */
export const profileViewerPlugin: JupyterFrontEndPlugin<void> = {
  id: 'tf-workbench:profile-viewer',
  description:
    "Opens a profiler capture from the Workbench panel in the main area, drawn by the notebook's kernel.",
  autoStart: true,
  requires: [IWorkbenchServices, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    _: IWorkbenchServices,
    tracker: INotebookTracker
  ) => {
    profileViewer.open = async (service, folder) => {
      const notebook = tracker.find(
        panel => panel.sessionContext === service.sessionContext
      );
      if (!notebook) {
        throw new Error(
          'Expected the notebook of this kernel to be open. Received: none'
        );
      }
      const rendermime = notebook.content.rendermime;
      if (!rendermime.mimeTypes.includes(WIDGET_MIME)) {
        throw new Error(
          "Expected ipywidgets' JupyterLab manager to render the timeline. Received: no renderer for widgets (pip install ipywidgets)"
        );
      }
      const result = await service.request(
        'profiles.open',
        { folder },
        { timeoutMs: OPEN_TIMEOUT_MS }
      );
      const renderer = rendermime.createRenderer(WIDGET_MIME);
      const model: IRenderMime.IMimeModel = {
        trusted: true,
        data: {
          [WIDGET_MIME]: {
            model_id: result.model_id,
            version_major: 2,
            version_minor: 1
          }
        },
        metadata: {},
        setData: () => undefined
      };
      await renderer.renderModel(model);
      const content = new Panel();
      content.addClass('jp-Workbench-profileView');
      content.addWidget(renderer);
      const widget = new MainAreaWidget({ content });
      widget.id = `workbench-profile-${result.model_id}`;
      widget.title.label = `Profile: ${result.title}`;
      widget.title.caption = `${folder}\n${result.verdict}`;
      widget.title.closable = true;
      app.shell.add(widget, 'main', { mode: 'split-bottom', ref: notebook.id });
      app.shell.activateById(widget.id);
      return widget;
    };
  }
};
