"""The size-latency-accuracy table of an export: one row per artifact beside the Keras model, as
text (what tests and a terminal read) and as an HTML table (what a notebook shows and keeps)."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Row:
    """One artifact, measured on this CPU."""

    kind: str  # "keras (in memory)", "savedmodel", "keras", "litert-float", "litert-int8"...
    path: str | None
    size: int | None  # bytes on disk
    batch1_ms: float | None  # per example
    batch_ms: float | None  # per example at ``batch``
    batch: int
    accuracy: float | None  # on the validation labels, for classifiers
    max_diff: float | None  # largest |output - Keras output|
    agreement: float | None  # share of examples whose argmax matches Keras'
    fresh: str = ""  # the fresh-process check: "ok (max diff 0)", or what failed
    runtime: str = ""  # what ran it ("LiteRT", "TensorFlow", "Keras")


@dataclass
class ExportReport:
    """What ``workbench.export`` wrote and measured. ``rows[0]`` is the Keras model itself."""

    folder: Path
    rows: list[Row]
    examples: int
    notes: list[str] = field(default_factory=list)

    def row(self, kind: str) -> Row:
        for row in self.rows:
            if row.kind == kind:
                return row
        raise KeyError(f"Expected one of {[r.kind for r in self.rows]}. Received: {kind!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "examples": self.examples,
            "rows": [asdict(r) for r in self.rows],
            "notes": self.notes,
        }

    def cells(self) -> tuple[list[str], list[list[str]]]:
        batch = self.rows[0].batch if self.rows else 32
        head = [
            "format",
            "size",
            "batch 1 (per ex.)",
            f"batch {batch} (per ex.)",
            "accuracy",
            "max |Δ| vs Keras",
            "argmax agrees",
            "fresh process",
        ]
        body = []
        for r in self.rows:
            body.append(
                [
                    r.kind,
                    _size(r.size),
                    _ms(r.batch1_ms),
                    _ms(r.batch_ms),
                    "—" if r.accuracy is None else f"{r.accuracy:.2%}",
                    "—" if r.max_diff is None else f"{r.max_diff:.4f}",
                    "—" if r.agreement is None else f"{r.agreement:.1%}",
                    r.fresh or "—",
                ]
            )
        return head, body

    def __repr__(self) -> str:
        head, body = self.cells()
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
        lines = [f"<export to {self.folder}: {self.examples} validation examples, this CPU>"]
        for row in [head, *body]:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(line.rstrip() for line in lines)

    def _repr_html_(self) -> str:
        head, body = self.cells()
        th = "".join(f"<th>{html.escape(c)}</th>" for c in head)
        trs = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in body
        )
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        caption = (
            f"Export to <code>{html.escape(str(self.folder))}</code>: size on disk, latency per "
            f"example on this CPU, and outputs on {self.examples} validation examples"
        )
        return (
            '<div class="workbench-export">'
            f'<table style="border-collapse:collapse"><caption style="text-align:left">{caption}'
            f"</caption><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>{notes}</div>"
        )


def _size(size: int | None) -> str:
    if size is None:
        return "—"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} µs" if value < 1 else f"{value:.2f} ms"
