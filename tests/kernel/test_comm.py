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

    def __init__(self, kc: Any, protocol: Any = 2) -> None:
        self.kc = kc
        self.comm_id = uuid.uuid4().hex
        self._send("comm_open", target_name="workbench", data={"protocol": protocol})

    def _send(self, msg_type: str, **content: Any) -> None:
        msg = self.kc.session.msg(msg_type, {"comm_id": self.comm_id, **content})
        self.kc.shell_channel.send(msg)

    def send(self, data: Any) -> None:
        """Any data at all, as a misbehaving front end might send it."""
        self._send("comm_msg", data=data)

    def request(self, request_id: int, method: str, **params: Any) -> None:
        self.send({"id": request_id, "method": method, "params": params})

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

    def reply(self, request_id: int | None, timeout: float = 120) -> dict[str, Any]:
        """The reply to ``request_id``, skipping events."""
        while True:
            kind, data = self.next(timeout)
            assert kind == "comm_msg", data
            if "topic" not in data:
                assert data["id"] == request_id, data
                return data

    def event(self, topic: str, timeout: float = 120) -> dict[str, Any]:
        """The data of the next event on ``topic``, skipping others."""
        while True:
            kind, data = self.next(timeout)
            assert kind == "comm_msg", data
            if data.get("topic") == topic:
                return data["data"]  # type: ignore[no-any-return]


def _run(kc: Any, code: str) -> str:
    """Run a cell and return its stdout; fails on an error."""
    out: list[str] = []
    reply = kc.execute_interactive(
        code,
        timeout=120,
        output_hook=lambda m: out.append(m["content"].get("text", "")),
    )
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


def test_status_answers_versions_without_loading_tensorflow(kernel_client: Any) -> None:
    peer = Peer(kernel_client)
    peer.request(7, "status")
    result = peer.reply(7)["result"]
    assert result["python"].count(".") == 2
    # the panel never loads TensorFlow into a kernel: the user's own import does
    assert (result["tensorflow"], result["keras"], result["physical_devices"]) == (None, None, [])
    assert _run(kernel_client, "import sys; print('tensorflow' in sys.modules)").strip() == "False"

    _run(kernel_client, "import tensorflow as tf")
    peer.request(8, "status")
    result = peer.reply(8)["result"]
    assert result["tensorflow"].startswith("2.")
    assert result["keras"].startswith("3.")
    assert {"name": "/physical_device:CPU:0", "device_type": "CPU"} in result["physical_devices"]
    # asking must not start TensorFlow's runtime: the user may still split the CPU
    assert result["logical_devices"] is None


def test_a_method_with_params_and_typed_errors(kernel_client: Any, tmp_path: Any) -> None:
    logdir = tmp_path / "runs"
    (logdir / "keras-run" / "train").mkdir(parents=True)
    peer = Peer(kernel_client)
    peer.request(1, "runs.list", logdir=str(logdir))
    runs = peer.reply(1)["result"]["runs"]
    assert [(r["name"], r["logdir"], r["state"]) for r in runs] == [
        ("keras-run", str(logdir), "finished")
    ]

    peer.request(2, "runs.list", logdir=3)
    assert peer.reply(2)["error"] == {
        "code": "bad_params",
        "message": "Expected params.logdir to be a string. Received: 3",
        "method": "runs.list",
    }
    peer.request(3, "runs.list", folder="x")
    error = peer.reply(3)["error"]
    assert (error["code"], error["method"]) == ("bad_params", "runs.list")
    assert (
        error["message"] == "Expected params to have only the fields ['logdir']. Received: 'folder'"
    )
    peer.request(4, "reboot")
    error = peer.reply(4)["error"]
    assert (error["code"], error["method"]) == ("unknown_method", "reboot")
    assert error["message"].startswith("Expected method to be one of [")
    assert "'runs.list'" in error["message"]


