"""Messages and synced traits of the workbench's widgets, as the kernel and the front ends see them.

Mirrored in ``extensions/widgets/lib/messages.ts`` (``tests/unit/test_protocol_mirror.py`` keeps the
two in step). Durable state travels as traits; events travel as custom messages, with any arrays
as binary buffers (float64, little-endian, in the order the message's headers list them).

Every streamed view speaks the same request/response pair: the front end asks
(:class:`WidgetRequest`, e.g. ``sync`` when a view is rendered and needs its data), the kernel
sends whatever the request calls for as ordinary messages and then answers with one
:class:`WidgetResponse` echoing the ``id``.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from workbench._protocol import WireFloat

# --- every streamed view --------------------------------------------------------------------


class WidgetRequest(TypedDict):
    """Front end -> kernel."""

    type: Literal["request"]
    id: int
    method: str
    params: dict[str, Any]


class WidgetError(TypedDict):
    message: str


class _WidgetResponseBase(TypedDict):
    type: Literal["response"]
    id: int


class WidgetResponse(_WidgetResponseBase, total=False):
    """Kernel -> front end: ``result`` or ``error``."""

    result: Any
    error: WidgetError


# --- the live curves view -------------------------------------------------------------------


class ColumnsHeader(TypedDict):
    """One series of a :class:`ColumnsMessage`: its next buffer holds ``n`` rows of
    ``workbench.widgets.columns.FIELDS`` (column, count, sum, first, a, b, last), float64.

    A view keeps ``width`` columns per series, each ``size`` steps wide from step ``origin``.
    When ``size`` grew, the span doubled (once per factor of two): the view merges its columns
    2j and 2j + 1 into column j, as the kernel did, before it writes the rows. ``reset`` drops
    what the view held of the series first (and takes this width, size and origin).
    """

    key: str  # "<split>/<metric>"
    group: str  # the panel it is drawn in (the metric)
    split: str  # train or validation
    reset: bool
    width: int
    size: int  # steps per column, a power of two
    origin: int
    first: int  # the first and last step with a finite value: the series' extent
    last: int
    n: int  # rows in its buffer


class ColumnsMessage(TypedDict):
    """Kernel -> front end: the columns of each series that changed (or all of them)."""

    type: Literal["columns"]
    series: list[ColumnsHeader]


class ViewGeometry(TypedDict):
    """Params of the view's ``sync`` and ``resize`` requests: what it can draw."""

    width: int  # the view's grid of panels, in CSS pixels (a panel's plot area: the columns)


class Progress(TypedDict):
    """The ``progress`` trait: one line of text (epoch, step, ETA, latest values)."""

    text: str


class BadValue(TypedDict):
    """An item of the ``bad_values`` trait: the first NaN/Inf value of a series."""

    key: str  # the series key, as in ColumnsHeader
    label: str  # what the user calls it: "loss", "val_loss"
    step: int
    value: WireFloat


class CurvesTraits(TypedDict):
    """The synced traits of the live curves view (``CurvesWidget``), as its front end reads them."""

    title: str  # the run's name
    state: str  # running, finished, interrupted, failed
    run_id: str  # unique per view of the run
    progress: Progress  # {} until the first update
    bad_values: list[BadValue]
    smoothing: float  # 0 to 0.99, set by the view's slider (the final chart uses it too)
    log_scale: bool  # the y axes, set by the view's checkbox
