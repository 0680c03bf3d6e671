"""The TensorBoard projector export, read back by TensorBoard's own projector plugin (its HTTP
routes, as the Embedding Projector calls them), and our import of a projector logdir."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from workbench.projector import export_projector, read_projector


def _plugin(logdir: Path):  # type: ignore[no-untyped-def]
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
    from tensorboard.plugins import base_plugin
    from tensorboard.plugins.projector.projector_plugin import ProjectorPlugin
    from werkzeug.test import Client

    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, str(logdir))
    plugin = ProjectorPlugin(
        base_plugin.TBContext(logdir=str(logdir), data_provider=provider, multiplexer=multiplexer)
    )
    apps = plugin.get_plugin_apps()
    return plugin, {route: Client(app) for route, app in apps.items()}


@pytest.mark.parametrize("tensor_format", ["tsv", "bytes"])
def test_tensorboards_projector_plugin_reads_the_export(tmp_path: Path, tensor_format: str) -> None:
    rng = np.random.default_rng(0)
    data = rng.normal(size=(50, 6)).astype(np.float32)
    columns = {"label": [f"w{i}" for i in range(50)], "class": [i % 3 for i in range(50)]}
    images = rng.random((50, 8, 8))
    files = export_projector(
        tmp_path, data, columns, name="words", images=images, tensor_format=tensor_format
    )
    assert files.tensor.suffix == f".{tensor_format}"
    _, clients = _plugin(tmp_path)
    info = clients["/info"].get("/info?run=.").get_json()
    (embedding,) = info["embeddings"]
    assert embedding["tensorName"] == "words"
    assert embedding["tensorShape"] == [50, 6]
    assert embedding["sprite"]["singleImageDim"] == [8, 8]
    assert clients["/runs"].get("/runs").get_json() == ["."]  # the logdir itself is the run
    tensor = clients["/tensor"].get("/tensor?run=.&name=words")
    assert tensor.status_code == 200, tensor.get_data(as_text=True)
    served = np.frombuffer(tensor.get_data(), dtype=np.float32).reshape(50, 6)
    np.testing.assert_allclose(served, data, rtol=1e-6)
    metadata = clients["/metadata"].get("/metadata?run=.&name=words").get_data(as_text=True)
    lines = metadata.rstrip("\n").split("\n")
    assert lines[0] == "label\tclass"
    assert lines[1] == "w0\t0"
    assert len(lines) == 51
    sprite = clients["/sprite_image"].get("/sprite_image?run=.&name=words")
    assert sprite.status_code == 200
    assert sprite.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    # and our own import reads the same files back
    read, read_columns = read_projector(tmp_path, "words")
    np.testing.assert_allclose(read, data, rtol=1e-6)
    assert read_columns["class"][:4] == ["0", "1", "2", "0"]


def test_bytes_that_read_as_text_are_written_as_tsv(tmp_path: Path) -> None:
    files = export_projector(tmp_path, np.zeros((4, 3)), tensor_format="bytes")
    assert files.tensor.suffix == ".tsv"
    assert "misreads" in files.notes[0]
    _, clients = _plugin(tmp_path)
    served = clients["/tensor"].get("/tensor?run=.&name=embedding")
    assert served.status_code == 200
    assert np.frombuffer(served.get_data(), dtype=np.float32).tolist() == [0.0] * 12


def test_one_metadata_column_has_no_header_and_reads_back_as_labels(tmp_path: Path) -> None:
    export_projector(tmp_path, np.eye(3), {"label": ["a", "b\tc", "d\ne"]})
    text = (tmp_path / "embedding_metadata.tsv").read_text()
    assert text == "a\nb c\nd e\n"  # tabs and newlines would break TensorBoard's TSV
    _, columns = read_projector(tmp_path)
    assert columns == {"label": ["a", "b c", "d e"]}


def test_damaged_projector_logdirs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no projector config"):
        read_projector(tmp_path)
    export_projector(tmp_path, np.eye(3), name="a")
    with pytest.raises(ValueError, match=r"name: expected one of \['a'\]"):
        read_projector(tmp_path, "b")
    (tmp_path / "a.tsv").write_text("1\t2\tx\n")
    with pytest.raises(ValueError, match=r"a\.tsv: not a TSV of numbers"):
        read_projector(tmp_path, "a")
