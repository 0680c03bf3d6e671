"""Keras models and layers: a collapsible tree of layers with output shapes, parameters, dtype
policy and build state; compile settings; and for functional models, the layer graph as SVG."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.inspect.html import STYLE


@dataclass
class LayerRow:
    name: str
    kind: str
    output: str
    trainable: int
    frozen: int
    policy: str
    built: bool
    children: list[LayerRow] = field(default_factory=list)


def describe(layer: Any) -> LayerRow:
    """Never raises: an unbuilt model has no shapes or weights yet, and says so."""
    children = [describe(sub) for sub in getattr(layer, "layers", [])]
    return LayerRow(
        name=str(getattr(layer, "name", "?")),
        kind=type(layer).__name__,
        output=_output_shape(layer),
        trainable=_count(getattr(layer, "trainable_weights", [])),
        frozen=_count(getattr(layer, "non_trainable_weights", [])),
        policy=str(getattr(getattr(layer, "dtype_policy", None), "name", "?")),
        built=bool(getattr(layer, "built", False)),
        children=children,
    )


def compile_settings(model: Any) -> list[tuple[str, str]]:
    if not getattr(model, "compiled", False):
        return [("compiled", "no")]
    optimizer = getattr(model, "optimizer", None)
    rows = [("compiled", "yes")]
    if optimizer is not None:
        rate = getattr(optimizer, "learning_rate", None)
        try:
            rate_text = f"{float(np.asarray(rate)):.3g}"
        except (TypeError, ValueError):
            rate_text = type(rate).__name__  # a schedule
        rows.append(("optimizer", f"{type(optimizer).__name__} (learning rate {rate_text})"))
    loss = getattr(model, "loss", None)
    rows.append(
        ("loss", getattr(loss, "name", None) or getattr(loss, "__name__", None) or str(loss))
    )
    rows.append(("jit_compile", str(getattr(model, "jit_compile", "?"))))
    rows.append(("run_eagerly", str(getattr(model, "run_eagerly", "?"))))
    return rows


def text(layer: Any) -> str:
    row = describe(layer)
    lines = [f"<{row.kind} {row.name!r}: {_params(row)}{'' if row.built else ' · not built'}>"]
    for child in row.children:
        lines.extend(_text_rows(child, 1))
    if hasattr(layer, "compiled"):
        lines.append("  " + " · ".join(f"{k} {v}" for k, v in compile_settings(layer)))
    return "\n".join(lines)


def html_view(layer: Any) -> str:
    row = describe(layer)
    body = "".join(_html_row(child) for child in row.children) or _html_row(row)
    table = (
        "<table style='margin:2px 0'><tr>"
        + "".join(
            f"<th style='text-align:left;padding-right:12px'>{h}</th>"
            for h in ("layer", "output", "params (trainable / not)", "dtype policy")
        )
        + f"</tr>{body}</table>"
    )
    settings = ""
    if hasattr(layer, "compiled"):
        settings = (
            "<div>"
            + " · ".join(
                f"{html.escape(k)} <b>{html.escape(v)}</b>" for k, v in compile_settings(layer)
            )
            + "</div>"
        )
    graph = graph_svg(layer)
    title = f"{row.kind} {row.name!r}: {_params(row)}" + ("" if row.built else " · not built")
    return (
        f"<div class='workbench-inspect' style='{STYLE}'><details open><summary><b>"
        f"{html.escape(title)}</b></summary>{table}{settings}"
        + (f"<details><summary>layer graph</summary>{graph}</details>" if graph else "")
        + "</details></div>"
    )


def graph_svg(model: Any) -> str:
    """The functional graph, layers placed by depth from the inputs; empty if not functional."""
    try:
        config = model.get_config()
    except Exception:  # noqa: BLE001 - a subclassed model may not serialise
        return ""
    layers = config.get("layers") if isinstance(config, dict) else None
    if not layers or not any(layer.get("inbound_nodes") for layer in layers):
        return ""
    names = [layer["config"]["name"] for layer in layers]
    parents = {
        layer["config"]["name"]: sorted(set(_histories(layer.get("inbound_nodes", []))))
        for layer in layers
    }
    depth: dict[str, int] = {}

    def level(name: str, seen: frozenset[str] = frozenset()) -> int:
        if name not in depth:
            above = [p for p in parents.get(name, []) if p in parents and p not in seen]
            depth[name] = 1 + max((level(p, seen | {name}) for p in above), default=-1)
        return depth[name]

    for name in names:
        level(name)
    rows: dict[int, list[str]] = {}
    for name in names:
        rows.setdefault(depth[name], []).append(name)
    box_w, box_h, gap_x, gap_y = 130, 26, 20, 24
    width = max(len(r) for r in rows.values()) * (box_w + gap_x) + gap_x
    height = len(rows) * (box_h + gap_y) + gap_y
    where = {
        name: (gap_x + i * (box_w + gap_x), gap_y + d * (box_h + gap_y))
        for d, row in rows.items()
        for i, name in enumerate(row)
    }
    kinds = {layer["config"]["name"]: layer["class_name"] for layer in layers}
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'>"]
    for name, ups in parents.items():
        x2, y2 = where[name]
        for up in ups:
            if up in where:
                x1, y1 = where[up]
                parts.append(
                    f"<line x1='{x1 + box_w / 2}' y1='{y1 + box_h}' x2='{x2 + box_w / 2}' "
                    f"y2='{y2}' stroke='#999'/>"
                )
    for name, (x, y) in where.items():
        parts.append(
            f"<rect x='{x}' y='{y}' width='{box_w}' height='{box_h}' rx='4' fill='#fff7e6' "
            f"stroke='#ff8f00'/><text x='{x + 6}' y='{y + 17}' font-size='11'>"
            f"<title>{html.escape(kinds[name])}</title>{html.escape(name[:18])}</text>"
        )
    return "".join(parts) + "</svg>"


def _histories(node: Any) -> list[str]:
    """Layer names in ``keras_history`` entries of a layer config's inbound nodes (any nesting)."""
    found: list[str] = []
    if isinstance(node, dict):
        history = node.get("keras_history")
        if isinstance(history, list | tuple) and history:
            found.append(str(history[0]))
        for value in node.values():
            found.extend(_histories(value))
    elif isinstance(node, list | tuple):
        for value in node:
            found.extend(_histories(value))
    return found


