"""The TensorFlow ops that took the time: xprof's ``framework_op_stats``, by self time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.profiler.tables import Table, find_table

__all__ = ["TopOp", "top_ops"]

_NEEDS = ("type", "operation", "occurrences", "total_self_time")


@dataclass
class TopOp:
    """An op (``operation``: its full name in the graph) and its self time over the capture."""

    operation: str
    type: str  # the op type: MatMul, Dataset, ...
    where: str  # Host or Device
    count: int
    self_us: float
    share: float  # of the summed self time of every op (idle excluded)

    @property
    def short(self) -> str:
        """The operation's last name scope part: ``dense_1/Relu`` of a long graph path."""
        parts = self.operation.split("/")
        return "/".join(parts[-2:]) if len(parts) > 2 else self.operation


def top_ops(data: Any, limit: int = 10) -> list[TopOp]:
    """The ``limit`` ops with the most self time (xprof's idle time left out)."""
    table = _table(data)
    if table is None:
        return []
    rows = [r for r in table.rows if str(r.get("type")) != "IDLE"]
    total = sum(table.number(r, "total_self_time") for r in rows)
    ops = [
        TopOp(
            operation=str(r.get("operation", "")),
            type=str(r.get("type", "")),
            where=str(r.get("host_or_device", "")),
            count=int(table.number(r, "occurrences")),
            self_us=table.number(r, "total_self_time"),
            share=table.number(r, "total_self_time") / total if total > 0 else 0.0,
        )
        for r in rows
    ]
    ops.sort(key=lambda op: op.self_us, reverse=True)
    return ops[:limit]


def _table(data: Any) -> Table | None:
    # xprof gives the table twice, with and without the IDLE row; either does here
    return find_table(data, _NEEDS)
