"""``prof.events``, the table a user reads a timeline's events from, value for value: each column
with its type (names, processes and threads as str objects, times as floats, depth as ints), a
row as a dict, filters by name, thread and length, its repr, its HTML (escaped, thousands
separated, the first 20 rows and how many more) and its DataFrame, with and without pandas."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest

from workbench.profiler.trace import EventTable, Lane, Trace

HEAD = "<tr><th>name</th><th>start µs</th><th>duration µs</th><th>thread</th></tr>"


def _trace() -> Trace:
    """python: train<1> (0-1500.3) holding MatMul (1234.5, 10.5); a data thread: a 0 µs Map."""
    meta: list[dict[str, Any]] = [
        {"ph": "M", "name": "process_name", "pid": 1, "args": {"name": "/host:CPU"}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 1, "args": {"name": "python"}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 2, "args": {"name": "tf_data & co"}},
    ]
    events = [
        {"ph": "X", "name": "Map'fn\"", "pid": 1, "tid": 2, "ts": 1100, "dur": 0},
        {"ph": "X", "name": "train<1>", "pid": 1, "tid": 1, "ts": 1000, "dur": 1500.3},
        {
            "ph": "X",
            "name": "MatMul",
            "pid": 1,
            "tid": 1,
            "ts": 2234.5,
            "dur": 10.5,
            "args": {"a": 1},
        },
    ]
    return Trace.from_events(meta + events)


COLUMNS: dict[str, tuple[list[Any], Any]] = {
    "name": (["train<1>", "MatMul", "Map'fn\""], np.dtype(object)),
    "start_us": ([0.0, 1234.5, 100.0], np.dtype(np.float64)),
    "duration_us": ([1500.3, 10.5, 0.0], np.dtype(np.float64)),
    "process": (["/host:CPU"] * 3, np.dtype(object)),
    "thread": (["python", "python", "tf_data & co"], np.dtype(object)),
    "depth": ([0, 1, 0], np.dtype(np.int64)),
}


def test_each_column_holds_its_values_with_its_type() -> None:
    table = _trace().events
    for name, (values, dtype) in COLUMNS.items():
        column = table.column(name)
        assert (column.tolist(), column.dtype) == (values, dtype), name
        assert table[name].tolist() == values
    assert [type(v) for v in table.column("name")] == [str] * 3


def test_a_filtered_tables_columns_hold_its_events_only() -> None:
    table = _trace().events.filter(name="a")  # every name holds an "a"
    assert len(table) == 3
    later = table.filter(min_duration_us=5)  # a filter of a filter
    assert later.column("name").tolist() == ["train<1>", "MatMul"]
    data = _trace().events.filter(thread="DATA")
    for name, (values, dtype) in COLUMNS.items():
        assert (data.column(name).tolist(), data.column(name).dtype) == ([values[2]], dtype)
    nested = _trace().events.filter(name="matmul")
    assert (nested.column("depth").tolist(), nested.column("thread").tolist()) == ([1], ["python"])


def test_an_empty_traces_columns_are_empty_with_their_types() -> None:
    for trace in (
        Trace.from_columns([], [], [], [], [], []),
        Trace.from_columns([], [], [], [], ["op"], [Lane(1, 1, "p", "t")]),
    ):
        table = trace.events
        for name, (_, dtype) in COLUMNS.items():
            column = table.column(name)
            assert (column.shape, column.dtype) == ((0,), dtype), name
        assert repr(table) == "<EventTable: 0 events on 0 threads>"
        assert table._repr_html_() == (
            f"<div><b>&lt;EventTable: 0 events on 0 threads&gt;</b><table>{HEAD}</table></div>"
        )


def test_an_unknown_column_is_named_with_the_columns_there_are() -> None:
    with pytest.raises(KeyError) as error:
        _trace().events.column("args")
    assert error.value.args == (
        "Expected a column in ['name', 'start_us', 'duration_us', 'process', 'thread', 'depth']. "
        "Received: 'args'",
    )


def test_a_row_is_a_dict_of_the_event() -> None:
    table = _trace().events
    assert table[1] == {
        "name": "MatMul",
        "start_us": 1234.5,
        "duration_us": 10.5,
        "process": "/host:CPU",
        "thread": "python",
        "depth": 1,
        "args": {"a": 1},
    }
    assert table[-1] == {
        "name": "Map'fn\"",
        "start_us": 100.0,
        "duration_us": 0.0,
        "process": "/host:CPU",
        "thread": "tf_data & co",
        "depth": 0,
        "args": None,
    }
    assert list(table) == [table[0], table[1], table[2]]


def test_filters_by_name_thread_and_length() -> None:
    table = _trace().events
    assert [r["name"] for r in table.filter(name="MAP")] == ["Map'fn\""]  # 0 µs: kept
    assert [r["name"] for r in table.filter(name="a", min_duration_us=100)] == ["train<1>"]
    assert [r["name"] for r in table.filter(thread="py", min_duration_us=10.5)] == [
        "train<1>",
        "MatMul",
    ]
    assert len(table.filter(name="conv")) == 0
    assert table.filter(thread="python").total_us() == 1510.8
    assert table.filter(name="nothing").total_us() == 0.0


def test_its_repr_counts_events_and_threads() -> None:
    table = _trace().events
    assert repr(table) == "<EventTable: 3 events on 2 threads>"
    assert repr(table.filter(thread="python")) == "<EventTable: 2 events on 1 threads>"
    many = _ops(1025).events
    assert repr(many) == "<EventTable: 1,025 events on 1 threads>"


def test_its_html_is_escaped_and_thousands_separated() -> None:
    assert _trace().events._repr_html_() == (
        "<div><b>&lt;EventTable: 3 events on 2 threads&gt;</b><table>"
        + HEAD
        + "<tr><td>train&lt;1&gt;</td><td>0.0</td><td>1,500.3</td><td>python</td></tr>"
        + "<tr><td>MatMul</td><td>1,234.5</td><td>10.5</td><td>python</td></tr>"
        + "<tr><td>Map&#x27;fn&quot;</td><td>100.0</td><td>0.0</td><td>tf_data &amp; co</td></tr>"
        + "</table></div>"
    )


def _ops(n: int) -> Trace:
    return Trace.from_columns(
        [2.0 * i for i in range(n)], [1.0] * n, [0] * n, [0] * n, ["op"], [Lane(1, 1, "", "t")]
    )


def _row(i: int) -> str:
    return f"<tr><td>op</td><td>{2.0 * i:,.1f}</td><td>1.0</td><td>t</td></tr>"


@pytest.mark.parametrize(
    ("n", "more"), [(20, ""), (21, "<p>… 1 more</p>"), (1025, "<p>… 1,005 more</p>")]
)
def test_its_html_shows_the_first_20_rows_and_how_many_more(n: int, more: str) -> None:
    rows = "".join(_row(i) for i in range(20))
    head = f"<b>&lt;EventTable: {n:,} events on 1 threads&gt;</b>"
    assert _ops(n).events._repr_html_() == f"<div>{head}<table>{HEAD}{rows}</table>{more}</div>"


def test_its_dataframe_holds_the_columns() -> None:
    frame = _trace().events.to_pandas()
    assert list(frame.columns) == list(EventTable.COLUMNS)
    assert {name: frame[name].tolist() for name in COLUMNS} == {
        name: values for name, (values, _) in COLUMNS.items()
    }
    numbers = ("start_us", "duration_us", "depth")
    assert [frame[name].dtype for name in numbers] == [COLUMNS[name][1] for name in numbers]


def test_without_pandas_the_dataframe_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # what an absent package imports as
    with pytest.raises(ImportError) as error:
        _trace().events.to_pandas()
    assert str(error.value) == (
        "Expected pandas for EventTable.to_pandas(): pip install pandas. The columns are also "
        "arrays: table['name'], table['duration_us'], ..."
    )
