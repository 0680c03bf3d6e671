"""The live curves widget: a run's series, streamed as append-only binary messages.

The kernel keeps the full history (``workbench.curves.store.Run``); the front end
(``extensions/widgets/livecurves.ts``) keeps what it was sent. A push sends only the points
added since the last push; a series that grew past ``LIVE_LIMIT`` points in the front end is
replaced by its LTTB-downsampled history, so a million-point run is drawn from a few thousand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets

from workbench.curves.downsample import lttb
from workbench.curves.store import Run

LIVE_LIMIT = 20_000  # points of one series kept by the front end before it is downsampled
RESET_POINTS = 2_000  # points a downsampled series is reset to

_CSS = """
.workbench-livecurves { font-family: var(--jp-ui-font-family, sans-serif); font-size: 12px; }
.workbench-livecurves-header { margin: 2px 0 4px; }
.workbench-livecurves-bad { color: #d62728; }
.workbench-livecurves-controls { display: flex; gap: 16px; align-items: center; }
.workbench-livecurves-panels {
  display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 8px;
}
"""


def series_key(split: str, metric: str) -> str:
    return f"{split}/{metric}"


_Item = tuple[tuple[str, str], np.ndarray, np.ndarray]


class CurvesWidget(anywidget.AnyWidget):
    _esm = Path(__file__).parent / "_static" / "livecurves.js"
    _css = _CSS

    title = traitlets.Unicode("").tag(sync=True)
    state = traitlets.Unicode("running").tag(sync=True)
    run_id = traitlets.Unicode("").tag(sync=True)
    progress = traitlets.Dict().tag(sync=True)
    bad_values: traitlets.List[dict[str, object]] = traitlets.List().tag(sync=True)
    smoothing = traitlets.Float(0.6).tag(sync=True)
    snapshot = traitlets.Bool(False).tag(sync=True)  # the static snapshot is in the output

    def __init__(self, run: Run, *, run_id: str, smoothing: float = 0.6) -> None:
        super().__init__(title=run.name, run_id=run_id, smoothing=smoothing, state=run.state)
        self.run = run
        self._sent: dict[tuple[str, str], int] = {}  # series -> points of it in the front end
        self._front: dict[tuple[str, str], int] = {}  # series -> points the front end holds
        self.on_msg(self._on_front_end_message)

    def push(self) -> int:
        """Send the points added since the last push; returns how many were sent."""
        appends: list[tuple[tuple[str, str], np.ndarray, np.ndarray]] = []
        resets: list[tuple[tuple[str, str], np.ndarray, np.ndarray]] = []
        for key, series in list(self.run.series.items()):
            start = self._sent.get(key, 0)
            if len(series) <= start:
                continue
            if self._front.get(key, 0) + len(series) - start > LIVE_LIMIT:
                resets.append((key, *_downsampled(series.steps, series.values)))
            else:
                steps, values = series.since(start)
                appends.append((key, steps, values))
            self._sent[key] = len(series)
        for key, steps, _ in appends:
            self._front[key] = self._front.get(key, 0) + len(steps)
        for key, steps, _ in resets:
            self._front[key] = len(steps)
        sent = self._send_series("append", appends) + self._send_series("reset", resets)
        return sent

    def reset(self) -> None:
        """Send every series again, downsampled: a new view, or a redraw from scratch."""
        items = []
        for key, series in list(self.run.series.items()):
            steps, values = _downsampled(series.steps, series.values)
            items.append((key, steps, values))
            self._sent[key] = len(series)
            self._front[key] = len(steps)
        self._send_series("reset", items)

    def _send_series(
        self, kind: str, items: list[tuple[tuple[str, str], np.ndarray, np.ndarray]]
    ) -> int:
        if not items:
            return 0
        groups = {key: group for group, keys in self.run.groups().items() for key in keys}
        headers: list[dict[str, object]] = []
        buffers: list[bytes] = []
        for (split, metric), steps, values in items:
            headers.append(
                {
                    "key": series_key(split, metric),
                    "group": groups.get((split, metric), metric),
                    "split": split,
                    "n": len(steps),
                }
            )
            buffers.append(np.ascontiguousarray(steps, dtype=np.float64).tobytes())
            buffers.append(np.ascontiguousarray(values, dtype=np.float64).tobytes())
        self.send({"type": kind, "series": headers}, buffers)
        return sum(len(steps) for _, steps, _ in items)

    def _on_front_end_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "sync":
            self.reset()


def _downsampled(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(steps) <= RESET_POINTS:
        return steps.copy(), values.copy()
    keep = lttb(steps.astype(np.float64), values.astype(np.float64), RESET_POINTS)
    return steps[keep], values[keep]
