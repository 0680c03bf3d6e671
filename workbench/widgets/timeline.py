"""The timeline view: a capture's events, one lane per thread, zoomed and panned in the browser,
sent by the kernel a window at a time.

The front end (``extensions/widgets/timeline/``) asks for ``frame``s of the window it shows; the
kernel's level-of-detail index (``profiler.lod``) answers with what is visible at that width, events
narrower than a pixel merged, as binary buffers (``timeline_messages``). While a new frame is on
its way the front end redraws the one it has at the new zoom, so a zoom is drawn at once.

A capture converted while a fit still runs (``LiveCurves(profile_steps=...)``) is attached to
the view from the conversion worker (:meth:`TimelineView.attach`), which pushes its first frame
unasked: the kernel answers a front end's requests only between cells.

In a notebook the view's output carries its static form too (``text/html``: the overview picture,
``raster``), marked in the output's metadata (``LIVE_MARK``), so what a saved notebook shows
without the kernel is the picture, not "model not found" (the workbench's server extension keeps
only the static form when a notebook is saved, ``workbench.server.presave``).

Each live view holds its capture's events and index: the newest ``KEEP_LIVE`` shown stay live,
and an older one's output becomes its picture (``retire``) and the view lets its capture go.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections import deque
from typing import Any

import numpy as np
import traitlets

from workbench.profiler.capture import CaptureData
from workbench.profiler.lod import LodIndex
from workbench.widgets.base import Bundle, StreamedView, handles
from workbench.widgets.raster import overview_html, overview_image
from workbench.widgets.timeline_messages import (
    EventDetails,
    FrameHeader,
    FrameResult,
    MatchResult,
    SearchResult,
    TimelineLane,
    TimelineMeta,
    TimelineStep,
    as_text,
)

__all__ = ["LIVE_MARK", "TimelineView"]

log = logging.getLogger(__name__)

LIVE_MARK = "tf-workbench"  # output metadata key: {"live": true, "static": "text/html"}
KEEP_LIVE = 8  # timelines kept live in outputs; older ones become their pictures
DEFAULT_WIDTH = 1000  # the width of a frame pushed before the front end said its own
MAX_WIDTH = 8192

_CSS = """
.workbench-timeline { font-family: var(--jp-ui-font-family, sans-serif); font-size: 12px;
  color: var(--jp-ui-font-color1, #222); position: relative; }
.workbench-timeline-header { display: flex; gap: 12px; align-items: baseline; margin: 2px 0 4px; }
.workbench-timeline-title { font-weight: bold; }
.workbench-timeline-subtitle { color: var(--jp-ui-font-color2, #555); }
.workbench-timeline-controls { display: flex; gap: 8px; align-items: center; margin-bottom: 4px; }
.workbench-timeline-controls input[type=search] { width: 220px; font-size: 12px; }
.workbench-timeline-reset { font-size: 11px; padding: 1px 8px; cursor: pointer;
  border: 1px solid var(--jp-border-color1, #bbb); border-radius: 2px;
  background: var(--jp-layout-color1, #fff); color: var(--jp-ui-font-color1, #222); }
.workbench-timeline-body { display: flex; border: 1px solid var(--jp-border-color2, #ddd); }
.workbench-timeline-labels { flex: none; width: 200px; overflow: hidden; position: relative;
  border-right: 1px solid var(--jp-border-color2, #ddd); }
.workbench-timeline-label { position: absolute; left: 4px; right: 4px; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; font-size: 11px; }
.workbench-timeline-scroll { flex: 1; max-height: 480px; overflow-y: auto; overflow-x: hidden; }
.workbench-timeline-main { display: block; cursor: grab; }
.workbench-timeline-main.dragging { cursor: grabbing; }
.workbench-timeline-minimap { display: block; cursor: pointer; margin-bottom: 4px;
  border: 1px solid var(--jp-border-color2, #ddd); }
.workbench-timeline-tooltip { position: absolute; z-index: 10; pointer-events: none;
  background: var(--jp-layout-color0, #fff); border: 1px solid var(--jp-border-color1, #999);
  padding: 4px 6px; max-width: 420px; font-size: 11px; box-shadow: 0 1px 4px rgba(0,0,0,.2);
  white-space: pre-wrap; word-break: break-all; }
.workbench-timeline-tooltip.pinned { pointer-events: auto; border-color: #d62728; }
.workbench-timeline-status { color: var(--jp-ui-font-color2, #666); font-size: 11px; }
.workbench-timeline-offline img { max-width: 100%; }
"""


_live: deque[TimelineView] = deque()  # shown, newest last
_live_lock = threading.Lock()


def _f32(values: Any) -> bytes:
    return np.ascontiguousarray(values, dtype="<f4").tobytes()


def _i32(values: Any) -> bytes:
    return np.ascontiguousarray(values, dtype="<i4").tobytes()


def _u32(values: Any) -> bytes:
    return np.ascontiguousarray(values, dtype="<u4").tobytes()


class TimelineView(StreamedView[Any]):
    """The interactive timeline of one capture (see the module docstring).

    Args:
        data: the capture, loaded or not (None: one is being converted; :meth:`attach` it).
        title: the view's heading.
    """

    _esm = Bundle("timeline.js")
    _css = _CSS

    title = traitlets.Unicode("").tag(sync=True)
    subtitle = traitlets.Unicode("").tag(sync=True)
    state = traitlets.Unicode("converting").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    overview = traitlets.Unicode("").tag(sync=True)
    first = traitlets.Dict().tag(sync=True)  # a timeline_messages.FirstFrame, or {}

    def __init__(self, data: CaptureData | None = None, *, title: str = "") -> None:
        super().__init__(title=title)
        self._lock = threading.RLock()
        self._data: CaptureData | None = None
        self._index: LodIndex | None = None
        self._names_sent: set[int] = set()
        self._match: np.ndarray[Any, np.dtype[np.bool_]] | None = None
        self._query = ""
        self._width = DEFAULT_WIDTH
        self._static = ""
        self._handle: Any = None  # the display handle of its output, once kept live
        if data is not None:
            self.attach(data, push=False)

    # --- the capture ------------------------------------------------------------------------------

    @property
    def index(self) -> LodIndex | None:
        return self._index

    def attach(self, data: CaptureData, *, push: bool = True) -> None:
        """Shows ``data`` (from any thread); with ``push``, sends its first frame unasked."""
        index = data.index  # converts if not yet done (on the caller's thread)
        picture, _, _ = overview_image(index, width=480)
        with self._lock:
            self._data, self._index = data, index
            self._names_sent = set()
            self._static = ""
            with self.hold_sync():
                self.subtitle = data.verdict.headline
                self.overview = "data:image/png;base64," + base64.b64encode(picture).decode()
                self.state = "ready"
        if push:
            self._send_meta()
            self._send_frame(0.0, index.span, self._width, seq=0)

    def preload(self) -> None:
        """Puts the whole capture's first frame in the view's state, for a view shown while its
        kernel runs a cell (it answers requests only between cells): the front end draws it on
        render, without asking. ``release`` takes it out once the kernel can answer."""
        index = self._ready()
        meta, overview = self._meta()
        header, buffers = self._frame_message(0.0, index.span, self._width, 0, remember=False)
        self.first = {"meta": meta, "overview": overview, "frame": header, "buffers": buffers}

    def release(self) -> None:
        """Takes the preloaded frame out of the state (a saved notebook need not keep it)."""
        if self.first:
            self.first = {}

    def keep_live(self, handle: Any) -> None:
        """The view is shown in the output of ``handle`` (a display handle, or None): it stays
        live until ``KEEP_LIVE`` newer views are, then retires."""
        with _live_lock:
            self._handle = handle
            _live.append(self)
            old = [_live.popleft() for _ in range(max(0, len(_live) - KEEP_LIVE))]
        for view in old:
            view.retire()

    def retire(self) -> None:
        """Its output becomes its picture, the view closes and lets its capture go."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.update(
                {"text/html": self.static_html(), "text/plain": f"<timeline: {self.title}>"},
                raw=True,
            )
        self.close()
        with self._lock:
            self._data = self._index = None

    def fail(self, error: BaseException) -> None:
        """The capture could not be shown: the view says why."""
        with self.hold_sync():
            self.error = str(error)
            self.state = "failed"

    def static_html(self) -> str:
        """The overview picture with lane labels (what a saved notebook shows)."""
        with self._lock:
            if self._index is None:
                return f"<p>{self.title}: {self.error or 'not converted yet'}</p>"
            if not self._static:
                self._static = overview_html(self._index, title=self.title)
            return self._static

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        data = {**data, "text/html": self.static_html(), "text/plain": f"<timeline: {self.title}>"}
        return data, {**metadata, LIVE_MARK: {"live": True, "static": "text/html"}}

    # --- requests ---------------------------------------------------------------------------------

    @handles("sync")
    def _sync(self, params: dict[str, Any]) -> dict[str, bool]:
        self._width = _width(params.get("width", self._width))
        with self._lock:
            self._names_sent = set()
        self._send_meta()
        return {"ready": self._index is not None}

    @handles("frame")
    def _frame(self, params: dict[str, Any]) -> FrameResult:
        t0, t1 = float(params["t0"]), float(params["t1"])
        width = _width(params.get("width", self._width))
        self._width = width
        return self._send_frame(t0, t1, width, seq=int(params.get("seq", 0)))

    @handles("search")
    def _search(self, params: dict[str, Any]) -> SearchResult:
        query = str(params.get("query", "")).strip()
        index = self._ready()
        with self._lock:
            self._query = query
            if not query:
                self._match = None
                return SearchResult(query="", events=0, names=0)
            names = index.trace.names
            needle = query.lower()
            match = np.fromiter((needle in n.lower() for n in names), bool, len(names))
            self._match = match
        events = int(match[index.trace.name].sum()) if len(names) else 0
        return SearchResult(query=query, events=events, names=int(match.sum()))

    @handles("next")
    def _next(self, params: dict[str, Any]) -> MatchResult | None:
        index = self._ready()
        match = self._match
        if match is None:
            return None
        found = index.find(match, float(params.get("after", -1.0)))
        if found is None:
            return None
        trace = index.trace
        return MatchResult(
            start=float(trace.start[found]),
            dur=float(trace.dur[found]),
            row=int(trace.row[found]),
            ref=found,
        )

    @handles("details")
    def _details(self, params: dict[str, Any]) -> EventDetails:
        index = self._ready()
        ref = int(params["ref"])
        trace = index.trace
        if not 0 <= ref < len(trace):
            raise ValueError(f"Expected an event index in [0, {len(trace)}). Received: {ref}")
        lane = trace.lanes[int(trace.lane[ref])]
        args = trace.args_of(ref)
        if args is None and trace.dropped_args:
            args = {"(args)": "not kept: one of the shortest events of a large trace"}
        return EventDetails(
            name=trace.names[int(trace.name[ref])],
            start=float(trace.start[ref]),
            dur=float(trace.dur[ref]),
            thread=lane.thread,
            process=lane.process,
            depth=int(trace.row[ref]) - lane.first_row,
            args=as_text(args),
        )

    # --- sending ----------------------------------------------------------------------------------

    def _ready(self) -> LodIndex:
        index = self._index
        if index is None:
            raise RuntimeError(f"the capture is not ready yet ({self.state})")
        return index

    def _send_meta(self) -> None:
        meta, overview = self._meta()
        self.send_message(meta, [overview] if meta["ready"] else [])

    def _meta(self) -> tuple[TimelineMeta, bytes]:
        index = self._index
        if index is None:
            meta = TimelineMeta(
                type="meta", ready=False, span=0.0, rows=0, bins=0, lanes=[], steps=[]
            )
            return meta, b""
        trace = index.trace
        overview = index.overview()
        meta = TimelineMeta(
            type="meta",
            ready=True,
            span=index.span,
            rows=trace.rows,
            bins=int(overview.shape[1]),
            lanes=[
                TimelineLane(
                    label=lane.label,
                    process=lane.process,
                    thread=lane.thread,
                    rows=lane.rows,
                    first_row=lane.first_row,
                    events=lane.events,
                )
                for lane in trace.lanes
            ],
            steps=[TimelineStep(start=s.start, end=s.end, label=s.label) for s in trace.steps],
        )
        return meta, np.ascontiguousarray(overview, dtype=np.uint8).tobytes()

    def _send_frame(self, t0: float, t1: float, width: int, *, seq: int) -> FrameResult:
        header, buffers = self._frame_message(t0, t1, width, seq, remember=True)
        self.send_message(header, buffers)
        return FrameResult(n=header["n"], bytes=sum(len(b) for b in buffers))

    def _frame_message(
        self, t0: float, t1: float, width: int, seq: int, *, remember: bool
    ) -> tuple[FrameHeader, list[bytes]]:
        """A frame's header and buffers; ``remember``: names already sent are left out, and those
        it carries count as sent (else it carries every name it uses)."""
        index = self._ready()
        with self._lock:
            match = self._match
            frame = index.frame(t0, t1, width, match)
            names: dict[str, str] = {}
            for name_id in np.unique(frame.name).tolist():
                if not remember or name_id not in self._names_sent:
                    names[str(name_id)] = index.trace.names[name_id]
                    if remember:
                        self._names_sent.add(name_id)
        buffers = [
            _f32(frame.start - t0),
            _f32(frame.dur),
            _u32(frame.row),
            _i32(frame.name),
            _i32(np.clip(frame.ref, -(2**31), 2**31 - 1)),
        ]
        if frame.match is not None:
            buffers.append(np.ascontiguousarray(frame.match, dtype=np.uint8).tobytes())
        header = FrameHeader(
            type="frame",
            seq=seq,
            t0=t0,
            t1=t1,
            width=width,
            n=len(frame),
            level=frame.level,
            events=frame.events,
            names=names,
            match=frame.match is not None,
        )
        return header, buffers


def _width(value: Any) -> int:
    try:
        width = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"Expected a width in pixels. Received: {value!r}") from None
    return max(1, min(width, MAX_WIDTH))
