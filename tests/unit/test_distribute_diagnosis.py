"""Which fault a failed job is blamed on, and which worker a hang waited for, on the faults and
worker states a job builds (``job_events.py``): the errors TensorFlow raises in a worker whose
peer died or stopped, exits by signal and by code, and workers silent, stopped or behind."""

from __future__ import annotations

import pytest

from workbench.distribute.diagnosis import (
    Fault,
    Liveness,
    exit_description,
    hang_message,
    is_collective,
    root_cause,
    suspects,
)

ERRORS = "tensorflow.python.framework.errors_impl."
# what TensorFlow's BaseCollectiveExecutor::StartAbort says in a peer of a dead worker
ABORTED = (
    "Collective ops is aborted by: failed to connect to all addresses\n"
    "The error could be from a previous operation. Restart your program to reset."
)


@pytest.mark.parametrize(
    "name", ["UnavailableError", "DeadlineExceededError", "AbortedError", "CancelledError"]
)
def test_tensorflows_errors_of_a_peer_gone_are_collective_whatever_they_say(name: str) -> None:
    assert is_collective(ERRORS + name, "Socket closed")
    assert is_collective(name, "")  # a type the worker did not qualify


@pytest.mark.parametrize(
    "message",
    [
        ABORTED,
        "Collective has timed out waiting for worker 1",
        "COLLECTIVE OPS: DEADLINE EXCEEDED",  # the words in any case
        "the collective was Aborted",
    ],
)
def test_other_errors_are_collective_when_a_collective_aborted_or_timed_out(message: str) -> None:
    # an aborted collective keeps the code of what aborted it (UNKNOWN, INTERNAL)
    assert is_collective(ERRORS + "UnknownError", message)
    assert is_collective("RuntimeError", message)


@pytest.mark.parametrize(
    ("error_type", "message"),
    [
        ("ValueError", "Input 0 of layer 'dense' is incompatible with the layer"),
        ("RuntimeError", "collective ops are set up"),  # no abort, no timeout
        ("RuntimeError", "the step aborted: out of memory"),  # not a collective
        ("RuntimeError", "the request timed out"),
        (ERRORS + "ResourceExhaustedError", "OOM when allocating tensor; deadline ignored"),
        ("UnavailableErrorX", "Socket closed"),  # a name that merely starts the same
        ("my.UnavailableError.Wrapper", "Socket closed"),
        (ERRORS + "InvalidArgumentError", "Unavailable: collective"),
        ("", ""),
    ],
)
def test_a_workers_own_error_is_not_collective(error_type: str, message: str) -> None:
    assert not is_collective(error_type, message)


def test_a_dotted_type_is_read_by_its_last_name() -> None:
    assert is_collective("a.b.c.UnavailableError", "")
    assert not is_collective("UnavailableError.a", "")


def _fault(worker: str, kind: str, at: float) -> Fault:
    return Fault(worker, kind, f"{worker}: {kind}", at)  # type: ignore[arg-type]


def test_no_faults_blame_nobody() -> None:
    assert root_cause([]) is None
    assert root_cause(iter([])) is None


@pytest.mark.parametrize("kind", ["error", "crash", "hung", "never_started"])
def test_the_first_primary_fault_is_blamed_over_collective_failures_before_it(kind: str) -> None:
    # worker 1 was SIGKILLed: its peer's collective failed first, its exit came a tick later
    collective = _fault("worker 0", "collective", 10.0)
    primary = _fault("worker 1", kind, 10.4)
    later = _fault("worker 2", "collective", 10.6)
    assert root_cause([collective, primary, later]) is primary
    assert root_cause(iter([later, primary, collective])) is primary  # a generator, any order


def test_of_several_primary_faults_the_earliest_is_blamed_in_any_order() -> None:
    crash = _fault("worker 1", "crash", 5.0)
    hung = _fault("worker 2", "hung", 7.0)
    error = _fault("worker 0", "error", 6.0)
    assert root_cause([hung, error, crash]) is crash
    assert root_cause([error, hung]) is error


