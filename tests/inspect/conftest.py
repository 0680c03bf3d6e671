"""The ``show`` fixture: an expression displayed through IPython's formatters, as a kernel does."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def show(ip: Any) -> Any:
    formatters = ip.display_formatter.formatters
    formatters["text/html"].enabled = True  # a terminal shell leaves HTML off; kernels have it

    def display(expression: str) -> dict[str, str]:
        data, _ = ip.display_formatter.format(ip.ev(expression))
        html = data.get("text/html", "")
        assert "<script" not in html
        assert "http" not in html.replace("http://www.w3.org/2000/svg", "")
        return data  # type: ignore[no-any-return]

    return display
