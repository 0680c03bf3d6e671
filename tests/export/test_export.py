"""workbench.export on a digits CNN: every format round-trips (fresh process included) within
stated bounds, the table's numbers come from real runs, and bad input is named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_digits

from workbench.exports.api import MARKER
from workbench.exports.errors import ExportError
from workbench.widgets.export import export


@pytest.fixture(scope="module")
def digits() -> tuple[keras.Model, np.ndarray, np.ndarray]:
    data = load_digits()
    x = (data.images / 16).astype("float32")[..., None]
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[:1400], data.target[:1400], epochs=8, batch_size=32, verbose=0)
    return model, x, data.target


def test_every_format_round_trips_within_bounds(
    digits: tuple[keras.Model, np.ndarray, np.ndarray], tmp_path: Path, capfd: Any
) -> None:
    model, x, y = digits
    capfd.readouterr()
    report = export(
        model,
        tmp_path / "digits",
        compare=True,
        representative_data=x[:200],
        validation_data=(x[1400:], y[1400:]),
        timing=0.05,
        display=False,
    )
    # no "Assets written to", no "Created TensorFlow Lite XNNPACK delegate" in the cell
    assert "INFO" not in capfd.readouterr().err
    kinds = [row.kind for row in report.rows]
    assert kinds == [
        "keras (in memory)",
        "savedmodel",
        "keras",
        "litert-float",
        "litert-dynamic",
        "litert-float16",
        "litert-int8",
    ]
    keras_row = report.row("keras (in memory)")
    assert keras_row.accuracy is not None
    assert keras_row.accuracy > 0.85
    for row in report.rows[1:]:
        assert row.size is not None
        assert row.size == _size(Path(str(row.path)))  # the file's real size
        assert row.batch1_ms is not None
        assert row.batch_ms is not None
        assert row.batch1_ms > 0
        assert row.batch_ms > 0
        assert row.fresh.startswith("loads, max |Δ|"), (row.kind, row.fresh)
        assert row.accuracy is not None
        assert row.max_diff is not None
        assert row.agreement is not None
        # bounds: float formats are the model; quantized ones stay within 2 points of accuracy
        bound = 1e-5 if row.kind in ("savedmodel", "keras", "litert-float") else 0.05
        assert row.max_diff <= bound, (row.kind, row.max_diff)
        assert abs(row.accuracy - keras_row.accuracy) <= 0.02, (row.kind, row.accuracy)
        assert row.agreement >= 0.97, (row.kind, row.agreement)
    assert report.row("litert-int8").runtime == "LiteRT"  # ai-edge-litert, not tf.lite
    assert report.row("litert-int8").size < report.row("litert-float").size / 2  # type: ignore[operator]
    # a fresh TensorFlow reads the SavedModel's own signature
    loaded = tf.saved_model.load(str(tmp_path / "digits" / "savedmodel"))
    assert {"serve", "serving_default"} <= set(loaded.signatures) | {"serve"}
    text = repr(report)
    assert text.startswith(f"<export to {tmp_path / 'digits'}: 397 validation examples")
    assert "litert-int8" in text
    assert 'class="workbench-export"' in report._repr_html_()
    saved = json.loads((tmp_path / "digits" / MARKER).read_text())
    assert [r["kind"] for r in saved["rows"]] == kinds
    # exporting again to the same folder replaces the previous export
    again = export(model, tmp_path / "digits", check=False, display=False)
    assert [r.kind for r in again.rows] == ["keras (in memory)", "savedmodel"]
    assert sorted(p.name for p in (tmp_path / "digits").iterdir()) == ["savedmodel", MARKER]


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def test_bad_input_is_named(
    digits: tuple[keras.Model, np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    model = digits[0]
    unbuilt = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ExportError, match="Expected a built model"):
        export(unbuilt, tmp_path / "a", display=False)
    with pytest.raises(ExportError, match="Expected representative_data with quantize='int8'"):
        export(model, tmp_path / "b", format="litert", quantize="int8", display=False)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(ExportError, match=r"holds thesis\.tex and is not an export"):
        export(model, tmp_path / "mine", display=False)
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"
    with pytest.raises(ExportError, match="Expected format to be one of"):
        export(model, tmp_path / "c", format="onnx", display=False)


class Determinant(keras.layers.Layer):  # type: ignore[misc]
    def call(self, x: tf.Tensor) -> tf.Tensor:
        return tf.reshape(tf.linalg.det(tf.reshape(x, (-1, 2, 2))), (-1, 1))


def test_an_op_litert_lacks_is_named_with_the_fix(tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input((4,)), Determinant()])
    with pytest.raises(ExportError, match=r"lack MatrixDeterminant .*select_tf_ops=True"):
        export(model, tmp_path / "det", format="litert", check=False, display=False)
    # with the TensorFlow ops kernel: written, and said not to run in this interpreter
    report = export(
        model, tmp_path / "flex", format="litert", select_tf_ops=True, timing=0.01, display=False
    )
    row = report.row("litert-float")
    assert row.size is not None
    assert row.size > 0
    assert row.batch1_ms is None
    assert row.fresh == "not run here"
    assert report.notes[0].startswith("model_float.tflite was written but not run here: Select ")
