"""A comm that records what a widget publishes: the boundary of the widget tests, as ipywidgets'
own tests use (``DummyComm``). Everything above it, ipywidgets' and anywidget's send path, runs."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from comm.base_comm import BaseComm

Decoded = tuple[dict[str, Any], list[np.ndarray]]


class RecordingComm(BaseComm):  # type: ignore[misc]
    """Records every published comm message; ``receive`` plays a front end's message."""

    def __init__(self, custom: list[Decoded], **kwargs: Any) -> None:
        self.messages: list[tuple[str, dict[str, Any], list[bytes]]] = []
        self._custom = custom
        super().__init__(**kwargs)

    def publish_msg(
        self,
        msg_type: str,
        data: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        buffers: list[bytes] | None = None,
        **keys: Any,
    ) -> None:
        # what the kernel's session does to every message: strict JSON (no NaN), so a message that
        # could not travel fails here; the front end sees the round-tripped copy
        data = json.loads(json.dumps(data or {}, allow_nan=False))
        raw = [bytes(buffer) for buffer in buffers or []]
        self.messages.append((msg_type, data, raw))
        if msg_type == "comm_msg" and data.get("method") == "custom":
            arrays = [np.frombuffer(buffer, dtype="<f8") for buffer in raw]
            self._custom.append((data["content"], arrays))

    def updates(self) -> list[dict[str, Any]]:
        """The state updates sent so far (each a dict of the traits it carries)."""
        return [
            data["state"]
            for kind, data, _ in self.messages
            if kind == "comm_msg" and data.get("method") == "update"
        ]

    def receive(self, content: Any) -> None:
        """Delivers a custom message from a front end, as the kernel's comm manager does."""
        self.handle_msg(
            {
                "content": {
                    "comm_id": self.comm_id,
                    "data": {"method": "custom", "content": content},
                },
                "buffers": [],
            }
        )

    def receive_state(self, state: dict[str, Any]) -> None:
        """Delivers a front end's trait update (a view's ``model.save_changes()``)."""
        self.handle_msg(
            {
                "content": {
                    "comm_id": self.comm_id,
                    "data": {"method": "update", "state": state, "buffer_paths": []},
                },
                "buffers": [],
            }
        )
