"""What a notebook shows: statistics, schema, anomalies, drift and sliced metrics each have a
text form and an HTML form made of what survives an untrusted saved notebook (no SVG, no CSS
variables in drawing), with a sort script for trusted outputs; a long pass shows progress."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from IPython.utils.capture import capture_output

import workbench
from workbench.widgets import data as data_view


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "score": np.where(rng.random(400) < 0.1, np.nan, rng.normal(size=400)),
            "label": rng.choice(["cat", "dog"], 400),
        }
    )


def test_statistics_display_as_a_sortable_table_with_sparklines(
    ip: Any, frame: pd.DataFrame
) -> None:
    ip.user_ns["frame"] = frame
    ip.user_ns["workbench"] = workbench
    ip.display_formatter.formatters["text/html"].enabled = True
    data, _ = ip.display_formatter.format(ip.ev("workbench.stats(frame)"))
    text, html = data["text/plain"], data["text/html"]
    assert text.startswith(
        "<statistics of a DataFrame: 400 examples, 2 features (1 numeric, 1 categorical)"
    )
    assert re.search(r"score +float64 +\d+ +10\.\d%", text)
    assert html.count("<table class='workbench-sortable'") == 2
    assert html.count("workbench-sparkline") == 2
    assert "<svg" not in html
    assert "http" not in html
    # the script sorts only its own output's tables, by the cells' data-v keys
    element = re.search(r"<div id='(workbench-stats-\d+)'", html)
    assert element is not None
    assert f"getElementById('{element.group(1)}')" in html
    assert "data-v='score'" in html


def test_every_result_has_both_forms(frame: pd.DataFrame) -> None:
    s = workbench.stats(frame)
    schema = s.infer_schema()
    results = [s, schema, workbench.validate(frame, schema), workbench.compare(s, s)]
    for result in results:
        assert repr(result).startswith("<")
        html = result._repr_html_()
        assert "<script>" in html
        assert "workbench-sortable" in html


def test_a_long_pass_shows_progress_then_what_it_took(
    ip: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data_view, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(data_view, "EVERY", 0.0)
    from workbench.data import sources

    monkeypatch.setattr(sources, "ROWS", 100)
    with capture_output() as captured:
        workbench.stats({"x": np.arange(1_000.0)})
    shown = [o.data.get("text/plain", "") for o in captured.outputs]
    assert any(re.match(r"workbench\.stats: \d+ of 1,000 examples \(\d+%\)", t) for t in shown), (
        shown
    )
    assert re.fullmatch(r"workbench\.stats: read 1,000 examples in [\d.]+ s", shown[-1]), shown
