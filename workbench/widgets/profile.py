"""``workbench.profile()``, ``workbench.profiles()`` and the :class:`Profile` they give: a capture
that shows itself as its verdict and top ops, the per-step breakdown and the timeline.

A displayed profile is three outputs: the report (HTML: the verdict in words with the fixes, the
top TensorFlow ops, the peak memory), the breakdown (plotly's stacked bars per step, with an SVG
for front ends without plotly) and the timeline (the interactive view, whose output carries its
overview picture as the static form a saved notebook keeps).
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workbench.curves.store import DEFAULT_LOGDIR
from workbench.profiler.capture import CaptureData, Summary
from workbench.profiler.compare import Comparison, compare
from workbench.profiler.diagnosis import Verdict, format_ms
from workbench.profiler.errors import ProfilerError
from workbench.profiler.listing import CaptureInfo, find_captures
from workbench.profiler.session import Session, warm_up
from workbench.profiler.steps import StepCapture
from workbench.profiler.trace import EventTable
from workbench.widgets.profile_plot import breakdown_bundle, compare_bundle, compare_ops_html
from workbench.widgets.profile_report import report_html, report_text
from workbench.widgets.timeline import TimelineView

__all__ = ["PROFILE_LOGDIR", "Profile", "ProfileComparison", "ProfileList", "profile", "profiles"]

PROFILE_LOGDIR = Path(DEFAULT_LOGDIR) / "profiles"  # workbench.profile()'s default
MAX_SECONDS = 30.0

Bundle = tuple[dict[str, Any], dict[str, Any]]


class Profile:
    """A capture: ``.events`` (a table), ``.summary()``, ``.verdict``, ``.compare(other)``, and
    its display (report, breakdown, timeline).

    Made by ``workbench.profile()``, ``%%profile``, ``LiveCurves(profile_steps=...)``,
    ``run().profile(...)`` or ``workbench.profiles(logdir)[i]``; ``Profile.open(path)`` opens a
    capture folder or ``.xplane.pb`` file.
    """

    def __init__(
        self,
        data: CaptureData | None = None,
        *,
        folder: Path | None = None,
        capture: StepCapture | None = None,
        note: str = "",
    ) -> None:
        self._data = data
        self._folder = folder
        self._capture = capture
        self.note = note
        self.view: TimelineView | None = None  # the timeline last displayed

    @classmethod
    def open(cls, path: str | Path) -> Profile:
        """The capture in ``path`` (a ``plugins/profile/<time>`` folder or a file in it)."""
        return cls(CaptureData.open(path).load())

    @property
    def data(self) -> CaptureData:
        """The capture, read (waits for a conversion under way).

        Raises:
            ProfilerError: the capture is missing or unreadable, or still being captured.
        """
        if self._data is None:
            if self._capture is not None:
                capture = self._capture
                if capture.state in ("waiting", "capturing"):
                    raise ProfilerError(
                        f"Expected a finished capture. Received: {capture.label} is "
                        f"{capture.state} (steps {capture.window})."
                    )
                capture.wait()
                if capture.data is None:
                    raise ProfilerError(f"{capture.label}: {capture.error}")
                self._data = capture.data
            elif self._folder is not None:
                self._data = CaptureData.open(self._folder).load()
            else:
                raise ProfilerError(
                    "Expected a capture. Received: none yet (the `with workbench.profile()` "
                    "block has not ended)."
                )
        return self._data

    @property
    def events(self) -> EventTable:
        """The timeline's events: name, start, duration, process and thread."""
        return self.data.trace.events

    @property
    def verdict(self) -> Verdict:
        return self.data.verdict

    @property
    def path(self) -> Path:
        return self.data.info.folder

    def summary(self) -> Summary:
        """The capture in numbers: events, steps, mean step time, shares, verdict, top ops."""
        return self.data.summary()

    def compare(self, other: Profile) -> ProfileComparison:
        """This capture (before) beside ``other`` (after): step time, breakdown and ops."""
        if not isinstance(other, Profile):
            raise TypeError(f"Expected a Profile to compare with. Received: {type(other).__name__}")
        return ProfileComparison(compare(self.data, other.data))

    def timeline(self) -> TimelineView:
        """A new interactive timeline of the capture (display it)."""
        self.view = TimelineView(self.data, title=self.data.name)
        return self.view

    def bundles(self) -> list[Bundle]:
        """The three outputs: report, breakdown, timeline, each (data, metadata)."""
        data = self.data
        report = {"text/html": report_html(data), "text/plain": report_text(data)}
        title = f"step time by category: {data.name}"
        breakdown = breakdown_bundle(data.breakdown, title) if data.breakdown.steps else None
        view = self.timeline()
        result: list[Bundle] = [(report, {})]
        if breakdown is not None:
            result.append((breakdown, {}))
        result.append(view._repr_mimebundle_())
        return result

    def _ipython_display_(self) -> None:
        from IPython.display import display

        try:
            bundles = self.bundles()
        except ProfilerError as error:
            display({"text/plain": f"ProfilerError: {error}"}, raw=True)
            return
        *static, (timeline, metadata) = bundles
        for data, meta in static:
            display(data, raw=True, metadata=meta)
        handle = display(timeline, raw=True, metadata=metadata, display_id=True)
        if self.view is not None:
            self.view.keep_live(handle)

    def __repr__(self) -> str:
        if self._data is None and self._capture is not None:
            return f"<Profile of {self._capture.label}: {self._capture.state}>"
        try:
            data = self.data
        except ProfilerError as error:
            return f"<Profile: {error}>"
        return f"<Profile {data.name}: {data.verdict.headline}>"


