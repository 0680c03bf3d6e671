"""``compare`` flags a planted drift (a shifted mean, a new category) and not an unshifted copy;
its scores are the Jensen-Shannon divergence and L-infinity distance computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial import distance

import workbench
from workbench.data.drift import BINS


def _data(n: int, seed: int, shift: float = 0.0, new_category: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2]).astype(object)
    if new_category:
        colour[: n // 4] = "violet"
    return pd.DataFrame(
        {"x": rng.normal(shift, 1.0, n), "k": rng.integers(0, 5, n), "colour": colour}
    )


def test_planted_drift_is_flagged_and_a_fresh_sample_is_not() -> None:
    base = workbench.stats(_data(20_000, 0))
    same = workbench.compare(base, workbench.stats(_data(20_000, 1)))
    assert same.flagged == []
    assert max(same.scores.values()) < 0.02
    drifted = workbench.compare(
        base, workbench.stats(_data(20_000, 2, shift=1.0, new_category=True))
    )
    assert drifted.flagged == ["colour", "x"]
    assert drifted["k"].flagged is False
    assert "new in the other data: 'violet'" in drifted["colour"].note
    assert drifted.text().splitlines()[1].startswith("! colour")
    html = drifted._repr_html_()
    assert "Drift: 2 of 3 features flagged" in html
    assert html.count("workbench-sparkline") == 6
    assert list(drifted.to_frame().index) == ["colour", "x", "k"]


def test_scores_are_the_textbook_measures() -> None:
    a, b = _data(5_000, 3), _data(5_000, 4, shift=0.5, new_category=True)
    result = workbench.compare(workbench.stats(a), workbench.stats(b), numeric_threshold=0.5)
    low, high = min(a.x.min(), b.x.min()), max(a.x.max(), b.x.max())
    p, _ = np.histogram(a.x, bins=BINS, range=(low, high))
    q, _ = np.histogram(b.x, bins=BINS, range=(low, high))
    js = distance.jensenshannon(p / p.sum(), q / q.sum(), base=2) ** 2
    assert result["x"].score == pytest.approx(js, abs=0.01)  # bars read from the sketches
    assert result["x"].flagged is False  # under its own threshold
    fa = a.colour.value_counts(normalize=True)
    fb = b.colour.value_counts(normalize=True)
    linf = max(abs(fa.get(v, 0.0) - fb.get(v, 0.0)) for v in set(fa.index) | set(fb.index))
    assert result["colour"].score == pytest.approx(linf, abs=1e-12)


def test_features_on_one_side_or_of_another_kind_are_flagged() -> None:
    a = workbench.stats(pd.DataFrame({"x": [1.0, 2.0], "gone": [1, 2]}))
    b = workbench.stats(pd.DataFrame({"x": ["a", "b"], "new": [1, 2]}))
    result = workbench.compare(a, b, names=("train", "serving"))
    notes = {d.feature: d.note for d in result.drifts}
    assert notes == {
        "x": "numbers in train, strings in serving",
        "gone": "only in the train data",
        "new": "only in the serving data",
    }
    assert sorted(result.flagged) == ["gone", "new", "x"]
    with pytest.raises(TypeError, match=r"Expected statistics from workbench\.stats"):
        workbench.compare(a, pd.DataFrame())  # type: ignore[arg-type]


def test_a_comparison_in_words_as_a_frame_and_as_a_table() -> None:
    import math
    import re

    rng = np.random.default_rng(0)
    a = {"x": rng.normal(size=500), "c": rng.choice(["a", "b"], 500), "only_a": np.ones(500)}
    b = {"x": rng.normal(2, 1, size=500), "c": rng.choice(["a", "b"], 500), "new": np.ones(500)}
    result = workbench.compare(workbench.stats(a), workbench.stats(b))
    lines = result.text().splitlines()
    assert lines[0] == (
        "<drift of 4 features, base (500 examples) -> other (500): 3 flagged (only_a, new, x)>"
    )
    assert lines[1:3] == [
        "! only_a  -                     -  only in the base data",
        "! new     -                     -  only in the other data",
    ]
    assert re.fullmatch(r"! x       jensen_shannon   0\.\d{4}", lines[3])
    assert re.fullmatch(r"  c       l_infinity       0\.\d{4}", lines[4])
    frame = result.to_frame()
    assert list(frame.columns) == ["measure", "score", "flagged", "note"]
    assert frame.loc["new"].tolist()[2:] == [True, "only in the other data"]
    assert math.isnan(frame.loc["new", "score"])
    same = workbench.compare(workbench.stats(a), workbench.stats(a))
    assert same.text().splitlines()[0].endswith(": 0 flagged>")
    cells = re.findall(r"<td data-v='([^']*)' style='([^']*)'>(.*?)</td>", result._repr_html_())
    rows = {row[0][0]: row for row in (cells[i : i + 6] for i in range(0, len(cells), 6))}
    new, x, c = rows["new"], rows["x"], rows["c"]
    assert [(v, shown) for v, _, shown in new] == [
        ("new", "<b>new</b>"),
        ("1", "yes"),
        ("", "-"),
        ("-", "-"),
        ("", ""),
        ("only in the other data", "only in the other data"),
    ]
    assert new[0][1].endswith("text-align:left")
    assert new[3][1].endswith("text-align:left")
    assert all(style.endswith(";font-weight:bold") for _, style, _ in x[1:3])  # flagged
    assert (x[2][2], x[3][2]) == (f"{result['x'].score:.4f}", "jensen-shannon")
    assert [(v, shown) for v, _, shown in c[1:4]] == [
        ("0", ""),
        (repr(result["c"].score), f"{result['c'].score:.4f}"),
        ("l-infinity", "l-infinity"),
    ]
    assert c[2][1].endswith("white-space:nowrap;")  # not flagged: no colour
    assert new[5][1].endswith(";text-align:left;opacity:0.7")  # the note, muted
    assert x[4][2].count("<span class='workbench-sparkline'") == 2  # base and other, as HTML
    assert "base: " in x[4][2]  # each bar's tooltip names its side
    assert "other: " in x[4][2]
    page = result._repr_html_()
    assert "<div id='workbench-drift-" in page
    assert "class='workbench-data-drift'" in page
    for header in ("feature", "flagged", "drift", "measure", "distributions", "note"):
        assert f">{header}</th>" in page
    with pytest.raises(KeyError) as missing:
        result["y"]
    assert (
        missing.value.args[0] == "Expected a feature in ['c', 'new', 'only_a', 'x']. Received: 'y'"
    )
