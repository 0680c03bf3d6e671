"""Each cell of a compiled run against the same cell run eagerly: one class, and why.

Classes (``CLASSES``):

* ``identical``: the same outputs and no new namespace difference (workbench report lines
  aside: they are the workbench's channel, not the cell's output).
* ``error_identical``: as identical, and the cell raised the same error as eagerly.
* ``message``: it differs, and the workbench said something about this cell (a
  ``CompileError``, or a report with notes below its head line).
* ``error``: it differs by an error that is not the workbench's message (an error eagerly
  absent or other, raised by the workbench's own code or by TensorFlow inside the trace).
* ``silent``: it differs, with no error and nothing said: the failure that must go to zero.
* ``died``: the kernel died during the cell; ``not_run``: a later cell of that kernel.

Text is compared with numbers allowed a relative 1e-4 (XLA may round the last digit of a
float32 differently); namespaces name by name, fingerprints alike. A name that already differed
before the cell is an inherited difference (``cascade``), not a new one.
"""

from __future__ import annotations

import math
import re
from typing import Any

CLASSES = ("identical", "error_identical", "message", "error", "silent", "died", "not_run")
_NUMBER = re.compile(r"-?\d+\.?\d*(?:[eE][-+]?\d+)?")
RTOL, ATOL = 1e-4, 1e-5


_RETRACING = re.compile(r"^WARNING:tensorflow:.*triggered tf\.function retracing")


def is_workbench(output: dict[str, Any]) -> bool:
    if output["kind"] == "error":
        return output.get("ename") in ("CompileError", "NotKeptError")
    return output["kind"] in ("display", "result") and output["text"].startswith("%%compile")


def workbench_messages(outputs: list[dict[str, Any]]) -> list[str]:
    """What the workbench said that explains something: errors it raised, report notes."""
    said = []
    for output in outputs:
        if not is_workbench(output):
            continue
        lines = output["text"].splitlines()
        if output["kind"] == "error" or len(lines) > 1:
            said.append(output["text"])
    return said


def user_outputs(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = [_without_retracing_warnings(o) for o in outputs if not is_workbench(o)]
    return [o for o in kept if not (o["kind"] != "error" and not o["text"])]


def _without_retracing_warnings(output: dict[str, Any]) -> dict[str, Any]:
    """TensorFlow's warning that a function called eagerly in a loop (pfor's, under
    ``batch_jacobian``) retraced is about speed, not the cell's result: a compiled cell that
    does not retrace is not wrong for lacking it."""
    if output["kind"] not in ("stdout", "stderr") or "tf.function retracing" not in output["text"]:
        return output
    lines = output["text"].splitlines(keepends=True)
    kept = [line for line in lines if not _RETRACING.match(line)]
    return {**output, "text": "".join(kept)}


def same_text(a: str, b: str) -> bool:
    if a == b:
        return True
    if _NUMBER.sub("#", a) != _NUMBER.sub("#", b):
        return False
    return all(
        math.isclose(float(x), float(y), rel_tol=RTOL, abs_tol=ATOL)
        for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b), strict=True)
    )


