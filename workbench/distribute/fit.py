"""``workbench.fit``: Keras 3 training under any ``tf.distribute`` strategy, multi-worker and
parameter-server included, where Keras 3's own ``model.fit`` fails (keras-team/keras#20585,
#18624).

The loop is Keras' own, run by hand: each step runs the model's ``train_step`` (its loss,
optimizer and metrics, scaled for the replicas as Keras scales them) under ``strategy.run``, and
reads the metrics across replicas; callbacks and ``History`` are Keras' ``CallbackList``. So a
mirrored or multi-worker fit matches ``model.fit`` on one device with the same global batch, to
float rounding, when each global batch splits evenly over the replicas. A smaller last batch
is averaged per replica (each replica's mean loss, then the mean over replicas), as Keras'
``model.fit`` does under a strategy: then it ends exactly where that ends (seen: 0.0 apart on 4
virtual CPUs), ~3e-3 from one device. ``drop_remainder=True`` avoids it. Under the
parameter-server strategy, steps are scheduled on the workers by a
``ClusterCoordinator`` and counted here (``fit_ps.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from workbench.distribute import fit_callbacks
from workbench.distribute.data import Prepared, prepare
from workbench.distribute.strategies import quiet_info


def fit(
    model: Any,
    data: Any,
    *,
    epochs: int = 1,
    strategy: Any = None,
    callbacks: Sequence[Any] | None = None,
    validation_data: Any = None,
    steps_per_epoch: int | None = None,
    validation_steps: int | None = None,
    batch_size: int | None = None,
    initial_epoch: int = 0,
    verbose: int | str = "auto",
) -> Any:
    """Train a compiled Keras 3 model under a ``tf.distribute`` strategy.

    The model must be built and compiled inside ``strategy.scope()`` (its variables are then
    the strategy's). Each step runs ``model.train_step`` on every replica; metrics are reduced
    across replicas and workers, so every worker's callbacks see the same values. In a job
    started by ``workbench.launch``, each step's metrics go to the job's live view, and files are
    written by the chief alone (checkpoints, ``BackupAndRestore``).

    Args:
        model: a compiled ``keras.Model``.
        data: a ``tf.data.Dataset`` batched with the global batch size; a function
            ``fn(input_context)`` returning each input pipeline's dataset (unbatched when
            ``batch_size`` is given: it is sharded and batched per replica here); or arrays
            ``(x, y)`` with ``batch_size``.
        epochs: epochs to train. Default 1.
        strategy: the strategy; default the one the model was built under (or the current one).
        callbacks: Keras callbacks (``LiveCurves``, ``ModelCheckpoint``, ``EarlyStopping``,
            ``BackupAndRestore``...).
        validation_data: evaluated after each epoch, as ``data`` (not with the parameter-server
            strategy).
        steps_per_epoch: steps per epoch; default one pass over ``data``. The iterator then goes
            on from epoch to epoch, as in ``model.fit``. Required for the parameter-server
            strategy when the data has no known length.
        validation_steps: validation steps; default one pass.
        batch_size: the global batch size, for arrays and unbatched dataset functions.
        initial_epoch: the epoch to start at (``BackupAndRestore`` may move it on).
        verbose: Keras' progress bar: 0, 1, 2 or ``"auto"`` (1, except 0 in a launched job,
            whose view shows progress).

    Returns:
        The ``keras.callbacks.History`` of the fit (also ``model.history``).

    Raises:
        ValueError: the model is not compiled, or was built outside the strategy's scope.

    Example:
        >>> strategy = workbench.strategy("mirrored")
        >>> with strategy.scope():
        ...     model = make_model()
        ...     model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        >>> history = workbench.fit(model, dataset, epochs=3, strategy=strategy)
    """
    import tensorflow as tf

    from workbench.distribute import context

    if not getattr(model, "compiled", False):
        raise ValueError(
            f"Expected a compiled Keras model (call model.compile first). Received: {model!r}"
        )
    if not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"Expected epochs to be an integer >= 0. Received: {epochs!r}")
    if strategy is None:
        strategy = getattr(model, "distribute_strategy", None) or tf.distribute.get_strategy()
    if verbose == "auto":
        verbose = 0 if context.current() is not None else 1
    _check_variables(model, strategy)
    with quiet_info():
        prepared = prepare(data, strategy, batch_size)
    with quiet_info(), strategy.scope():
        model._symbolic_build(data_batch=prepared.element_spec)  # as model.fit builds it
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
    steps = steps_per_epoch or prepared.batches
    kept = fit_callbacks.for_this_worker(
        list(callbacks or []), first_step=initial_epoch * steps if steps else 0
    )
    callback_list = _keras().callbacks.CallbackList(
        kept,
        add_history=True,
        add_progbar=verbose != 0,
        verbose=verbose,
        epochs=epochs,
        steps=steps,
        model=model,
    )
    if "ParameterServer" in type(strategy).__name__:
        from workbench.distribute.fit_ps import fit_parameter_server

        if validation_data is not None:
            raise ValueError(
                "Expected validation_data=None with the parameter-server strategy (evaluate "
                "afterwards with model.evaluate). Received: validation data"
            )
        if steps is None:
            raise ValueError(
                "Expected steps_per_epoch with the parameter-server strategy and data of unknown "
                "length (its workers read their data forever). Received: steps_per_epoch=None"
            )
        with quiet_info():
            return fit_parameter_server(
                model, prepared, strategy, callback_list, epochs, steps, initial_epoch
            )
    validation = None
    if validation_data is not None:
        with quiet_info():
            validation = prepare(validation_data, strategy, batch_size)
    loop = _loop_for(model, strategy)
    loop.callbacks = callback_list
    with quiet_info():
        return loop.run(
            prepared, epochs, steps_per_epoch, initial_epoch, validation, validation_steps
        )


def _keras() -> Any:
    import keras

    return keras


def _check_variables(model: Any, strategy: Any) -> None:
    """A model built outside the strategy's scope would train one copy: say so now."""
    import tensorflow as tf

    if strategy is tf.distribute.get_strategy() and not tf.distribute.has_strategy():
        return  # the default strategy: any variable is its own
    for variable in [*model.weights, *(model.optimizer.variables if model.optimizer else [])]:
        value = getattr(variable, "value", variable)
        if not strategy.extended.variable_created_in_scope(value):
            raise ValueError(
                "Expected a model built and compiled inside `with strategy.scope():` (its "
                f"variables must be the strategy's). Received: {variable.path!r} was created "
                "outside it. Build and compile the model inside the scope."
            )


