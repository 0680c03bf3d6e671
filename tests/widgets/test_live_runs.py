"""Runs on disk and in the side panel while and after they train: what other readers
(TensorBoard, Voila, another process) see of a live run, steps that line up with Keras' own
TensorBoard runs, the panel's run list, and interrupted cells closing their runs."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

from tests.conftest import run_python
from tests.widgets.fits import digits, mlp


def test_a_live_run_is_visible_on_disk_and_in_the_panel(
    sent: Any, panel: Any, tmp_path: Path
) -> None:
    import workbench
    from workbench.curves import registry
    from workbench.curves.events import read_scalars
    from workbench.curves.store import FLUSH_EVERY, Run
    from workbench.service import service

    x, y = digits(256)
    curves = workbench.LiveCurves(logdir=tmp_path, run="live", display=False)
    seen: dict[str, Any] = {}

    class Look(keras.callbacks.Callback):  # type: ignore[misc]
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if epoch == 0:  # let a flush and a panel update fall due in the next epoch
                time.sleep(max(FLUSH_EVERY, registry.PROGRESS_EVERY) + 0.2)
            if epoch != 1:
                return
            summary = workbench.runs(tmp_path)["live"]
            seen["summary"] = (summary.state, summary.steps)
            seen["disk"] = read_scalars(tmp_path / "live" / "train")["batch_loss"]
            seen["memory"] = curves.run.series[("train", "loss")].values.copy()
            seen["load"] = Run.load(tmp_path / "live").state
            seen["other process"] = run_python(
                "from workbench.curves.runs import list_runs\n"
                f"s = list_runs({str(tmp_path)!r})[0]\n"
                "print(s.name, s.state, s.steps)"
            ).strip()

    started = time.monotonic()
    mlp().fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[curves, Look()])
    trained = time.monotonic() - started
    assert service.flush()

    per_epoch = 256 // 16
    assert seen["summary"] == ("running", 2 * per_epoch)  # from memory: current
    steps, _, values = seen["disk"]
    # flushed during epoch 1: the first epoch's points and more are already in the files (all
    # of epoch 1 too if it took longer than a flush interval on a slow machine)
    assert per_epoch < len(steps) <= 2 * per_epoch
    np.testing.assert_allclose(values, seen["memory"][: len(values)], rtol=1e-6)
    assert seen["load"] == "running"  # quiet between flushes, not "interrupted"
    assert seen["other process"].split()[:2] == ["live", "running"]
    assert int(seen["other process"].split()[2]) >= len(steps)

    def live_run(data: dict[str, Any]) -> dict[str, Any] | None:
        return next((r for r in data["runs"] if r["name"] == "live"), None)

    pushes = [(t, run) for t, d in panel.events("runs") if (run := live_run(d)) is not None]
    assert pushes[0][1]["state"] == "running"
    assert pushes[-1][1]["state"] == "finished"
    assert pushes[-1][1]["steps"] == 3 * per_epoch
    during = [(t, p) for t, p in pushes if p["state"] == "running" and p["steps"] > 0]
    assert during  # pushed while it trains, not only at start and end
    # at most one progress push every few seconds (plus the start and the end), however many
    # batches: counted, not timed, as the worker thread may send a push late
    assert len(pushes) <= trained / registry.PROGRESS_EVERY + 2


def test_runs_of_the_same_fit_line_up_with_keras_tensorboard(
    sent: Any, panel: Any, tmp_path: Path
) -> None:
    import workbench
    from workbench.curves.events import read_scalars
    from workbench.curves.store import Run

    x, y = digits(256)
    curves = workbench.LiveCurves(logdir=tmp_path, run="ours", display=False)
    board = keras.callbacks.TensorBoard(log_dir=str(tmp_path / "keras"), update_freq="batch")
    mlp().fit(
        x,
        y,
        epochs=3,
        batch_size=64,
        validation_split=0.25,
        verbose=0,
        callbacks=[curves, board],
    )
    # in the files: Keras' convention, epoch summaries at the epoch index (TensorBoard aligns)
    for split in ("train", "validation"):
        ours_file = read_scalars(tmp_path / "ours" / split)["epoch_loss"]
        keras_file = read_scalars(tmp_path / "keras" / split)["epoch_loss"]
        assert ours_file[0] == keras_file[0] == [0, 1, 2]
        np.testing.assert_allclose(ours_file[2], keras_file[2], rtol=1e-6)
    # read back: every point at the global step, ours from memory, from disk, and Keras' run
    found = workbench.runs(tmp_path)
    assert {"ours", "keras"} <= set(found.names())
    memory, disk, theirs = found.load("ours"), Run.load(tmp_path / "ours"), found.load("keras")
    assert memory is curves.run
    for key in [("train", "loss"), ("train", "accuracy"), ("validation", "loss")]:
        for run in (disk, theirs):
            assert run.series[key].steps.tolist() == memory.series[key].steps.tolist(), key
            np.testing.assert_allclose(run.series[key].values, memory.series[key].values, rtol=1e-6)
    assert memory.series[("validation", "loss")].steps.tolist() == [3, 6, 9]
    assert theirs.epochs[("train", "loss")].steps.tolist() == [3, 6, 9]
    compared = found.plot(runs=["ours", "keras"], metrics=["loss"])
    bundle = compared._repr_mimebundle_()
    traces = bundle["application/vnd.plotly.v1+json"]["data"]
    # each run in one color, its validation line dashed, every name whole in the legend
    assert [(t["name"], t["line"]["dash"]) for t in traces] == [
        ("ours", "solid"),
        ("ours (validation)", "dash"),
        ("keras", "solid"),
        ("keras (validation)", "dash"),
    ]
    assert traces[0]["line"]["color"] == traces[1]["line"]["color"] != traces[2]["line"]["color"]
    x = traces[0]["x"]  # plotly sends arrays as base64 typed arrays
    steps = np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"])
    assert steps.tolist() == memory.series[("train", "loss")].steps.tolist()
    assert "%{y:.4g} at step %{x}" in traces[0]["hovertemplate"]
    # without plotly's renderer (nbconvert, GitHub): the same curves as SVG
    assert bundle["text/html"].count("<svg") == 1
    assert bundle["text/html"].count("stroke-dasharray") == 2
    assert bundle["text/plain"] == "<curves of 2 runs (keras, ours): loss>"
    with pytest.raises(KeyError, match="Expected one of the runs"):
        found.plot(runs=["nope"])
    # the panel: Keras' run (not this kernel's) with its real state and steps
    runs = panel.request(2, "runs.list")["result"]["runs"]
    info = {r["name"]: r for r in runs if r["logdir"] == str(tmp_path)}
    assert (info["keras"]["state"], info["keras"]["steps"]) == ("finished", 9)
    assert info["keras"]["last"]["loss"] == pytest.approx(
        memory.series[("train", "loss")].values[-1]
    )
    assert (info["ours"]["state"], info["ours"]["steps"]) == ("finished", 9)


def test_a_damaged_sibling_run_never_breaks_training(sent: Any, panel: Any, tmp_path: Path) -> None:
    """A folder named like an event file once made every fit in its logdir fail (the panel's
    listing raised TensorFlow's FailedPreconditionError on the training thread)."""
    import workbench
    from workbench.service import service

    damaged = tmp_path / "bad" / "train" / "events.out.tfevents.1.host.1.1.v2"
    damaged.mkdir(parents=True)
    x, y = digits(128)
    curves = workbench.LiveCurves(logdir=tmp_path, run="fit", display=False)
    mlp().fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[curves])
    with workbench.run("loop", logdir=tmp_path, display=False) as run:
        run.log(1, loss=1.0)
    assert service.flush()
    listed = {r["name"]: r for r in panel.events("runs")[-1][1]["runs"]}
    assert (listed["fit"]["state"], listed["loop"]["state"]) == ("finished", "finished")
    assert listed["bad"]["warnings"] == [f"train/{damaged.name}: a folder, skipped"]


