"""What a compiled cell did: one compact line (a line per function when the cell defines several),
and why anything retraced."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from workbench.compile.modes import LABELS, Mode


@dataclass(slots=True)  # built on every run: slots keep that small
class FunctionReport:
    name: str
    traces: int
    first_call_seconds: float | None  # trace + compile + run of the latest call that traced
    run_seconds: float | None  # this cell's call, None if not called by the cell
    retrace_reasons: list[str] = field(default_factory=list)

    def line(self) -> str:
        parts = [self.name, f"{self.traces} trace{'s' if self.traces != 1 else ''}"]
        if self.first_call_seconds is not None and self.traces:
            label = "first call" if self.traces == 1 else "last trace"
            parts.append(f"{label} {_seconds(self.first_call_seconds)}")
        if self.run_seconds is not None:
            parts.append(f"this run {_seconds(self.run_seconds)}")
        elif not self.traces:
            parts.append("not called yet")
        return " · ".join(parts)

    def content(self) -> tuple[object, ...]:
        """What :meth:`line` and the retrace line say, less the timing of this run."""
        return (
            self.name,
            self.traces,
            self.first_call_seconds,  # changes only with a trace
            self.run_seconds is None,
            tuple(self.retrace_reasons),
        )


@dataclass(slots=True)
class ComparisonRow:
    mode: Mode
    median_seconds: float
    first_call_seconds: float
    speedup: float  # over eager
    agrees: bool | None  # outputs allclose to eager's; None when there was nothing to compare
    max_difference: float | None = None


@dataclass(slots=True)
class CellReport:
    mode: Mode
    functions: list[FunctionReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    comparison: list[ComparisonRow] = field(default_factory=list)
    tf_debug: bool = False
    eager: list[str] = field(default_factory=list)  # "line 7 print": statements run eagerly

    def says_anything(self) -> bool:
        """Whether there is anything to show: nothing compiled and nothing noted is no news."""
        return bool(self.functions or self.notes or self.comparison)

    def content(self) -> tuple[object, ...]:
        """What the report says, less the timing of this run: two reports with equal contents
        read the same but for "this run ..." (built from the fields, cheaper than the text)."""
        return (
            self.mode,
            self.tf_debug,
            tuple(function.content() for function in self.functions),
            tuple(self.notes),
            tuple(self.comparison),
            tuple(self.eager),
        )

    def head(self) -> str:
        head = f"%%compile {self.mode}"
        if self.tf_debug:
            head += " · tf_debug on: every tf.function ran eagerly"
        if len(self.functions) == 1:  # the common case fits on one line
            head += " · " + self.functions[0].line()
            if self.eager:
                head += " · " + self._eager_line()
        return head

    def _eager_line(self) -> str:
        return "ran eagerly: " + ", ".join(self.eager)

    def body(self) -> list[str]:
        out = []
        for function in self.functions:
            if len(self.functions) > 1:
                out.append(function.line())
            if function.retrace_reasons and function.traces > 1:
                out.append(
                    f"! {function.name} retraced {function.traces - 1} time"
                    f"{'s' if function.traces > 2 else ''}: " + "; ".join(function.retrace_reasons)
                )
        if self.eager and len(self.functions) != 1:
            out.append(self._eager_line())
        out.extend(self.notes)
        return out

    def __repr__(self) -> str:
        lines = [self.head(), *(f"  {line}" for line in self.body())]
        if self.comparison:
            lines.append(_table_text(self.comparison))
        return "\n".join(lines)

    def bundle(self) -> dict[str, str]:
        """The display bundle, built directly (cheaper than IPython's formatters per run)."""
        return {"text/plain": repr(self), "text/html": self._repr_html_()}

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        printer.text(repr(self))  # type: ignore[attr-defined]

    def _repr_html_(self) -> str:
        items = "".join(
            f"<div style='color:{'#b45309' if line.startswith('!') else 'inherit'}'>"
            f"{html.escape(line)}</div>"
            for line in self.body()
        )
        table = _table_html(self.comparison) if self.comparison else ""
        return (
            "<div class='workbench-compile-report' style='font-family:var(--jp-code-font-family,"
            "monospace);font-size:12px;border-left:3px solid #ff8f00;padding:2px 8px'>"
            f"<div><b>{html.escape(self.head())}</b></div>{items}{table}</div>"
        )


def _seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.0f} µs"


HEADERS = ("mode", "median", "speed-up", "first call", "outputs")


def _cells(row: ComparisonRow) -> tuple[str, ...]:
    if row.agrees is None:
        agreement = "-"
    elif row.agrees:
        agreement = "agree"
    else:
        agreement = f"DIFFER (max |diff| {row.max_difference:.3g})"
    return (
        LABELS[row.mode],
        _seconds(row.median_seconds),
        f"{row.speedup:.2f}x",
        _seconds(row.first_call_seconds),
        agreement,
    )


def _table_text(rows: list[ComparisonRow]) -> str:
    cells = [HEADERS, *(_cells(row) for row in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(HEADERS))]
    return "\n".join(
        "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells
    )


def _table_html(rows: list[ComparisonRow]) -> str:
    head = "".join(f"<th style='text-align:left;padding-right:12px'>{h}</th>" for h in HEADERS)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td style='padding-right:12px;{'color:#b91c1c' if c.startswith('DIFFER') else ''}'>"
            f"{html.escape(c)}</td>"
            for c in _cells(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table style='margin-top:4px'><tr>{head}</tr>{body}</table>"
