"""The projector export's files read back as a user (or TensorBoard) reads them: the tensor's
text, the metadata with awkward values, the sprite's pixels, a config that gains and replaces
embeddings, and the clear errors of damaged logdirs (hand-made configs, short rows, bytes that
do not hold the shape, a locale that is not UTF-8)."""

from __future__ import annotations

import importlib
import subprocess
import sys
import warnings
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from workbench.projector import export_projector, read_projector

export_module = importlib.import_module("workbench.projector.export")


def test_the_tensor_file_and_what_the_export_returns(tmp_path: Path) -> None:
    data = np.array([[1.0, 0.5, 1e-10], [-2.0, 0.1, 3.0]])  # float64 in, float32 out
    files = export_projector(tmp_path / "a" / "b", data, name="My words/v1")
    root = tmp_path / "a" / "b"  # made with its parents
    assert files.tensor == root / "My_words_v1.tsv"
    assert files.tensor.read_text() == "1\t0.5\t1.00000001e-10\n-2\t0.100000001\t3\n"
    assert (files.logdir, files.metadata, files.sprite) == (root, None, None)
    assert (files.config, files.notes) == (root / "projector_config.pbtxt", [])
    tensor, columns = read_projector(root)
    np.testing.assert_array_equal(tensor, data.astype(np.float32))
    assert columns == {}
    # the bytes format holds float32, whatever came in
    export_projector(root, data, name="raw", tensor_format="bytes")
    assert (root / "raw.bytes").stat().st_size == 6 * 4
    np.testing.assert_array_equal(read_projector(root, "raw")[0], data.astype(np.float32))
    # a name of nothing but symbols still names a file
    assert export_projector(root, data, name="").tensor.name == "embedding.tsv"


def test_auto_writes_bytes_from_the_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module, "BYTES_FROM", 6)  # 5,000,000 values, at six
    data = np.full((2, 3), 1.7e38, np.float32)  # bytes that are no UTF-8
    assert export_projector(tmp_path, data, name="six").tensor.suffix == ".bytes"
    assert export_projector(tmp_path, data[:, :2], name="four").tensor.suffix == ".tsv"
    assert export_projector(tmp_path, data, name="t", tensor_format="tsv").tensor.suffix == ".tsv"
    files = export_projector(tmp_path, np.zeros((2, 3)), name="zeros")  # zeros read as text
    assert files.tensor.suffix == ".tsv"
    assert files.notes == [
        "tensor written as TSV: its float32 bytes read as text, which TensorBoard misreads"
    ]


def test_bad_arguments_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="tensor_format") as raised:
        export_projector(tmp_path, np.eye(2), tensor_format="csv")
    assert str(raised.value) == (
        "tensor_format: expected one of {'auto', 'tsv', 'bytes'}. Received: 'csv'"
    )
    with pytest.raises(ValueError, match="data: expected") as raised:
        export_projector(tmp_path, np.zeros(3))
    assert str(raised.value) == "data: expected n x d. Received shape (3,)"
    with pytest.raises(ValueError, match="columns") as raised:
        export_projector(tmp_path, np.zeros((2, 5)), {"label": ["a"]})
    assert str(raised.value) == "columns['label']: expected 2 values. Received 1"


def test_awkward_metadata_reads_back_as_written(tmp_path: Path) -> None:
    labels = [None, "a\tb", 3, "café ☕", "New York", "ends with a space "]
    files = export_projector(tmp_path, np.zeros((6, 2)) + 1, {"label": labels})
    assert files.metadata == tmp_path / "embedding_metadata.tsv"
    _, columns = read_projector(tmp_path)
    assert columns == {"label": ["", "a b", "3", "café ☕", "New York", "ends with a space "]}
    export_projector(tmp_path, np.ones((2, 2)), {"label": ["X", "ends X"]})
    assert read_projector(tmp_path)[1] == {"label": ["X", "ends X"]}
    two: dict[str, list[Any]] = {"home city": ["New York", "Oslo"], "n": [1, None]}
    export_projector(tmp_path, np.ones((2, 3)), two)
    _, columns = read_projector(tmp_path)
    assert columns == {"home city": ["New York", "Oslo"], "n": ["1", ""]}
    export_projector(tmp_path, np.ones((1, 2)), {"label": ["only"]})  # one row, one column
    assert read_projector(tmp_path)[1] == {"label": ["only"]}


