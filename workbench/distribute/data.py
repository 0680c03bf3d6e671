"""The data ``workbench.fit`` takes, made ready for a strategy: a dataset, a dataset function, or
arrays, each distributed over the strategy's replicas and workers.

- A ``tf.data.Dataset`` batched with the global batch size, as ``model.fit`` takes it. The
  strategy splits each global batch over the replicas of every worker (data sharding across
  workers), so a step sees the same examples as one device would.
- A function ``fn(input_context)`` returning a dataset per input pipeline (TensorFlow's
  ``distribute_datasets_from_function``). With ``batch_size`` (the global batch) it returns
  unbatched examples, and each pipeline takes its shard (``dataset.shard``) and batches it with
  the per-replica batch size; without, the function does both itself.
- A tuple of arrays ``(x, y)`` or ``(x, y, sample_weight)`` with ``batch_size``: batched in
  order, not shuffled.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Prepared:
    """Data ready for a strategy's loop."""

    distributed: Any  # what ``iter()`` gives batches of (a distributed dataset)
    element_spec: Any  # the spec of one global batch, to build the model and its metrics
    batches: int | None  # global batches in one pass, when known
    dataset_fn: Callable[[Any], Any]  # ``fn(input_context)`` -> this pipeline's batched dataset


def prepare(data: Any, strategy: Any, batch_size: int | None = None) -> Prepared:
    """``data`` as the strategy iterates it (see the module docstring for what ``data`` may be).

    Raises:
        TypeError: ``data`` is none of the accepted kinds.
        ValueError: arrays or an unbatched dataset function without ``batch_size``.
    """
    import tensorflow as tf

    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"Expected batch_size to be a positive integer. Received: {batch_size!r}")
    if isinstance(data, tuple | list):
        if batch_size is None:
            raise ValueError(
                "Expected batch_size (the global batch) with arrays. Received: batch_size=None"
            )
        data = tf.data.Dataset.from_tensor_slices(tuple(data)).batch(batch_size)
    if isinstance(data, tf.data.Dataset):
        return _from_dataset(data, strategy)
    if callable(data):
        return _from_function(data, strategy, batch_size)
    raise TypeError(
        "Expected a tf.data.Dataset, a dataset function fn(input_context), or arrays (x, y). "
        f"Received: {type(data).__name__}"
    )


def _from_dataset(dataset: Any, strategy: Any) -> Prepared:
    import tensorflow as tf

    policy = dataset.options().experimental_distribute.auto_shard_policy
    if policy == tf.data.experimental.AutoShardPolicy.AUTO:
        # in-memory data has no files to shard by: shard the batches' examples (DATA), without
        # TensorFlow's attempt at files and its warning
        options = tf.data.Options()
        data_policy = tf.data.experimental.AutoShardPolicy.DATA
        options.experimental_distribute.auto_shard_policy = data_policy
        dataset = dataset.with_options(options)
    cardinality = int(dataset.cardinality())
    batches = cardinality if cardinality >= 0 else None
    distributed = None
    if not _is_parameter_server(strategy):  # its workers get the dataset itself (fit_ps.py)
        distributed = strategy.experimental_distribute_dataset(dataset)
    return Prepared(distributed, dataset.element_spec, batches, lambda _context: dataset)


def _from_function(fn: Callable[..., Any], strategy: Any, batch_size: int | None) -> Prepared:
    import tensorflow as tf

    takes_context = bool(inspect.signature(fn).parameters)

    def dataset_fn(context: Any) -> Any:
        dataset = fn(context) if takes_context else fn()
        if batch_size is not None:
            dataset = dataset.shard(context.num_input_pipelines, context.input_pipeline_id)
            dataset = dataset.batch(context.get_per_replica_batch_size(batch_size))
        return dataset

    probe = dataset_fn(tf.distribute.InputContext())  # one pipeline, one replica: a global batch
    cardinality = int(probe.cardinality())
    batches = cardinality if cardinality >= 0 else None
    if _is_parameter_server(strategy):
        distributed = None
    else:
        distributed = strategy.distribute_datasets_from_function(dataset_fn)
        if batches is not None and strategy.num_replicas_in_sync > 1:
            batches = None  # each pipeline's share is not known from the whole
    return Prepared(distributed, probe.element_spec, batches, dataset_fn)


def _is_parameter_server(strategy: Any) -> bool:
    return "ParameterServer" in type(strategy).__name__