def same_outputs(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    a, b = _merged(user_outputs(a)), _merged(user_outputs(b))
    return len(a) == len(b) and all(
        x["kind"] == y["kind"] and same_text(x["text"], y["text"])
        for x, y in zip(a, b, strict=True)
    )


def _merged(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Between two other outputs, all of stdout as one output, then all of stderr: how the kernel
    split a stream is chance, and so is how the two streams interleave (each is buffered and
    flushed on its own, a warning from another thread lands anywhere)."""
    out: list[dict[str, Any]] = []
    streams: dict[str, str] = {}
    for o in [*outputs, {"kind": "end", "text": ""}]:
        if o["kind"] in ("stdout", "stderr"):
            streams[o["kind"]] = streams.get(o["kind"], "") + o["text"]
            continue
        out.extend(
            {"kind": kind, "text": streams[kind]}
            for kind in ("stdout", "stderr")
            if kind in streams
        )
        streams = {}
        out.append(dict(o))
    return out[:-1]


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        keys = (set(a) | set(b)) - {"info"}
        return all(k in a and k in b and same_value(a[k], b[k]) for k in keys)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, bool) or isinstance(b, bool):
            return a == b
        return math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)
    return bool(a == b)


def namespace_diffs(eager: dict[str, Any], other: dict[str, Any]) -> dict[str, str]:
    """name -> what differs: missing, extra, type (eager -> other), value."""
    diffs = {}
    for name in sorted(set(eager) | set(other)):
        if name not in other:
            diffs[name] = "missing"
        elif name not in eager:
            diffs[name] = "extra"
        elif eager[name].get("type") != other[name].get("type"):
            diffs[name] = f"type {eager[name].get('type')} -> {other[name].get('type')}"
        elif not same_value(eager[name], other[name]):
            diffs[name] = "value"
    return diffs


def first_error(outputs: list[dict[str, Any]]) -> str | None:
    return next((o["text"] for o in outputs if o["kind"] == "error"), None)


def classify(eager_run: dict[str, Any], run: dict[str, Any]) -> list[dict[str, Any]]:
    """One record per compute cell of ``run`` (schema: see ``tests/conformance/__init__.py``)."""
    eager_cells = {c["index"]: c for c in eager_run["cells"]}
    records = []
    before: dict[str, str] = {}
    for cell in run["cells"]:
        ref = eager_cells.get(cell["index"], {})
        record: dict[str, Any] = {
            "notebook": run["notebook"],
            "cell": cell["index"],
            "mode": run["mode"],
            "source": ref.get("source", "")[:500],
        }
        if cell.get("not_run") or ref.get("died") or ref.get("not_run") or "outputs" not in ref:
            record["class"] = "not_run"
            records.append(record)
            continue
        if cell["died"]:
            record.update({"class": "died", "message": None})
            records.append(record)
            continue
        outputs = cell.get("outputs", [])
        messages = workbench_messages(outputs)
        now = namespace_diffs(ref.get("namespace", {}), cell.get("namespace", {}))
        new = {k: v for k, v in now.items() if k not in before}
        same = same_outputs(ref["outputs"], outputs) and not cell.get("timeout")
        rerun_same = "rerun_outputs" not in ref or same_outputs(
            ref["rerun_outputs"], cell.get("rerun_outputs", [])
        )
        eager_error = first_error(user_outputs(ref["outputs"]))
        if same and rerun_same and not new:
            record["class"] = "error_identical" if eager_error else "identical"
        elif messages:
            record["class"] = "message"
        elif first_error(user_outputs(outputs)) not in (None, eager_error):
            record["class"] = "error"
        else:
            record["class"] = "silent"
        record["message"] = "\n".join(messages) or None
        record["names_line"] = bool(re.search(r"\bline \d+", record["message"] or ""))
        record["outputs_differ"] = not same
        record["rerun_differs"] = not rerun_same
        record["namespace_new"] = new
        record["cascade"] = bool(before)
        if not same:
            record["eager_output"] = _brief(user_outputs(ref["outputs"]))
            record["output"] = _brief(user_outputs(outputs))
        record.update(_share(ref, cell))
        record["eager_seconds"] = ref.get("timed_seconds")
        record["seconds"] = cell.get("timed_seconds")
        before = now
        records.append(record)
    return records


def _brief(outputs: list[dict[str, Any]]) -> str:
    return "\n".join(f"[{o['kind']}] {o['text']}" for o in outputs)[:600]


def _share(ref: dict[str, Any], cell: dict[str, Any]) -> dict[str, Any]:
    """Whether the cell computes with tensors (eagerly it ran ops) and the share of its ops that
    ran inside graphs in this run.

    tf.data's plumbing (building a pipeline, pulling elements: ``data`` ops) computes nothing and
    counts on neither side; the functions a pipeline applies (``data_graph``: map, filter,
    reduce) run as graphs tf.data traced and count as graph ops. ``compiled_share_strict`` is
    the measure before that distinction: plumbing as eager ops, tf.data's functions uncounted.
    """
    ref_ops = ref.get("ops") or {}
    ops = cell.get("ops") or {}
    eager, graph = ops.get("eager", 0), ops.get("graph", 0)
    data, data_graph = ops.get("data", 0), ops.get("data_graph", 0)
    ref_compute = ref_ops.get("eager", 0) + ref_ops.get("graph", 0)
    total = eager + graph + data_graph
    strict = eager + graph + data
    return {
        "tensor_cell": ref_compute + ref_ops.get("data_graph", 0) > 0,
        "tensor_cell_strict": ref_compute + ref_ops.get("data", 0) > 0,
        "eager_ops": eager,
        "graph_ops": graph + data_graph,
        "data_ops": data,
        "compiled_share": round((graph + data_graph) / total, 3) if total else None,
        "compiled_share_strict": round(graph / strict, 3) if strict else None,
    }