def test_metadata_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """A locale that is not UTF-8 (as on Windows) writes and reads the same files."""
    here = export_projector(tmp_path / "here", np.eye(2), {"label": ["café", "☕"]})
    assert here.metadata is not None
    assert read_projector(tmp_path / "here")[1] == {"label": ["café", "☕"]}
    package = Path(str(export_module.__file__)).parents[2]  # the tree under test
    code = (
        "import sys, numpy as np\n"
        "from workbench.projector.export import export_projector, read_projector\n"
        "export_projector(sys.argv[1], np.eye(2), {'label': ['caf\\u00e9', '\\u2615']})\n"
        "print(ascii(read_projector(sys.argv[1])[1]))\n"
    )
    env = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONPATH": str(package)}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**{k: v for k, v in __import__("os").environ.items() if k != "LANG"}, **env},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ascii({"label": ["café", "☕"]})
    assert (tmp_path / "embedding_metadata.tsv").read_bytes() == "café\n☕\n".encode()
    assert here.metadata.read_bytes() == "café\n☕\n".encode()  # as in a UTF-8 locale


def _sprite(path: Path) -> np.ndarray:
    return np.asarray(Image.open(BytesIO(path.read_bytes())).convert("RGB"))


@pytest.mark.parametrize("channels", [None, 1, 2, 3, 4])
def test_the_sprite_holds_each_thumbnail_scaled_to_the_full_range(
    tmp_path: Path, channels: int | None
) -> None:
    rng = np.random.default_rng(0)
    shape = (5, 3, 2) + (() if channels is None else (channels,))
    images = rng.uniform(-3, 5, shape)
    images[1, 0, 0] = np.nan  # black
    files = export_projector(tmp_path, np.zeros((5, 2)) + 1, images=images)
    assert files.notes == []
    assert files.sprite == tmp_path / "embedding_sprite.png"
    config = files.config.read_text()
    assert 'image_path: "embedding_sprite.png"' in config
    assert "single_image_dim: 2\n    single_image_dim: 3" in config  # width, then height
    rgb = images if channels is not None else images[..., None]
    # grey, and grey with alpha (2 channels: a broadcast error once), as three equal channels
    rgb = np.repeat(rgb[..., :1], 3, axis=3) if rgb.shape[3] < 3 else rgb[..., :3]
    low, high = np.nanmin(rgb), np.nanmax(rgb)
    tiles = np.zeros((9, 3, 2, 3), np.uint8)  # a 3 x 3 grid of 3 x 2 thumbnails
    tiles[:5] = np.nan_to_num((rgb - low) / (high - low) * 255).astype(np.uint8)
    expected = tiles.reshape(3, 3, 3, 2, 3).transpose(0, 2, 1, 3, 4).reshape(9, 6, 3)
    np.testing.assert_array_equal(_sprite(files.sprite), expected)
    assert expected.max() == 255