def _loop_for(model: Any, strategy: Any) -> _Loop:
    """The model's loop for ``strategy``, made once: its step functions trace at the first call
    (a second or more), which a new loop per ``fit`` paid again (6x ``model.fit``'s time for a
    2-epoch fit of a small model). A new strategy, ``compile`` or ``jit_compile`` makes a new one.
    """
    key = (id(strategy), id(getattr(model, "_compile_config", None)), bool(model.jit_compile))
    cached = getattr(model, _LOOP_ATTRIBUTE, None)
    if cached is not None and cached[0] == key and cached[1].strategy is strategy:
        loop: _Loop = cached[1]
        return loop
    loop = _Loop(model, strategy)
    # not Keras' __setattr__: the loop is no layer or variable for it to track or save
    object.__setattr__(model, _LOOP_ATTRIBUTE, (key, loop))
    return loop


_LOOP_ATTRIBUTE = "_workbench_fit_loop"


class _Loop:
    """The synchronous loop: default, one-device, mirrored and multi-worker strategies."""

    callbacks: Any = None  # the CallbackList of the fit under way

    def __init__(self, model: Any, strategy: Any) -> None:
        import tensorflow as tf

        self.model = model
        self.strategy = strategy
        one_train = tf.function(
            lambda batch: strategy.run(model.train_step, args=(batch,)),
            reduce_retracing=True,
            jit_compile=bool(model.jit_compile),
        )
        one_test = tf.function(
            lambda batch: strategy.run(model.test_step, args=(batch,)),
            reduce_retracing=True,
            jit_compile=bool(model.jit_compile),
        )

        def from_iterator(one: Any) -> Any:
            def step(iterator: Any) -> Any:
                one(iterator.get_next())
                # read across replicas and workers (a collective under multi-worker): every
                # worker's callbacks see the same numbers
                return model.get_metrics_result()

            return tf.function(step, reduce_retracing=True)

        def on_batch(one: Any) -> Any:
            def step(batch: Any) -> Any:
                one(batch)
                return model.get_metrics_result()

            return tf.function(step, reduce_retracing=True)

        self._train = (from_iterator(one_train), on_batch(one_train))
        self._test = (from_iterator(one_test), on_batch(one_test))

    @staticmethod
    def _step(functions: tuple[Any, Any], iterator: Any, known: bool) -> Any:
        """One step's metrics, or None at the end of the data. With a known number of steps
        the batch is taken inside the step's graph; otherwise asked for first (an optional, the
        same answer on every worker)."""
        if known:
            return functions[0](iterator)
        optional = iterator.get_next_as_optional()
        if not bool(optional.has_value()):
            return None
        return functions[1](optional.get_value())

    def run(
        self,
        data: Prepared,
        epochs: int,
        steps_per_epoch: int | None,
        initial_epoch: int,
        validation: Prepared | None,
        validation_steps: int | None,
    ) -> Any:
        model, callbacks = self.model, self.callbacks
        model.stop_training = False
        callbacks.on_train_begin()
        initial_epoch = getattr(model, "_initial_epoch", None) or initial_epoch  # BackupAndRestore
        iterator = None
        seen = 0  # batches the iterator gave (steps_per_epoch keeps it across epochs)
        training_logs = None
        logs: dict[str, Any] = {}
        for epoch in range(initial_epoch, epochs):
            model.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            if iterator is None or steps_per_epoch is None:
                iterator, seen = iter(data.distributed), 0
            step = 0
            while steps_per_epoch is None or step < steps_per_epoch:
                # the batch can be taken in the graph while the data surely holds it
                known = data.batches is not None and seen < data.batches
                callbacks.on_train_batch_begin(step)
                found = self._step(self._train, iterator, known)
                if found is None:
                    if steps_per_epoch is not None:
                        _ran_out()
                    iterator = None
                    break
                logs = found
                seen += 1
                callbacks.on_train_batch_end(step, logs)
                step += 1
                if model.stop_training:
                    break
            if data.batches is not None and seen >= data.batches:
                iterator = None  # one pass done: the next epoch starts the data again
            epoch_logs = dict(model.get_metrics_result())
            if validation is not None:
                epoch_logs.update(self._validate(validation, validation_steps))
            callbacks.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if model.stop_training:
                break
        if model.optimizer is not None and epochs > 0:
            with self.strategy.scope():
                model.optimizer.finalize_variable_values(model.trainable_weights)
        callbacks.on_train_end(logs=training_logs)
        return model.history

    def _validate(self, data: Prepared, steps: int | None) -> dict[str, Any]:
        model, callbacks = self.model, self.callbacks
        model.reset_metrics()
        callbacks.on_test_begin()
        iterator = iter(data.distributed)
        logs: dict[str, Any] = {}
        step = 0
        while steps is None or step < steps:
            callbacks.on_test_batch_begin(step)
            known = data.batches is not None and step < data.batches
            found = self._step(self._test, iterator, known)
            if found is None:
                break
            logs = found
            callbacks.on_test_batch_end(step, logs)
            step += 1
        results = {name: float(value) for name, value in model.get_metrics_result().items()}
        callbacks.on_test_end(results)
        return {f"val_{name}": value for name, value in results.items()}


def _ran_out() -> None:
    warnings.warn(
        "Your input ran out of data; interrupting the epoch. Make sure that your dataset can "
        "generate at least `steps_per_epoch * epochs` batches (e.g. with `.repeat()`).",
        stacklevel=3,
    )
