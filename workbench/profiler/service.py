"""The ``profiles`` topic and the ``profiles.list`` and ``profiles.open`` methods: the captures of
the notebook's logdirs, and a capture opened in a view the front end shows in the main area.

The logdirs listed are those this kernel captured into, its runs' logdirs, and ``runs`` in its
working directory when it exists. Listing reads folders, never captures. ``profiles.open``
converts the capture (on the kernel's thread, between cells) and makes a timeline view; views
are widgets, above this layer, so the kernel extension registers the function that makes one
(``known.set_opener``).
"""

from __future__ import annotations

from pathlib import Path

from workbench._protocol import (
    PendingCapture,
    ProfileInfo,
    ProfileOpenParams,
    ProfileOpenResult,
    ProfilesParams,
    ProfilesUpdate,
)
from workbench.curves import registry
from workbench.curves.store import DEFAULT_LOGDIR
from workbench.profiler import known
from workbench.profiler.errors import ProfilerError
from workbench.profiler.listing import find_captures
from workbench.service import RequestError, service

LIMIT = 100  # captures listed, newest first


def _logdirs(extra: str | None = None) -> list[Path]:
    found: dict[Path, None] = {}
    if extra is not None:
        found[Path(extra)] = None
    for path in known.logdirs():
        found[path] = None
    for run in registry.runs():
        if run.logdir is not None:
            found[run.logdir] = None
    default = Path(DEFAULT_LOGDIR)
    if default.is_dir():
        found[default] = None
    return [p for p in found if p.is_dir()]


def _list(params: ProfilesParams | None = None) -> ProfilesUpdate:
    captures = find_captures(_logdirs((params or {}).get("logdir")))[:LIMIT]
    return ProfilesUpdate(
        captures=[
            ProfileInfo(
                name=c.name,
                folder=str(c.folder),
                run=c.run,
                when=c.when,
                steps=c.steps,
                size=c.size,
                source=str(c.meta.get("source", "")),
                verdict=known.verdict_of(c.folder),
            )
            for c in captures
        ],
        pending=[PendingCapture(label=k, state=v) for k, v in known.pending().items()],
    )


def _open(params: ProfileOpenParams) -> ProfileOpenResult:
    opener = known.opener()
    if opener is None:
        raise RequestError("failed", "Expected a kernel with `%load_ext workbench` to open views.")
    try:
        model_id, title, verdict = opener(Path(params["folder"]))
    except ProfilerError as error:
        raise RequestError("failed", str(error)) from None
    return ProfileOpenResult(model_id=model_id, title=title, verdict=verdict)


def _publish() -> None:
    service.publish("profiles")


service.method("profiles.list", _list, ProfilesParams)
service.method("profiles.open", _open, ProfileOpenParams)
service.topic("profiles", _list, known.version)
known.on_change(_publish)