def test_a_run_another_process_left_running_is_interrupted(tmp_path: Path) -> None:
    from workbench.curves.runs import list_runs

    run_python(
        "import os\n"
        "from workbench.curves.store import Run\n"
        f"run = Run('gone', {str(tmp_path)!r})\n"
        "for step in range(1, 11):\n"
        "    run.log(step, {'loss': 1 / step})\n"
        "run.flush()\n"
        "os._exit(0)  # dies without closing the run\n"
    )
    (summary,) = list_runs(tmp_path)
    assert (summary.name, summary.state, summary.steps) == ("gone", "interrupted", 10)


def test_a_listed_run_whose_writer_dies_turns_interrupted_without_a_reread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    from workbench.curves import runs
    from workbench.curves.store import Run

    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from workbench.curves.store import Run\n"
            f"run = Run('quiet', {str(tmp_path)!r})\n"
            "run.log(1, {'loss': 1.0})\n"
            "run.flush()\n"
            "print('ready', flush=True)\n"
            "sys.stdin.readline()  # alive, quiet, until the test lets go\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        (summary,) = runs.list_runs(tmp_path)
        assert summary.state == "running"
    finally:
        writer.kill()
        writer.wait(timeout=30)

    def no_reread(path: Path) -> Run:
        raise AssertionError(f"{path} was read again though its files did not change")

    monkeypatch.setattr(runs.Run, "load", staticmethod(no_reread))
    (summary,) = runs.list_runs(tmp_path)
    assert (summary.state, summary.steps) == ("interrupted", 1)


