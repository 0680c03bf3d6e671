"""Fixtures of the widget tests: what the widgets send, decoded, through a recording comm."""

from __future__ import annotations

from typing import Any

import comm
import pytest

from tests.widgets.recording import Decoded, RecordingComm

Sent = list[Decoded]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Every custom message the widgets created during the test send to a front end, decoded:
    (content, float64 arrays). Each widget's ``comm`` is a :class:`RecordingComm` (no front end
    is attached: the comm is the boundary), which also keeps the state updates."""
    messages: Sent = []

    def create_comm(**kwargs: Any) -> RecordingComm:
        return RecordingComm(messages, **kwargs)

    monkeypatch.setattr(comm, "create_comm", create_comm)
    return messages


@pytest.fixture
def shell() -> Any:
    """A real IPython shell (no workbench extension, no TensorFlow), for what display() shows."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.testing.globalipapp import start_ipython

    return start_ipython() or InteractiveShell.instance()
