"""Run a conformance notebook in one mode on the ``tf-workbench`` kernel and record every cell.

One kernel per (notebook, mode), driven by nbclient. Under ``function`` and ``xla`` the kernel
first gets ``%compile_mode <mode>``, as a user puts it at the top of a notebook. After each cell
the probe (``probe.py``, loaded into the kernel once) is read through ``user_expressions`` of an
empty silent request: the ops the cell ran eagerly and inside graphs, its wall time and the
namespace's fingerprint. Cells tagged ``heavy`` are then run twice more with the op counting off,
timed (the faster of the two kept), and the first re-run's outputs kept: a cell must show the same
on every run, not only the first.
"""

from __future__ import annotations

import ast
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync

HERE = Path(__file__).parent
NOTEBOOKS = HERE / "notebooks"
PROBE = HERE / "probe.py"
CELL_TIMEOUT = 180  # a cell interrupted after this long shows KeyboardInterrupt: an "error"
RERUNS = 2  # timed re-runs of a heavy cell

_LOAD = (
    'exec("import importlib.util as u, sys\\n'
    "s = u.spec_from_file_location('_conformance_probe', {path!r})\\n"
    "m = u.module_from_spec(s); sys.modules['_conformance_probe'] = m\\n"
    's.loader.exec_module(m)", {{}})'
)
_PROBE = "__import__('sys').modules['_conformance_probe']"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# TensorFlow's C++ log lines and absl's preamble: the runtime's chatter, not the cell's output
_LOG_LINE = re.compile(
    r"^(WARNING: All log messages before absl|[IWEF]\d{4} [\d:.]+ +\d+ \S+\] |"
    r"\d{4}-\d\d-\d\d [\d:.]+: [IWEF] )"
)


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def compute_cells(nb: Any) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]


def run_notebook(path: Path, mode: str, reruns: int = RERUNS) -> dict[str, Any]:
    """Every code cell of ``path`` run in ``mode``: its outputs, ops, time and namespace after."""
    nb = nbformat.read(path, as_version=4)
    cells: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        client = NotebookClient(
            nb,
            kernel_name="tf-workbench",
            timeout=CELL_TIMEOUT,
            allow_errors=True,
            resources={"metadata": {"path": workdir}},
        )
        with client.setup_kernel():
            _expression(client, _LOAD.format(path=str(PROBE)))
            _expression(client, f"{_PROBE}.install()")
            if mode != "eager":
                _silent(client, f"%compile_mode {mode}")
            died = False
            for index in compute_cells(nb):
                cell = nb.cells[index]
                if died:
                    cells.append({"index": index, "died": False, "not_run": True})
                    continue
                record = _run_cell(client, cell, index)
                record["source"] = cell.source
                died = record["died"]
                if not died and "heavy" in cell.metadata.get("tags", []):
                    _expression(client, f"{_PROBE}.count_ops(False)")
                    times = []
                    for rerun in range(reruns):
                        again = _run_cell(client, nbformat.from_dict(dict(cell)), index, ns=False)
                        if again["died"]:
                            died = record["died"] = True
                            break
                        times.append(again["seconds"])
                        if rerun == 0:
                            record["rerun_outputs"] = again["outputs"]
                    _expression(client, f"{_PROBE}.count_ops(True)")
                    record["timed_seconds"] = min(times) if times else None
                cells.append(record)
    return {
        "notebook": path.name,
        "mode": mode,
        "cells": cells,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }


def _run_cell(client: NotebookClient, cell: Any, index: int, ns: bool = True) -> dict[str, Any]:
    record: dict[str, Any] = {"index": index, "died": False, "timeout": False}
    cell.outputs = []
    try:
        client.execute_cell(cell, index)
    except DeadKernelError:
        record["died"] = True
        return record
    except CellTimeoutError:
        record["timeout"] = True
    record["outputs"] = [normalize(output) for output in cell.outputs]
    try:
        snap = json.loads(_expression(client, f"{_PROBE}.snapshot({ns})"))
    except (DeadKernelError, RuntimeError, TimeoutError):
        km: Any = client.km
        record["died"] = not run_sync(km.is_alive)()
        return record
    record["ops"] = snap["ops"]
    record["seconds"] = snap["seconds"]
    if ns:
        record["namespace"] = snap["namespace"]
    return record


def _request(client: NotebookClient, code: str, expressions: dict[str, str]) -> dict[str, Any]:
    kc: Any = client.kc
    km: Any = client.km
    msg_id = kc.execute(code, silent=True, store_history=False, user_expressions=expressions)
    deadline = time.monotonic() + CELL_TIMEOUT
    while time.monotonic() < deadline:
        if not run_sync(km.is_alive)():
            raise DeadKernelError("kernel died")
        try:
            reply = run_sync(kc.get_shell_msg)(timeout=5)
        except Exception:  # noqa: BLE001 (queue.Empty): keep waiting while the kernel lives
            continue
        if reply["parent_header"].get("msg_id") == msg_id:
            return dict(reply["content"])
    raise TimeoutError(f"no reply to {code!r} / {expressions}")


def _silent(client: NotebookClient, code: str) -> None:
    content = _request(client, code, {})
    if content["status"] != "ok":
        raise RuntimeError(f"{code!r} failed: {content.get('evalue')}")


def _expression(client: NotebookClient, expression: str) -> str:
    content = _request(client, "", {"x": expression})
    result = content["user_expressions"]["x"]
    if result.get("status") != "ok":
        raise RuntimeError(f"{expression!r}: {result.get('ename')}: {result.get('evalue')}")
    text = result["data"]["text/plain"]
    value = ast.literal_eval(text)
    return value if isinstance(value, str) else repr(value)


def normalize(output: Any) -> dict[str, Any]:
    """An output as compared: its kind and text, addresses removed, a workbench message marked."""
    kind = output.get("output_type")
    if kind == "stream":
        lines = output["text"].splitlines(keepends=True)
        text = "".join(line for line in lines if not _LOG_LINE.match(line))
        return {"kind": output["name"], "text": _ADDRESS.sub("", text)}
    if kind == "error":
        text = _ANSI.sub("", f"{output['ename']}: {output['evalue']}")
        return {"kind": "error", "ename": output["ename"], "text": _ADDRESS.sub("", text)}
    data = output.get("data", {})
    text = "<image>" if "image/png" in data else _ADDRESS.sub("", str(data.get("text/plain", "")))
    return {"kind": "display" if kind == "display_data" else "result", "text": text}