INTERRUPTED_FIT = (
    "import keras, numpy as np, workbench\n"
    "class Stop(keras.callbacks.Callback):\n"
    "    def on_train_batch_end(self, batch, logs=None):\n"
    "        if batch == 3:\n"
    "            raise KeyboardInterrupt\n"
    "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
    "model.compile('sgd', 'mse')\n"
    "curves = workbench.LiveCurves(logdir=logdir, run='cut', display=False)\n"
    "model.fit(np.ones((64, 4)), np.ones((64, 1)), batch_size=8, epochs=3, verbose=0,\n"
    "          callbacks=[curves, Stop()])\n"
)


def test_interrupted_fit_in_a_shell_closes_the_run(ip: Any, tmp_path: Path) -> None:
    ip.user_ns["logdir"] = str(tmp_path)
    result = ip.run_cell(INTERRUPTED_FIT)
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    _assert_closed(ip.user_ns["curves"], tmp_path)


def test_interrupted_fit_closes_the_run_without_the_extension(tmp_path: Path) -> None:
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.testing.globalipapp import start_ipython

    from workbench._ipython import _post_run_cell

    shell = start_ipython() or InteractiveShell.instance()
    was_loaded = "workbench" in shell.extension_manager.loaded
    if was_loaded:
        shell.run_line_magic("unload_ext", "workbench")
    hooks = list(shell.events.callbacks["post_run_cell"])
    try:
        assert _post_run_cell not in hooks
        shell.user_ns["logdir"] = str(tmp_path)
        result = shell.run_cell(INTERRUPTED_FIT)
        assert isinstance(result.error_in_exec, KeyboardInterrupt)
        _assert_closed(shell.user_ns["curves"], tmp_path)
        assert shell.events.callbacks["post_run_cell"] == hooks  # the one-shot hook is gone
    finally:
        shell.run_line_magic("reset", "-f")
        if was_loaded:
            shell.run_line_magic("load_ext", "workbench")


def _assert_closed(curves: Any, logdir: Path) -> None:
    from workbench.curves.store import Run

    assert curves.run.state == "interrupted"
    assert curves.widget.state == "interrupted"
    loaded = Run.load(logdir / "cut")
    assert loaded.state == "interrupted"
    assert loaded.series[("train", "loss")].steps.tolist() == [1, 2, 3, 4]  # readable after it


def test_a_caught_interrupt_still_closes_the_run(ip: Any, tmp_path: Path) -> None:
    ip.user_ns["logdir"] = str(tmp_path)
    caught = "try:\n" + "".join(f"    {line}\n" for line in INTERRUPTED_FIT.splitlines())
    result = ip.run_cell(caught + "except KeyboardInterrupt:\n    print('stopped by hand')\n")
    assert result.error_in_exec is None
    _assert_closed(ip.user_ns["curves"], tmp_path)


def test_a_failing_cell_leaves_a_background_run_alone(ip: Any, tmp_path: Path) -> None:
    import threading

    import workbench

    started, release = threading.Event(), threading.Event()

    def train() -> None:
        with workbench.run("background", logdir=tmp_path, display=False) as run:
            run.log(1, loss=1.0)
            started.set()
            release.wait(60)
            run.log(2, loss=0.5)

    thread = threading.Thread(target=train)
    thread.start()
    try:
        assert started.wait(60)
        result = ip.run_cell("1 / 0")  # another cell fails while the thread trains
        assert isinstance(result.error_in_exec, ZeroDivisionError)
        from workbench.curves import registry

        (run,) = [r for r in registry.runs() if r.name == "background"]
        assert run.state == "running"
    finally:
        release.set()
        thread.join(60)
    assert run.state == "finished"
