"""The base of the workbench's streamed views: typed messages with binary buffers, requests
answered over widget messages, batched trait updates, and a static fallback for saved notebooks.

A view subclasses :class:`StreamedView` with the type of the messages it streams, points
``_esm`` at its bundle (built from ``extensions/widgets/<name>/index.ts``, which uses the shared
``extensions/widgets/lib/``) and registers a handler for each request its front end makes:

    class Histogram(StreamedView[HistogramMessage]):
        _esm = STATIC / "histogram.js"

        @handles("sync")
        def _sync(self, params: dict[str, Any]) -> None:
            self.send_message({"type": "reset", "n": 3}, [float64_buffer(self.counts)])

        def snapshot_html(self, **options: Any) -> str:
            return "<svg>...</svg>"

Durable state lives in synced traits; events travel as custom messages (``send_message``), with
arrays as little-endian float64 buffers. Every request gets exactly one
:class:`~workbench.widgets.messages.WidgetResponse`, after whatever its handler sent: unknown
methods and failing handlers get an error response, and nothing a front end sends can raise
into the kernel.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

import anywidget
import numpy as np
import numpy.typing as npt
import traitlets
from IPython.display import display

from workbench.widgets.messages import WidgetError, WidgetResponse

__all__ = ["StreamedView", "float64_buffer", "handles"]

log = logging.getLogger(__name__)

MessageT = TypeVar("MessageT", bound=Mapping[str, Any])
Handler = Callable[[Any, dict[str, Any]], object]
HandlerT = TypeVar("HandlerT", bound=Handler)

_METHOD = "_workbench_widget_method"  # the attribute @handles sets on a handler


def handles(method: str) -> Callable[[HandlerT], HandlerT]:
    """Registers the decorated method as the handler of front-end requests named ``method``.

    The handler takes the request's ``params`` and returns the response's ``result`` (JSON, or
    None); it may send messages first. An exception it raises becomes an error response.
    """

    def register(handler: HandlerT) -> HandlerT:
        setattr(handler, _METHOD, method)
        return handler

    return register


def float64_buffer(values: npt.ArrayLike) -> bytes:
    """``values`` as a message buffer: contiguous little-endian float64, as the front ends read."""
    return np.ascontiguousarray(values, dtype="<f8").tobytes()


class StreamedView(anywidget.AnyWidget, Generic[MessageT]):
    """An anywidget that streams typed messages and answers its front end's requests.

    Subclasses set ``_esm`` (and ``_css``), register request handlers with :func:`handles`, and
    override :meth:`snapshot_html` (and :attr:`snapshot_id`) for the static fallback.
    """

    # the static fallback has been displayed in the output (see show_snapshot)
    snapshot = traitlets.Bool(False).tag(sync=True)

    _handlers: ClassVar[dict[str, str]] = {}  # request method -> name of its handler

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found = {
            method: name
            for name, value in vars(cls).items()
            if isinstance(method := getattr(value, _METHOD, None), str)
        }
        cls._handlers = {**cls._handlers, **found}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_msg(self._on_custom_message)

    def send_message(self, message: MessageT, buffers: Sequence[bytes | memoryview] = ()) -> None:
        """Sends one of this view's messages to its front ends, with its binary buffers."""
        self.send(dict(message), list(buffers))

    # --- the static fallback ----------------------------------------------------------------

    @property
    def snapshot_id(self) -> str:
        """What marks this view's snapshot, so its front end can tell it from others."""
        return self.model_id  # type: ignore[no-any-return]

    def snapshot_html(self, **options: Any) -> str:
        """The view as self-contained HTML (no scripts): what a saved notebook shows without it."""
        raise NotImplementedError(f"{type(self).__name__} has no static snapshot")

    def show_snapshot(self, **options: Any) -> None:
        """Displays the snapshot in the current output, marked with :attr:`snapshot_id`.

        The front end hides a snapshot so marked, in its own output area, while the live view
        has something to show; a notebook reopened without a kernel shows the snapshot.
        ``options`` go to :meth:`snapshot_html`.
        """
        marker = html.escape(self.snapshot_id, quote=True)
        body = self.snapshot_html(**options)
        display(
            {
                "text/html": f'<div data-workbench-snapshot="{marker}">{body}</div>',
                "text/plain": f"<snapshot of {type(self).__name__} {self.snapshot_id}>",
            },
            raw=True,
        )
        self.snapshot = True

    # --- requests ---------------------------------------------------------------------------

    def _on_custom_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "request":
            log.warning("%s ignored a front-end message: %.200r", type(self).__name__, content)
            return
        request_id = content.get("id")
        if not isinstance(request_id, int) or isinstance(request_id, bool):
            log.warning("%s ignored a request without an id: %.200r", type(self).__name__, content)
            return
        method = content.get("method")
        params = content.get("params", {})
        name = self._handlers.get(method) if isinstance(method, str) else None
        if name is None:
            known = sorted(self._handlers)
            self._fail(request_id, f"Expected a method in {known}. Received: {method!r}")
            return
        if not isinstance(params, dict):
            self._fail(request_id, f"{method}: expected params as an object. Received: {params!r}")
            return
        try:
            result = getattr(self, name)(params)
        except Exception as error:  # a failing handler is answered, never raised into the kernel
            log.warning("%s.%s failed", type(self).__name__, method, exc_info=True)
            self._fail(request_id, f"{method} failed: {type(error).__name__}: {error}")
            return
        try:
            self._respond({"type": "response", "id": request_id, "result": result})
        except (TypeError, ValueError) as error:  # the result is not JSON
            self._fail(request_id, f"{method} returned what JSON cannot carry: {error}")

    def _fail(self, request_id: int, message: str) -> None:
        error: WidgetError = {"message": message}
        self._respond({"type": "response", "id": request_id, "error": error})

    def _respond(self, response: WidgetResponse) -> None:
        self.send(dict(response), [])
