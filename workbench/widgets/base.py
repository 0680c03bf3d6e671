"""The base of the workbench's streamed views: typed messages with binary buffers, requests
answered over widget messages, batched trait updates, and a final output for saved notebooks.

A view subclasses :class:`StreamedView` with the type of the messages it streams, points
``_esm`` at its bundle (built from ``extensions/widgets/<name>/index.ts``, which uses the shared
``extensions/widgets/lib/``) and registers a handler for each request its front end makes:

    class Histogram(StreamedView[HistogramMessage]):
        _esm = STATIC / "histogram.js"

        @handles("sync")
        def _sync(self, params: dict[str, Any]) -> None:
            self.send_message({"type": "reset", "n": 3}, [float64_buffer(self.counts)])

    view = Histogram()
    view.show()  # in the cell's output, with a display id
    ...  # stream
    view.finish({"text/html": "<svg>...</svg>", "text/plain": "<histogram>"})

Durable state lives in synced traits; events travel as custom messages (``send_message``), with
arrays as little-endian float64 buffers. Every request gets exactly one
:class:`~workbench.widgets.messages.WidgetResponse`, after whatever its handler sent: unknown
methods and failing handlers get an error response, and nothing a front end sends can raise
into the kernel.

A live view lives only as long as its kernel: a notebook reopened without one would show
ipywidgets' "Loading widget..." where it was. So a view that is done replaces its own output with
a plain mimebundle (:meth:`StreamedView.finish`: e.g. plotly's chart and an SVG), which is what
the saved notebook keeps, and closes its comm.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

import anywidget
import numpy as np
import numpy.typing as npt
from IPython.display import DisplayHandle, display

from workbench.widgets.messages import WidgetError, WidgetResponse

__all__ = ["Bundle", "StreamedView", "float64_buffer", "handles"]

STATIC = Path(__file__).parent / "_static"


class Bundle:
    """A view's front-end bundle (``widgets/_static/<name>``) as its ``_esm``: the text, read once.

    Not a ``Path``: anywidget turns a path into a watched file whose change signal holds every
    widget ever made, so no view (nor the run it shows) was ever freed: ten 200k-step runs kept
    ~80 MB. A missing bundle (a source checkout not built yet) renders as a sentence saying so.
    """

    def __init__(self, name: str) -> None:
        self.path = STATIC / name
        self._text: str | None = None

    def __get__(self, instance: object, owner: type | None = None) -> str:
        if self._text is None:
            try:
                self._text = self.path.read_text()
            except OSError:
                message = (
                    f"tf-workbench: {self.path.name} is not built; run `make install` (or "
                    "`jlpm build` in extensions/) and restart the kernel."
                )
                self._text = (
                    "export default { render({ el }) { el.textContent = "
                    f"{json.dumps(message)}; }} }};"
                )
        return self._text


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

    Subclasses set ``_esm`` (and ``_css``) and register request handlers with :func:`handles`;
    :meth:`show` displays the view and :meth:`finish` leaves its final output in its place.
    """

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
        self._output: DisplayHandle | None = None
        self.on_msg(self._on_custom_message)

    def send_message(self, message: MessageT, buffers: Sequence[bytes | memoryview] = ()) -> None:
        """Sends one of this view's messages to its front ends, with its binary buffers."""
        self.send(dict(message), list(buffers))

    # --- the output ---------------------------------------------------------------------------

    def show(self) -> None:
        """Displays the view in the current output, with a display id, so that :meth:`finish`
        can replace it (outside IPython, where nothing is displayed, it prints the repr)."""
        self._output = display(self, display_id=True)

    @property
    def shown(self) -> bool:
        """Whether the view is in an output that :meth:`finish` will replace."""
        return self._output is not None

    def finish(self, bundle: Mapping[str, Any]) -> None:
        """Replaces the view's output with ``bundle``, then closes the widget.

        ``bundle`` is a mimebundle (mimetype -> data, raw): what the notebook shows and saves
        from then on, kernel or not. Closing frees the widget's comm and its front-end model;
        the Python object stays readable. A view that was never shown (:meth:`show`) replaces
        nothing and stays open, for whoever displays it.
        """
        handle, self._output = self._output, None
        if handle is None:
            return
        handle.update(dict(bundle), raw=True)  # before the close: the output never goes blank
        self.close()

    def close(self) -> None:
        """Closes the widget and lets go of its own message handler: with it, the widget and all
        it holds (a run's points) waited for the cycle collector, which a kernel runs seldom."""
        super().close()
        self.on_msg(self._on_custom_message, remove=True)

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
