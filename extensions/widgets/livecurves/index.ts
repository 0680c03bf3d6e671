/**
 * The live training-curves view: the anywidget front end of
 * `workbench.widgets.live_curves.CurvesWidget` (bundled on its own into
 * `workbench/widgets/_static/livecurves.js`).
 *
 * The kernel sends columns, never points or figures: per series, its step
 * span in about a pixel's worth of columns, and then only the columns new
 * points changed. Each panel is redrawn at most once per animation frame
 * from at most a few thousand columns, however long the run.
 */

import { IAnyModel } from '../lib/model';
import { CurvesView } from './view';

export default {
  render({ model, el }: { model: IAnyModel; el: HTMLElement }): () => void {
    const view = new CurvesView(model, el);
    return () => view.dispose();
  }
};
