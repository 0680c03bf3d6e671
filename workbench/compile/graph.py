"""What compilation did to a traced function: Grappler's rewrites, placement, and XLA's HLO.

``workbench.graph(fn, *args)`` and ``%%compile function --graph`` (:func:`capture_cell`) show,
for each traced function:

* op counts by type before Grappler (the function's FunctionDef) and after it, and which of
  Grappler's optimizers changed what: the graph is optimized again and again with one more
  optimizer enabled each time, in the meta-optimizer's order (``tf_optimizer.OptimizeGraph``
  with ``rewrite_options.optimizers``), and each step's difference is that optimizer's doing;
* the device each op was placed on, from the partition graphs TensorFlow reports in its run
  metadata when it prepares the function (once, at its first call: a function prepared before
  the capture reports none, and the report says so);
* for a function compiled by XLA (``jit_compile=True``), the HLO op summary of the optimized
  module's entry computation and its fusions (``experimental_get_compiler_ir``), with the HLO
  before and after XLA's passes as collapsible text.
"""

from __future__ import annotations

import collections
import contextlib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import tensorflow as tf
from tensorflow.core.protobuf import config_pb2
from tensorflow.python.eager import context
from tensorflow.python.framework import function_def_to_graph, op_callbacks
from tensorflow.python.grappler import tf_optimizer

from workbench.compile.codegen import CELL_FUNCTION

# Grappler's meta-optimizer order (meta_optimizer.cc) under the names RewriterConfig takes
OPTIMIZERS = (
    "pruning",
    "function",
    "common_subgraph_elimination",
    "constfold",
    "shape",
    "arithmetic",
    "layout",
    "remap",
    "loop",
    "dependency",
    "memory",
)
_HLO_OP = re.compile(r"^\s*(?:ROOT\s+)?%?[\w.\-]+\s*=\s*(?:\([^=]*?\)|\S+)\s+([\w\-]+)\(")
_FUSION_KIND = re.compile(r"kind=(k\w+)")
_CALLS = re.compile(r"calls=%?([\w.\-]+)")


@dataclass
class Pass:
    optimizer: str
    added: dict[str, int]
    removed: dict[str, int]


@dataclass
class FunctionGraph:
    """One traced function, before and after what TensorFlow did to it."""

    name: str
    xla: bool
    before: dict[str, int]
    after: dict[str, int]
    passes: list[Pass]
    placement: dict[str, dict[str, int]]  # device -> op type -> count
    hlo_ops: dict[str, int] = field(default_factory=dict)
    fusions: list[tuple[str, str, int]] = field(default_factory=list)  # name, kind, ops inside
    hlo: str = ""
    optimized_hlo: str = ""
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        short = re.sub(r"^__inference_(.+)_\d+$", r"\1", self.name)
        if short == CELL_FUNCTION:  # the generated function's name means nothing to the user
            short = "the cell's compiled lines"
        out = [
            f"{short}{' (XLA)' if self.xla else ''}: {sum(self.before.values())} ops before "
            f"Grappler, {sum(self.after.values())} after",
            "  before: " + _counts(self.before),
            "  after:  " + _counts(self.after),
        ]
        for step in self.passes:
            change = ", ".join(
                [f"+{n} {op}" for op, n in step.added.items()]
                + [f"-{n} {op}" for op, n in step.removed.items()]
            )
            out.append(f"  {step.optimizer}: {change}")
        if not self.passes:
            out.append("  Grappler changed no op count")
        for device, ops in self.placement.items():
            out.append(f"  placed on {device}: {_counts(ops)}")
        if self.xla:
            out.append("  HLO (optimized, entry computation): " + _counts(self.hlo_ops))
            for name, kind, size in self.fusions:
                out.append(f"  fusion {name}: {kind}, {size} ops")
        out.extend(f"  {note}" for note in self.notes)
        return out


@dataclass
class GraphReport:
    """What ``workbench.graph`` returns and ``%%compile --graph`` shows (text and HTML)."""

    functions: list[FunctionGraph]

    def __repr__(self) -> str:
        if not self.functions:
            return "graph: no traced function ran"
        return "\n".join(line for f in self.functions for line in f.lines())

    def _repr_html_(self) -> str:
        if not self.functions:
            return "<div>graph: no traced function ran</div>"
        parts = []
        for f in self.functions:
            rows = "".join(f"<div>{html.escape(line)}</div>" for line in f.lines()[1:])
            texts = "".join(
                f"<details><summary>{html.escape(title)}</summary>"
                f"<pre style='max-height:400px;overflow:auto'>{html.escape(text)}</pre></details>"
                for title, text in (("HLO", f.hlo), ("optimized HLO", f.optimized_hlo))
                if text
            )
            parts.append(
                "<div class='workbench-graph' style='font-family:var(--jp-code-font-family,"
                "monospace);font-size:12px;border-left:3px solid #ff8f00;padding:2px 8px;"
                f"margin-bottom:4px'><div><b>{html.escape(f.lines()[0])}</b></div>{rows}{texts}"
                "</div>"
            )
        return "".join(parts)


