"""A schema inferred from training data, edited, saved and loaded as JSON; ``validate`` lists a
hand-made violation of each kind in words, with its feature, its example count and offending
values, and finds nothing in clean data."""

from __future__ import annotations

import re
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


def test_every_anomaly_is_said_in_words_with_its_counts_and_values() -> None:
    from workbench.data.validate import Anomaly

    schema = Schema(
        {
            "age": FeatureSchema("age", "int", True, [], 0, 120),
            "score": FeatureSchema("score", "float", False, [], None, 1.0),
            "tags": FeatureSchema("tags", "int", True, [2]),
            "grid": FeatureSchema("grid", "int", True, [2, 2]),
            "city": FeatureSchema("city", "string", True, [], values=["Paris"]),
            "note": FeatureSchema("note", "string", True, [], values=None),  # any category
            "gone": FeatureSchema("gone", "float", True, []),
            "optional": FeatureSchema("optional", "float", False, []),
        }
    )
    data = {
        "age": np.array([1, 2, 3, 4]),
        "score": np.array([0.5, 2.0, np.nan, 3.0]),
        "tags": np.array([[1, 2, 3]] * 4),
        "grid": np.ones((4, 3, 3), np.int64),
        "city": np.array(["Paris", "Oslo", "Paris", "Paris"]),
        "note": np.array(["a", "b", "c", "d"]),
        "extra": np.ones(4),
    }
    found = workbench.validate(data, schema)
    assert found.text() == "\n".join(
        [
            "<7 anomalies in 4 examples>",
            "  score: out of range: values outside -inf to 1: 2 above 1 (most 3) (e.g. 2, 3)",
            "  tags: shape: 4 examples are not of shape (2,) (e.g. (3,))",
            "  grid: shape: 4 examples are not of shape (2, 2) (e.g. (3, 3))",
            "  city: new category: 1 value is not among the 1 allowed categories (e.g. 'Oslo')",
            "  gone: missing feature: the data has no feature 'gone' (required)",
            "  optional: missing feature: the data has no feature 'optional'",
            "  extra: new feature: a feature the schema does not list",
        ]
    )
    assert [(a.feature, a.examples) for a in found if a.kind == "missing feature"] == [
        ("gone", 4),
        ("optional", 4),
    ]
    assert [a.examples for a in found if a.kind == "shape"] == [4, 4]
    assert str(Anomaly("f", "kind", 1, "what", [3, "(2,)", "x", 0.25])) == (
        "f: kind: what (e.g. 3, (2,), 'x', 0.25)"
    )
    ages = Schema({"age": schema["age"]})
    first = workbench.validate({"age": np.array([1, 2, 200])}, ages, max_examples=2)
    assert first.text() == "<no anomalies in 2 examples>"  # the third example is not read


def test_types_ints_pass_for_floats_and_nothing_else_changes_type() -> None:
    def text(values: np.ndarray, kind: str) -> str:
        return workbench.validate({"x": values}, Schema({"x": FeatureSchema("x", kind)})).text()

    assert text(np.array([1, 2]), "float") == "<no anomalies in 2 examples>"
    assert text(np.array([1.5, 2.0]), "int") == (
        "<1 anomaly in 2 examples>\n  x: type: expected int values, found float (float64)"
    )
    assert text(np.array([1, 2]), "string") == (
        "<1 anomaly in 2 examples>\n  x: type: expected string values, found int (int64)"
    )
    low = Schema({"age": FeatureSchema("age", "int", True, [], 5, None)})
    assert workbench.validate({"age": np.array([1, 2])}, low).text() == (
        "<1 anomaly in 2 examples>\n"
        "  age: out of range: values outside 5 to inf: 2 below 5 (least 1) (e.g. 1, 2)"
    )


def test_a_required_feature_without_values_and_categories_counted_from_a_sketch() -> None:
    frame = pd.DataFrame({"city": ["Paris", None, "Paris", None]})
    schema = Schema({"city": FeatureSchema("city", "string", True, [], values=["Paris"])})
    (missing,) = workbench.validate(frame, schema)
    assert (missing.feature, missing.kind, missing.examples) == ("city", "missing values", 2)
    assert missing.description == "2 of 4 examples have no value (the feature is required)"
    # past ~1,500 distinct values only the frequent ones are counted, from below
    towns = [f"town {i}" for i in range(3_000)]
    many = {"city": np.array(towns + ["Oslo"] * 2_000 + ["Paris"] * 10)}
    (new,) = workbench.validate(many, schema)
    assert new.kind == "new category"
    assert new.description.startswith("at least ")
    assert new.description.endswith(" values are not among the 1 allowed categories")
    assert new.examples is not None
    assert 1_000 <= new.examples <= 5_000
    assert "Oslo" in new.values


