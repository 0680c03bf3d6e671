"""TensorBoard's projector format, written and read: what its Embedding Projector plugin loads.

A logdir gets ``projector_config.pbtxt`` (TensorBoard's own ``ProjectorConfig`` protobuf, as
text) naming, per embedding, its tensor file, its metadata TSV (a header row when there are
several columns: TensorBoard reads one column without a header) and, for image rows, a sprite
PNG with the thumbnails' size. Keras 3's ``TensorBoard(embeddings_freq=...)`` writes no config
(keras#20210); this does, and reads one back (``read_projector``).

Tensors are TSV by default. The plugin tells binary from TSV by trying to read the file as
text, so a float32 file that happens to be valid UTF-8 (all zeros, for one) would be misread:
``"bytes"`` is written only when its bytes are not valid UTF-8, else TSV.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from workbench._png import png_bytes

__all__ = ["ProjectorFiles", "export_projector", "read_projector"]

CONFIG = "projector_config.pbtxt"
SPRITE_LIMIT = 8192  # TensorBoard's largest sprite side, in pixels
BYTES_FROM = 5_000_000  # values from which "auto" writes float32 bytes rather than TSV


@dataclass
class ProjectorFiles:
    """What :func:`export_projector` wrote (paths inside ``logdir``)."""

    logdir: Path
    tensor: Path
    metadata: Path | None
    sprite: Path | None
    config: Path
    notes: list[str]


def _clean(value: Any) -> str:
    return re.sub(r"[\t\r\n]+", " ", "" if value is None else str(value))


def export_projector(
    logdir: str | Path,
    data: npt.ArrayLike,
    columns: Mapping[str, Sequence[Any]] | None = None,
    *,
    name: str = "embedding",
    images: np.ndarray | None = None,
    tensor_format: str = "auto",
) -> ProjectorFiles:
    """Writes ``data`` (n x d) with its metadata ``columns`` and thumbnails ``images`` as one
    embedding in ``logdir`` (created; an existing config gains or replaces this ``name``).

    Raises:
        ValueError: ``tensor_format`` not "auto", "tsv" or "bytes"; metadata of the wrong length.
    """
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    if tensor_format not in ("auto", "tsv", "bytes"):
        raise ValueError(
            "tensor_format: expected one of {'auto', 'tsv', 'bytes'}. "
            f"Received: {tensor_format!r}"
        )
    matrix = np.asarray(data, dtype=np.float32)
    if matrix.ndim != 2:
        raise ValueError(f"data: expected n x d. Received shape {matrix.shape}")
    root = Path(logdir)
    root.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "embedding"
    notes: list[str] = []
    raw = matrix.tobytes()
    binary = tensor_format == "bytes" or (tensor_format == "auto" and matrix.size >= BYTES_FROM)
    if binary and _decodes(raw):
        notes.append(
            "tensor written as TSV: its float32 bytes read as text, which TensorBoard misreads"
        )
        binary = False
    tensor = root / f"{stem}.{'bytes' if binary else 'tsv'}"
    if binary:
        tensor.write_bytes(raw)
    else:
        np.savetxt(tensor, matrix, delimiter="\t", fmt="%.9g")
    metadata = None
    if columns:
        metadata = root / f"{stem}_metadata.tsv"
        names = list(columns)
        for column, values in columns.items():
            if len(values) != matrix.shape[0]:
                raise ValueError(
                    f"columns[{column!r}]: expected {matrix.shape[0]} values. "
                    f"Received {len(values)}"
                )
        lines = [] if len(names) == 1 else ["\t".join(_clean(n) for n in names)]
        lines += ["\t".join(_clean(columns[c][i]) for c in names) for i in range(matrix.shape[0])]
        metadata.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sprite, pictures = None, None if images is None else np.asarray(images)
    if pictures is not None:
        note = _write_sprite(root / f"{stem}_sprite.png", pictures)
        if note:
            notes.append(note)
        else:
            sprite = root / f"{stem}_sprite.png"
    config = ProjectorConfig()
    config_path = root / CONFIG
    if config_path.exists():
        text_format.Parse(config_path.read_text(), config)
        kept = [e for e in config.embeddings if e.tensor_name != name]
        del config.embeddings[:]
        config.embeddings.extend(kept)
    embedding = config.embeddings.add()
    embedding.tensor_name = name
    embedding.tensor_path = tensor.name
    embedding.tensor_shape.extend(matrix.shape)
    if metadata is not None:
        embedding.metadata_path = metadata.name
    if sprite is not None and pictures is not None:
        embedding.sprite.image_path = sprite.name
        embedding.sprite.single_image_dim.extend((pictures.shape[2], pictures.shape[1]))  # w, h
    config_path.write_text(text_format.MessageToString(config))
    return ProjectorFiles(root, tensor, metadata, sprite, config_path, notes)


def _decodes(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _write_sprite(path: Path, images: np.ndarray) -> str:
    """Writes the thumbnails as one square grid; returns why it did not ("" when it did)."""
    n, h, w = images.shape[:3]
    side = int(np.ceil(np.sqrt(n)))
    if side * max(h, w) > SPRITE_LIMIT:
        return f"no sprite: {n} thumbnails of {w}x{h} exceed TensorBoard's {SPRITE_LIMIT}px sprite"
    pixels = images.astype(np.float64)
    if pixels.ndim == 3:
        pixels = pixels[..., None]
    # grey (or grey and alpha): the first channel, as red, green and blue; else RGB without alpha
    pixels = pixels[..., :1] if pixels.shape[3] < 3 else pixels[..., :3]
    low, high = np.nanmin(pixels), np.nanmax(pixels)
    scaled = (pixels - low) / (high - low if high > low else 1) * 255
    tiles = np.zeros((side * side, h, w, 3), np.uint8)
    tiles[:n] = np.nan_to_num(scaled).astype(np.uint8)
    grid = (
        tiles.reshape(side, side, h, w, 3).transpose(0, 2, 1, 3, 4).reshape(side * h, side * w, 3)
    )
    path.write_bytes(png_bytes(grid, level=6))
    return ""


def read_projector(
    logdir: str | Path, name: str | None = None
) -> tuple[npt.NDArray[np.float32], dict[str, list[str]]]:
    """Reads one embedding (``name``, or the config's first) of a projector logdir: its tensor
    and its metadata columns (a one-column file without header is the column "label").

    Raises:
        FileNotFoundError: no ``projector_config.pbtxt`` in ``logdir``.
        ValueError: ``name`` not in the config (the names are listed), a tensor file that does
            not hold its declared shape, or metadata of another length than the tensor.
    """
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    root = Path(logdir)
    config_path = root / CONFIG
    if not config_path.exists():
        raise FileNotFoundError(f"{config_path}: no projector config (is this a projector logdir?)")
    config = ProjectorConfig()
    text_format.Parse(config_path.read_text(), config)
    names = [e.tensor_name or Path(e.tensor_path).name for e in config.embeddings]
    if not names:
        raise ValueError(f"{config_path}: lists no embeddings")
    if name is not None and name not in names:
        raise ValueError(f"name: expected one of {names} in {config_path}. Received: {name!r}")
    embedding = config.embeddings[names.index(name) if name is not None else 0]
    if not embedding.tensor_path:
        raise ValueError(
            f"{config_path}: {embedding.tensor_name!r} lives in a checkpoint, not a tensor file; "
            "load the checkpoint's variable and pass it to workbench.project"
        )
    tensor_path = root / embedding.tensor_path
    raw = tensor_path.read_bytes()
    try:
        text = raw.decode("utf-8")
        rows = [line.split("\t") for line in text.splitlines() if line.strip()]
        tensor = np.array(rows, dtype=np.float32)
    except UnicodeDecodeError:
        shape = tuple(embedding.tensor_shape)
        if len(shape) != 2 or shape[0] * shape[1] * 4 != len(raw):
            raise ValueError(
                f"{tensor_path}: {len(raw)} bytes do not hold the float32 shape {shape} the "
                "config declares"
            ) from None
        tensor = np.frombuffer(raw, dtype=np.float32).reshape(shape).copy()
    except ValueError as error:
        raise ValueError(f"{tensor_path}: not a TSV of numbers ({error})") from None
    columns: dict[str, list[str]] = {}
    if embedding.metadata_path:
        meta_path = root / embedding.metadata_path
        lines = meta_path.read_text(encoding="utf-8").rstrip("\n").split("\n")
        if lines and "\t" in lines[0]:
            header = lines[0].split("\t")
            cells = [line.split("\t") for line in lines[1:]]
            columns = {
                h: [row[i] if i < len(row) else "" for row in cells] for i, h in enumerate(header)
            }
        else:
            columns = {"label": lines}
        length = len(next(iter(columns.values())))  # a file has a first line, maybe empty
        if length != tensor.shape[0]:
            raise ValueError(
                f"{meta_path}: {length} metadata rows for {tensor.shape[0]} tensor rows"
            )
    return tensor, columns
