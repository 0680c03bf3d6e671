/**
 * The profiler's timeline view: the anywidget front end of
 * `workbench.widgets.timeline.TimelineView` (bundled on its own into
 * `workbench/widgets/_static/timeline.js`).
 *
 * The kernel holds the capture's events and a level-of-detail index; the
 * view asks for what its window shows at its width and draws it on a canvas,
 * events narrower than a pixel merged by the kernel.
 */

import { IAnyModel } from '../lib/model';
import { TimelineView } from './view';

export default {
  render({ model, el }: { model: IAnyModel; el: HTMLElement }): () => void {
    const view = new TimelineView(model, el);
    return () => view.dispose();
  }
};
