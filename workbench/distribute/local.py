"""The local backend: a job's workers as processes on this machine, watched by one thread.

Each worker is ``python -m workbench.distribute.worker`` in a session (process group) of its own,
its output on a pipe, its messages on a TCP connection to the job's listener on 127.0.0.1. One
monitor thread waits on all of them (``selectors``): it hands messages and output to the
:class:`~workbench.distribute.job.Job`, sees each exit at once, and ticks the job's timeouts.
Stopping kills each worker's process group (SIGKILL: a stopped process dies too, TensorFlow's
threads cannot delay it) and reaps it, so no process and no port outlives the job.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from workbench.distribute import context, wire
from workbench.distribute.cluster import HOST, Task, is_chief, tf_config
from workbench.distribute.devices import VIRTUAL_DEVICES_ENV
from workbench.distribute.job import Job
from workbench.distribute.worker import ENV_DEATHSIG, ENV_PARENT

TICK = 0.1  # seconds between the monitor's checks of exits and timeouts


class LocalBackend:
    """Runs ``tasks`` as local processes for ``job``.

    Args:
        job: the job told of everything.
        tasks: the processes to start, with their ``TF_CONFIG`` roles.
        payloads: task key -> the pickled ``worker.Payload`` it reads on stdin.
        env: extra environment of every worker (on top of the kernel's).
        cwd: the workers' working directory (default: the kernel's).
        python: the interpreter (default: the kernel's).
    """

    name = "local"

    def __init__(
        self,
        job: Job,
        tasks: list[Task],
        payloads: Mapping[str, bytes],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        python: str = sys.executable,
    ) -> None:
        self.job = job
        self.tasks = tasks
        self.token = secrets.token_hex(16)
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._payloads = payloads
        self._env = dict(env or {})
        self._cwd = cwd
        self._python = python
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((HOST, 0))
        self._listener.listen(len(tasks) + 4)
        self._listener.setblocking(False)
        self._stop = threading.Event()
        self._kill_lock = threading.Lock()
        self._logs: dict[str, IO[bytes]] = {}
        self._thread = threading.Thread(
            target=self._monitor, name=f"workbench-{job.id}-monitor", daemon=True
        )

    @property
    def address(self) -> str:
        return f"{HOST}:{self._listener.getsockname()[1]}"

    def start(self) -> None:
        """Start every worker and the monitor (from the launching thread: a worker dies with
        the thread that spawned it, so that is the kernel's main thread when it can be)."""
        has_chief = any(t.type == "chief" for t in self.tasks)
        base = {k: v for k, v in os.environ.items() if k != VIRTUAL_DEVICES_ENV}
        base.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        if any(t.type == "ps" for t in self.tasks):
            base.setdefault("GRPC_FAIL_FAST", "use_caller")  # TensorFlow's advice for PS jobs
        main = threading.current_thread() is threading.main_thread()
        try:
            for task in self.tasks:
                env = {
                    **base,
                    **self._env,
                    "TF_CONFIG": tf_config(self.tasks, task),
                    "PYTHONUNBUFFERED": "1",
                    context.ENV_ADDRESS: self.address,
                    context.ENV_TOKEN: self.token,
                    context.ENV_TASK: task.key,
                    context.ENV_CHIEF: "1" if is_chief(task.type, task.index, has_chief) else "0",
                    ENV_PARENT: str(os.getpid()),
                    ENV_DEATHSIG: "1" if main else "0",
                }
                self._spawn(task, env)
        except BaseException:
            self.stop()
            self._close()
            raise
        self._thread.start()

    def stop(self) -> None:
        """Kill every worker's process group and reap it (idempotent, any thread)."""
        self._stop.set()
        with self._kill_lock:
            for proc in self.procs.values():
                _kill_group(proc)
            for proc in self.procs.values():
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:  # cannot happen after SIGKILL; say it if it does
                    print(f"workbench: worker pid {proc.pid} did not die", file=sys.stderr)

    def stopped(self, pid: int) -> bool:
        return process_stopped(pid)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the monitor to finish (it does once every worker is gone)."""
        if self._thread.is_alive():
            self._thread.join(timeout)

    # --- the workers ------------------------------------------------------------------------

    def _spawn(self, task: Task, env: dict[str, str]) -> None:
        proc = subprocess.Popen(
            [self._python, "-m", "workbench.distribute.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self._cwd,
            # its own process group: killed whole, and never by a ^C meant for the kernel
            start_new_session=True,
        )
        self.procs[task.key] = proc
        worker = next(w for w in self.job.workers if w.key == task.key)
        worker.pid = proc.pid
        if self.job.log_dir is not None:
            self.job.log_dir.mkdir(parents=True, exist_ok=True)
            path = self.job.log_dir / f"{task.key.replace(' ', '-')}.log"
            self._logs[task.key] = path.open("wb")
        payload = self._payloads[task.key]
        threading.Thread(target=_write_stdin, args=(proc, payload), daemon=True).start()

    # --- the monitor ------------------------------------------------------------------------

    def _monitor(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ, None)
        outputs: dict[int, str] = {}
        for key, proc in self.procs.items():
            assert proc.stdout is not None
            os.set_blocking(proc.stdout.fileno(), False)
            selector.register(proc.stdout, selectors.EVENT_READ, ("out", key))
            outputs[proc.stdout.fileno()] = key
        connections: dict[socket.socket, list[Any]] = {}  # socket -> [reader, task key or None]
        exited: set[str] = set()
        try:
            while len(exited) < len(self.procs):
                for found, _ in selector.select(TICK):
                    if found.data is None:
                        self._accept(selector, connections)
                    elif found.data[0] == "out":
                        self._read_output(selector, found.fileobj, found.data[1])
                    else:
                        self._read_messages(selector, connections, found.fileobj)
                for key, proc in self.procs.items():
                    if key not in exited and proc.poll() is not None:
                        exited.add(key)
                        self._drain(selector, connections, key)
                        self.job.on_exit(key, proc.returncode)
                self.job.tick()
        except Exception:  # noqa: BLE001 - a bug here must not leave workers running: say it, stop them
            import traceback

            traceback.print_exc()
            self.job.cancel("stopped because its monitor failed (a workbench bug)")
        finally:
            self.stop()
            for sock in connections:
                sock.close()
            selector.close()
            self._close()

    def _accept(self, selector: selectors.BaseSelector, connections: dict[Any, list[Any]]) -> None:
        try:
            sock, _ = self._listener.accept()
        except BlockingIOError:
            return
        sock.setblocking(False)
        connections[sock] = [wire.FrameReader(), None]
        selector.register(sock, selectors.EVENT_READ, ("conn", None))

    def _read_messages(
        self, selector: selectors.BaseSelector, connections: dict[Any, list[Any]], sock: Any
    ) -> None:
        entry = connections.get(sock)
        if entry is None:
            return
        try:
            data = sock.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            selector.unregister(sock)
            sock.close()
            del connections[sock]
            return
        try:
            messages = entry[0].feed(data)
        except ValueError:  # not our worker, or a broken one: drop the connection
            selector.unregister(sock)
            sock.close()
            del connections[sock]
            return
        for message in messages:
            if entry[1] is None:
                key = message.get("task")
                if (
                    message.get("type") != "hello"
                    or message.get("token") != self.token
                    or key not in self.procs
                ):
                    selector.unregister(sock)
                    sock.close()
                    del connections[sock]
                    return
                entry[1] = key
            self.job.on_message(entry[1], message)

    def _drain(
        self, selector: selectors.BaseSelector, connections: dict[Any, list[Any]], key: str
    ) -> None:
        """Read what an exited worker sent before it went (its error comes before its exit)."""
        for sock, entry in list(connections.items()):
            if entry[1] != key:
                continue
            sock.setblocking(True)
            sock.settimeout(1.0)
            while sock in connections:
                self._read_messages(selector, connections, sock)
        proc = self.procs[key]
        if proc.stdout is not None and not proc.stdout.closed:
            _kill_group(proc)  # what it started holds the pipe open too
            os.set_blocking(proc.stdout.fileno(), True)  # it exited: read to the end
            self._read_output(selector, proc.stdout, key)

    def _read_output(self, selector: selectors.BaseSelector, pipe: Any, key: str) -> None:
        while True:
            try:
                data = os.read(pipe.fileno(), 1 << 16)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                with contextlib.suppress(KeyError):  # read to its end after the exit, unregistered
                    selector.unregister(pipe)
                pipe.close()
                return
            log = self._logs.get(key)
            if log is not None:
                log.write(data)
                log.flush()
            self.job.on_output(key, data.decode("utf-8", errors="replace"))

    def _close(self) -> None:
        self._listener.close()
        for log in self._logs.values():
            log.close()


def process_stopped(pid: int) -> bool:
    """Whether process ``pid`` is stopped (state T or t in /proc: SIGSTOP, a debugger), on Linux."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] in (["T"], ["t"])


def _write_stdin(proc: subprocess.Popen[bytes], payload: bytes) -> None:
    assert proc.stdin is not None
    try:
        proc.stdin.write(payload)
        proc.stdin.close()
    except OSError:
        pass  # it died before reading: its exit is what the job reports


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone already
        os.killpg(proc.pid, signal.SIGKILL)
