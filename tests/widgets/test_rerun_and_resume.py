"""A re-run never mixes two runs' points; ``resume=True`` continues a run without duplicates;
folders that already mix runs say so; finished runs do not pile up in the kernel's memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_python
from tests.widgets.fits import digits, mlp


def _loop(name: str, logdir: Path, steps: int, **kwargs: Any) -> Any:
    import workbench

    with workbench.run(name, logdir=logdir, display=False, **kwargs) as r:
        for _ in range(steps):
            r.log(loss=1.0)
    return r.run


def test_a_rerun_with_the_same_name_is_a_distinct_run(
    sent: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import workbench

    first, second = _loop("big", tmp_path, 50), _loop("big", tmp_path, 50)
    assert (first.name, second.name) == ("big", "big-2")
    assert "run 'big' is in" in capsys.readouterr().out
    found = workbench.runs(tmp_path)
    assert sorted(found.names()) == ["big", "big-2"]
    for name in ("big", "big-2"):
        steps = found.load(name).series[("train", "loss")].steps
        assert steps.tolist() == list(range(1, 51))  # 50 steps, not 100 interleaved
        assert found[name].warnings == ()

    x, y = digits(64)
    for _ in range(2):
        curves = workbench.LiveCurves(logdir=tmp_path, run="fit", display=False)
        mlp().fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[curves])
    assert curves.run is not None
    assert curves.run.name == "fit-2"


def test_resume_continues_the_run_after_its_own_steps(sent: Any, tmp_path: Path) -> None:
    import workbench

    _loop("long", tmp_path, 30)
    resumed = _loop("long", tmp_path, 20, resume=True)
    assert resumed.name == "long"
    assert resumed.series[("train", "loss")].steps.tolist() == list(range(1, 51))
    assert not (tmp_path / "long-2").exists()
    from workbench.curves.store import Run

    on_disk = Run.load(tmp_path / "long")
    assert on_disk.series[("train", "loss")].steps.tolist() == list(range(1, 51))
    assert on_disk.warnings == []
    assert on_disk.state == "finished"

    x, y = digits(64)
    for _ in range(2):  # two fits of 2 epochs each, the second continuing the first
        curves = workbench.LiveCurves(logdir=tmp_path, run="fit", display=False, resume=True)
        mlp().fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[curves])
    fit = Run.load(tmp_path / "fit")
    assert fit.series[("train", "loss")].steps.tolist() == list(range(1, 9))  # 4 epochs x 2
    assert fit.epochs[("train", "loss")].steps.tolist() == [2, 4, 6, 8]
    assert fit.warnings == []
    from workbench.curves.events import read_scalars

    assert read_scalars(tmp_path / "fit" / "train")["epoch_loss"][0] == [0, 1, 2, 3]


def test_a_folder_written_twice_says_so_and_shows_the_latest(tmp_path: Path) -> None:
    from workbench.curves.events import EventWriter
    from workbench.curves.store import Run

    folder = tmp_path / "twice" / "train"
    for attempt, wall in ((1.0, 100.0), (2.0, 500.0)):  # what older versions did on a re-run
        writer = EventWriter(folder)
        writer.write([("batch_loss", s, wall + s, attempt) for s in range(1, 101)])
        writer.close()
    run = Run.load(tmp_path / "twice")
    series = run.series[("train", "loss")]
    assert series.steps.tolist() == list(range(1, 101))  # not 200 points for 100 steps
    assert set(series.values.tolist()) == {2.0}  # the latest run's, as TensorBoard shows
    (warning,) = run.warnings
    assert "starts again at step 1 after earlier files reached step 100" in warning
    assert "100 earlier points from step 1 on are replaced" in warning


def test_memory_stays_flat_over_finished_runs() -> None:
    """Ten finished runs of 200k steps and two metrics (~10 MB of points each) in one process:
    what remains after the tenth is about what remained after the second."""
    out = run_python(
        "import tempfile, workbench\n"
        "logdir = tempfile.mkdtemp()\n"
        "def rss():\n"
        "    return int(open('/proc/self/statm').read().split()[1]) * 4096 / 1e6\n"
        "sizes = []\n"
        "for i in range(10):\n"
        "    with workbench.run(f'big{i}', logdir=logdir, display=False) as r:\n"
        "        for step in range(200_000):\n"
        "            r.log(step, loss=1.0 / (1 + step), accuracy=step / 2e5)\n"
        "    sizes.append(rss())\n"
        "print(sizes[1], sizes[-1])\n"
        "print(len(workbench.runs(logdir)))\n",
        timeout=600,
    )
    second, tenth = map(float, out.split()[:2])
    growth = tenth - second
    # holding the eight runs between would be ~80 MB; the allocator keeps some pages
    assert growth < 25, f"resident memory grew {growth:.0f} MB from the 2nd to the 10th run"
    assert out.split()[2] == "10"  # and every run is still listed, from its files