def test_validate_takes_a_schema_and_says_what_it_got() -> None:
    with pytest.raises(TypeError) as error:
        workbench.validate({"a": np.ones(2)}, {"a": "int"})  # type: ignore[arg-type]
    assert str(error.value) == (
        "Expected a Schema (stats.infer_schema() or Schema.load(path)). Received: dict"
    )


def test_the_anomalies_table_shows_each_anomaly_and_its_severity() -> None:
    from workbench.data.html import BAD

    schema = Schema({"score": FeatureSchema("score", "float", False, [], None, 1.0)})
    found = workbench.validate({"score": np.array([0.5, 2.0, 3.0]), "extra": np.ones(3)}, schema)
    page = found._repr_html_()
    assert "<b>2 anomalies in 3 examples</b>" in page
    assert "class='workbench-data-anomalies'" in page
    for header in ("feature", "anomaly", "examples", "what", "e.g."):
        assert f">{header}</th>" in page
    cells = re.findall(r"<td data-v='([^']*)' style='([^']*)'>(.*?)</td>", page)
    assert [(v, shown) for v, _, shown in cells] == [
        ("score", "<b>score</b>"),
        ("out of range", "out of range"),
        ("2", "2"),
        *[("values outside -inf to 1: 2 above 1 (most 3)",) * 2],
        ("2, 3", "2, 3"),
        ("extra", "<b>extra</b>"),
        ("new feature", "new feature"),
        ("-", "-"),
        *[("a feature the schema does not list",) * 2],
        ("", ""),
    ]
    styles = [style for _, style, _ in cells]
    assert styles[0].endswith(";text-align:left")
    assert styles[1].endswith(f"text-align:left;color:{BAD}")  # an error
    assert styles[6].endswith("text-align:left;color:#b8860b")  # a warning
    assert styles[3].endswith(";text-align:left;white-space:normal;max-width:36em")
    assert "<div id='workbench-anomalies-" in page
    assert "getElementById('workbench-anomalies-" in page
    assert styles[4].endswith("text-align:left;opacity:0.7")
    one = workbench.validate({"score": np.array([2.0])}, schema)._repr_html_()
    assert "<b>1 anomaly in 1 examples</b>" in one
    none = workbench.validate({"score": np.array([0.5])}, schema)._repr_html_()
    assert "<b>No anomalies in 1 examples</b></div>" in none
    assert "<div id='workbench-anomalies-" in none
    many = workbench.validate({"score": np.full(1_500, 2.0)}, schema)._repr_html_()
    assert "<td data-v='1500' " in many  # sorted by the number, shown as 1,500
    assert ">1,500</td>" in many
    assert "class='workbench-data-anomalies'" in none
    assert "<table" not in none


def test_a_schema_says_each_features_type_presence_shape_and_domain() -> None:
    schema = Schema(
        {
            "id": FeatureSchema("id", "int", True, [], 0, None),
            "cap": FeatureSchema("cap", "float", False, [], None, 2.5),
            "any": FeatureSchema("any", "float", True, None),
            "img": FeatureSchema("img", "float", True, [2, 3], 0, 1),
            "word": FeatureSchema("word", "string", False, []),
            "city": FeatureSchema(
                "city", "string", True, [], values=[f"c{i:02d}" for i in range(14)]
            ),
            "two": FeatureSchema("two", "string", True, [], values=["a", "b"] * 6),
        }
    )
    twelve = ", ".join(f"'c{i:02d}'" for i in range(12))
    assert schema.text() == "\n".join(
        [
            "<schema: 7 features>",
            "  id: int, required, single value, 0 to inf",
            "  cap: float, optional, single value, -inf to 2.5",
            "  any: float, required, varies, any",
            "  img: float, required, (2, 3), 0 to 1",
            "  word: string, optional, single value, any",
            f"  city: string, required, single value, {twelve} +2 more",
            "  two: string, required, single value, " + ", ".join(["'a', 'b'"] * 6),
        ]
    )
    assert repr(schema) == schema.text()
    page = schema._repr_html_()
    assert "<b>Schema: 7 features</b>" in page
    assert "class='workbench-data-schema'" in page
    assert "save: schema.save('schema.json')</div>" in page
    for header in ("feature", "type", "required", "shape", "allowed"):
        assert f">{header}</th>" in page
    cells = re.findall(r"<td data-v='[^']*' style='([^']*)'>(.*?)</td>", page)
    assert [shown for _, shown in cells[:10]] == [
        *("<b>id</b>", "int", "yes", "single value", "0 to inf"),
        *("<b>cap</b>", "float", "no", "single value", "-inf to 2.5"),
    ]
    assert cells[4][0].endswith("text-align:left;white-space:normal;max-width:40em")


