"""``workbench.runs(logdir)``: the runs of a logdir, live or finished, ours or Keras' own
TensorBoard callback's, as a table, and their curves overlaid."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from workbench.curves import registry
from workbench.curves.runs import RunSummary, list_runs
from workbench.curves.store import DEFAULT_LOGDIR, Run
from workbench.widgets.runs_plot import RunsFigure, Trace, traces_of


class Runs:
    """The runs found in ``logdir`` (live runs of this kernel included), newest first."""

    def __init__(self, logdir: str | Path = DEFAULT_LOGDIR) -> None:
        self.logdir = Path(logdir)
        if not self.logdir.is_dir():
            raise FileNotFoundError(
                f"Expected logdir to be a folder of runs. Received: {str(logdir)!r}, which "
                + ("is a file." if self.logdir.exists() else "does not exist.")
            )
        # runs of this kernel are summarised from memory (list_runs): live ones are current
        self.summaries = list_runs(self.logdir)

    def __len__(self) -> int:
        return len(self.summaries)

    def __iter__(self) -> Iterator[RunSummary]:
        return iter(self.summaries)

    def __getitem__(self, name: str) -> RunSummary:
        for summary in self.summaries:
            if summary.name == name:
                return summary
        raise KeyError(f"Expected one of the runs {self.names()}. Received: {name!r}")

    def names(self) -> list[str]:
        return [s.name for s in self.summaries]

    def load(self, name: str) -> Run:
        """The run's full history: from this kernel's memory while it runs, else from disk."""
        path = self[name].path
        live = registry.find(path)
        return live if live is not None else Run.load(path)

    def plot(
        self, runs: Sequence[str] | None = None, metrics: Sequence[str] | None = None
    ) -> RunsFigure:
        """Chosen runs' curves overlaid, one panel per metric: each run in its own color, its
        validation line dashed; hover for values, click a legend entry to hide a run.

        Raises:
            KeyError: a run or a metric that is not there (names what is).
        """
        names = list(runs) if runs is not None else self.names()
        for name in names:
            self[name]
        panels: dict[str, list[Trace]] = {}
        for name in names:
            for group, traces in traces_of(name, self.load(name), metrics).items():
                panels.setdefault(group, []).extend(traces)
        if metrics is not None:
            missing = [m for m in metrics if m not in panels]
            if missing:
                raise KeyError(f"Expected metrics among {sorted(panels)}. Received: {missing}")
        return RunsFigure(panels, title=f"{', '.join(names)} in {self.logdir}")

    def __repr__(self) -> str:
        rows = [("run", "state", "steps", "last")] + [
            (s.name, s.state, str(s.steps), _last(s)) for s in self.summaries
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        table = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        ]
        notes = [f"! {s.name}: {note}" for s in self.summaries for note in _notes(s)]
        return "\n".join(table + notes)

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th style='text-align:left'>{h}</th>"
            for h in ("run", "state", "steps", "metrics", "last", "started", "ended")
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td style='text-align:left'>{html.escape(str(c))}</td>"
                for c in (
                    s.name,
                    s.state,
                    s.steps,
                    ", ".join(s.metrics),
                    _last(s),
                    _time(s.started),
                    _time(s.ended),
                )
            )
            + "</tr>"
            + "".join(
                f"<tr><td></td><td colspan='6' style='text-align:left;color:#b45309'>"
                f"! {html.escape(note)}</td></tr>"
                for note in _notes(s)
            )
            for s in self.summaries
        )
        return f"<table><tr>{head}</tr>{body}</table>"


def runs(logdir: str | Path = DEFAULT_LOGDIR) -> Runs:
    """The runs of ``logdir``: ``print`` or show it for a table, ``.plot(...)`` to compare."""
    return Runs(logdir)


def _notes(summary: RunSummary) -> list[str]:
    """Why a run is unreadable, and what of a damaged run could not be read."""
    return ([summary.problem] if summary.problem else []) + list(summary.warnings)


def _last(summary: RunSummary) -> str:
    return ", ".join(f"{k} {v:.4g}" for k, v in sorted(summary.last.items()))


def _time(value: float | None) -> str:
    return "" if value is None else datetime.fromtimestamp(value).strftime("%Y-%m-%d %H:%M:%S")
