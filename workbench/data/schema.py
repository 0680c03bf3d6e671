"""A schema: what each feature must be (type, whether every example has it, its shape, its range
or its categories), inferred from statistics, edited in Python, kept as JSON."""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

from workbench.data.html import MUTED, box, cell, new_id, sortable
from workbench.data.text import num

# workbench.data.stats's types, loosely: that module imports this one to draw
# itself, and tests/unit/test_layers.py forbids import cycles
DataStats: TypeAlias = Any
FeatureStats: TypeAlias = Any

TYPES = ("int", "float", "string")
VERSION = 1


@dataclass
class FeatureSchema:
    """What one feature must be.

    Attributes:
        name: the feature's name.
        type: "int", "float" or "string" (booleans are "int", as in TFDV).
        required: whether every example must have a value.
        shape: each example's shape ([] for a single value, [28, 28] for an image), or None when
            it may vary (lists, sequences).
        min: the least value allowed (numbers), None for no bound.
        max: the most value allowed (numbers), None for no bound.
        values: the categories allowed (strings), None for any.
    """

    name: str
    type: str
    required: bool = True
    shape: list[int] | None = field(default_factory=list)
    min: float | None = None
    max: float | None = None
    values: list[str] | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(
                f"feature {self.name!r}: expected a type in {list(TYPES)}. Received: {self.type!r}"
            )


@dataclass
class Schema:
    """Features by name; ``schema["age"].max = 120`` edits one, ``del schema["id"]`` drops one.

    Example:
        >>> schema = workbench.stats(train).infer_schema()
        >>> schema["age"].min, schema["age"].max = 0, 120
        >>> schema["country"].values.append("NZ")
        >>> schema.save("schema.json")
        >>> workbench.validate(serving, Schema.load("schema.json"))
    """

    features: dict[str, FeatureSchema]

    def __getitem__(self, name: str) -> FeatureSchema:
        try:
            return self.features[name]
        except KeyError:
            raise KeyError(
                f"Expected a feature in {sorted(self.features)}. Received: {name!r}"
            ) from None

    def __delitem__(self, name: str) -> None:
        self[name]
        del self.features[name]

    def __setitem__(self, name: str, feature: FeatureSchema) -> None:
        feature.name = name
        self.features[name] = feature

    def __iter__(self) -> Any:
        return iter(self.features.values())

    def __len__(self) -> int:
        return len(self.features)

    def to_json(self) -> str:
        return json.dumps(
            {"version": VERSION, "features": [asdict(f) for f in self]}, indent=1, allow_nan=False
        )

    @classmethod
    def from_json(cls, text: str) -> Schema:
        """Reads :meth:`to_json`'s text.

        Raises:
            ValueError: naming what is wrong, for text that is not such a schema.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(
                f"Expected a schema as JSON. Received text that is not JSON: {error}"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("features"), list):
            raise ValueError(
                "Expected a schema as JSON: an object with a 'features' list. "
                "Received: something else"
            )
        features = {}
        for i, item in enumerate(data["features"]):
            try:
                feature = FeatureSchema(**item)
            except TypeError as error:
                raise ValueError(f"feature {i} of the schema: {error}") from None
            features[feature.name] = feature
        return cls(features)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json() + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Schema:
        try:
            return cls.from_json(Path(path).read_text())
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None

    def text(self) -> str:
        lines = [f"<schema: {len(self)} features>"]
        for f in self:
            lines.append(f"  {f.name}: {_what(f)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        rows = [
            [
                cell(f"<b>{html.escape(f.name)}</b>", f.name, "text-align:left", raw=True),
                cell(f.type),
                cell("yes" if f.required else "no"),
                cell(_shape(f.shape)),
                cell(_domain(f), style="text-align:left;white-space:normal;max-width:40em"),
            ]
            for f in self
        ]
        table = sortable(["feature", "type", "required", "shape", "allowed"], rows)
        note = (
            f"<div style='{MUTED}'>edit: schema['f'].max = 10 · "
            "save: schema.save('schema.json')</div>"
        )
        return box(
            new_id("schema"), f"Schema: {len(self)} features", table + note, "workbench-data-schema"
        )


def _shape(shape: list[int] | None) -> str:
    if shape is None:
        return "varies"
    if not shape:
        return "single value"
    # as the statistics print shapes: "(2,)" for one dimension
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _domain(f: FeatureSchema) -> str:
    if f.type == "string":
        if f.values is None:
            return "any"
        shown = ", ".join(repr(v) for v in f.values[:12])
        return shown + (f" +{len(f.values) - 12} more" if len(f.values) > 12 else "")
    if f.min is None and f.max is None:
        return "any"
    low = num(f.min) if f.min is not None else "-inf"
    return f"{low} to {num(f.max) if f.max is not None else 'inf'}"


def _what(f: FeatureSchema) -> str:
    return f"{f.type}, {'required' if f.required else 'optional'}, {_shape(f.shape)}, {_domain(f)}"


def infer_schema(stats: DataStats, max_categories: int = 100) -> Schema:
    """The schema the data of ``stats`` meets: each feature's type; required when no example
    lacked it; its shape when every example had the same; the range of an integer feature's
    values (floats get none: a new sample of the same data would break it); and for
    strings with at most ``max_categories`` distinct values (counted exactly), those values.
    """
    return Schema({f.name: _infer(f, max_categories) for f in stats})


def _infer(f: FeatureStats, max_categories: int) -> FeatureSchema:
    shapes = [s for s, _ in f.shapes]
    shape: list[int] | None = None
    # one shape throughout, lists of one length too (their values per example, as the statistics
    # count them); "other" is never the only one (it counts shapes past 64 others)
    if len(shapes) == 1:
        shape = [int(d) for d in shapes[0].strip("(,)").split(",") if d.strip()]
    if f.kind == "string":
        values = None
        if f.distinct_exact and f.distinct <= max_categories:
            values = sorted(v for v, _ in f.top) if f.distinct <= len(f.top) else None
        return FeatureSchema(f.name, "string", f.missing == 0, shape, values=values)
    integer = f.dtype.startswith(("int", "uint", "Int", "UInt", "bool"))
    # integers keep their observed range; floats get none, as a fresh sample of the same
    # distribution falls past its training min and max (set one by hand where it means something)
    low = f.min if f.count and integer else None
    high = f.max if f.count and integer else None
    return FeatureSchema(f.name, "int" if integer else "float", f.missing == 0, shape, low, high)