def test_constant_and_integer_thumbnails(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0 / 0 on the way
        files = export_projector(tmp_path, np.ones((2, 2)), images=np.full((2, 2, 2), 7.0))
    assert files.sprite is not None
    assert not _sprite(files.sprite).any()  # a constant is black, not a division by zero
    pixels = np.array([[[0, 200]], [[100, 250]]], np.uint8)  # uint8 pixels, no wrap-around
    files = export_projector(tmp_path, np.ones((2, 2)), images=pixels)
    assert files.sprite is not None
    grey = _sprite(files.sprite)[..., 0]
    assert grey.tolist() == [[0, 204, 102, 255], [0, 0, 0, 0]]


def test_a_sprite_larger_than_tensorboard_reads_is_left_out_and_said(tmp_path: Path) -> None:
    fits = export_projector(tmp_path, np.ones((1, 2)), name="fits", images=np.ones((1, 8192, 1)))
    assert fits.sprite is not None
    assert _sprite(fits.sprite).shape == (8192, 1, 3)
    files = export_projector(tmp_path, np.ones((1, 2)), name="big", images=np.ones((1, 8193, 1)))
    assert files.sprite is None
    assert files.notes == ["no sprite: 1 thumbnails of 1x8193 exceed TensorBoard's 8192px sprite"]
    assert 'tensor_name: "big"' in files.config.read_text()
    assert "big_sprite" not in files.config.read_text()


def test_the_config_gains_and_replaces_embeddings_by_name(tmp_path: Path) -> None:
    export_projector(tmp_path, np.ones((2, 2)), name="a")
    export_projector(tmp_path, np.ones((3, 2)) * 2, name="b")
    export_projector(tmp_path, np.ones((4, 2)) * 3, name="a")  # a again: replaced
    config = (tmp_path / "projector_config.pbtxt").read_text()
    assert config.count("tensor_name:") == 2
    assert config.index('"b"') < config.index('"a"')
    assert read_projector(tmp_path, "a")[0].tolist() == [[3.0, 3.0]] * 4
    assert read_projector(tmp_path, "b")[0].tolist() == [[2.0, 2.0]] * 3
    assert read_projector(tmp_path)[0].shape == (3, 2)  # the first listed


def _config(root: Path, text: str) -> None:
    root.mkdir(exist_ok=True)
    (root / "projector_config.pbtxt").write_text(text)


def test_hand_made_and_damaged_logdirs(tmp_path: Path) -> None:
    config = tmp_path / "projector_config.pbtxt"
    _config(tmp_path, "")
    with pytest.raises(ValueError, match="lists no embeddings") as raised:
        read_projector(tmp_path)
    assert str(raised.value) == f"{config}: lists no embeddings"
    # an embedding named by its file only
    _config(tmp_path, 'embeddings { tensor_path: "t.tsv" }')
    (tmp_path / "t.tsv").write_text("1\t2\n\n3\t4\n")
    assert read_projector(tmp_path, "t.tsv")[0].tolist() == [[1, 2], [3, 4]]
    _config(tmp_path, 'embeddings { tensor_name: "w" }')
    with pytest.raises(ValueError, match="lives in a checkpoint") as raised:
        read_projector(tmp_path)
    assert str(raised.value) == (
        f"{config}: 'w' lives in a checkpoint, not a tensor file; load the checkpoint's "
        "variable and pass it to workbench.project"
    )
    # a cell holding a space is not two numbers
    (tmp_path / "t.tsv").write_text("1 2\t3\n")
    _config(tmp_path, 'embeddings { tensor_path: "t.tsv" }')
    with pytest.raises(ValueError, match=r"t\.tsv: not a TSV of numbers"):
        read_projector(tmp_path)


@pytest.mark.parametrize("shape", [(2, 2), (4,)])
def test_bytes_that_do_not_hold_the_declared_shape(tmp_path: Path, shape: tuple[int, ...]) -> None:
    (tmp_path / "t.bytes").write_bytes(np.full(3, 1.7e38, np.float32).tobytes())
    dims = "".join(f" tensor_shape: {d}" for d in shape)
    _config(tmp_path, f'embeddings {{ tensor_path: "t.bytes"{dims} }}')
    with pytest.raises(ValueError, match="do not hold") as raised:
        read_projector(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path / 't.bytes'}: 12 bytes do not hold the float32 shape {shape} the config "
        "declares"
    )


def test_metadata_rows_short_or_missing(tmp_path: Path) -> None:
    export_projector(tmp_path, np.ones((2, 3)), {"a": [1, 2], "b": [3, 4]})
    meta = tmp_path / "embedding_metadata.tsv"
    meta.write_text("a\tb\n1\n2\t4\n")  # a row cut short: its missing cells are empty
    assert read_projector(tmp_path)[1] == {"a": ["1", "2"], "b": ["", "4"]}
    meta.write_text("a\tb\n1\t3\n")
    with pytest.raises(ValueError, match="metadata rows") as raised:
        read_projector(tmp_path)
    assert str(raised.value) == f"{meta}: 1 metadata rows for 2 tensor rows"
