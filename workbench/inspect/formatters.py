"""IPython formatters for TensorFlow and Keras objects, registered by class name: nothing is
imported until such an object is displayed, and a display that fails falls back to plain repr."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# (module, class name) as TensorFlow 2.21 / Keras 3 define them; subclasses match through the MRO.
TENSORS = [
    ("tensorflow.python.framework.ops", "EagerTensor"),
    ("tensorflow.python.ops.resource_variable_ops", "BaseResourceVariable"),
    ("keras.src.backend.common.variables", "Variable"),
    ("tensorflow.python.ops.ragged.ragged_tensor", "RaggedTensor"),
    ("tensorflow.python.framework.sparse_tensor", "SparseTensor"),
]
LAYERS = [("keras.src.layers.layer", "Layer")]
DATASETS = [("tensorflow.python.data.ops.dataset_ops", "DatasetV2")]


class OneDisplay:
    """Summarises an object once for all the forms (text, HTML) of one display of it.

    IPython asks each formatter separately, so without sharing, a tensor would be reduced twice
    and a shuffled dataset would show different elements in its two forms. A summary is handed
    out at most once per form: when a form asks again for the same object, that is a new display
    (the variable may have been assigned since, the dataset reshuffled), and it is recomputed.
    Object identity alone cannot tell: a mutated ``tf.Variable`` is the same object, and has no
    version counter to compare.

    Only a weak reference is kept, so a displayed 400 MB tensor is not held alive by the cache.

    Args:
        summarize: computes the summary of an object.
    """

    def __init__(self, summarize: Callable[[Any], Any]) -> None:
        self._summarize = summarize
        self._ref: weakref.ref[Any] | None = None
        self._summary: Any = None
        self._served: set[str] = set()

    def get(self, obj: Any, form: str) -> Any:
        """The summary of ``obj`` for ``form`` ("text" or "html"), shared with the other form."""
        if self._ref is not None and self._ref() is obj and form not in self._served:
            self._served.add(form)
            return self._summary
        summary = self._summarize(obj)
        try:
            self._ref = weakref.ref(obj)
        except TypeError:  # not weak-referenceable: each form computes its own
            self._ref = None
        self._summary, self._served = summary, {form}
        return summary

    def clear(self) -> None:
        self._ref, self._summary, self._served = None, None, set()


def _summarize_tensor(obj: Any) -> Any:
    from workbench.inspect.tensors import summarize

    return summarize(obj)


def _summarize_dataset(obj: Any) -> Any:
    from workbench.inspect.datasets import summarize

    return summarize(obj)


TENSOR_SUMMARIES = OneDisplay(_summarize_tensor)
DATASET_SUMMARIES = OneDisplay(_summarize_dataset)


def _tensor_text(obj: Any) -> str:
    return str(TENSOR_SUMMARIES.get(obj, "text").text())


def _tensor_html(obj: Any) -> str:
    return str(TENSOR_SUMMARIES.get(obj, "html").html())


def _layer_text(obj: Any) -> str:
    from workbench.inspect.models import text

    return text(obj)


def _layer_html(obj: Any) -> str:
    from workbench.inspect.models import html_view

    return html_view(obj)


def _dataset_text(obj: Any) -> str:
    return str(DATASET_SUMMARIES.get(obj, "text").text())


def _dataset_html(obj: Any) -> str:
    return str(DATASET_SUMMARIES.get(obj, "html").html())


KINDS: list[tuple[list[tuple[str, str]], Callable[[Any], str], Callable[[Any], str]]] = [
    (TENSORS, _tensor_text, _tensor_html),
    (LAYERS, _layer_text, _layer_html),
    (DATASETS, _dataset_text, _dataset_html),
]


def _safe_text(render: Callable[[Any], str]) -> Callable[[Any, Any, bool], None]:
    def printer(obj: Any, p: Any, cycle: bool) -> None:
        try:
            p.text(render(obj))
        except Exception as exc:
            log.debug("workbench display failed", exc_info=True)
            p.text(f"{object.__repr__(obj)} (workbench display failed: {type(exc).__name__})")

    return printer


def _safe_html(render: Callable[[Any], str]) -> Callable[[Any], str | None]:
    def formatter(obj: Any) -> str | None:
        try:
            return render(obj)
        except Exception:
            log.debug("workbench display failed", exc_info=True)
            return None

    return formatter


def register(ipython: Any) -> None:
    formatters = ipython.display_formatter.formatters
    for classes, text, html in KINDS:
        for module, name in classes:
            formatters["text/plain"].for_type_by_name(module, name, _safe_text(text))
            formatters["text/html"].for_type_by_name(module, name, _safe_html(html))


def unregister(ipython: Any) -> None:
    TENSOR_SUMMARIES.clear()
    DATASET_SUMMARIES.clear()
    formatters = ipython.display_formatter.formatters
    for classes, _, _ in KINDS:
        for module, name in classes:
            for mime in ("text/plain", "text/html"):
                formatter = formatters[mime]
                formatter.deferred_printers.pop((module, name), None)
                for cls in list(formatter.type_printers):
                    if (cls.__module__, cls.__name__) == (module, name):
                        del formatter.type_printers[cls]