def test_only_collective_failures_blame_the_first_of_them() -> None:
    first = _fault("worker 1", "collective", 3.0)
    second = _fault("worker 0", "collective", 4.0)
    assert root_cause([second, first]) is first
    assert root_cause([second]) is second


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (-9, "was killed by SIGKILL"),
        (-15, "was killed by SIGTERM"),
        (-1, "was killed by SIGHUP"),
        (-11, "was killed by SIGSEGV"),
        (-200, "was killed by signal 200"),  # no such signal
        (0, "exited with code 0"),
        (1, "exited with code 1"),
        (3, "exited with code 3"),
        (75, "exited with code 75"),
    ],
)
def test_how_a_worker_ended(code: int, text: str) -> None:
    assert exit_description(code) == text


def _live(worker: str, silent: float = 0.2, stopped: bool = False, step: int = 10) -> Liveness:
    return Liveness(worker, silent, stopped, step)


def test_a_stopped_or_silent_peer_is_the_one_a_collective_waited_for() -> None:
    running = _live("worker 0", step=3)
    stopped = _live("worker 1", stopped=True)
    silent = _live("worker 2", silent=3.01, step=40)
    assert suspects([running, stopped, silent], beat=1.0) == [stopped, silent]
    assert suspects(iter([silent, running]), beat=1.0) == [silent]  # before steps are compared


def test_silence_counts_past_three_beats() -> None:
    at_three = _live("worker 1", silent=3.0)
    past = _live("worker 2", silent=3.5)
    assert suspects([at_three], beat=1.0) == []
    assert suspects([at_three, _live("worker 0")], beat=1.0) == []  # same steps: nobody
    assert suspects([past], beat=1.0) == [past]
    assert suspects([past], beat=2.0) == []  # three beats of 2 s are 6 s
    assert suspects([_live("worker 3", silent=6.5)], beat=2.0)[0].worker == "worker 3"


def test_else_the_workers_behind_their_peers() -> None:
    behind = _live("worker 1", step=7)
    also = _live("worker 3", step=7)
    ahead = _live("worker 0", step=8)
    assert suspects([ahead, behind, _live("worker 2", step=9), also], beat=1.0) == [behind, also]
    assert suspects([ahead, behind], beat=1.0) == [behind]
    assert suspects(iter([ahead, behind]), beat=1.0) == [behind]


def test_peers_at_one_step_or_none_running_name_nobody() -> None:
    assert suspects([_live("worker 0", step=5), _live("worker 1", step=5)], beat=1.0) == []
    assert suspects([_live("worker 0", step=5)], beat=1.0) == []  # alone: behind nobody
    assert suspects([], beat=1.0) == []


def test_a_silent_workers_hang_says_for_how_long_and_that_its_process_is_stopped() -> None:
    stopped = Liveness("worker 0", 10.24, True, 31)
    assert hang_message(stopped) == (
        "worker 0 stopped responding: no heartbeat for 10.2 s "
        "(its process is stopped: SIGSTOP or a debugger)"
    )
    silent = Liveness("chief", 0.51, False, 31)
    assert hang_message(silent) == "chief stopped responding: no heartbeat for 0.5 s"


def test_a_worker_still_beating_is_named_by_its_step_and_the_collective_that_failed() -> None:
    behind = Liveness("worker 1", 0.5, False, 7)
    cause = "worker 0's collective failed waiting for it (DeadlineExceededError)"
    assert hang_message(behind, cause) == (
        "worker 1 stopped responding: still at step 7 while its peers waited; " + cause
    )
    assert hang_message(behind, "") == (
        "worker 1 stopped responding: still at step 7 while its peers waited"
    )
    stopped = Liveness("worker 1", 0.0, True, 0)
    assert hang_message(stopped, None) == (
        "worker 1 stopped responding: still at step 0 while its peers waited "
        "(its process is stopped: SIGSTOP or a debugger)"
    )