def _counts(counts: dict[str, int]) -> str:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{op} {n}" for op, n in ordered) or "-"


def graph(fn: Any, *args: Any, **kwargs: Any) -> GraphReport:
    """What TensorFlow does to ``fn`` traced for ``args``: Grappler, placement, XLA.

    Args:
        fn: a ``tf.function`` (``jit_compile=True`` for the XLA section) or a Python function
            (traced as ``tf.function(fn)``).
        *args, **kwargs: what ``fn`` would be called with (tensors, or values to trace for).

    Returns:
        A :class:`GraphReport` (its repr is text, Jupyter shows its HTML). Nothing is run: the
        placement is the one TensorFlow reported if ``fn`` was first prepared inside
        :func:`capture_cell`, else a note.

    Example:
        >>> step = tf.function(lambda x: tf.nn.relu(x @ tf.ones([3, 2]) + 1.0))  # doctest: +SKIP
        >>> workbench.graph(step, tf.ones([4, 3]))  # doctest: +SKIP
    """
    if not hasattr(fn, "get_concrete_function"):
        fn = tf.function(fn)
    concrete = fn.get_concrete_function(*args, **kwargs)
    fdef = concrete.function_def
    xla = _is_xla(fdef)
    ir = fn.experimental_get_compiler_ir(*args, **kwargs) if xla else None
    return GraphReport([_function_graph(fdef, ir, [])])


@contextlib.contextmanager
def capture_cell() -> Iterator[list[GraphReport]]:
    """Record the functions a cell calls (an op callback sees each call, with its inputs) and
    the graphs TensorFlow prepares meanwhile (run metadata); the list it yields gets the report."""
    calls: dict[str, list[Any]] = {}

    def record(
        op_type: Any, inputs: Any, attrs: Any, outputs: Any, op_name: Any = None, graph: Any = None
    ) -> None:
        name = op_type.decode() if isinstance(op_type, bytes) else str(op_type)
        if graph is None and name.startswith("__inference_") and name not in calls:
            calls[name] = list(inputs)

    ctx = context.context()
    out: list[GraphReport] = []
    op_callbacks.add_op_callback(record)
    ctx.enable_run_metadata()
    try:
        yield out
    finally:
        op_callbacks.remove_op_callback(record)
        metadata = ctx.export_run_metadata()
        ctx.disable_run_metadata()
    functions = []
    for name, inputs in calls.items():
        try:
            fdef = ctx.get_function_def(name)
        except tf.errors.NotFoundError:
            continue  # a helper TensorFlow ran once and let go (variables' initializers)
        xla = _is_xla(fdef)
        ir = _compiler_ir(name, inputs) if xla else None
        # an XLA function runs as one compiled computation, not through the graph runtime
        functions.append(_function_graph(fdef, ir, [] if xla else _partitions(fdef, metadata)))
    out.append(GraphReport(functions))


def _partitions(fdef: Any, metadata: Any) -> list[Any]:
    """The partition graphs of the function graph TensorFlow prepared for ``fdef``. Run metadata
    does not name its functions: the prepared graph is the body plus ``_Arg``/``_Retval`` nodes,
    so the one holding (nearly) the same named ops is it."""
    body = {(node.name, node.op) for node in fdef.node_def}
    best, score = None, 0.9
    for function_graph in metadata.function_graphs:
        held = {
            (node.name, node.op)
            for node in function_graph.pre_optimization_graph.node
            if node.op not in ("_Arg", "_Retval")
        }
        overlap = len(body & held) / max(len(body | held), 1)
        if overlap >= score:
            best, score = function_graph, overlap
    return list(best.partition_graphs) if best is not None else []


def _is_xla(fdef: Any) -> bool:
    attr = fdef.attr.get("_XlaMustCompile")
    return bool(attr is not None and attr.b)


def _compiler_ir(name: str, inputs: list[Any]) -> Any:
    device = str(getattr(inputs[0], "device", "") or "") if inputs else ""
    device = device or "/job:localhost/replica:0/task:0/device:CPU:0"
    platform = "GPU" if "GPU" in device else "CPU"

    def ir(stage: str) -> str:
        text = context.context().get_compiler_ir(
            device_name=device,
            platform_name=platform,
            function_name=name,
            flat_args=inputs,
            captured_inputs=[],
            stage=stage,
        )
        return text.decode() if isinstance(text, bytes) else str(text)

    return ir


