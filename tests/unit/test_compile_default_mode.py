"""The default-mode input transformer and the ``%%compile`` body transform (no TensorFlow, no
shell: a stand-in with ``transform_cell`` that runs the transformer as IPython would)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workbench.compile.default_mode import DefaultModeTransformer
from workbench.compile.modes import set_default_mode


@pytest.fixture
def xla_default() -> Iterator[None]:
    set_default_mode("xla")
    try:
        yield
    finally:
        set_default_mode("eager")


class Shell:
    """What ``body`` needs of an IPython shell: its transforms, this transformer among them."""

    def __init__(self, transformer: DefaultModeTransformer, fail: bool = False) -> None:
        self.transformer = transformer
        self.fail = fail
        self.calls = 0

    def transform_cell(self, cell: str) -> str:
        self.calls += 1
        if self.fail:
            raise SyntaxError("bad cell")
        return "".join(self.transformer(cell.splitlines(keepends=True)))


def test_eager_default_leaves_cells_alone() -> None:
    assert DefaultModeTransformer()(["y = x * 2\n"]) == ["y = x * 2\n"]


def test_other_default_adds_the_magic_line(xla_default: None) -> None:
    transformer = DefaultModeTransformer()
    assert transformer(["\n", "y = x * 2\n"]) == ["%%compile\n", "\n", "y = x * 2\n"]
    for cell in (["%time y = 1\n"], ["!ls\n"], ["x?\n"], [], ["  \n"]):
        assert transformer(cell) == cell  # magics, shell commands, help, empty cells


def test_body_gets_no_second_magic_line_and_is_cached(xla_default: None) -> None:
    transformer = DefaultModeTransformer()
    shell = Shell(transformer)
    assert transformer.body(shell, "y = x * 2\n") == "y = x * 2\n"
    assert transformer.body(shell, "y = x * 2\n") == "y = x * 2\n"
    assert shell.calls == 1  # re-running a cell does not transform it again
    assert transformer(["y = 1\n"])[0] == "%%compile\n"  # on again once the body is done


def test_body_that_fails_to_transform_leaves_the_transformer_on(xla_default: None) -> None:
    transformer = DefaultModeTransformer()
    with pytest.raises(SyntaxError):
        transformer.body(Shell(transformer, fail=True), "y = (\n")
    assert transformer(["y = 1\n"])[0] == "%%compile\n"


def test_each_transformer_holds_its_own_state(xla_default: None) -> None:
    first, second = DefaultModeTransformer(), DefaultModeTransformer()

    class Nested(Shell):
        def transform_cell(self, cell: str) -> str:
            assert second(["y = 1\n"])[0] == "%%compile\n"  # not switched off by `first`
            return super().transform_cell(cell)

    first.body(Nested(first), "y = 2\n")
