"""A job as the notebook sees it: the live view in the cell (its state while the workers run, its
static table once the job ended) and the side panel's ``jobs`` topic and ``jobs.cancel``."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.conftest import RecordingComm
from tests.distribute import jobfns
from workbench.distribute.launcher import start_job
from workbench.widgets.job_view import JobView

pytestmark = [pytest.mark.multiworker, pytest.mark.timeout(120)]


def _jobs_event(panel: RecordingComm, job_id: str) -> dict[str, Any] | None:
    from workbench.service import service

    service.flush()
    for _, data in reversed(panel.events("jobs")):
        found: list[dict[str, Any]] = [j for j in data["jobs"] if j["id"] == job_id]
        if found:
            return found[0]
    return None


def test_the_view_and_the_panel_follow_the_workers(panel: RecordingComm) -> None:
    views: list[JobView] = []

    def attach(job: Any) -> None:
        view = JobView(job)
        job.observers.append(view)
        views.append(view)

    job = start_job(jobfns.count, 2, kwargs={"steps": 40}, logdir=None, before_start=attach)
    [view] = views
    jobfns.wait_for_steps(job, 5)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and min(w["step"] for w in view.job["workers"]) < 5:
        time.sleep(0.05)
    live = view.job
    assert [w["key"] for w in live["workers"]] == ["worker 0", "worker 1"]
    assert all(w["state"] == "running" and w["step"] >= 5 for w in live["workers"]), live
    assert set(live["workers"][0]["latest"]) == {"loss"}

    seen = _jobs_event(panel, job.id)
    assert seen is not None
    assert seen["state"] == "running"
    assert [w["key"] for w in seen["workers"]] == ["worker 0", "worker 1"]
    assert "tail" not in seen["workers"][0]  # the panel gets no output tails

    assert job.wait(timeout=60) == [40, 40]
    final = view.job
    assert final["state"] == "finished"
    assert [w["step"] for w in final["workers"]] == [40, 40]
    from workbench.widgets.job_view import render_html

    table = render_html(view.job)  # type: ignore[arg-type]
    assert "finished" in table
    assert "worker 1" in table
    ended = _jobs_event(panel, job.id)
    assert ended is not None
    assert ended["state"] == "finished"


def test_the_panel_cancels_a_job(panel: RecordingComm) -> None:
    job = start_job(jobfns.count, 2, logdir=None)
    jobfns.wait_for_steps(job, 2)
    reply = panel.request(7, "jobs.cancel", id=job.id)
    assert reply["result"]["state"] == "cancelled", reply
    assert "cancelled from the side panel" in reply["result"]["error"]
    jobfns.assert_nothing_left(job)
    missing = panel.request(8, "jobs.cancel", id="job-0")
    assert missing["error"]["code"] == "bad_params"
    assert "Expected a job among" in missing["error"]["message"]
