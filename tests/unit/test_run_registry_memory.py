"""This process's run registry holds running runs and only weakly holds finished ones (their
points are on disk), lists them oldest first, and lets go of the oldest past ``KEEP``."""

from __future__ import annotations

import gc
import weakref

import pytest

from workbench.curves import registry
from workbench.curves.store import Run


@pytest.fixture(autouse=True)
def _own_registry(fresh_registry: None) -> None:
    """Each test sees a registry of its own runs (it is process-wide)."""


def test_a_running_run_is_held_and_a_finished_one_only_while_someone_holds_it() -> None:
    running, finished = Run("running"), Run("finished")
    registry.opened(running)
    registry.opened(finished)
    registry.closed(finished)
    assert registry.runs() == [running, finished]  # still held by us: still listed
    registry.closed(finished)  # closing twice is harmless
    assert registry.runs() == [running, finished]
    watch_running, watch_finished = weakref.ref(running), weakref.ref(finished)
    del running, finished
    gc.collect()
    assert watch_finished() is None  # its points are on disk: let go
    assert registry.runs() == [watch_running()]


def test_a_run_opened_again_is_the_newest() -> None:
    first, second = Run("first"), Run("second")
    for run in (first, second, first):
        registry.opened(run)
    assert registry.runs() == [second, first]


def test_past_keep_the_oldest_runs_are_let_go_running_or_not() -> None:
    oldest_ended, oldest_running = Run("ended"), Run("running")
    registry.opened(oldest_ended)
    registry.closed(oldest_ended)
    registry.opened(oldest_running)
    watch = weakref.ref(oldest_running)
    newer = [Run(f"r{i}") for i in range(registry.KEEP - 1)]
    for run in newer:
        registry.opened(run)
    assert registry.runs() == [oldest_ended, oldest_running, *newer][-registry.KEEP :]
    assert oldest_ended not in registry.runs()
    registry.opened(Run("one more"))
    assert oldest_running not in registry.runs()
    del oldest_running
    gc.collect()
    assert watch() is None  # an abandoned "running" run is not kept forever


def test_a_run_fed_and_closed_is_let_go_once_nobody_holds_it() -> None:
    from workbench.curves.feed import Feed

    run = Run("fed")
    feed = Feed(run, source="s", report=lambda line: None)
    feed.log(1, {"loss": 1.0})
    feed.close()
    watch = weakref.ref(run)
    del run, feed
    gc.collect()
    assert watch() is None
    assert registry.runs() == []
