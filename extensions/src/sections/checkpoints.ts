import { ICheckpointInfo, ICheckpointsUpdate } from '../protocol';
import { note } from './dom';
import { ISection, SectionView } from './section';

function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(1)} KB`;
  }
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** One folder's newest checkpoint: where, which step, when, how big. */
export function formatCheckpoint(info: ICheckpointInfo): string {
  const when = new Date(info.time * 1000).toLocaleTimeString();
  const folder = info.folder.split('/').slice(-2).join('/');
  const kept = info.count === 1 ? '1 kept' : `${info.count} kept`;
  const damaged = info.damaged ? ` · ${info.damaged} damaged` : '';
  return (
    `${folder}: step ${info.step} (epoch ${info.epoch}) · ${when} · ` +
    `${formatSize(info.size)} · ${kept}${damaged}`
  );
}

/** The newest checkpoint of each folder the kernel saved to (`checkpoints`). */
export const checkpointsSection: ISection = {
  id: 'checkpoints',
  title: 'Checkpoints',
  mount(node, service, trans) {
    const render = (update: ICheckpointsUpdate | null) => {
      if (!update) {
        node.replaceChildren(note(trans.__('Asking the kernel…')));
        return;
      }
      if (!update.checkpoints.length) {
        node.replaceChildren(
          note(
            trans.__(
              'No checkpoints yet: fit with callbacks=[workbench.checkpoint("ckpts")].'
            )
          )
        );
        return;
      }
      const list = document.createElement('ul');
      for (const info of update.checkpoints) {
        const item = list.appendChild(document.createElement('li'));
        item.className = 'jp-Workbench-checkpoint';
        item.dataset.step = String(info.step);
        item.dataset.folder = info.folder;
        item.title = [
          `${info.folder}/${info.name}`,
          info.run ? `run ${info.run}` : ''
        ]
          .filter(Boolean)
          .join('\n');
        if (info.damaged) {
          item.classList.add('jp-mod-warning');
        }
        item.textContent = formatCheckpoint(info);
      }
      node.replaceChildren(list);
    };
    const view = new SectionView(async () =>
      render(await service.request('checkpoints.list', {}))
    );
    render(null);
    view.add(service.subscribe('checkpoints', render));
    return view;
  }
};
