"""The slowest stage of the ``tf.data`` pipeline, from xprof's ``input_pipeline_analyzer``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from workbench.profiler.tables import find_table

__all__ = ["Stage", "slowest_stage"]


@dataclass
class Stage:
    """A ``tf.data`` iterator (``Iterator::Root::MapAndBatch``) and its share of input time."""

    iterator: str
    self_ms: float
    share: float
    pipeline: str = ""  # the longest iterator path: the pipeline's structure, outermost first

    @property
    def name(self) -> str:
        """The stage as tf.data names it: ``MapAndBatch`` of ``Iterator::Root::MapAndBatch``."""
        last = self.iterator.split("::")[-1]
        return re.sub(r"\[\d+\]$", "", last) or self.iterator


def slowest_stage(data: Any) -> Stage | None:
    """The input op with the most self time, or None when the capture has none."""
    table = find_table(data, ("opName", "selfTimeInMs"))
    if table is None or not table.rows:
        return None
    total = sum(table.number(r, "selfTimeInMs") for r in table.rows)
    row = max(table.rows, key=lambda r: table.number(r, "selfTimeInMs"))
    self_ms = table.number(row, "selfTimeInMs")
    if self_ms <= 0:
        return None
    pipeline = max((str(r.get("opName", "")) for r in table.rows), key=len)
    share = self_ms / total if total > 0 else 0.0
    return Stage(str(row.get("opName", "")), self_ms, share, pipeline)
