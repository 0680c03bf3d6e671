"""The training monitor's sections below the profile, each shown only when the logdir holds
what it draws: the checkpoints of the runs (``workbench.checkpoint`` folders) and the embedding
view of the newest saved projection (``projector_config.pbtxt``, TensorBoard's projector
format). Both are found by walking the logdir a few folders deep, and re-read only when their
files change."""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from workbench.checkpoints.store import MANIFEST, MARKER, Saved, candidates, listing
from workbench.projector.export import CONFIG

log = logging.getLogger(__name__)

MAX_DEPTH = 3  # folders below the logdir searched (<run>/ckpts, <run>/projector, ...)
_CELL = "text-align:left;padding:2px 14px 2px 0;white-space:nowrap"


def find(logdir: Path, marker: str) -> list[Path]:
    """Folders of ``logdir`` (itself included, at most ``MAX_DEPTH`` deep) holding ``marker``."""
    found = []
    for root, dirs, files in os.walk(logdir):
        here = Path(root)
        if marker in files:
            found.append(here)
        if len(here.relative_to(logdir).parts) >= MAX_DEPTH:
            dirs[:] = []
        dirs[:] = [d for d in dirs if d not in ("plugins", "train", "validation")]
    return sorted(found)


def _title(text: str) -> Any:
    return widgets.HTML(f"<h4 style='margin:12px 0 4px'>{html.escape(text)}</h4>")


class CheckpointSection:
    """The checkpoints found under the logdir: folder, step, epoch, size, when, and the run each
    fed. Hidden while there are none."""

    def __init__(self) -> None:
        self.table = widgets.HTML()
        self.box = widgets.VBox([_title("Checkpoints"), self.table])
        self.box.add_class("workbench-monitor-checkpoints")
        self.box.layout.display = "none"
        self._signature: tuple[Any, ...] | None = None
        self.text = ""
        self.html = ""

    def refresh(self, logdir: Path) -> bool:
        folders = find(logdir, MARKER) if logdir.is_dir() else []
        signature = tuple((str(f), *_manifests(f)) for f in folders)
        if signature == self._signature:
            return False
        self._signature = signature
        saved = [(folder, s) for folder in folders for s in _listing(folder)]
        if not saved:
            self.box.layout.display = "none"
            self.text = self.html = ""
            return True
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td style='{_CELL}'>{html.escape(str(cell))}</td>"
                for cell in (
                    _relative(folder, logdir),
                    s.path.name,
                    s.run_name or "",
                    s.epoch,
                    f"{s.step:,}",
                    _size(s.size),
                    _when(s.time),
                )
            )
            + "</tr>"
            for folder, s in saved
        )
        head = "".join(
            f"<th style='{_CELL};border-bottom:1px solid var(--jp-border-color1,#ccc)'>{h}</th>"
            for h in ("folder", "checkpoint", "run", "epoch", "step", "size", "saved")
        )
        self.html = (
            "<table class='workbench-checkpoints-table' style='border-collapse:collapse;"
            f"font-size:12px'><tr>{head}</tr>{rows}</table>"
        )
        self.table.value = self.html
        newest = max((s for _, s in saved), key=lambda s: s.time)
        self.text = f"{len(saved)} checkpoints, newest {newest.path.name} (step {newest.step})"
        self.box.layout.display = None
        return True


def _manifests(folder: Path) -> tuple[tuple[str, int], ...]:
    found = []
    for path in candidates(folder):
        try:
            found.append((path.name, (path / MANIFEST).stat().st_mtime_ns))
        except OSError:
            found.append((path.name, 0))  # being written: listed once its manifest is there
    return tuple(found)


def _listing(folder: Path) -> list[Saved]:
    try:
        return listing(folder)
    except OSError as exc:
        log.warning("workbench dashboard: cannot list checkpoints in %s: %s", folder, exc)
        return []


class ProjectionSection:
    """The newest saved projection under the logdir (TensorBoard's projector format), projected
    by PCA and shown in the projection view. Hidden while there is none."""

    def __init__(self) -> None:
        self.note = widgets.HTML()
        self.view = widgets.VBox()
        self.box = widgets.VBox([_title("Embedding"), self.note, self.view])
        self.box.add_class("workbench-monitor-projection")
        self.box.layout.display = "none"
        self._shown: tuple[str, int] | None = None
        self.projection: Any = None
        self.text = ""
        self.html = ""

    def refresh(self, logdir: Path) -> bool:
        configs = [f / CONFIG for f in find(logdir, CONFIG)] if logdir.is_dir() else []
        stamped = []
        for config in configs:
            try:
                stamped.append((config.stat().st_mtime_ns, config))
            except OSError:
                continue
        if not stamped:
            if self._shown is not None:
                self._shown = None
                self.box.layout.display = "none"
                self.text = self.html = ""
                return True
            return False
        mtime, config = max(stamped)
        key = (str(config), mtime)
        if key == self._shown:
            return False
        self._shown = key
        self._show(config.parent, logdir)
        return True

    def _show(self, folder: Path, logdir: Path) -> None:
        from workbench.projector import read_points, read_projector, reduce
        from workbench.widgets.projector import Projection

        where = _relative(folder, logdir)
        try:
            tensor, columns = read_projector(folder)
            labels = columns.pop("label", None)
            points = read_points(tensor, labels, columns or None)
            # exact PCA, quiet: ``workbench.project`` would show its progress in the cell
            reduction = reduce(points.data, "pca", 2)
            self.projection = Projection(points, reduction, 2, "euclidean", False)
        except (OSError, ValueError) as error:  # a damaged or half-written export: say which
            self.text = f"{where}: {error}"
            self.note.value = f"<div style='color:#b45309'>{html.escape(self.text)}</div>"
            self.view.children = ()
            self.html = f"<p>{html.escape(self.text)}</p>"
            self.box.layout.display = None
            return
        self.text = f"{where}: {self.projection.title}"
        self.note.value = (
            f"<div style='color:var(--jp-ui-font-color2,#666)'>{html.escape(self.text)}</div>"
        )
        self.view.children = (self.projection.view,)
        self.html = f"<p>{html.escape(self.text)}</p>{self.projection._static_html()}"
        self.box.layout.display = None


def _relative(folder: Path, logdir: Path) -> str:
    try:
        return str(folder.relative_to(logdir)) or "."
    except ValueError:
        return str(folder)


def _size(size: int) -> str:
    return f"{size / 1024:.1f} KB" if size < 1 << 20 else f"{size / 2**20:.1f} MB"


def _when(value: float) -> str:
    from workbench.dashboard.tables import when

    return when(value)
