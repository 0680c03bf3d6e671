"""The run feed's progress line, reports and hand-offs, and this process's run registry."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from workbench.curves import registry
from workbench.curves.events import read_scalars
from workbench.curves.feed import Feed, _duration
from workbench.curves.store import BadValue, Run


@pytest.fixture(autouse=True)
def _own_registry(fresh_registry: None) -> None:
    """Each test sees a registry of its own runs and listeners (it is process-wide)."""


class Watcher:
    def __init__(self) -> None:
        self.updates: list[tuple[Run, Any, list[BadValue]]] = []

    def started(self, run: Run) -> None:
        pass

    def updated(self, run: Run, progress: Any, bad: list[BadValue]) -> None:
        self.updates.append((run, progress, bad))

    def ended(self, run: Run, progress: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.4, "0 s"),
        (59.4, "59 s"),
        (60.0, "1 min 00 s"),
        (61.7, "1 min 01 s"),
        (3599.0, "59 min 59 s"),
        (3600.0, "1 h 00 min"),
        (7322.0, "2 h 02 min"),
    ],
)
def test_durations_read_as_seconds_minutes_or_hours(seconds: float, text: str) -> None:
    assert _duration(seconds) == text


def test_interval_defaults_to_a_tenth_of_a_second_and_must_not_be_negative() -> None:
    assert Feed(Run("a"), source="s").interval == 0.1
    assert Feed(Run("b"), source="s", interval=0).interval == 0
    assert Feed(Run("c"), source="s", interval=0.5).interval == 0.5
    with pytest.raises(
        ValueError, match=r"^Expected interval to be >= 0 seconds\. Received: -0\.5$"
    ):
        Feed(Run("d"), source="s", interval=-0.5)


def test_progress_before_anything_is_logged() -> None:
    progress = Feed(Run("fresh"), source="s").progress()
    assert (progress["step"], progress["steps"], progress["epochs"], progress["epoch"]) == (
        0,
        None,
        None,
        None,
    )
    assert progress["latest"] == {}
    assert progress["text"].startswith("step 0 · ")


def test_the_eta_is_the_time_per_step_times_the_steps_left() -> None:
    feed = Feed(Run("eta"), source="s", interval=3600)
    feed.plan(epochs=4, total_steps=100)
    feed._started = time.monotonic() - 1000  # as if training began 1000 s ago
    feed.log(25, {"loss": 0.5})
    feed.log(25, {"loss": 0.75}, split="validation", kind="epoch")
    progress = feed.progress()
    assert progress["eta_seconds"] == pytest.approx(3000, rel=0.05)  # 40 s/step, 75 steps left
    assert (progress["epochs"], progress["steps"]) == (4, 100)
    assert progress["latest"] == {"loss": 0.5, "val_loss": 0.75}
    assert progress["text"].startswith("epoch 1/4 · step 25/100 · ETA 5")
    assert progress["text"].endswith(" · loss 0.5 · val_loss 0.75")
    feed.epoch = 9  # past the planned epochs: the line says the last one
    feed.log(100, {"loss": 0.25})
    progress = feed.progress()
    assert progress["eta_seconds"] == 0
    assert progress["text"].startswith("epoch 4/4 · step 100/100 · ETA 0 s")
    feed.close()
    assert re.match(r"epoch 4/4 · step 100/100 · took \d+ min \d\d s", feed.progress()["text"])


def test_a_step_count_without_totals_has_no_eta_and_a_short_run_took_seconds() -> None:
    feed = Feed(Run("short"), source="s")
    feed.log(5, {"loss": 1.0})
    assert feed.progress()["eta_seconds"] is None
    assert re.fullmatch(r"step 5 · \d+ s · loss 1", feed.progress()["text"])
    feed.close()
    assert re.fullmatch(r"step 5 · took \d+ s · loss 1", feed.progress()["text"])


def test_the_step_follows_batches_and_epoch_points_never_move_it_back(tmp_path: Path) -> None:
    feed = Feed(Run("steps", tmp_path), source="s")
    feed.log(10, {"loss": 1.0})
    feed.log(5, {"loss": 0.5}, kind="epoch", epoch=0)
    assert feed.step == 10
    feed.log(12, {"loss": 0.4}, kind="epoch", epoch=1)
    assert feed.step == 12
    feed.log(3, {"loss": 0.9})  # a new fit counting from the start again
    assert feed.step == 3
    feed.close()
    assert feed.run.epochs[("train", "loss")].values.tolist() == [0.5, 0.4]
    assert read_scalars(tmp_path / "steps" / "train")["epoch_loss"][0] == [0, 1]


def test_bad_values_are_reported_in_one_line_each_and_handed_to_on_bad() -> None:
    lines: list[str] = []
    feed = Feed(Run("plain"), source="run plain", report=lines.append)
    feed.log(3, {"loss": float("nan")})
    feed.log(4, {"acc": float("inf")}, split="validation")
    assert lines == [
        "run plain: loss became nan at step 3",
        "run plain: val_acc became inf at step 4",
    ]
    handed: list[list[BadValue]] = []

    def on_bad(bad: list[BadValue]) -> str:
        handed.append(bad)
        return "" if len(handed) == 1 else "stopping"

    lines.clear()
    feed = Feed(Run("hooked"), source="fit", report=lines.append, on_bad=on_bad)
    feed.log(1, {"loss": float("nan")})
    feed.log(2, {"acc": float("-inf")})
    assert [[(b.metric, b.step) for b in bad] for bad in handed] == [[("loss", 1)], [("acc", 2)]]
    assert lines == ["fit: loss became nan at step 1", "fit: acc became -inf at step 2; stopping"]


def test_observers_are_told_which_run_progressed() -> None:
    watcher = Watcher()
    run = Run("watched")
    feed = Feed(run, source="s", interval=0, observers=[watcher])
    feed.log(1, {"loss": 1.0})
    assert [update[0] for update in watcher.updates] == [run]


def test_the_registry_keeps_the_newest_runs_and_finds_the_newest_per_folder(
    tmp_path: Path,
) -> None:
    runs = [Run(f"r{i}") for i in range(registry.KEEP + 1)]
    for run in runs:
        registry.opened(run)
    assert registry.runs() == runs[1:]  # the oldest one dropped, KEEP kept
    first, second = Run("same", tmp_path), Run("same", tmp_path)
    registry.opened(first)
    registry.opened(second)
    assert registry.find(tmp_path / "same") is second
    assert registry.find(tmp_path / "." / "same") is second  # any spelling of the folder
    assert registry.find(tmp_path / "other") is None
    first.close()
    second.close()


def test_listeners_hear_changes_once_each_and_progress_is_throttled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    heard: list[str] = []

    def listener() -> None:
        heard.append("changed")

    registry.on_change(listener)
    registry.on_change(listener)  # once only
    registry.changed()
    assert heard == ["changed"]
    monkeypatch.setattr(registry, "PROGRESS_EVERY", 1e6)
    registry.changed()
    registry.progressed(Run("quiet"))  # within PROGRESS_EVERY of the last change: no notice
    assert heard == ["changed", "changed"]
    monkeypatch.setattr(registry, "_next_progress", 0.0)
    registry.progressed(Run("due"))
    assert heard == ["changed"] * 3
    registry.remove_listener(listener)
    registry.remove_listener(listener)  # already gone: nothing to do
    registry.changed()
    assert heard == ["changed"] * 3


def test_a_resumed_runs_eta_counts_only_the_steps_of_this_session() -> None:
    run = Run("resumed")
    for step in range(1, 101):  # an earlier session's steps
        run.log(step, {"loss": 1.0 / step})
    feed = Feed(run, source="s", interval=3600)
    assert feed.step == 100
    feed.plan(total_steps=300)
    feed._started = time.monotonic() - 100  # this session began 100 s ago
    assert feed.progress()["eta_seconds"] is None  # no step yet this session: no rate
    feed.log(101, {"loss": 0.01})
    assert feed.progress()["eta_seconds"] == pytest.approx(100 / 1 * 199, rel=0.05)
    feed.log(150, {"loss": 0.01})
    assert feed.progress()["eta_seconds"] == pytest.approx(100 / 50 * 150, rel=0.05)
