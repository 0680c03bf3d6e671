/**
 * The projection view's front end (`workbench.widgets.projector_view.ProjectorView`),
 * bundled into `workbench/widgets/_static/projector.js` and loaded through
 * the small `projectorloader` (see there: not carried in the widget state).
 */

import { IAnyModel } from '../lib/model';
import { ProjectorView } from './view';

export default {
  render({ model, el }: { model: IAnyModel; el: HTMLElement }): () => void {
    const view = new ProjectorView(model, el);
    return () => view.dispose();
  }
};
