"""What ``%load_ext workbench`` does to a kernel."""

from __future__ import annotations

import os
from typing import Any

from workbench import _quiet
from workbench._protocol import COMM_TARGET
from workbench.compile.numerics import eager_xla_flags
from workbench.distribute.devices import VIRTUAL_DEVICES_ENV

_loaded: set[int] = set()


def load(ipython: Any) -> None:
    if id(ipython) in _loaded:
        return
    # C++ INFO/WARNING logs otherwise land in cell outputs (ipykernel forwards fd 2); the env var
    # is read when TensorFlow loads, so it has effect only before the first import.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # ... but TensorFlow 2.21 logs a few lines at import before it reads it (workbench._quiet)
    _quiet.install()
    eager_xla_flags()
    split = os.environ.get(VIRTUAL_DEVICES_ENV)
    if split:
        from workbench.distribute.devices import virtual_devices

        virtual_devices(_parse_split(split))
    _load_magics(ipython)
    if getattr(ipython, "kernel", None) is not None:  # a kernel, not a terminal IPython
        _service()
        _comm_manager().register_target(COMM_TARGET, _on_comm_open)
    ipython.events.register("post_run_cell", _post_run_cell)
    _loaded.add(id(ipython))


def unload(ipython: Any) -> None:
    if id(ipython) not in _loaded:
        return
    _unload_magics(ipython)
    if getattr(ipython, "kernel", None) is not None:
        _comm_manager().unregister_target(COMM_TARGET, _on_comm_open)
        _service().close_all()
    ipython.events.unregister("post_run_cell", _post_run_cell)
    _quiet.uninstall()
    _loaded.discard(id(ipython))


def _load_magics(ipython: Any) -> None:
    # (A CompileError shows as one line through its own _render_traceback_: no handler here.)
    from workbench import magics
    from workbench.compile.default_mode import transformer
    from workbench.inspect import formatters

    formatters.register(ipython)
    ipython.register_magics(magics.CompileMagics)
    ipython.register_magics(magics.ProfileMagics)
    _register_profile_opener()
    if transformer not in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.append(transformer)


def _register_profile_opener() -> None:
    # the side panel opens a capture in a view; views are widgets, a layer above the service
    from workbench.profiler import known

    def open_profile(folder: Any) -> tuple[str, str, str]:
        from workbench.widgets.profile_open import open_view

        return open_view(folder)

    known.set_opener(open_profile)


def _unload_magics(ipython: Any) -> None:
    from workbench.compile.default_mode import transformer
    from workbench.inspect import formatters

    formatters.unregister(ipython)
    if transformer in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.remove(transformer)


def _comm_manager() -> Any:
    import comm

    # ipykernel replaces comm.get_comm_manager when it starts: look it up at call time.
    return comm.get_comm_manager()


def _service() -> Any:
    # every capability registers its methods and topics when its service module is imported
    from workbench.service import load_capabilities

    return load_capabilities()


def _on_comm_open(comm: Any, open_msg: dict[str, Any]) -> None:
    _service().open(comm, open_msg.get("content", {}).get("data"))


def _post_run_cell(result: Any) -> None:
    # topics whose state a cell may have changed (TensorFlow imported, mode switched)
    from workbench.service import service

    service.check_topics()


def _parse_split(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(
            f"Expected {VIRTUAL_DEVICES_ENV} to be a positive integer (the number of virtual "
            f"CPU devices). Received: {value!r}. Fix the kernelspec with: workbench kernel "
            f"install --virtual-devices N"
        )
    return n
