"""A schema inferred from training data, edited, saved and loaded as JSON; ``validate`` lists a
hand-made violation of each kind in words, with its feature, its example count and offending
values, and finds nothing in clean data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import workbench
from workbench.data.schema import FeatureSchema, Schema


def _people(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "income": rng.normal(50_000, 9_000, n),
            "country": rng.choice(["NZ", "FR", "JP"], n),
        }
    )


@pytest.fixture
def schema() -> Schema:
    return workbench.stats(_people(2_000, 0)).infer_schema()


def test_inferred_schema_edited_and_kept_as_json(schema: Schema, tmp_path: Path) -> None:
    assert schema["age"] == FeatureSchema("age", "int", True, [], 18, 89)
    assert schema["country"].values == ["FR", "JP", "NZ"]
    assert (schema["income"].type, schema["income"].min, schema["income"].max) == (
        "float",
        None,
        None,
    )
    schema["age"].min, schema["age"].max = 0, 120
    path = tmp_path / "schema.json"
    schema.save(path)
    again = Schema.load(path)
    assert again == schema
    assert "age: int, required, single value, 0 to 120" in again.text()
    assert "workbench-data-schema" in again._repr_html_()
    path.write_text('{"features": [{"name": "a", "type": "text"}]}')
    with pytest.raises(
        ValueError,
        match=r"schema\.json: feature 'a': expected a type in \['int', 'float', 'string'\]\. "
        r"Received: 'text'",
    ):
        Schema.load(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match=r"schema\.json: Expected a schema as JSON"):
        Schema.load(path)


def test_clean_data_has_no_anomalies(schema: Schema) -> None:
    serving = _people(500, 1)
    found = workbench.validate(serving, schema)
    assert not found
    assert found.text() == "<no anomalies in 500 examples>"


def test_each_violation_is_listed_with_its_examples_and_values(schema: Schema) -> None:
    bad = _people(500, 2).drop(columns="income")
    bad.loc[:2, "age"] = [-3, 150, 151]
    bad.loc[10:13, "country"] = ["DE", "DE", "US", "DE"]
    bad["country"] = bad["country"].astype(object)
    bad.loc[20, "country"] = None
    bad["extra"] = 1.0
    found = workbench.validate(bad, schema)
    by_kind = {a.kind: a for a in found}
    assert set(by_kind) == {
        "out of range",
        "new category",
        "missing values",
        "missing feature",
        "new feature",
    }
    age = by_kind["out of range"]
    assert (age.feature, age.examples, age.values) == ("age", 3, [-3.0, 150.0, 151.0])
    assert (
        age.description == "values outside 18 to 89: 1 below 18 (least -3), 2 above 89 (most 151)"
    )
    country = by_kind["new category"]
    assert (country.examples, country.values) == (4, ["DE", "US"])
    assert by_kind["missing values"].examples == 1
    assert by_kind["missing feature"].feature == "income"
    assert by_kind["new feature"].severity == "warning"
    assert "age: out of range: values outside 18 to 89" in found.text()
    assert found.features == ["age", "country", "extra", "income"]
    # from statistics alone the counts come from the sketch, and say so
    from_stats = workbench.validate(workbench.stats(bad), schema)
    assert next(a for a in from_stats if a.kind == "out of range").description.startswith(
        "values outside 18 to 89: about"
    )


def test_type_and_shape_changes(schema: Schema) -> None:
    images = workbench.stats({"img": np.zeros((10, 4, 4))}).infer_schema()
    assert images["img"].shape == [4, 4]
    found = workbench.validate({"img": np.zeros((6, 4, 5))}, images)
    assert [(a.kind, a.examples, a.values) for a in found] == [("shape", 6, ["(4, 5)"])]
    strings = workbench.validate(pd.DataFrame({"age": ["old"] * 3}), Schema({"age": schema["age"]}))
    assert [(a.kind, a.description) for a in strings] == [
        ("type", "expected int values, found string (str)")
    ]
    with pytest.raises(TypeError, match="Expected a Schema"):
        workbench.validate(pd.DataFrame({"a": [1]}), {"a": "int"})  # type: ignore[arg-type]
