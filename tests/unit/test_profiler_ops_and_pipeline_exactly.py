"""The top-ops table (xprof's ``framework_op_stats``) and the slowest ``tf.data`` stage (its
``input_pipeline_analyzer``) read exactly from small hand-made tool answers: every field of every
row, the default limit, short rows that miss cells, and tables whose self times add up to nothing
or to less than a unit."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.profiler.ops import TopOp, top_ops
from workbench.profiler.pipeline import Stage, slowest_stage

OPS_COLUMNS = ("total_self_time", "occurrences", "host_or_device", "type", "operation")


def _table(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """A tool's answer as xprof gives it: a list of Google-DataTable-style tables."""
    return [
        {
            "cols": [{"id": c, "label": c, "type": "string"} for c in columns],
            "rows": [{"c": [{"v": v} for v in row]} for row in rows],
            "p": {},
        }
    ]


def test_the_ten_slowest_ops_by_default_every_field_exact() -> None:
    rows = [
        (float(100 * (i + 1)), i + 1, "Host", "MatMul", f"model/dense_{i}/MatMul")
        for i in range(11)
    ]
    rows.append((50.0, 1, "Device", "IDLE", "IDLE"))
    rows.append((60.0, 3, "Device", "Relu", "model/dense_0/Relu"))
    ops = top_ops(_table(OPS_COLUMNS, rows))
    total = sum(100 * (i + 1) for i in range(11)) + 60.0
    assert len(ops) == 10
    assert ops[0] == TopOp("model/dense_10/MatMul", "MatMul", "Host", 11, 1100.0, 1100.0 / total)
    assert ops[-1] == TopOp("model/dense_1/MatMul", "MatMul", "Host", 2, 200.0, 200.0 / total)
    every = top_ops(_table(OPS_COLUMNS, rows), limit=20)
    assert [op.operation for op in every][-2:] == ["model/dense_0/MatMul", "model/dense_0/Relu"]
    assert every[-1] == TopOp("model/dense_0/Relu", "Relu", "Device", 3, 60.0, 60.0 / total)
    assert sum(op.share for op in every) == pytest.approx(1.0)


def test_short_rows_read_as_empty_names_not_none() -> None:
    ops = top_ops(_table(OPS_COLUMNS, [(0.5, 2)]))
    assert ops == [TopOp("", "", "", 2, 0.5, 1.0)]


def test_ops_that_took_no_time_have_no_share() -> None:
    ops = top_ops(
        _table(OPS_COLUMNS, [(0.0, 1, "Host", "NoOp", "a"), (0.0, 1, "Host", "NoOp", "b")])
    )
    assert [(op.operation, op.self_us, op.share) for op in ops] == [
        ("a", 0.0, 0.0),
        ("b", 0.0, 0.0),
    ]


STAGE_COLUMNS = ("opName", "selfTimeInMs")


def test_the_slowest_stage_and_the_pipeline_it_is_in() -> None:
    data = _table(
        STAGE_COLUMNS,
        [
            ("Iterator::Root", 1.0),
            ("Iterator::Root::Zip", 2.0),
            ("Iterator::Root::Zip::Map::TensorSlice", 3.0),
            ("Iterator::Root::Zip::Range", 14.0),
        ],
    )
    stage = slowest_stage(data)
    assert stage == Stage(
        "Iterator::Root::Zip::Range", 14.0, 0.7, "Iterator::Root::Zip::Map::TensorSlice"
    )
    assert stage is not None
    assert stage.name == "Range"


def test_a_stage_under_a_millisecond_still_counts() -> None:
    stage = slowest_stage(_table(STAGE_COLUMNS, [("Iterator::Root::Map", 0.5)]))
    assert stage == Stage("Iterator::Root::Map", 0.5, 1.0, "Iterator::Root::Map")


def test_no_stage_when_nothing_took_time_or_there_is_no_table() -> None:
    assert slowest_stage(_table(STAGE_COLUMNS, [("Iterator::Root", 0.0)])) is None
    assert slowest_stage(_table(STAGE_COLUMNS, [])) is None
    assert slowest_stage(_table(("other",), [(1,)])) is None
    assert slowest_stage([]) is None


def test_a_row_without_a_name_reads_as_empty() -> None:
    assert slowest_stage(_table(("selfTimeInMs", "opName"), [(2.0,)])) == Stage("", 2.0, 1.0, "")


def test_self_times_summing_to_nothing_give_no_share() -> None:
    # a damaged answer (a negative self time): a stage, but no share of a zero total
    data = _table(STAGE_COLUMNS, [("Iterator::Root::Map", 2.0), ("Iterator::Root", -2.0)])
    assert slowest_stage(data) == Stage("Iterator::Root::Map", 2.0, 0.0, "Iterator::Root::Map")
