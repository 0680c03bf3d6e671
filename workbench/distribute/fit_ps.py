"""``workbench.fit`` under the parameter-server strategy: steps scheduled on the workers by a
``ClusterCoordinator``, counted here.

Keras 3's ``optimizer.iterations.assign_add`` is not atomic: workers that update it at once lose
increments (300 scheduled steps left it at 188). So the steps are counted by the coordinator,
which schedules each one exactly once, and ``iterations`` is set to that count after each group
of steps. Each step's metrics come back as the step's return value and reach the callbacks in
step order once the group has run (``CHUNK`` steps at most, so curves follow a long epoch).
Metrics across steps (``model.get_metrics_result()``) live on the parameter servers and are
updated concurrently, like ``iterations``: the epoch's logs are what they read.
"""

from __future__ import annotations

from typing import Any

from workbench.distribute.data import Prepared

CHUNK = 50  # steps scheduled before the coordinator waits and the callbacks hear of them


def fit_parameter_server(
    model: Any,
    data: Prepared,
    strategy: Any,
    callbacks: Any,
    epochs: int,
    steps_per_epoch: int,
    initial_epoch: int,
) -> Any:
    """Train ``model`` for ``epochs`` of ``steps_per_epoch`` steps; returns its ``History``."""
    import tensorflow as tf

    coordinator = tf.distribute.experimental.coordinator.ClusterCoordinator(strategy)

    # each worker reads the data from the start, forever; the coordinator counts the steps. A
    # dataset is handed over as one (serialized for the workers); a dataset made inside a
    # function would capture the chief's tensors, which workers cannot receive
    dataset = data.dataset_fn(tf.distribute.InputContext()).repeat()
    iterator = iter(coordinator.create_per_worker_dataset(dataset))

    def one_step(iterator: Any) -> Any:
        logs = strategy.run(model.train_step, args=(next(iterator),))
        return {name: strategy.reduce("MEAN", value, axis=None) for name, value in logs.items()}

    step = tf.function(one_step)

    model.stop_training = False
    callbacks.on_train_begin()
    initial_epoch = getattr(model, "_initial_epoch", None) or initial_epoch
    done = int(model.optimizer.iterations.numpy()) if model.optimizer is not None else 0
    training_logs = None
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        callbacks.on_epoch_begin(epoch)
        step_index = 0
        while step_index < steps_per_epoch and not model.stop_training:
            count = min(CHUNK, steps_per_epoch - step_index)
            scheduled = []
            for offset in range(count):
                callbacks.on_train_batch_begin(step_index + offset)
                scheduled.append(coordinator.schedule(step, args=(iterator,)))
            coordinator.join()
            done += count
            if model.optimizer is not None:
                model.optimizer.iterations.assign(done)  # the exact count, not the racy one
            for offset, value in enumerate(scheduled):
                logs = {name: float(v) for name, v in value.fetch().items()}
                callbacks.on_train_batch_end(step_index + offset, logs)
            step_index += count
        epoch_logs = {name: float(v) for name, v in model.get_metrics_result().items()}
        callbacks.on_epoch_end(epoch, epoch_logs)
        training_logs = epoch_logs
        if model.stop_training:
            break
    callbacks.on_train_end(logs=training_logs)
    return model.history
