"""``workbench doctor`` says whether profiler captures can be read here (xprof), and what to
install when they cannot."""

from __future__ import annotations

import sys

import pytest

from workbench import doctor


def test_xprof_is_found() -> None:
    result = doctor.check_profiler()
    assert result.ok
    assert result.detail.startswith("xprof ")
    assert doctor.check_profiler in doctor.ALL_CHECKS


def test_without_xprof_the_fix_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xprof", None)
    monkeypatch.delitem(sys.modules, "xprof.convert", raising=False)
    monkeypatch.delitem(sys.modules, "xprof.convert.raw_to_tool_data", raising=False)
    result = doctor.check_profiler()
    assert not result.ok
    assert result.detail.startswith("xprof cannot be imported")
    assert result.fix == "pip install tensorboard-plugin-profile (it brings xprof)"
