/**
 * The live training-curves view: the anywidget front end of
 * `workbench.widgets.live_curves.CurvesWidget` (bundled on its own into
 * `workbench/widgets/_static/livecurves.js`).
 *
 * The kernel sends points, never whole figures: `reset` replaces a series
 * with a downsampled history, `append` adds the points since the last
 * message. Each panel is redrawn at most once per animation frame with at
 * most four points per pixel column, so 100k+ points stay fast.
 */

import { IAnyModel } from '../lib/model';
import { CurvesView } from './view';

export default {
  render({ model, el }: { model: IAnyModel; el: HTMLElement }): () => void {
    const view = new CurvesView(model, el);
    return () => view.dispose();
  }
};
