"""The export table as a user reads it, word for word, from rows made here (no model exported:
the numbers' own tests are in test_export.py): sizes, latencies, shares and dashes for what was
not measured, in the text and in the HTML a notebook keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.exports.report import ExportReport, Row

ROWS = [
    Row("keras (in memory)", None, None, 0.25, 0.0123, 64, 0.9375, None, None, "", "Keras"),
    Row(
        *("savedmodel", "/x/savedmodel", 1024 * 1024, 1.0, 0.999, 64, 0.93751, 0.0, 1.0),
        *("loads, max |Δ| 0", "TensorFlow"),
    ),
    Row(
        "litert-int8",
        "/x/m.tflite",
        102_400,
        12.345,
        None,
        64,
        None,
        0.01234,
        0.975,
        "not run here",
    ),
    Row("litert-float", "/x/f.tflite", 100 * 1024 * 1024, 0.0004, 3.0, 64, 1.0, 2.5, 0.5),
]
TEXT = """\
<export to /tmp/a<b&c: 397 validation examples, this CPU>
format             size      batch 1 (per ex.)  batch 64 (per ex.)  accuracy  max |Δ| vs Keras  argmax agrees  fresh process
keras (in memory)  —         250 µs             12 µs               93.75%    —                 —              —
savedmodel         1.0 MB    1.00 ms            999 µs              93.75%    0.0000            100.0%         loads, max |Δ| 0
litert-int8        100.0 KB  12.35 ms           —                   —         0.0123            97.5%          not run here
litert-float       100.0 MB  0 µs               3.00 ms             100.00%   2.5000            50.0%          —
note: one note
note: x < y"""  # noqa: E501 (the table as it prints)


def test_the_text_table_says_each_number_in_its_unit() -> None:
    report = ExportReport(Path("/tmp/a<b&c"), ROWS, 397, ["one note", "x < y"])
    assert repr(report) == TEXT
    # no rows: the header alone, at the default batch
    assert repr(ExportReport(Path("/e"), [], 0)) == (
        "<export to /e: 0 validation examples, this CPU>\n"
        "format  size  batch 1 (per ex.)  batch 32 (per ex.)  accuracy  max |Δ| vs Keras"
        "  argmax agrees  fresh process"
    )


def test_the_html_table_holds_the_same_cells_escaped() -> None:
    report = ExportReport(Path("/tmp/a<b&c"), ROWS[:3], 397, ["x < y", "z"])
    head = "".join(
        f"<th>{c}</th>"
        for c in (
            "format",
            "size",
            "batch 1 (per ex.)",
            "batch 64 (per ex.)",
            "accuracy",
            "max |Δ| vs Keras",
            "argmax agrees",
            "fresh process",
        )
    )
    rows = [
        ["keras (in memory)", "—", "250 µs", "12 µs", "93.75%", "—", "—", "—"],
        ["savedmodel", "1.0 MB", "1.00 ms", "999 µs", "93.75%", "0.0000", "100.0%"],
        ["litert-int8", "100.0 KB", "12.35 ms", "—", "—", "0.0123", "97.5%", "not run here"],
    ]
    rows[1].append("loads, max |Δ| 0")
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    assert report._repr_html_() == (
        '<div class="workbench-export"><table style="border-collapse:collapse">'
        '<caption style="text-align:left">Export to <code>/tmp/a&lt;b&amp;c</code>: size on '
        "disk, latency per example on this CPU, and outputs on 397 validation examples</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table><p>x &lt; y</p><p>z</p></div>"
    )
    rogue = ExportReport(Path("/f"), [Row("<b>", None, None, None, None, 1, None, None, None)], 1)
    assert "<td>&lt;b&gt;</td>" in rogue._repr_html_()


def test_rows_by_kind_and_as_json() -> None:
    report = ExportReport(Path("/tmp/out"), ROWS[:2], 10, ["n"])
    assert report.row("savedmodel") is ROWS[1]
    with pytest.raises(
        KeyError, match=r"Expected one of \['keras \(in memory\)', 'savedmodel'\]\. Received: 'x'"
    ):
        report.row("x")
    saved = report.to_dict()
    assert saved == {
        "folder": "/tmp/out",
        "examples": 10,
        "rows": [
            {
                "kind": "keras (in memory)",
                "path": None,
                "size": None,
                "batch1_ms": 0.25,
                "batch_ms": 0.0123,
                "batch": 64,
                "accuracy": 0.9375,
                "max_diff": None,
                "agreement": None,
                "fresh": "",
                "runtime": "Keras",
            },
            {
                "kind": "savedmodel",
                "path": "/x/savedmodel",
                "size": 1048576,
                "batch1_ms": 1.0,
                "batch_ms": 0.999,
                "batch": 64,
                "accuracy": 0.93751,
                "max_diff": 0.0,
                "agreement": 1.0,
                "fresh": "loads, max |Δ| 0",
                "runtime": "TensorFlow",
            },
        ],
        "notes": ["n"],
    }
