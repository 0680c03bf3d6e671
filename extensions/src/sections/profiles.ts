import { RequestError } from '../client';
import { profileViewer } from '../profileviewer';
import { IProfileInfo, IProfilesUpdate } from '../protocol';
import { IKernelService } from '../tokens';
import { note } from './dom';
import { ISection, SectionView } from './section';

/**
 * Profiler captures of the notebook's logdirs (`profiles`): the newest
 * first, with the steps captured and, for captures the kernel has read, the
 * verdict. A click opens one in the main area (the kernel converts it and
 * makes the view: `profiles.open`).
 */
export const profilesSection: ISection = {
  id: 'profiles',
  title: 'Profiles',
  mount(node, service, trans) {
    const status = document.createElement('p');
    status.className = 'jp-Workbench-note jp-Workbench-profilesStatus';
    status.hidden = true;
    const render = (update: IProfilesUpdate | null) => {
      if (!update) {
        node.replaceChildren(note(trans.__('Asking the kernel…')));
        return;
      }
      const children: HTMLElement[] = [];
      for (const pending of update.pending) {
        const line = note(`${pending.label}: ${pending.state}…`);
        line.classList.add('jp-Workbench-profilePending');
        children.push(line);
      }
      if (!update.captures.length) {
        children.push(
          note(
            trans.__(
              'No captures yet: with workbench.profile(): …, %%profile, or LiveCurves(profile_steps=(10, 15)).'
            )
          )
        );
      } else {
        const list = document.createElement('ul');
        for (const capture of update.captures) {
          list.appendChild(
            item(capture, service, status, trans.__('Opening…'))
          );
        }
        children.push(list);
      }
      node.replaceChildren(...children, status);
    };
    const view = new SectionView(async () =>
      render(await service.request('profiles.list', {}))
    );
    render(null);
    view.add(service.subscribe('profiles', render));
    return view;
  }
};

function item(
  capture: IProfileInfo,
  service: IKernelService,
  status: HTMLElement,
  opening: string
): HTMLElement {
  const element = document.createElement('li');
  element.className = 'jp-Workbench-profile';
  element.dataset.folder = capture.folder;
  element.dataset.name = capture.name;
  element.tabIndex = 0;
  element.setAttribute('role', 'button');
  element.title = [
    capture.folder,
    `${(capture.size / 1e3).toFixed(0)} KB`,
    capture.verdict ?? ''
  ]
    .filter(Boolean)
    .join('\n');
  const name = element.appendChild(document.createElement('div'));
  name.className = 'jp-Workbench-profileName';
  name.textContent = capture.name;
  const details = element.appendChild(document.createElement('div'));
  details.className = 'jp-Workbench-profileDetails';
  details.textContent = [
    capture.when,
    capture.steps ? `steps ${capture.steps}` : '',
    capture.source
  ]
    .filter(Boolean)
    .join(' · ');
  if (capture.verdict) {
    const verdict = element.appendChild(document.createElement('div'));
    verdict.className = 'jp-Workbench-profileVerdict';
    verdict.textContent = capture.verdict;
  }
  const open = async () => {
    const viewer = profileViewer.open;
    status.hidden = false;
    status.classList.remove('jp-mod-error');
    if (!viewer) {
      status.textContent =
        'The profile viewer is not loaded in this JupyterLab.';
      status.classList.add('jp-mod-error');
      return;
    }
    status.textContent = `${opening} ${capture.name}`;
    element.dataset.opening = 'true';
    try {
      await viewer(service, capture.folder);
      status.hidden = true;
    } catch (reason) {
      status.textContent =
        reason instanceof RequestError || reason instanceof Error
          ? reason.message
          : String(reason);
      status.classList.add('jp-mod-error');
    } finally {
      delete element.dataset.opening;
    }
  };
  element.addEventListener('click', () => void open());
  element.addEventListener('keydown', event => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      void open();
    }
  });
  return element;
}
