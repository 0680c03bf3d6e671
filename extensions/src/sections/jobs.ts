import { shortDeviceName } from '../format';
import { IJobInfo, IJobsUpdate, IWorkerInfo } from '../protocol';
import { note, subheading } from './dom';
import { ISection, SectionView } from './section';

const RUNNING = new Set(['starting', 'running']);

/** `worker 0 · running · step 120` (its problem instead, once it failed). */
export function formatWorker(worker: IWorkerInfo): string {
  if (worker.problem) {
    return `${worker.key} · ${worker.state} · ${worker.problem}`;
  }
  return `${worker.key} · ${worker.state} · step ${worker.step}`;
}

/** `job-20261201-171200 · running · 12.3 s (local)` */
export function formatJob(job: IJobInfo): string {
  return `${job.name} · ${job.state} · ${job.elapsed.toFixed(1)} s (${job.backend})`;
}

/**
 * The kernel's devices and the jobs it launched with `workbench.launch`:
 * each worker's state and step, live while they run (`jobs`).
 */
export const jobsSection: ISection = {
  id: 'jobs',
  title: 'Jobs',
  mount(node, service, trans) {
    const render = (update: IJobsUpdate | null) => {
      if (!update) {
        node.replaceChildren(note(trans.__('Asking the kernel…')));
        return;
      }
      const parts: HTMLElement[] = [];
      parts.push(
        note(
          update.devices.length
            ? trans.__(
                'Devices: %1',
                update.devices.map(d => shortDeviceName(d.name)).join(', ')
              )
            : trans.__('Devices: listed once a cell imports TensorFlow.')
        )
      );
      if (!update.jobs.length) {
        parts.push(
          note(
            trans.__(
              'No jobs yet: run a function on worker processes with workbench.launch(train, workers=2).'
            )
          )
        );
        node.replaceChildren(...parts);
        return;
      }
      const list = document.createElement('ul');
      for (const job of [...update.jobs].reverse()) {
        const item = list.appendChild(document.createElement('li'));
        item.className = 'jp-Workbench-job';
        item.dataset.job = job.id;
        item.dataset.state = job.state;
        const head = item.appendChild(document.createElement('div'));
        head.textContent = formatJob(job);
        if (job.error) {
          item.title = job.error;
          item.classList.add('jp-mod-warning');
        }
        if (RUNNING.has(job.state)) {
          const cancel = head.appendChild(document.createElement('button'));
          cancel.className = 'jp-Workbench-cancel';
          cancel.textContent = trans.__('Cancel');
          cancel.title = trans.__('Stop every worker of this job');
          cancel.addEventListener('click', () => {
            cancel.disabled = true;
            void service.request('jobs.cancel', { id: job.id });
          });
        }
        const workers = item.appendChild(document.createElement('ul'));
        for (const worker of job.workers) {
          const row = workers.appendChild(document.createElement('li'));
          row.className = 'jp-Workbench-worker';
          row.dataset.worker = worker.key;
          row.dataset.state = worker.state;
          row.dataset.step = String(worker.step);
          row.title = worker.last_line;
          row.textContent = formatWorker(worker);
        }
      }
      parts.push(subheading(trans.__('Launched')), list);
      node.replaceChildren(...parts);
    };
    const view = new SectionView(async () =>
      render(await service.request('jobs.list', {}))
    );
    render(null);
    view.add(service.subscribe('jobs', render));
    return view;
  }
};
