"""Ask a separate Python process for its TensorFlow status.

TensorFlow never loads into the Jupyter server: importing it there would cost seconds and hundreds
of MB in a process that serves everything else, and a crash in TensorFlow would take the server
down. The answer is cached: devices do not change while the server runs. A refresh starts one probe;
refreshes asked for while it runs wait for that one (20 concurrent refreshes once ran 20 probes
one after another, 171 s), and a plain request never waits for a refresh when an answer is cached.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any


class ProbeError(RuntimeError):
    """The probe process failed, timed out, or printed something that is not JSON."""


class StatusProbe:
    """Runs ``python -m workbench.system`` once and remembers its answer."""

    def __init__(self, python: str = sys.executable, timeout: float = 120.0) -> None:
        self.python = python
        self.timeout = timeout
        self.probes = 0  # probes started, for tests and curious users
        self._result: dict[str, Any] | None = None
        self._running: asyncio.Future[dict[str, Any]] | None = None

    async def get(self, refresh: bool = False) -> dict[str, Any]:
        if self._result is not None and not refresh:
            return self._result
        if self._running is None or self._running.done():
            self.probes += 1
            self._running = asyncio.ensure_future(self._probe())
        # shielded: a client that goes away does not cancel the probe others wait for
        return await asyncio.shield(self._running)

    async def _probe(self) -> dict[str, Any]:
        result = await self._run()
        self._result = result
        return result

    async def _run(self) -> dict[str, Any]:
        try:
            proc = await asyncio.create_subprocess_exec(
                self.python,
                "-m",
                "workbench.system",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=_quiet_env(),
            )
        except OSError as exc:
            raise ProbeError(f"cannot start {self.python}: {exc.strerror or exc}") from exc
        try:
            out, err = await asyncio.wait_for(proc.communicate(), self.timeout)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            raise ProbeError(
                f"{self.python} -m workbench.system gave no answer in {self.timeout:.0f} s"
            ) from None
        if proc.returncode != 0:
            tail = err.decode(errors="replace").strip().splitlines()[-5:]
            raise ProbeError(
                f"{self.python} -m workbench.system exited with {proc.returncode}: "
                + " | ".join(tail)
            )
        try:
            result: dict[str, Any] = json.loads(out)
        except json.JSONDecodeError as exc:
            raise ProbeError(f"workbench.system printed something that is not JSON: {exc}") from exc
        return result


def _quiet_env() -> dict[str, str]:
    import os

    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
