/**
 * A launched job's live view: the anywidget front end of
 * `workbench.widgets.job_view.JobView` (bundled into
 * `workbench/widgets/_static/jobview.js`).
 *
 * The kernel keeps one trait, `job` (a `JobInfo` with each worker's last
 * lines), up to date at most four times a second; the view redraws it. It
 * sends nothing: the kernel answers no request while the launching cell runs.
 */

import { IAnyModel, Model } from '../lib/model';
import { IJobInfo, render } from './view';

interface ITraits {
  job: IJobInfo;
}

export default {
  render({ model, el }: { model: IAnyModel; el: HTMLElement }): () => void {
    const typed = new Model<ITraits>(model);
    el.classList.add('workbench-jobview');
    const draw = (): void => {
      const job = typed.get('job');
      if (job && Array.isArray(job.workers)) {
        render(el, job);
      }
    };
    typed.on('change:job', draw);
    draw();
    return () => typed.dispose();
  }
};