def _output_shape(layer: Any) -> str:
    try:
        return str(tuple(layer.output.shape))
    except Exception:  # noqa: BLE001 - unbuilt, shared or subclassed layers have no single output
        return "?"


def _count(weights: Any) -> int:
    try:
        return int(sum(int(np.prod(w.shape)) for w in weights))
    except Exception:  # noqa: BLE001 - unbuilt weights have no shape yet
        return 0


def _params(row: LayerRow) -> str:
    total = row.trainable + row.frozen
    return f"{total:,} params ({row.trainable:,} trainable, {row.frozen:,} not)"


def _text_rows(row: LayerRow, indent: int) -> list[str]:
    pad = "  " * indent
    lines = [
        f"{pad}{row.name} ({row.kind}) -> {row.output} · {row.trainable + row.frozen:,} params"
        + ("" if row.built else " · not built")
    ]
    for child in row.children:
        lines.extend(_text_rows(child, indent + 1))
    return lines


def _html_row(row: LayerRow, indent: int = 0) -> str:
    name = html.escape(f"{row.name} ({row.kind})")
    cells = (
        # JupyterLab right-aligns table cells by default: names and shapes read from the left
        f"<td style='text-align:left;padding-left:{indent * 14}px;padding-right:12px'>{name}"
        f"{'' if row.built else ' <i>not built</i>'}</td>"
        f"<td style='text-align:left;padding-right:12px'>{html.escape(row.output)}</td>"
        f"<td style='text-align:right;padding-right:12px'>{row.trainable:,} / {row.frozen:,}</td>"
        f"<td style='text-align:left'>{html.escape(row.policy)}</td>"
    )
    children = "".join(_html_row(child, indent + 1) for child in row.children)
    return f"<tr>{cells}</tr>{children}"
