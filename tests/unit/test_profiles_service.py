"""The kernel service's profiles capability: ``profiles.list`` lists the captures of the
notebook's logdirs (newest first, each once, with the verdicts of captures this kernel read and
the captures under way), ``profiles.open`` makes a timeline view of one and answers with its
widget model (or with why it cannot, naming the file), and the ``profiles`` topic's version moves
when captures do. Through the real service's ``handle``, as the comm delivers requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.profiler.xspace import write_capture
from workbench.profiler import known
from workbench.profiler.capture import CaptureData
from workbench.service import load_capabilities


@pytest.fixture
def service() -> Iterator[Any]:
    opener = known.opener()
    yield load_capabilities()
    known.set_opener(opener)


def _call(service: Any, method: str, **params: Any) -> Any:
    return service.handle({"id": 1, "method": method, "params": params})


def test_captures_of_a_logdir_are_listed_newest_first(service: Any, tmp_path: Path) -> None:
    old = write_capture(tmp_path / "a" / "train", {"t": [("x", 0, 5)]}, session="s1")
    new = write_capture(tmp_path / "b", {"t": [("y", 0, 5)]}, session="s2")
    (new / "testhost.xplane.pb").touch()
    reply = _call(service, "profiles.list", logdir=str(tmp_path))
    captures = reply["result"]["captures"]
    mine = [c for c in captures if c["folder"] in (str(old), str(new))]
    assert [c["name"] for c in mine] == ["b/s2", "a/train/s1"]
    assert mine[0]["size"] == (new / "testhost.xplane.pb").stat().st_size
    assert mine[0]["verdict"] is None  # not read by this kernel yet
    CaptureData.open(new).load()
    reply = _call(service, "profiles.list", logdir=str(tmp_path))
    read = next(c for c in reply["result"]["captures"] if c["folder"] == str(new))
    assert read["verdict"].startswith("no training steps found")


def test_the_topic_moves_with_captures(service: Any, tmp_path: Path) -> None:
    topic = service.topics["profiles"]
    before = topic.version()
    known.set_pending("run test", "converting")
    assert topic.version() != before
    assert {"label": "run test", "state": "converting"} in topic.current()["pending"]
    known.set_pending("run test", None)
    known.add_logdir(tmp_path)
    folder = write_capture(tmp_path, {"t": [("x", 0, 5)]})
    assert str(folder) in [c["folder"] for c in topic.current()["captures"]]


def test_opening_a_capture_answers_with_its_view_or_why_not(service: Any, tmp_path: Path) -> None:
    folder = write_capture(tmp_path, {"python": [("MatMul", 0, 1000)]})
    known.set_opener(None)
    reply = _call(service, "profiles.open", folder=str(folder))
    assert reply["error"]["code"] == "failed"
    assert "%load_ext workbench" in reply["error"]["message"]

    from workbench._ipython import _register_profile_opener

    _register_profile_opener()
    result = _call(service, "profiles.open", folder=str(folder))["result"]
    assert result["title"] == folder.parent.parent.parent.name + "/" + folder.name
    assert result["verdict"].startswith("no training steps found")
    from workbench.widgets import profile_open

    (view,) = [v for v in profile_open._open if v.model_id == result["model_id"]]
    assert view.state == "ready"  # converted, kept until KEEP newer views are opened

    missing = _call(service, "profiles.open", folder=str(tmp_path / "gone"))
    assert missing["error"]["message"].startswith(f"Expected a capture at {tmp_path / 'gone'}")
    reply = _call(service, "profiles.open", path="x")
    assert reply["error"]["code"] == "bad_params"


def test_a_capture_is_named_from_the_widest_logdir_that_holds_it(tmp_path: Path) -> None:
    from workbench.profiler.listing import find_captures

    folder = write_capture(tmp_path / "slow" / "train", {"t": [("x", 0, 5)]}, session="s")
    (found,) = find_captures([tmp_path / "slow" / "train", tmp_path])
    assert found.folder == folder
    assert found.name == "slow/train/s"
