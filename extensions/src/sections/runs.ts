import { formatRun } from '../format';
import { IRunsUpdate } from '../protocol';
import { note } from './dom';
import { ISection, SectionView } from './section';

/** Training runs of the kernel, live while they train (`runs`). */
export const runsSection: ISection = {
  id: 'runs',
  title: 'Runs',
  mount(node, service, trans) {
    const render = (update: IRunsUpdate | null) => {
      if (!update) {
        node.replaceChildren(note(trans.__('Asking the kernel…')));
        return;
      }
      if (!update.runs.length) {
        node.replaceChildren(
          note(
            trans.__(
              'No runs yet: train with callbacks=[workbench.LiveCurves()].'
            )
          )
        );
        return;
      }
      const list = document.createElement('ul');
      for (const run of update.runs) {
        const item = list.appendChild(document.createElement('li'));
        item.className = 'jp-Workbench-run';
        // state, name and steps as data too: what tests and styles select on
        item.dataset.state = run.state;
        item.dataset.run = run.name;
        item.dataset.steps = String(run.steps);
        item.title = [
          run.logdir ? `${run.logdir}/${run.name}` : run.name,
          ...run.warnings
        ].join('\n');
        if (run.warnings.length) {
          item.classList.add('jp-mod-warning');
        }
        item.textContent = formatRun(run);
      }
      node.replaceChildren(list);
    };
    const view = new SectionView(async () =>
      render(await service.request('runs.list', {}))
    );
    render(null);
    view.add(service.subscribe('runs', render));
    return view;
  }
};
