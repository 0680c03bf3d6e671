"""A folder of checkpoints, each complete or absent: written under a temporary name, its files
synced and checksummed in a manifest, then renamed into place (a rename within one folder is
atomic, so a save killed mid-write leaves only a ``.tmp-*`` folder, never a ``ckpt-*`` one).

On restore each candidate is verified against its manifest (present, sizes, SHA-256) before
TensorFlow reads it; a damaged one is named, moved aside as ``ckpt-N.damaged`` (kept, not
deleted) and the previous good one is used. No TensorFlow here: listing and verifying are
plain files.

Layout::

    ckpts/
      workbench_checkpoints.json      marks the folder as ours
      ckpt-200/state.index, state.data-00000-of-00001, manifest.json
      ckpt-300/...
      .tmp-ckpt-400-<pid>/            a save in progress (or killed)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.checkpoints.errors import CheckpointError

MARKER = "workbench_checkpoints.json"
MANIFEST = "manifest.json"
PREFIX = "state"  # tf.train.Checkpoint.write(<folder>/state)
FORMAT = 1
_NAME = re.compile(r"^ckpt-(\d+)$")


@dataclass(repr=False)
class Saved:
    """One checkpoint on disk, as its manifest describes it."""

    path: Path
    step: int
    epoch: int
    time: float
    size: int
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return str(self.path / PREFIX)

    @property
    def run_name(self) -> str | None:
        """The live-curves run this checkpoint fed (``workbench.run(name, resume=True)``)."""
        run = self.meta.get("run")
        return str(run["name"]) if isinstance(run, dict) and "name" in run else None

    def describe(self) -> str:
        return f"{self.path} (epoch {self.epoch}, step {self.step})"

    def __repr__(self) -> str:
        when = time.strftime("%H:%M:%S", time.localtime(self.time))
        size = (
            f"{self.size / 1024:.1f} KB" if self.size < 1 << 20 else f"{self.size / 2**20:.1f} MB"
        )
        return (
            f"<checkpoint {self.path.name}: epoch {self.epoch}, step {self.step}, {size}, {when}>"
        )


def open_folder(directory: str | os.PathLike[str]) -> Path:
    """The checkpoint folder, created if missing and marked as ours.

    Raises:
        CheckpointError: the path is a file, or a folder holding files that are not ours.
    """
    path = Path(directory)
    if path.exists() and not path.is_dir():
        raise CheckpointError(
            f"Expected a folder for checkpoints. Received: {str(path)!r}, a file."
        )
    if path.is_dir() and not (path / MARKER).exists():
        foreign = sorted(p.name for p in path.iterdir() if not _ours(p.name))
        if foreign:
            raise CheckpointError(
                f"Expected an empty folder or one of workbench's checkpoint folders. Received: "
                f"{str(path)!r}, which holds {', '.join(foreign[:3])}"
                f"{'...' if len(foreign) > 3 else ''} (choose another folder; nothing was written)."
            )
    path.mkdir(parents=True, exist_ok=True)
    if not (path / MARKER).exists():
        (path / MARKER).write_text(json.dumps({"format": FORMAT, "by": "workbench.checkpoint"}))
    return path


def _ours(name: str) -> bool:
    return name == MARKER or bool(_NAME.match(name.split(".")[0])) or name.startswith(".tmp-ckpt-")


def candidates(directory: Path) -> list[Path]:
    """The ``ckpt-N`` folders, newest (highest N) first."""
    if not directory.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in directory.iterdir() if (m := _NAME.match(p.name))]
    return [p for _, p in sorted(found, reverse=True)]


@contextmanager
def writing(directory: Path, step: int) -> Iterator[Path]:
    """A temporary folder to write checkpoint ``step`` into; renamed to ``ckpt-<step>`` when the
    block ends without error (the caller writes the manifest inside, via :func:`seal`)."""
    _remove_stale(directory)
    tmp = directory / f".tmp-ckpt-{step}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    final = directory / f"ckpt-{step}"
    if final.exists():  # the same step saved again (a resumed run passing it): newest wins
        shutil.rmtree(final)
    os.rename(tmp, final)
    _fsync_dir(directory)


def seal(folder: Path, meta: dict[str, Any]) -> int:
    """Sync the folder's files and write its manifest (sizes and SHA-256 of each): a
    checkpoint without a manifest is incomplete. Returns the checkpoint's size in bytes."""
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.iterdir()):
        if path.name == MANIFEST or not path.is_file():
            continue
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
        files[path.name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    manifest = {"format": FORMAT, **meta, "files": files}
    tmp = folder / (MANIFEST + ".tmp")
    with tmp.open("w") as handle:
        json.dump(manifest, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.rename(tmp, folder / MANIFEST)
    return sum(int(f["size"]) for f in files.values())


def verify(folder: Path) -> Saved:
    """The checkpoint of ``folder`` if its files are whole.

    Raises:
        CheckpointError: naming the file and what is wrong with it.
    """
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
    except FileNotFoundError:
        raise CheckpointError(f"{folder}: incomplete, it has no {MANIFEST}") from None
    except (OSError, ValueError) as error:
        raise CheckpointError(f"{manifest_path}: unreadable ({error})") from None
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise CheckpointError(f"{manifest_path}: lists no files")
    for name, expected in files.items():
        path = folder / name
        if not path.is_file():
            raise CheckpointError(f"{path}: missing")
        size = path.stat().st_size
        if size != expected.get("size"):
            raise CheckpointError(
                f"{path}: truncated or overwritten ({size:,} bytes, {expected.get('size'):,} "
                "written)"
            )
        if _sha256(path) != expected.get("sha256"):
            raise CheckpointError(f"{path}: corrupted (its SHA-256 differs from the one written)")
    return Saved(
        path=folder,
        step=int(manifest.get("step", 0)),
        epoch=int(manifest.get("epoch", 0)),
        time=float(manifest.get("time", 0.0)),
        size=sum(int(f["size"]) for f in files.values()),
        meta=manifest,
    )


def good(
    directory: Path, report: Callable[[str], None] = print, *, move_aside: bool = True
) -> Iterator[Saved]:
    """Verified checkpoints, newest first. Each damaged one is reported, and moved aside as
    ``ckpt-N.damaged`` so a later save of step N does not meet it."""
    for folder in candidates(directory):
        try:
            yield verify(folder)
        except CheckpointError as error:
            set_aside(folder, str(error), report, move_aside=move_aside)


def set_aside(
    folder: Path, why: str, report: Callable[[str], None], *, move_aside: bool = True
) -> None:
    where = ""
    if move_aside:
        target = folder.with_name(f"{folder.name}.damaged")
        suffix = 2
        while target.exists():
            target = folder.with_name(f"{folder.name}.damaged-{suffix}")
            suffix += 1
        try:
            os.rename(folder, target)
            where = f"; kept as {target.name}"
        except OSError as error:
            where = f"; could not move it aside ({error})"
    report(f"workbench.checkpoint: skipping damaged checkpoint {why}{where}.")


def listing(directory: str | os.PathLike[str]) -> list[Saved]:
    """The checkpoints of a folder that verify, newest first (damaged ones are left in place)."""
    return list(good(Path(directory), report=lambda _: None, move_aside=False))


def summary(directory: Path) -> tuple[Saved, int, int] | None:
    """(the newest checkpoint with a readable manifest, how many there are, how many were set
    aside as damaged), read from manifests only: no hashing (the side panel's listing)."""
    newest, count = None, 0
    for folder in candidates(directory):
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
            files = manifest["files"]
            saved = Saved(
                path=folder,
                step=int(manifest.get("step", 0)),
                epoch=int(manifest.get("epoch", 0)),
                time=float(manifest.get("time", 0.0)),
                size=sum(int(f["size"]) for f in files.values()),
                meta=manifest,
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        count += 1
        newest = newest or saved
    damaged = len(list(directory.glob("ckpt-*.damaged*"))) if directory.is_dir() else 0
    return None if newest is None else (newest, count, damaged)


def prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` complete checkpoints; returns what was removed. One
    that cannot be (a link to a folder elsewhere, which is left whole) stays, and a save
    goes on."""
    removed = []
    complete = [p for p in candidates(directory) if (p / MANIFEST).exists()]
    for folder in complete[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed


def _remove_stale(directory: Path) -> None:
    """Temporary folders of saves whose process is gone (killed mid-write)."""
    for path in directory.glob(".tmp-ckpt-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
