"""``workbench.export``: write a model as SavedModel, ``.keras`` or LiteRT, measure each artifact
on this CPU against the Keras model, and check it loads in a fresh process."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from workbench._quiet import quiet_tensorflow
from workbench.exports import formats, fresh, measure
from workbench.exports.errors import ExportError
from workbench.exports.report import ExportReport, Row

MARKER = "workbench_export.json"
FORMATS = ("savedmodel", "keras", "litert")


def export_model(
    model: Any,
    folder: str | os.PathLike[str],
    format: str | list[str] = "savedmodel",
    *,
    quantize: str | list[str | None] | None = None,
    representative_data: Any = None,
    validation_data: Any = None,
    compare: bool = False,
    select_tf_ops: bool = False,
    batch_size: int = 32,
    timing: float = 0.4,
    check: bool = True,
) -> ExportReport:
    """Export ``model`` to ``folder`` and measure each artifact (``workbench.export`` shows the
    report as a table in the cell's output).

    Args:
        model: a built Keras model (one input and one output to be measured).
        folder: where the artifacts go (created; an existing folder must be empty or a previous
            export's, whose artifacts are replaced).
        format: ``"savedmodel"`` (``model.export``), ``"keras"`` (``model.save``), ``"litert"``,
            or a list of them.
        quantize: for LiteRT: None (float32), ``"dynamic"`` (int8 weights), ``"float16"``,
            ``"int8"`` (weights and activations, int8 in and out; needs
            ``representative_data``), or a list of them.
        representative_data: typical inputs (an array, or a dataset of ``x`` or ``(x, y)``
            batches) to calibrate int8 ranges; the first 200 examples are used.
        validation_data: ``(x, y)`` (or ``x``) to measure on: each artifact's outputs against
            the Keras model's (max difference, argmax agreement) and, with ``y`` of class
            indices, its accuracy. Default: 64 examples of zeros (latency and size only).
        compare: every format and quantization in one call (int8 when representative data is
            given), in one table, to pick the trade-off.
        select_tf_ops: let LiteRT run TensorFlow ops its builtins lack (the Flex delegate).
        batch_size: the batch whose per-example latency is shown beside batch 1.
        timing: seconds each latency is timed for (the median call is shown).
        check: load each artifact in a fresh Python process and compare its outputs.

    Returns:
        The :class:`ExportReport` (rows, and a text form).

    Raises:
        ExportError: an unbuilt model, int8 without representative data, a folder that is not
            ours, an op LiteRT cannot convert (named).

    Example:
        >>> report = export_model(model, "exports/digits", compare=True,
        ...                       representative_data=x_train[:200],
        ...                       validation_data=(x_test, y_test))
    """
    formats.check_model(model)
    asked = _asked(format, quantize, compare, representative_data is not None)
    x, y = _validation(model, validation_data)
    out = _open(Path(folder))
    representative = None
    if representative_data is not None:
        representative = formats.representative_fn(representative_data)
    reference = measure.measure(measure.keras_runner(model), x, batch_size, timing)
    rows = [_row("keras (in memory)", None, reference, reference.outputs, y, "Keras")]
    notes: list[str] = []
    if compare and representative_data is None:
        notes.append("int8 left out: it needs representative_data (typical inputs).")
    artifacts: dict[str, Path] = {}
    runners: dict[str, measure.Runner] = {}
    # TensorFlow's "Assets written to" and LiteRT's "Created ... XNNPACK delegate" are not news
    with tempfile.TemporaryDirectory() as tmp, quiet_tensorflow():
        saved = out / "savedmodel" if "savedmodel" in asked else Path(tmp) / "savedmodel"
        if "savedmodel" in asked or any(k.startswith("litert") for k in asked):
            formats.savedmodel(model, saved)
        for kind in asked:
            if kind == "savedmodel":
                path, run, runtime = saved, measure.savedmodel_runner(saved), "TensorFlow"
            elif kind == "keras":
                path = formats.keras_file(model, out / "model.keras")
                run, runtime = measure.keras_runner(_load_keras(path)), "Keras"
            else:
                level = kind.removeprefix("litert-")
                quant = None if level == "float" else level
                path = out / f"model_{level}.tflite"
                formats.litert(saved, path, quant, representative, select_tf_ops=select_tf_ops)
                runner = measure.LiteRTRunner(path)
                run, runtime = runner, runner.runtime
            try:
                found = measure.measure(run, x, batch_size, timing)
            except RuntimeError as error:  # e.g. Flex ops, which this interpreter cannot run
                rows.append(_unmeasured(kind, path, str(error)))
                notes.append(f"{path.name} was written but not run here: {_first(error)}")
                continue
            artifacts[kind], runners[kind] = path, run
            rows.append(_row(kind, path, found, reference.outputs, y, runtime))
    if check and artifacts:
        _fresh_check(out, artifacts, runners, x, rows)
    report = ExportReport(out, rows, len(x), notes)
    (out / MARKER).write_text(json.dumps(report.to_dict(), default=str))
    return report


def _asked(
    format: str | list[str],
    quantize: str | list[str | None] | None,
    compare: bool,
    has_representative: bool,
) -> list[str]:
    if compare:
        kinds = ["savedmodel", "keras", "litert-float", "litert-dynamic", "litert-float16"]
        return kinds + (["litert-int8"] if has_representative else [])
    names = [format] if isinstance(format, str) else list(format)
    levels = quantize if isinstance(quantize, list) else [quantize]
    kinds = []
    for name in names:
        if name not in FORMATS:
            raise ExportError(f"Expected format to be one of {list(FORMATS)}. Received: {name!r}")
        if name == "litert":
            for level in levels:
                if level not in formats.QUANTIZE:
                    raise ExportError(
                        f"Expected quantize to be one of {list(formats.QUANTIZE)}. "
                        f"Received: {level!r}"
                    )
                if level == "int8" and not has_representative:
                    raise ExportError(
                        "Expected representative_data with quantize='int8' (a few hundred "
                        "typical inputs, e.g. representative_data=x_train[:200]: int8 ranges are "
                        "calibrated on them). Received: representative_data=None"
                    )
                kinds.append(f"litert-{level or 'float'}")
        else:
            kinds.append(name)
    return kinds


def _validation(model: Any, data: Any) -> tuple[np.ndarray, np.ndarray | None]:
    if data is None:
        shape = [d or 1 for d in model.inputs[0].shape[1:]]
        return np.zeros((64, *shape), np.float32), None
    x, y = data if isinstance(data, tuple | list) else (data, None)
    x = np.asarray(x, dtype=np.float32)
    return x, None if y is None else np.asarray(y)


def _open(folder: Path) -> Path:
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"Expected a folder to export to. Received: {str(folder)!r}, a file.")
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            found = sorted(p.name for p in folder.iterdir())
            raise ExportError(
                f"Expected an empty folder or a previous export's. Received: {str(folder)!r}, "
                f"which holds {', '.join(found[:3])}{'...' if len(found) > 3 else ''} and is not "
                "an export of workbench's (choose another folder; nothing was written)."
            )
        for path in folder.iterdir():  # a previous export's artifacts are replaced
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("{}")  # ours from now on, even if a step below fails
    return folder


def _load_keras(path: Path) -> Any:
    import keras

    return keras.saving.load_model(str(path))


def _row(
    kind: str,
    path: Path | None,
    found: measure.Measured,
    reference: np.ndarray,
    y: np.ndarray | None,
    runtime: str,
) -> Row:
    outputs = found.outputs
    diff = float(np.max(np.abs(outputs - reference))) if outputs.shape == reference.shape else None
    classes = outputs.ndim == 2 and outputs.shape[1] > 1
    agreement = accuracy = None
    if classes:
        agreement = float(np.mean(outputs.argmax(1) == reference.argmax(1)))
        if y is not None and y.ndim == 1:
            accuracy = float(np.mean(outputs.argmax(1) == y))
    return Row(
        kind=kind,
        path=None if path is None else str(path),
        size=None if path is None else measure.size_on_disk(path),
        batch1_ms=found.batch1_ms,
        batch_ms=found.batch_ms,
        batch=found.batch,
        accuracy=accuracy,
        max_diff=diff,
        agreement=agreement,
        runtime=runtime,
    )


def _first(error: Exception) -> str:
    return str(error).split(". ")[0].strip().rstrip(".") + "."


def _unmeasured(kind: str, path: Path, why: str) -> Row:
    return Row(
        kind=kind,
        path=str(path),
        size=measure.size_on_disk(path),
        batch1_ms=None,
        batch_ms=None,
        batch=0,
        accuracy=None,
        max_diff=None,
        agreement=None,
        fresh="not run here",
        runtime=why[:200],
    )


def _fresh_check(
    out: Path,
    artifacts: dict[str, Path],
    runners: dict[str, measure.Runner],
    x: np.ndarray,
    rows: list[Row],
) -> None:
    """Each artifact loaded by a new Python process gives the outputs measured here."""
    sample = x[:64]
    results = fresh.check(out, artifacts, sample)
    by_kind = {row.kind: row for row in rows}
    for kind, result in results.items():
        row = by_kind[kind]
        if isinstance(result, str):
            row.fresh = f"FAILED: {result}"
            continue
        here = measure.run_all(runners[kind], sample, 32)
        diff = float(np.max(np.abs(result - here))) if result.shape == here.shape else float("inf")
        row.fresh = f"loads, max |Δ| {diff:.1g}" if diff < 1e-5 else f"DIFFERS by {diff:.3g}"
