"""The ``workbench`` comm target, spoken to as the JupyterLab extension does, on real kernels."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

pytestmark = pytest.mark.slow


class Peer:
    """The front end's side of one comm: open, send requests, collect what the kernel sends."""

    def __init__(self, kc: Any, protocol: int = 1) -> None:
        self.kc = kc
        self.comm_id = uuid.uuid4().hex
        self._send("comm_open", target_name="workbench", data={"protocol": protocol})

    def _send(self, msg_type: str, **content: Any) -> None:
        msg = self.kc.session.msg(msg_type, {"comm_id": self.comm_id, **content})
        self.kc.shell_channel.send(msg)

    def request(self, request_id: int, method: str) -> None:
        self._send("comm_msg", data={"id": request_id, "method": method})

    def next(self, timeout: float = 120) -> tuple[str, dict[str, Any]]:
        """The next comm_msg or comm_close for this comm: (msg_type, data)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.kc.get_iopub_msg(timeout=deadline - time.monotonic())
            content = msg["content"]
            if msg["msg_type"] in ("comm_msg", "comm_close") and (
                content.get("comm_id") == self.comm_id
            ):
                return msg["msg_type"], content.get("data", {})
        raise TimeoutError("the kernel sent nothing on the comm")


def test_status_request_answers_versions_and_devices(kernel_client: Any) -> None:
    peer = Peer(kernel_client)
    peer.request(7, "status")
    kind, reply = peer.next()
    assert kind == "comm_msg"
    assert reply["id"] == 7
    result = reply["result"]
    assert result["tensorflow"].startswith("2.")
    assert result["keras"].startswith("3.")
    assert {"name": "/physical_device:CPU:0", "device_type": "CPU"} in result["physical_devices"]
    # asking must not start TensorFlow's runtime: the user may still split the CPU
    assert result["logical_devices"] is None


def test_unknown_method_gets_an_error_reply(kernel_client: Any) -> None:
    peer = Peer(kernel_client)
    peer.request(1, "reboot")
    kind, reply = peer.next()
    assert (kind, reply["id"]) == ("comm_msg", 1)
    assert reply["error"]["message"] == (
        "Expected method to be one of ['status']. Received: 'reboot'"
    )


def test_wrong_protocol_is_closed_with_a_reason(kernel_client: Any) -> None:
    peer = Peer(kernel_client, protocol=99)
    kind, data = peer.next()
    assert kind == "comm_close"
    assert data["error"] == "Expected protocol 1. Received: 99"


def test_panel_hears_when_the_runtime_starts(kernel_client: Any) -> None:
    peer = Peer(kernel_client)
    peer.request(1, "status")
    assert peer.next()[1]["result"]["logical_devices"] is None
    # execute() leaves iopub to the peer (execute_interactive would drain the event)
    kernel_client.execute("import tensorflow as tf; x = tf.constant(1) + 1")
    kind, event = peer.next()
    assert (kind, event["event"]) == ("comm_msg", "status")
    assert event["data"]["logical_devices"] == [{"name": "/device:CPU:0", "device_type": "CPU"}]


def test_kernel_split_at_start_up() -> None:
    km, kc = start_new_kernel(
        kernel_name="tf-workbench", startup_timeout=120, env=_env(WORKBENCH_VIRTUAL_DEVICES="3")
    )
    try:
        out: list[str] = []
        kc.execute_interactive(
            "import workbench; print(len(workbench.devices()))",
            output_hook=lambda m: out.append(m["content"].get("text", "")),
        )
        assert "".join(out).strip() == "3"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_kernel_without_the_extension_closes_the_comm() -> None:
    """What the panel sees on a plain python3 kernel: an immediate comm_close."""
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60)
    try:
        peer = Peer(kc)
        assert peer.next(timeout=30)[0] == "comm_close"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _env(**extra: str) -> dict[str, str]:
    import os

    return {**os.environ, **extra}


def test_compile_error_is_one_message_not_a_traceback(kernel_client: Any) -> None:
    kc = kernel_client
    kc.execute_interactive("import tensorflow as tf; a = tf.ones([2])", timeout=120)
    errors: list[dict[str, Any]] = []

    def keep(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "error":
            errors.append(msg["content"])

    reply = kc.execute_interactive(
        "%%compile function\nb = a * 2\nc = b.numpy()\n", timeout=120, output_hook=keep
    )
    assert reply["content"]["status"] == "error"
    (error,) = errors
    assert error["ename"] == "CompileError"
    assert len(error["traceback"]) == 1
    assert "Cell line 3 failed as tf.function" in error["traceback"][0]


def test_importing_tensorflow_leaves_no_log_lines_in_the_cell() -> None:
    import os

    # ipykernel forwards the process's fd 2 into cell outputs, except under pytest
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    km, kc = start_new_kernel(kernel_name="tf-workbench", startup_timeout=120, env=env)
    streams: dict[str, str] = {"stdout": "", "stderr": ""}

    def keep(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            streams[msg["content"]["name"]] += msg["content"]["text"]

    try:
        reply = kc.execute_interactive(
            "import os, tensorflow as tf\nprint(tf.ones([2]).shape)\n"
            "os.write(2, b'native stderr still reaches the cell\\n'); import time; time.sleep(0.5)",
            timeout=120,
            output_hook=keep,
        )
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    # no oneDNN line, no absl "not initialized" line; a native write after the import still shows
    assert streams == {"stdout": "(2,)\n", "stderr": "native stderr still reaches the cell\n"}
