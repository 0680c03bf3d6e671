"""``workbench.inspect_gradients(model, batch)``: the gradient of the loss for every trainable
variable, with missing, vanishing and exploding ones flagged."""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from typing import Any

import tensorflow as tf

from workbench.inspect.html import box

VANISHING = 1e-7
EXPLODING = 1e3


@dataclass
class GradientReport:
    """Per-variable gradient norms; ``norms`` stay tensors, so an outer tape can differentiate
    through them (higher-order gradients)."""

    loss: tf.Tensor
    names: list[str]
    norms: list[tf.Tensor | None]  # None: the variable gets no gradient from this loss

    @property
    def total_norm(self) -> tf.Tensor:
        present = [n for n in self.norms if n is not None]
        return tf.sqrt(tf.add_n([tf.square(n) for n in present])) if present else tf.constant(0.0)

    def flags(self) -> dict[str, str]:
        flagged = {}
        for name, norm in zip(self.names, self.norms, strict=True):
            if norm is None:
                flagged[name] = "no gradient (not connected to the loss)"
            else:
                value = float(norm)
                if value != value or value in (float("inf"), float("-inf")):
                    flagged[name] = f"non-finite ({value})"
                elif value < VANISHING:
                    flagged[name] = f"vanishing ({value:.2g})"
                elif value > EXPLODING:
                    flagged[name] = f"exploding ({value:.3g})"
        return flagged

    def __repr__(self) -> str:
        flags = self.flags()
        lines = [f"<gradients of loss {float(self.loss):.4g}: {len(flags)} flagged>"]
        for name, norm in zip(self.names, self.norms, strict=True):
            value = "None" if norm is None else f"{float(norm):.3g}"
            mark = f"  ! {flags[name]}" if name in flags else ""
            lines.append(f"  {name}: {value}{mark}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        flags = self.flags()
        finite = [float(n) for n in self.norms if n is not None and float(n) == float(n)]
        top = max(finite, default=1.0) or 1.0
        rows = []
        for name, norm in zip(self.names, self.norms, strict=True):
            value = None if norm is None else float(norm)
            width = 0 if value is None or value != value else min(value / top, 1.0) * 120
            color = "#d62728" if name in flags else "#1f77b4"
            bar = (
                f"<span style='display:inline-block;width:{width:.0f}px;height:8px;"
                f"background:{color}'></span>"
            )
            text = "None" if value is None else f"{value:.3g}"
            flag = (
                f" <span style='color:#d62728'>{html_lib.escape(flags[name])}</span>"
                if name in flags
                else ""
            )
            rows.append(
                f"<tr><td style='padding-right:12px'>{html_lib.escape(name)}</td>"
                f"<td style='padding-right:8px'>{text}</td><td>{bar}{flag}</td></tr>"
            )
        title = f"gradients of loss {float(self.loss):.4g}: {len(flags)} flagged"
        return box(title, f"<table>{''.join(rows)}</table>")


def inspect_gradients(model: Any, batch: Any, loss: Any = None) -> GradientReport:
    """Gradient norms of ``loss(y, model(x))`` for each trainable variable of ``model``.

    Args:
        model: a built Keras model.
        batch: ``(x, y)`` or ``(x, y, sample_weight)``, as ``fit`` takes them.
        loss: a ``loss(y_true, y_pred)`` callable; default the model's compiled loss.

    Returns:
        A ``GradientReport``. The forward pass runs with ``training=True``; the model's
        non-trainable variables (BatchNormalization moving statistics, seed states) are restored
        afterwards, so the inspection leaves the model as it was.

    Raises:
        ValueError: the model is not built, the batch is not ``(x, y[, sample_weight])``, or
            there is neither a compiled loss nor ``loss``.

    Works inside an outer ``tf.GradientTape``: the norms are differentiable tensors.
    """
    if not getattr(model, "built", False):
        raise ValueError(
            "Expected a built model: call it on a batch, or fit it once, before inspecting its "
            "gradients."
        )
    if not isinstance(batch, tuple | list) or len(batch) not in (2, 3):
        raise ValueError(
            "Expected batch to be (x, y) or (x, y, sample_weight), as model.fit takes them. "
            f"Received: {type(batch).__name__}"
            + (f" of length {len(batch)}" if isinstance(batch, tuple | list) else "")
        )
    x, y = batch[0], batch[1]
    weight = batch[2] if len(batch) == 3 else None
    if loss is None and not getattr(model, "compiled", False):
        raise ValueError(
            "Expected a compiled model or a loss: model.compile(loss=...), or pass "
            "loss=keras.losses.MeanSquaredError()."
        )
    variables = list(model.trainable_variables)
    # training=True makes layers update state as they would in fit (BatchNormalization's moving
    # statistics, dropout seeds): put it back, so inspecting a model does not change it.
    state = list(model.non_trainable_variables)
    saved = [tf.identity(tf.convert_to_tensor(v)) for v in state]
    try:
        with tf.GradientTape() as tape:
            prediction = model(x, training=True)
            if loss is not None:
                value = loss(y, prediction) if weight is None else loss(y, prediction, weight)
            else:
                value = model.compute_loss(x=x, y=y, y_pred=prediction, sample_weight=weight)
    finally:
        for variable, before in zip(state, saved, strict=True):
            variable.assign(before)
    grads = tape.gradient(value, variables)
    norms = [None if g is None else _norm(g) for g in grads]
    names = [getattr(v, "path", None) or v.name for v in variables]
    return GradientReport(loss=value, names=names, norms=norms)


def _norm(gradient: Any) -> tf.Tensor:
    """The norm of the dense gradient, computed without building it: an embedding's gradient is
    ``tf.IndexedSlices`` over the looked-up rows, where densifying means a table-sized tensor."""
    if isinstance(gradient, tf.IndexedSlices):
        # a row looked up twice appears twice; the dense gradient holds their sum
        unique, position = tf.unique(gradient.indices)
        rows = tf.math.unsorted_segment_sum(gradient.values, position, tf.size(unique))
        return tf.norm(rows)
    return tf.norm(gradient)
