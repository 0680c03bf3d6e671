"""xprof's tables as Python: the tools answer with Google-DataTable-style JSON (a list of
``{"cols": [{"id": ...}], "rows": [{"c": [{"v": ...}]}], "p": {...}}``), rendered by Google Charts
in XProf's own pages. Here each table becomes its column ids, its rows as dicts and its properties,
and a tool's answer is searched for the table that has the columns a reader needs (their order in
the list changed between xprof versions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Table", "find_table", "tables"]


@dataclass
class Table:
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)

    def number(self, row: dict[str, Any], column: str) -> float:
        """A cell as a float (0.0 when empty or not a number)."""
        try:
            return float(row.get(column) or 0.0)
        except (TypeError, ValueError):
            return 0.0

    def property_number(self, name: str) -> float | None:
        """A property such as ``"infeed_time_ms_avg": "173.5"`` or ``"12.5%"`` as a float."""
        value = self.properties.get(name)
        if value is None:
            return None
        try:
            return float(str(value).rstrip("%"))
        except ValueError:
            return None


def tables(data: Any) -> list[Table]:
    """Every table of a tool's answer (a list of tables, or one table)."""
    items = data if isinstance(data, list) else [data]
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        columns = [str(c.get("id", "")) for c in item.get("cols", []) if isinstance(c, dict)]
        rows = []
        for row in item.get("rows", []):
            cells = row.get("c", []) if isinstance(row, dict) else []
            values = [cell.get("v") if isinstance(cell, dict) else None for cell in cells]
            rows.append(dict(zip(columns, values, strict=False)))
        properties = item.get("p")
        found.append(Table(columns, rows, dict(properties) if isinstance(properties, dict) else {}))
    return found


def find_table(data: Any, needs: Iterable[str]) -> Table | None:
    """The first table of ``data`` that has every column in ``needs``."""
    wanted = set(needs)
    for table in tables(data):
        if wanted <= set(table.columns):
            return table
    return None
