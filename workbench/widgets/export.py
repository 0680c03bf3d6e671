"""``workbench.export``: the export of ``workbench.exports`` with its table shown in the cell's
output (HTML in the notebook, the same table as text elsewhere)."""

from __future__ import annotations

import os
from typing import Any

from workbench.exports.api import export_model
from workbench.exports.report import ExportReport


def export(
    model: Any,
    folder: str | os.PathLike[str],
    format: str | list[str] = "savedmodel",
    *,
    display: bool = True,
    **options: Any,
) -> ExportReport:
    """Export ``model`` to ``folder`` as SavedModel, ``.keras`` or LiteRT, and show one table:
    size on disk, latency per example on this CPU (batch 1 and a batch), accuracy, max output
    difference and argmax agreement against the Keras model, and a fresh-process load check.

    ``options`` are :func:`workbench.exports.api.export_model`'s: ``quantize`` (None,
    ``"dynamic"``, ``"float16"``, ``"int8"`` or a list), ``representative_data``,
    ``validation_data=(x, y)``, ``compare=True`` (every format and quantization in one table),
    ``select_tf_ops``, ``batch_size`` (32), ``timing`` (0.4 s), ``check`` (True).

    Args:
        display: show the table in the cell's output (default True).

    Returns:
        The :class:`~workbench.exports.report.ExportReport`.

    Raises:
        ExportError: an unbuilt model, int8 without representative data, a folder that is not
            ours, an op LiteRT cannot convert (named, with ``select_tf_ops=True`` suggested).

    Example:
        >>> workbench.export(model, "exports/digits", compare=True,
        ...                  representative_data=x_train[:200], validation_data=(x_test, y_test))
    """
    report = export_model(model, folder, format, **options)
    if display:
        from IPython.display import display as show

        show(report)
    return report
