"""The Python a compiled cell becomes: its exact text for a simple cell, and, for the awkward ones
(two statements on a line, strings spanning lines, blank lines, a hidden value), generated code
that runs and does what the cell does, with each statement on its cell line."""

from __future__ import annotations

import linecache
from typing import Any

from workbench.compile.analysis import analyze
from workbench.compile.codegen import cell_file, cell_line, digest, function_source


def run_generated(
    source: str, holds_tensor: dict[str, bool], keep_local: bool = False, **values: Any
) -> tuple[Any, Any]:
    """Compile the cell's generated function, call it with ``values``; (exports, result)."""
    plan = analyze(source)
    signature = plan.signature(holds_tensor, keep_local)
    text = function_source(plan, signature)
    scope: dict[str, Any] = dict(values)
    exec(compile(text, "<generated>", "exec"), scope)
    seen: list[tuple[Any, Any]] = []
    cell = scope["__wb_make"](lambda exports, result: seen.append((exports, result)) or "done")
    assert cell(*(values[name] for name in signature.parameters)) == "done"
    (exported,) = seen
    return exported


def test_a_simple_cell_becomes_this_function() -> None:
    plan = analyze("y = w * x\n\nz = y + 1\nz\n")
    signature = plan.signature({"x": True, "w": True})
    assert function_source(plan, signature) == (
        "def __wb_make(__wb_export):\n"
        "    def __wb_cell(w, x):\n"
        "        y = w * x\n"
        "\n"
        "        z = y + 1\n"
        "        __wb_result = z\n"
        "        __wb_values = {'y': y, 'z': z}\n"
        "        return __wb_export(__wb_values, __wb_result)\n"
        "    return __wb_cell\n"
    )


def test_a_name_a_loop_or_branch_may_not_assign_is_exported_only_if_it_was() -> None:
    source = "for i in range(n):\n    z = x * i\nif n > 5:\n    big = n\ntotal = x\n"
    plan = analyze(source)
    signature = plan.signature({"x": True, "n": True}, keep_local=True)
    text = function_source(plan, signature)
    assert text.endswith(
        "        __wb_values = {'total': total}\n"
        "        try:\n"
        "            __wb_values['i'] = i\n"
        "        except NameError:\n"
        "            pass\n"
        "        try:\n"
        "            __wb_values['z'] = z\n"
        "        except NameError:\n"
        "            pass\n"
        "        try:\n"
        "            __wb_values['big'] = big\n"
        "        except NameError:\n"
        "            pass\n"
        "        return __wb_export(__wb_values, None)\n"
        "    return __wb_cell\n"
    )
    # as eagerly: a loop that ran no pass and a branch not taken leave their names unassigned
    holds = {"x": True, "n": True}
    assert run_generated(source, holds, keep_local=True, x=3, n=0) == ({"total": 3}, None)
    exports, _ = run_generated(source, holds, keep_local=True, x=3, n=2)
    assert exports == {"total": 3, "i": 1, "z": 3}
    # a parameter carried through the loop (a tensor already) is always bound
    carried = plan.signature({"x": True, "n": True, "z": True})
    assert "z" in carried.parameters
    assert "'z': z" in function_source(plan, carried)


def test_a_hidden_or_absent_value_returns_none() -> None:
    assert run_generated("y = x + 1\ny;\n", {"x": True}, x=1) == ({"y": 2}, None)
    assert run_generated("y = x + 1\n", {"x": True}, x=1) == ({"y": 2}, None)
    text = function_source(analyze("y = 1\n"), analyze("y = 1\n").signature({}))
    assert "__wb_values = {'y': y}\n        return __wb_export(__wb_values, None)" in text


def test_statements_sharing_a_line_each_run_once() -> None:
    source = "a = x + 1; b = a * 2\nc = [a, b]\nc\n"
    assert run_generated(source, {"x": True}, x=1) == ({"a": 2, "b": 4, "c": [2, 4]}, [2, 4])
    # one statement spanning lines, sharing its last line with the next one
    source = "d = (x +\n     1); e = d\ne\n"
    assert run_generated(source, {"x": True}, x=1) == ({"d": 2, "e": 2}, 2)


def test_a_string_spanning_lines_keeps_its_content() -> None:
    source = 's = x + """first\n  second\n"""\nlen(s)\n'
    exports, result = run_generated(source, {"x": True}, x=">")
    assert exports == {"s": ">first\n  second\n"}
    assert result == len(">first\n  second\n")


def test_a_statement_spanning_lines_keeps_its_lines_and_each_statement_its_cell_line() -> None:
    source = "\n\nq = f(\n    x,\n)\n\n\nr = q\nr\n"
    plan = analyze(source)
    text = function_source(plan, plan.signature({"x": True}))
    lines = text.splitlines()
    # cell line n is generated line n + 2 (two header lines above), 1-based
    assert lines[3 + 2 - 1].strip() == "q = f("
    assert lines[4 + 2 - 1].strip() == "x,"
    assert lines[8 + 2 - 1].strip() == "r = q"
    assert cell_line(10) == 8
    assert run_generated(source, {"x": True}, x=3, f=lambda v: v * 2) == ({"q": 6, "r": 6}, 6)


def test_every_parameter_is_passed_in_order() -> None:
    source = "out = a - b * c\n"
    plan = analyze(source)
    signature = plan.signature({"a": True, "b": True, "c": True})
    assert signature.parameters == ("a", "b", "c")
    assert run_generated(source, {"a": True, "b": True, "c": True}, a=10, b=2, c=3) == (
        {"out": 4},
        None,
    )


def test_a_cells_file_name_is_registered_for_tracebacks_and_survives_checkcache() -> None:
    source = "value = 41 + 1\nvalue\n"
    name = cell_file(source)
    assert name == f"<workbench-cell-{digest(source)}>"
    assert len(digest(source)) == 12
    assert digest(source) != digest(source + " ")
    linecache.checkcache()  # what IPython calls before showing a traceback
    assert linecache.getline(name, 1) == "value = 41 + 1\n"
    assert linecache.getline(name, 2) == "value\n"
    linecache.clearcache()
    assert cell_file(source) == name  # registered again when asked again
    assert linecache.getline(name, 2) == "value\n"


def test_a_statement_over_lines_with_one_line_strings_keeps_its_own_lines() -> None:
    source = "y = f(\n    'a',\n    x,\n)\n"
    plan = analyze(source)
    lines = function_source(plan, plan.signature({"x": True})).splitlines()
    assert [line.strip() for line in lines[2:6]] == ["y = f(", "'a',", "x,", ")"]


def test_a_statement_sharing_the_last_line_of_a_longer_one_runs_once() -> None:
    calls: list[Any] = []
    source = "d = (x +\n     1); calls.append(d)\n"
    assert run_generated(source, {"x": True}, x=1, calls=calls) == ({"d": 2}, None)
    assert calls == [2]
