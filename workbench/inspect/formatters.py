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


_last: tuple[Any, Any] | None = None  # (weak reference to the object, its summary)


def _summary(obj: Any) -> Any:
    """IPython asks each formatter separately: summarise an object once for both forms.

    Only a weak reference is kept, so a displayed 400 MB tensor is not held alive by the cache.
    """
    global _last
    from workbench.inspect.tensors import summarize

    if _last is not None and _last[0]() is obj:
        return _last[1]
    summary = summarize(obj)
    try:
        _last = (weakref.ref(obj), summary)
    except TypeError:  # not weak-referenceable: no cache
        _last = None
    return summary


def _tensor_text(obj: Any) -> str:
    return str(_summary(obj).text())


def _tensor_html(obj: Any) -> str:
    return str(_summary(obj).html())


def _layer_text(obj: Any) -> str:
    from workbench.inspect.models import text

    return text(obj)


def _layer_html(obj: Any) -> str:
    from workbench.inspect.models import html_view

    return html_view(obj)


def _dataset_text(obj: Any) -> str:
    from workbench.inspect.datasets import text

    return text(obj)


def _dataset_html(obj: Any) -> str:
    from workbench.inspect.datasets import html_view

    return html_view(obj)


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
    formatters = ipython.display_formatter.formatters
    for classes, _, _ in KINDS:
        for module, name in classes:
            for mime in ("text/plain", "text/html"):
                formatter = formatters[mime]
                formatter.deferred_printers.pop((module, name), None)
                for cls in list(formatter.type_printers):
                    if (cls.__module__, cls.__name__) == (module, name):
                        del formatter.type_printers[cls]