def test_categories_are_kept_up_to_max_categories_distinct_values() -> None:
    stats = workbench.stats(
        {
            "hundred": np.array([f"v{i:03d}" for i in range(100)] + ["v000"]),
            "more": np.array([f"v{i:03d}" for i in range(101)]),
        }
    )
    schema = stats.infer_schema()  # at most 100 categories by default
    assert schema["hundred"].values == [f"v{i:03d}" for i in range(100)]
    assert schema["more"].values is None
    assert stats.infer_schema(max_categories=101)["more"].values == [
        f"v{i:03d}" for i in range(101)
    ]


def _integer_kinds() -> pd.DataFrame:
    """A column of each integer kind pandas and NumPy have: unsigned, bool, nullable."""
    return pd.DataFrame(
        {
            "u": np.array([1, 2], np.uint8),
            "b": [True, False],
            "I": pd.Series([1, 2], dtype="Int64"),
            "U": pd.Series([1, 2], dtype="UInt8"),
        }
    )


def test_inferred_types_ranges_and_shapes_of_every_integer_kind() -> None:
    frame = _integer_kinds().assign(seq=[[1, 2], [1, 2, 3]], word=["a", "b"])
    schema = workbench.stats(frame).infer_schema()
    assert schema.text() == "\n".join(
        [
            "<schema: 6 features>",
            "  u: int, required, single value, 1 to 2",
            "  b: int, required, single value, 0 to 1",
            "  I: int, required, single value, 1 to 2",
            "  U: int, required, single value, 1 to 2",
            "  seq: int, required, varies, 1 to 3",
            "  word: string, required, single value, 'a', 'b'",
        ]
    )
    assert (schema["seq"].shape, schema["word"].shape) == (None, [])
    # more distinct values than the statistics keep in full: none listed, even if allowed
    many = workbench.stats({"id": np.array([f"id{i}" for i in range(1_200)])})
    assert many.infer_schema(max_categories=2_000)["id"].values is None


def test_schema_json_is_readable_and_damage_is_named(tmp_path: Path) -> None:
    schema = Schema({"a": FeatureSchema("a", "int", True, [], 0, 9)})
    assert schema.to_json().startswith('{\n "version": 1,\n "features": [\n  {\n   "name": "a",')
    schema["a"].max = float("nan")
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        schema.to_json()
    for text in ("[1]", '{"features": 3}'):
        with pytest.raises(ValueError, match=r"^Expected a schema as JSON: an object") as error:
            Schema.from_json(text)
        assert str(error.value) == (
            "Expected a schema as JSON: an object with a 'features' list. Received: something else"
        )
    with pytest.raises(ValueError, match=r"^feature 0 of the schema: .*unexpected keyword"):
        Schema.from_json('{"features": [{"name": "a", "type": "int", "colour": "red"}]}')
    with pytest.raises(KeyError) as missing:
        schema["b"]
    assert missing.value.args[0] == "Expected a feature in ['a']. Received: 'b'"
    schema["b"] = FeatureSchema("whatever", "float")
    assert (schema["b"].name, [f.name for f in schema]) == ("b", ["a", "b"])


def test_ranges_checked_from_statistics_are_counted_from_the_sketch() -> None:
    from workbench.data.accumulate import KLL_K

    # fewer values than the sketch's k: it holds them all, so its ranks are exact
    values = {"v": np.arange(300)}
    assert KLL_K > 300
    stats = workbench.stats(values)

    def said(low: float, high: float) -> list[tuple[str, int | None, list]]:
        schema = Schema({"v": FeatureSchema("v", "int", True, [], low, high)})
        return [(a.description, a.examples, a.values) for a in workbench.validate(stats, schema)]

    assert said(0, 269) == [("values outside 0 to 269: about 30 above 269 (most 299)", 30, [299.0])]
    assert said(30, 299) == [("values outside 30 to 299: about 30 below 30 (least 0)", 30, [0.0])]
    assert said(1, 298) == [
        (
            "values outside 1 to 298: about 1 below 1 (least 0), about 1 above 298 (most 299)",
            2,
            [0.0, 299.0],
        )
    ]
    assert said(0, 299) == []


def test_every_integer_dtype_meets_an_int_schema() -> None:
    frame = _integer_kinds()
    schema = Schema({name: FeatureSchema(name, "int") for name in frame.columns})
    assert not workbench.validate(frame, schema)
    (wrong,) = workbench.validate({"u": np.array([0.5, 1.5])}, Schema({"u": schema["u"]}))
    assert (wrong.feature, wrong.kind, wrong.examples) == ("u", "type", 2)
