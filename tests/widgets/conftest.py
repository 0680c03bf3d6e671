"""Fixtures of the widget tests: what the live widgets send, decoded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

Sent = list[tuple[dict[str, Any], list[np.ndarray]]]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Every message the live widgets send to a front end, decoded (no front end is attached:
    the comm is the boundary)."""
    from workbench.widgets.live_curves import CurvesWidget

    messages: Sent = []

    def record(self: Any, content: dict[str, Any], buffers: Any = None) -> None:
        arrays = [np.frombuffer(bytes(b), dtype=np.float64) for b in buffers or []]
        messages.append((content, arrays))

    monkeypatch.setattr(CurvesWidget, "send", record)
    return messages
