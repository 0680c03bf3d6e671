"""``workbench.strategy`` and ``workbench.fit`` in one process: 4 virtual CPUs under the mirrored
strategy train as ``model.fit`` does on one device (TensorFlow's devices are fixed once per
process: each case runs in a fresh interpreter)."""

from __future__ import annotations

import pytest

from tests.conftest import run_python

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

MIRRORED = """
import numpy as np, tensorflow as tf, keras, workbench
from tests.distribute import jobfns

workbench.virtual_devices(4)
strategy = workbench.strategy()  # auto: mirrored over the 4 logical CPUs
assert strategy.num_replicas_in_sync == 4, strategy
with strategy.scope():
    model = jobfns.model()
x, y = jobfns.data()
data = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
history = workbench.fit(model, data, epochs=3, strategy=strategy, validation_data=data, verbose=0)
expected, expected_history = jobfns.reference(epochs=3)
for got, want in zip([w.numpy() for w in model.weights], expected, strict=True):
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(history.history["loss"], expected_history["loss"], rtol=1e-5)
np.testing.assert_allclose(history.history["mae"], expected_history["mae"], rtol=1e-5)
assert len(history.history["val_loss"]) == 3
assert int(model.optimizer.iterations.numpy()) == 24

# a last batch that does not split evenly (250 = 7 x 32 + 26) is averaged per replica, as by
# Keras' own model.fit under the same strategy: the two end alike
x, y = jobfns.data(250)
uneven = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
with strategy.scope():
    ours, theirs = jobfns.model(), jobfns.model()
workbench.fit(ours, uneven, epochs=2, strategy=strategy, verbose=0)
theirs.fit(uneven, epochs=2, verbose=0)
for got, want in zip(ours.get_weights(), theirs.get_weights(), strict=True):
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)

# a model built outside the scope trains one copy: refused, saying how to fix it
outside = jobfns.model()
try:
    workbench.fit(outside, data, strategy=strategy, verbose=0)
except ValueError as error:
    assert "inside `with strategy.scope():`" in str(error), error
else:
    raise AssertionError("a model built outside the scope was accepted")

print(workbench.strategy("one_device", show=False).extended.worker_devices)
for kind in ("mirorred", "parameter_server"):  # a typo; a cluster strategy without a cluster
    try:
        workbench.strategy(kind)
    except ValueError as error:
        print(error)
print("ok")
"""


def test_four_virtual_cpus_train_as_one_device() -> None:
    out = run_python(MIRRORED, timeout=280)
    assert "MirroredStrategy · 4 replicas on CPU:0, CPU:1, CPU:2, CPU:3" in out, out
    assert "/device:CPU:0" in out
    assert "Expected kind to be one of" in out
    assert "Received: 'mirorred'" in out
    assert "Expected a TF_CONFIG with ps tasks" in out
    assert out.rstrip().endswith("ok"), out
