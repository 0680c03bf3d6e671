"""What a schema infers for shapes (lists of one length have that shape, written as the statistics
write it; a pipeline whose batches change width has none; empty batches count no shape), how many
categories it keeps when called directly, and its page: each feature's cell, the note, the id."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pandas as pd
import tensorflow as tf

import workbench
from workbench.data.schema import FeatureSchema, Schema, infer_schema


def test_lists_of_one_length_have_that_shape_and_other_lengths_are_named() -> None:
    train = pd.DataFrame(
        {
            "embedding": [[0.5, 1.5]] * 3,
            "tags": [["a", "b"], ["b", "c"], ["a", "c"]],
            "seq": [[1], [1, 2], [1]],
        }
    )
    schema = workbench.stats(train).infer_schema()
    assert [(f.name, f.type, f.shape) for f in schema] == [
        ("embedding", "float", [2]),
        ("tags", "string", [2]),
        ("seq", "int", None),
    ]
    assert schema.text() == "\n".join(
        [
            "<schema: 3 features>",
            "  embedding: float, required, (2,), any",
            "  tags: string, required, (2,), 'a', 'b', 'c'",
            "  seq: int, required, varies, 1 to 2",
        ]
    )
    serving = train.assign(embedding=[[0.5], [0.5, 1.5, 2.5], [0.5, 1.5, 2.5]])
    assert [str(a) for a in workbench.validate(serving, schema)] == [
        "embedding: shape: 3 examples are not of shape (2,) (e.g. (3,), (1,))"
    ]


def test_a_padded_batch_pipeline_has_no_single_shape() -> None:
    def sequences() -> Iterator[list[int]]:
        yield from ([1, 2], [3], [4, 5, 6], [7, 8, 9])

    spec = tf.TensorSpec([None], tf.int32)
    data = tf.data.Dataset.from_generator(sequences, output_signature=spec).padded_batch(2)
    stats = workbench.stats(data, batched=True)
    assert (stats["value"].shapes, stats["value"].ragged) == ([("(2,)", 2), ("(3,)", 2)], 0)
    assert stats.infer_schema()["value"].shape is None


def test_empty_batches_take_none_of_the_sixty_four_shapes() -> None:
    def batches() -> Iterator[np.ndarray]:
        for width in range(1, 65):  # filtered out wholly: no examples
            yield np.zeros((0, width))
        yield np.ones((3, 70))

    spec = tf.TensorSpec([None, None], tf.float64)
    data = tf.data.Dataset.from_generator(batches, output_signature=spec)
    stats = workbench.stats(data, batched=True)
    assert (stats.examples, stats["value"].shapes) == (3, [("(70,)", 3)])
    assert stats.infer_schema()["value"].shape == [70]


def test_infer_schema_called_directly_keeps_up_to_a_hundred_categories() -> None:
    stats = workbench.stats(
        {
            "hundred": np.array([f"v{i:03d}" for i in range(100)] + ["v000"]),
            "more": np.array([f"v{i:03d}" for i in range(101)]),
        }
    )
    schema = infer_schema(stats)
    assert schema["hundred"].values == [f"v{i:03d}" for i in range(100)]
    assert schema["more"].values is None


def test_past_twelve_categories_the_rest_are_counted() -> None:
    def city(n: int) -> Schema:
        values = [f"c{i:02d}" for i in range(n)]
        return Schema({"city": FeatureSchema("city", "string", True, [], values=values)})

    twelve = ", ".join(f"'c{i:02d}'" for i in range(12))
    assert city(12).text().splitlines()[1] == f"  city: string, required, single value, {twelve}"
    assert city(13).text().splitlines()[1] == (
        f"  city: string, required, single value, {twelve} +1 more"
    )


def test_the_schema_page_sorts_features_by_name_and_says_how_to_edit() -> None:
    schema = Schema({"a<b": FeatureSchema("a<b", "float", True, [3], 0.0, 1.0)})
    page = schema._repr_html_()
    pad = "padding:1px 8px;text-align:right;vertical-align:middle;white-space:nowrap"
    first = re.search(r"<td [^>]*>.*?</td>", page)
    assert first is not None
    assert first.group(0) == f"<td data-v='a&lt;b' style='{pad};text-align:left'><b>a&lt;b</b></td>"
    assert f"<td data-v='(3,)' style='{pad};'>(3,)</td>" in page
    assert (
        "<div style='opacity:0.7'>edit: schema['f'].max = 10 · "
        "save: schema.save('schema.json')</div></div>" in page
    )
    element = re.match(r"<div id='workbench-schema-(\d+)' class='workbench-data-schema'", page)
    assert element is not None
    assert f"getElementById('workbench-schema-{element.group(1)}')" in page