def test_malformed_messages_are_answered_and_the_kernel_stays_healthy(kernel_client: Any) -> None:
    peer = Peer(kernel_client)
    cases: list[tuple[Any, str]] = [
        ([1], "bad_request"),
        ("status", "bad_request"),
        (None, "bad_request"),
        ({"method": ["x"]}, "unknown_method"),
        ({"id": "one", "method": "status"}, "bad_request"),
        ({"id": 5, "method": "status", "params": [1, 2]}, "bad_params"),
        ({"id": 6, "method": "subscribe", "params": {"topics": ["nope"]}}, "bad_params"),
        ({"id": 7, "method": "x" * 1_000_000}, "unknown_method"),
        ({"id": 8, "method": "runs.list", "params": {"logdir": "x" * 1_000_000}}, "too_large"),
    ]
    for data, code in cases:
        peer.send(data)
        kind, reply = peer.next()
        assert kind == "comm_msg"
        assert reply["error"]["code"] == code, (data if len(repr(data)) < 200 else code, reply)
        # bounded: a megabyte of junk is not echoed back
        assert len(repr(reply)) < 1_000
    # the kernel answers cells and requests as before
    assert _run(kernel_client, "print(1 + 1)").strip() == "2"
    peer.request(9, "describe")
    described = peer.reply(9)["result"]
    assert {"status", "runs.list", "subscribe"} <= set(described["methods"])
    assert {"status", "compile", "runs"} <= set(described["topics"])


def test_wrong_protocol_is_closed_with_a_reason(kernel_client: Any) -> None:
    peer = Peer(kernel_client, protocol=1)
    kind, data = peer.next()
    assert kind == "comm_close"
    assert data["error"] == "Expected protocol 2. Received: 1"


def test_topics_push_what_cells_change(kernel_client: Any) -> None:
    peer = Peer(kernel_client)
    peer.request(1, "subscribe", topics=["status", "compile"])
    assert peer.reply(1)["result"] == {"topics": ["compile", "status"]}
    # each topic's current value follows the subscription
    first = {}
    while len(first) < 2:
        _, data = peer.next()
        first[data["topic"]] = data["data"]
    assert first["status"]["tensorflow"] is None
    assert first["compile"] == {"mode": "eager", "tf_debug": False}

    # execute() leaves iopub to the peer (execute_interactive would drain the event)
    kernel_client.execute("import tensorflow as tf; x = tf.constant(1) + 1")
    status = peer.event("status")
    assert status["tensorflow"].startswith("2.")
    assert status["logical_devices"] == [{"name": "/device:CPU:0", "device_type": "CPU"}]
    kernel_client.execute("%compile_mode xla")
    assert peer.event("compile") == {"mode": "xla", "tf_debug": False}

    peer.request(2, "unsubscribe", topics=["compile"])
    assert peer.reply(2)["result"] == {"topics": ["status"]}


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
    kc.execute_interactive("import tensorflow as tf; v = tf.Variable([1.0, 2.0])", timeout=120)
    errors: list[dict[str, Any]] = []

    def keep(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "error":
            errors.append(msg["content"])

    reply = kc.execute_interactive(
        # a compiled part that wrote a variable, then failed: it cannot run again eagerly
        "%%compile function\nv.assign_add(v)\nc = tf.debugging.check_numerics(v / 0.0, 'inf')\n",
        timeout=120,
        output_hook=keep,
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

    native = "native stderr still reaches the cell\n"
    try:
        reply = kc.execute_interactive(
            "import os, tensorflow as tf\nprint(tf.ones([2]).shape)\n"
            "os.write(2, b'native stderr still reaches the cell\\n')",
            timeout=120,
            output_hook=keep,
        )
        # fd 2 is forwarded by a thread and may arrive after the reply: wait for the native
        # line itself (written last, so everything the import logged before it is in too)
        while native not in streams["stderr"]:
            keep(kc.get_iopub_msg(timeout=60))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    # no oneDNN line, no absl "not initialized" line; a native write after the import still shows
    assert streams == {"stdout": "(2,)\n", "stderr": "native stderr still reaches the cell\n"}