class ProfileComparison:
    """Two profiles side by side (``a.compare(b)``): ``.comparison`` holds the numbers."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison

    def changes(self) -> list[str]:
        return self.comparison.changes()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = compare_bundle(self.comparison)
        bundle["text/html"] += compare_ops_html(self.comparison)  # one output: both
        return bundle

    def _ipython_display_(self) -> None:
        """Two outputs: the chart (plotly, its static form beside it), then the top ops."""
        from IPython.display import display

        display(compare_bundle(self.comparison), raw=True)
        ops = compare_ops_html(self.comparison)
        display({"text/html": ops, "text/plain": self._ops_text()}, raw=True)

    def _ops_text(self) -> str:
        return "\n".join(
            f"{op.name} ({op.type}): {format_ms(op.before_us / 1e3)} -> "
            f"{format_ms(op.after_us / 1e3)} a step"
            for op in self.comparison.ops
        )

    def __repr__(self) -> str:
        return f"<ProfileComparison {self.comparison.text()}>"


class ProfileList(Sequence[Profile]):
    """Captures found in logdirs, newest first: ``profiles(logdir)[0]`` is the latest."""

    def __init__(self, captures: list[CaptureInfo]) -> None:
        self.captures = captures

    def __len__(self) -> int:
        return len(self.captures)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [Profile(folder=c.folder) for c in self.captures[index]]
        return Profile(folder=self.captures[index].folder)

    def __repr__(self) -> str:
        lines = [f"<{len(self)} captures>"]
        lines += [
            f"[{i}] {c.name} ({c.when}, {c.size:,} bytes)" for i, c in enumerate(self.captures)
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>[{i}]</td><td style='text-align:left'>{html.escape(c.name)}</td>"
            f"<td>{html.escape(c.when)}</td><td>{html.escape(c.steps or '')}</td>"
            f"<td>{c.size / 1e3:,.0f} KB</td></tr>"
            for i, c in enumerate(self.captures)
        )
        return (
            "<table class='workbench-profiles'><tr><th></th><th style='text-align:left'>capture"
            f"</th><th>when</th><th>steps</th><th>size</th></tr>{rows}</table>"
            if self.captures
            else "<p>No captures found.</p>"
        )


def profiles(logdir: str | Path | Sequence[str | Path] = DEFAULT_LOGDIR) -> ProfileList:
    """The captures in ``logdir`` (or several), newest first.

    Example:
        >>> before, after = workbench.profiles("runs")[1], workbench.profiles("runs")[0]
        >>> before.compare(after)
    """
    dirs = [logdir] if isinstance(logdir, str | Path) else list(logdir)
    return ProfileList(find_captures([Path(d) for d in dirs]))


@contextmanager
def profile(
    logdir: str | Path | None = None, *, max_seconds: float | None = MAX_SECONDS
) -> Iterator[Profile]:
    """Profiles the code in the block; the :class:`Profile` it yields is filled when it ends.

    Args:
        logdir: where the capture goes (``logdir/plugins/profile/<time>/``, which TensorBoard's
            profile plugin reads); default ``runs/profiles``.
        max_seconds: the capture stops after this long while the code goes on (long captures
            make huge files: the TensorFlow guide advises a few steps); None: no limit.

    Raises:
        ProfilerError: a capture is already running, or the capture cannot be read (the message
            names the file).

    Example:
        >>> with workbench.profile() as prof:
        ...     model.fit(ds, epochs=1)
        >>> prof  # the verdict, the breakdown and the timeline
    """
    folder = Path(logdir) if logdir is not None else PROFILE_LOGDIR
    warm_up()
    session = Session(
        folder, label="workbench.profile()", max_seconds=max_seconds, meta={"source": "profile"}
    )
    result = Profile()
    session.start()
    try:
        yield result
    except BaseException:
        _stop_quietly(session, result)
        raise
    result._folder = session.stop()
    result._data = CaptureData.open(result._folder).load()
    if session.stopped_by == "timeout":
        result.note = (
            f"the capture stopped after {max_seconds:g} s (max_seconds); the code ran on unprofiled"
        )
    print(_headline(result, session))


def _stop_quietly(session: Session, result: Profile) -> None:
    """The block raised (or was interrupted): stop the profiler, keep what it captured."""
    if session.started is None:
        return
    try:
        result._folder = session.stop()
    except ProfilerError:
        return
    print(
        f"workbench.profile: the profiled code raised; what was captured is in {result._folder} "
        "(workbench.profiles() lists it)."
    )


def _headline(result: Profile, session: Session) -> str:
    data = result.data
    steps = data.breakdown
    what = f"{len(steps.steps)} steps of {format_ms(steps.mean_ms)}" if steps.steps else "no steps"
    note = f" ({result.note})" if result.note else ""
    return (
        f"workbench.profile: {session.seconds:.2g} s, {len(data.trace):,} events, {what}: "
        f"{data.verdict.headline}{note}"
    )


class _Interrupted(Exception):
    """The profiled cell was interrupted: no conversion, the capture kept."""


def profile_cell(
    shell: Any,
    cell: str,
    *,
    logdir: str | Path | None = None,
    max_seconds: float | None = MAX_SECONDS,
) -> Profile | None:
    """Runs ``cell`` in ``shell`` under :func:`profile` and returns the profile: ``%%profile``.

    The cell runs as a cell of its own (its magics work: ``%%compile`` on its first line, its
    last value displayed, its error shown); an interrupted cell's capture is kept but not read.
    """
    hook = getattr(shell, "displayhook", None)
    outer = getattr(hook, "exec_result", None)
    try:
        with profile(logdir, max_seconds=max_seconds) as result:
            try:
                outcome = shell.run_cell(cell, store_history=False)
            finally:
                # the inner cell ends by forgetting the running cell's result: give it back, so
                # the profile this magic returns is the cell's result (Out, _) as for any value
                if hook is not None:
                    hook.exec_result = outer
            if isinstance(getattr(outcome, "error_in_exec", None), KeyboardInterrupt):
                raise _Interrupted
    except _Interrupted:
        return None
    return result
