"""Statistics saved with pickle (or copied) read back the same: the numbers, the histograms the
quantile sketch gives, validation against a schema and drift against new data, as TFDV's saved
statistics are used (computed once on the training data, checked against later batches)."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pandas as pd

import workbench
from workbench.data.schema import FeatureSchema, Schema


def _frame(seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.r_[rng.normal(shift, 1.0, 2_000), np.nan, np.inf, -12.0]
    return pd.DataFrame({"x": x, "kind": (["a", "b", "a", "c"] * 501)[: len(x)]})


def test_saved_statistics_read_back_the_same_and_serve_validation_and_drift() -> None:
    stats = workbench.stats(_frame(0))
    for loaded in (pickle.loads(pickle.dumps(stats)), copy.deepcopy(stats)):
        # every number (NaN ones too, which == does not match), the sketch by what it gives
        assert repr(loaded) == repr(stats)
        assert loaded.to_frame().equals(stats.to_frame())
        for name in ("x", "kind"):
            for got, want in zip(loaded[name].histogram(), stats[name].histogram(), strict=True):
                np.testing.assert_array_equal(got, want)
        assert loaded["x"].sketch.get_quantiles([0.1, 0.5, 0.9]) == (
            stats["x"].sketch.get_quantiles([0.1, 0.5, 0.9])
        )
        schema = Schema({"x": FeatureSchema("x", "float", True, [], -10, 10)})
        found = workbench.validate(loaded, schema)
        assert [(a.description, a.examples) for a in found] == [
            (a.description, a.examples) for a in workbench.validate(stats, schema)
        ]
        assert [a.examples for a in found] == [1, 2, None]  # NaN missing; -12 and inf; "kind"
        later = workbench.stats(_frame(1, shift=3.0))
        drift = workbench.compare(loaded, later)
        assert drift.to_frame().equals(workbench.compare(stats, later).to_frame())
    missing = workbench.stats({"x": np.full(4, np.nan)})  # no finite value: no sketch to save
    assert repr(pickle.loads(pickle.dumps(missing))) == repr(missing)
