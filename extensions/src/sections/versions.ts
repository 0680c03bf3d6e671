import { MODE_LABELS } from '../compilemode';
import { ICompileState, ISystemStatus } from '../protocol';
import { definitions, note } from './dom';
import { ISection, SectionView } from './section';

/** Versions of the kernel's libraries, and how its cells run (`status`, `compile`). */
export const versionsSection: ISection = {
  id: 'versions',
  title: 'Versions',
  mount(node, service, trans) {
    let status: ISystemStatus | undefined;
    let compile: ICompileState | undefined;
    const render = () => {
      if (!status) {
        node.replaceChildren(note(trans.__('Asking the kernel…')));
        return;
      }
      const mode = compile
        ? MODE_LABELS[compile.mode] +
          (compile.tf_debug ? trans.__(' (tf_debug: eagerly)') : '')
        : '…';
      // The kernel never imports TensorFlow for the panel: until a cell does,
      // its version is unknown (null).
      const notLoaded = trans.__('not loaded yet');
      node.replaceChildren(
        definitions([
          ['TensorFlow', status.tensorflow ?? notLoaded],
          ['Keras', status.keras ?? notLoaded],
          ['Python', status.python],
          ['TF Workbench', status.workbench],
          [trans.__('Cells run'), mode]
        ])
      );
    };
    const view = new SectionView(async () => {
      [status, compile] = await Promise.all([
        service.request('status', {}),
        service.request('compile.state', {})
      ]);
      render();
    });
    render();
    view.add(
      service.subscribe('compile', data => {
        compile = data;
        render();
      })
    );
    view.add(
      service.subscribe('status', data => {
        status = data;
        render();
      })
    );
    return view;
  }
};