def _function_graph(fdef: Any, ir: Any, partitions: list[Any]) -> FunctionGraph:
    name = fdef.signature.name
    func_graph = function_def_to_graph.function_def_to_graph(fdef)
    graph_def = func_graph.as_graph_def()
    before = _op_counts(graph_def)
    # The runtime places a function's ops before Grappler sees them, and some passes act only on
    # placed ops (the remapper fuses MatMul+BiasAdd+Relu on a CPU): place them as it would.
    device = _default_device()
    for node in graph_def.node:
        node.device = node.device or device
    passes, after = _grappler(func_graph, graph_def, before)
    placement: dict[str, dict[str, int]] = {}
    for partition in partitions:
        for node in partition.node:
            device = node.device.rsplit("/device:", 1)[-1] or "unplaced"
            ops = placement.setdefault(device, {})
            ops[node.op] = ops.get(node.op, 0) + 1
    notes = []
    if not placement and not ir:
        devices = [d.name.rsplit("/device:", 1)[-1] for d in tf.config.list_logical_devices()]
        notes.append(
            "placement not reported: TensorFlow reports it once, when it first prepares a "
            "function (run the cell with --graph after a change, or in a new kernel); devices "
            "here: " + ", ".join(devices)
        )
    if ir is not None:
        notes.append(
            "XLA compiles this function's graph as one computation on "
            + device.rsplit("/device:", 1)[-1]
            + ": the Grappler counts above are the graph runtime's view, the HLO is what runs"
        )
    report = FunctionGraph(
        name,
        ir is not None,
        before,
        after,
        passes,
        {d: dict(c) for d, c in placement.items()},
        notes=notes,
    )
    if ir is not None:
        report.hlo = ir("hlo")
        report.optimized_hlo = ir("optimized_hlo")
        report.hlo_ops, report.fusions = hlo_summary(report.optimized_hlo)
    return report


def _default_device() -> str:
    gpus = tf.config.list_logical_devices("GPU")
    return gpus[0].name if gpus else "/job:localhost/replica:0/task:0/device:CPU:0"


def _op_counts(graph_def: Any) -> dict[str, int]:
    return dict(collections.Counter(node.op for node in graph_def.node))


def _grappler(
    func_graph: Any, graph_def: Any, before: dict[str, int]
) -> tuple[list[Pass], dict[str, int]]:
    meta = tf.compat.v1.train.export_meta_graph(graph_def=graph_def, graph=func_graph)
    fetch = meta.collection_def["train_op"]
    for tensor in func_graph.outputs:
        fetch.node_list.value.append(tensor.name)
    passes = []
    previous = collections.Counter(before)
    for count in range(1, len(OPTIMIZERS) + 1):
        config = config_pb2.ConfigProto()
        rewrite = config.graph_options.rewrite_options
        rewrite.optimizers.extend(OPTIMIZERS[:count])
        rewrite.min_graph_nodes = -1  # small functions too (Grappler skips < 4 nodes by default)
        optimized = collections.Counter(_op_counts(tf_optimizer.OptimizeGraph(config, meta)))
        if optimized != previous:
            passes.append(
                Pass(OPTIMIZERS[count - 1], dict(optimized - previous), dict(previous - optimized))
            )
        previous = optimized
    return passes, dict(previous)


def hlo_summary(text: str) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    """The entry computation's op counts and its fusions (name, kind, ops inside) of HLO text."""
    computations: dict[str, list[str]] = {}
    entry = None
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if current is None and stripped.endswith("{") and "=" not in stripped.split("(")[0]:
            head = stripped.split("(")[0].split()
            if not head:
                continue
            name = head[-1].lstrip("%")
            current = computations.setdefault(name, [])
            if head[0] == "ENTRY":
                entry = name
        elif stripped == "}":
            current = None
        elif current is not None:
            current.append(stripped)
    ops: collections.Counter[str] = collections.Counter()
    fusions = []
    for line in computations.get(entry or "", []):
        match = _HLO_OP.match(line)
        if not match:
            continue
        ops[match[1]] += 1
        if match[1] == "fusion":
            kind = _FUSION_KIND.search(line)
            calls = _CALLS.search(line)
            inner = computations.get(calls[1], []) if calls else []
            size = sum(1 for op in inner if _HLO_OP.match(op) and "parameter(" not in op)
            fusions.append(
                (
                    line.split("=")[0].replace("ROOT", "").strip().lstrip("%"),
                    kind[1] if kind else "?",
                    size,
                )
            )
    return dict(ops), fusions


@contextlib.contextmanager
def show_graph(shell: Any) -> Iterator[None]:
    """``%%compile --graph``: capture the cell's functions, then display the report in ``shell``
    (not after a failing cell: its error says what went wrong)."""
    with capture_cell() as out:
        yield
    report = out[0]
    shell.display_pub.publish(
        data={"text/plain": repr(report), "text/html": report._repr_html_()}, metadata={}
    )
