"""The final chart's axes (``workbench.widgets.axes``) read as the live view's: one table of cases
(``extensions/test/widgets/lib/axes.cases.json``) that the TypeScript axes pass too
(``axes.spec.ts``), so a run's live view and the chart that replaces it show the same ticks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import REPO
from workbench.widgets.axes import linear_axis, log_axis, tick_labels

TABLE = REPO / "extensions" / "test" / "widgets" / "lib" / "axes.cases.json"
CASES = json.loads(TABLE.read_text())

# (why, axis, lo, hi, count, integer, extend): `python -m tests.widgets.test_axes` writes the
# table from these with what the kernel draws (then `jlpm test` checks the live view agrees)
INPUTS: list[tuple[str, str, float, float, int, bool, bool]] = [
    (
        "a 200k-step run: human units, ending on the last step's tick",
        "linear",
        1,
        200_000,
        5,
        True,
        True,
    ),
    ("steps from 0: the axis still ends at 200k", "linear", 0, 199_999, 5, True, True),
    ("a three-step run: 1 2 3, never 1 1 1 2 2 2", "linear", 1, 3, 5, True, True),
    ("a single step is padded by one", "linear", 5, 5, 5, True, True),
    ("ten steps: even ticks from 0", "linear", 1, 10, 5, True, True),
    ("millions: 500k then 1M, 1.5M", "linear", 0, 1_234_567, 5, True, True),
    ("2.5M", "linear", 0, 2_500_000, 5, True, True),
    ("thousands: 5k 10k 15k", "linear", 0, 12_500, 5, True, True),
    (
        "steps 10000-10005: whole numbers, as units would round them",
        "linear",
        10_000,
        10_005,
        5,
        True,
        True,
    ),
    ("a narrow loss range: distinct labels", "linear", 0.40121, 0.40158, 4, False, False),
    ("a loss from 2.3 down", "linear", 0.0021, 2.3, 4, False, False),
    ("tiny values: exponents", "linear", 1e-5, 3e-5, 4, False, False),
    ("negative to positive, no -0", "linear", -1.2, 3.4, 4, False, False),
    ("a loss that blew up to millions", "linear", 0, 2.5e6, 4, False, False),
    ("past 1e15: exponents", "linear", 0, 3e16, 4, False, False),
    ("units would round these: decimals", "linear", 12_345.5, 12_347, 4, False, False),
    ("negative thousands", "linear", -15_000, 15_000, 4, False, False),
    ("one value is padded by one either side", "linear", 0.5, 0.5, 4, False, False),
    ("decades: powers of ten", "log", 0.004, 20, 4, False, False),
    ("under a decade: round values", "log", 2, 9, 4, False, False),
    ("large decades in human units", "log", 1, 1e6, 4, False, False),
    ("tiny decades: exponents", "log", 1e-7, 1e-2, 4, False, False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["why"])
def test_axes_match_the_live_views(case: dict[str, Any]) -> None:
    if case["axis"] == "log":
        axis = log_axis(case["lo"], case["hi"], count=case["count"])
    else:
        axis = linear_axis(
            case["lo"],
            case["hi"],
            count=case["count"],
            integer=case["integer"],
            extend=case["extend"],
        )
    assert (axis.lo, axis.hi) == tuple(case["range"])
    assert axis.ticks == case["ticks"]
    assert axis.labels == case["labels"]


def test_the_cases_cover_what_the_issue_asked() -> None:
    labels = {case["why"]: case["labels"] for case in CASES}
    assert labels["a 200k-step run: human units, ending on the last step's tick"] == [
        "0",
        "50k",
        "100k",
        "150k",
        "200k",
    ]
    assert labels["a three-step run: 1 2 3, never 1 1 1 2 2 2"] == ["1", "2", "3"]
    assert [why for why, *_ in INPUTS] == list(labels)  # the table is written from INPUTS


def test_labels_are_exact_where_rounding_would_differ_between_languages() -> None:
    # 1.25e16 to one digit: JavaScript rounds the tie up, Python to even; exact labels need neither
    assert tick_labels([1e16, 1.25e16, 1.5e16], 2.5e15) == ["1e16", "1.25e16", "1.5e16"]
    assert tick_labels([10_000, 10_001], 1) == ["10000", "10001"]
    assert tick_labels([-0.1 + 0.1 - 1e-17, 0.1], 0.1) == ["0.0", "0.1"]  # no "-0"


def _table() -> list[dict[str, Any]]:
    cases = []
    for why, kind, lo, hi, count, integer, extend in INPUTS:
        if kind == "log":
            axis = log_axis(lo, hi, count=count)
            case = {"why": why, "axis": kind, "lo": lo, "hi": hi, "count": count}
        else:
            axis = linear_axis(lo, hi, count=count, integer=integer, extend=extend)
            case = {
                "why": why,
                "axis": kind,
                "lo": lo,
                "hi": hi,
                "count": count,
                "integer": integer,
                "extend": extend,
            }
        cases.append(
            {**case, "range": [axis.lo, axis.hi], "ticks": axis.ticks, "labels": axis.labels}
        )
    return cases


if __name__ == "__main__":
    TABLE.write_text(json.dumps(_table(), indent=1) + "\n")
    for case in _table():
        print(case["why"], case["labels"])
