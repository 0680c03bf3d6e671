"""When ``%%compile`` shows its report (only when it says something new), how a CompileError
shows (one line, through IPython's ``_render_traceback_`` protocol), and what the magics expand
to; in a real IPython shell."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.magics.conftest import run

REPORT = "%%compile function ·"


def shown(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out


def test_report_shown_first_then_only_when_something_changed(ip: Any, capsys: Any) -> None:
    run(ip, "w = tf.Variable([1.0, 2.0]); lr = 0.1")
    capsys.readouterr()
    cell = "%%compile function\nw.assign_sub(lr * w)\nloss = tf.reduce_sum(w)\n"
    run(ip, cell)
    first = shown(capsys)
    assert REPORT in first
    assert "cell · 1 trace" in first

    run(ip, cell)  # the same trace, new values: nothing new to say
    assert REPORT not in shown(capsys)
    np.testing.assert_allclose(ip.user_ns["w"].numpy(), [0.81, 1.62], rtol=1e-6)  # ran twice

    run(ip, "lr = 0.2")
    run(ip, cell)  # a Python float changed: a retrace, which the report explains
    out = shown(capsys)
    assert "cell · 2 traces" in out
    assert "retraced 1 time" in out

    run(ip, cell)
    assert REPORT not in shown(capsys)

    run(ip, cell.replace("%%compile function", "%%compile function --report"))
    out = shown(capsys)
    assert "cell · 2 traces" in out
    assert "this run" in out


def test_report_shown_again_after_a_failure(ip: Any, capsys: Any) -> None:
    run(ip, "a = tf.ones([2])")
    cell = "%%compile function\nb = a * 2\n"
    run(ip, cell)
    run(ip, cell)
    capsys.readouterr()
    run(ip, "del a")
    assert ip.run_cell(cell).error_in_exec is not None
    run(ip, "a = tf.ones([2])")
    capsys.readouterr()
    run(ip, cell)  # works again: say so
    assert REPORT in shown(capsys)


def test_a_changed_note_is_news(ip: Any, capsys: Any) -> None:
    make = "keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])"
    run(ip, f"model = {make}; x = tf.ones([1, 2])")
    cell = "%%compile function\ny = model(x)\n"
    run(ip, cell)
    run(ip, f"model = {make}")
    capsys.readouterr()
    run(ip, cell)
    assert "traced anew: `model`" in shown(capsys)
    run(ip, cell)  # the note is gone: that changed too
    out = shown(capsys)
    assert REPORT in out
    assert "traced anew" not in out
    run(ip, cell)
    assert REPORT not in shown(capsys)


def test_report_per_cell_and_mode(ip: Any, capsys: Any) -> None:
    run(ip, "a = tf.ones([2])")
    run(ip, "%%compile function\nb = a * 2\n")
    capsys.readouterr()
    run(ip, "%%compile xla\nb = a * 2\n")  # another mode: its own trace, its own report
    assert "%%compile xla ·" in shown(capsys)
    run(ip, "%%compile function\nb = a * 3\n")  # another cell
    assert REPORT in shown(capsys)


def test_compare_always_shows_its_table(ip: Any, capsys: Any) -> None:
    run(ip, "a = tf.ones([4, 4])")
    cell = "%%compile function --compare --steps 2\nb = a @ a\n"
    run(ip, cell)
    capsys.readouterr()
    run(ip, cell)
    assert "speed-up" in shown(capsys)


def test_compile_error_renders_as_one_line(ip: Any, capsys: Any) -> None:
    from workbench.compile import CompileError

    assert ip.custom_exceptions == ()  # no handler taken: the error renders itself
    run(ip, "v = tf.Variable([1.0, 2.0])")
    capsys.readouterr()
    # a compiled part that wrote a variable, then failed: it cannot run again eagerly
    result = ip.run_cell(
        "%%compile function\nv.assign_add(v)\nc = tf.debugging.check_numerics(v / 0.0, 'inf')\n"
    )
    error = result.error_in_exec
    assert isinstance(error, CompileError)
    assert error._render_traceback_() == [f"\x1b[0;31mCompileError\x1b[0m: {error}"]
    out = shown(capsys)
    assert "CompileError" in out
    assert "Cell line 3 failed as tf.function" in out
    assert "inf : Tensor had Inf values" in out
    assert "Traceback" not in out
    assert "workbench/compile" not in out


def test_a_compiled_call_that_fails_fails_as_the_eager_cell(ip: Any) -> None:
    # no variable written: the compiled part runs again eagerly, which raises the eager error
    # and leaves what the eager cell leaves (b assigned, c not)
    run(ip, "a = tf.constant([1.0, 2.0]); b = 'before'")
    result = ip.run_cell(
        "%%compile function\nb = a * 2\nc = tf.debugging.check_numerics(b / 0.0, 'inf')\n"
    )
    error = result.error_in_exec
    assert isinstance(error, tf_errors().InvalidArgumentError), error
    assert "inf : Tensor had Inf values" in str(error)
    np.testing.assert_allclose(ip.user_ns["b"], [2, 4])
    assert "c" not in ip.user_ns


def tf_errors() -> Any:
    import tensorflow as tf

    return tf.errors


def test_body_keeps_ipython_syntax_and_gets_no_second_magic_line(ip: Any, capsys: Any) -> None:
    run(ip, "%compile_mode function")
    run(ip, "x = tf.ones([2])")
    capsys.readouterr()
    run(ip, "%%compile xla\ny = x * 2\nfiles = !echo hi\n")  # shell syntax in the body
    out = shown(capsys)
    assert "%%compile xla ·" in out  # the cell's own mode, not the default's second line
    assert "ran eagerly: line 3 !echo" in out
    assert list(ip.user_ns["files"]) == ["hi"]
    run(ip, "%compile_mode eager")


def test_magic_docstrings_show_the_call_they_expand_to(ip: Any) -> None:
    for kind, name, call in [
        ("cell", "compile", "workbench.compile_cell(cell, get_ipython().user_ns, "),
        ("line", "compile_mode", "workbench.compile.set_default_mode("),
        ("line", "tf_debug", "workbench.compile.modes.set_tf_debug("),
    ]:
        magic = ip.find_magic(name, kind)
        assert call in " ".join((magic.__doc__ or "").split()), name
