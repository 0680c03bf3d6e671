"""Reductions off the caller's thread, interruptible, and cached by their input's fingerprint.

The caller's thread (the kernel's, in a notebook) waits in short joins, so Ctrl-C / the stop
button reaches it at once: the reduction is asked to stop (t-SNE stops within 10 iterations;
UMAP's optimiser has no hook, so its thread is left to finish in the background and its result
dropped) and ``KeyboardInterrupt`` is raised in the cell. A repeated call with the same rows and
settings returns the cached coordinates at once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
import numpy.typing as npt

from workbench.projector.reduce import Cancelled, Progress, Reduction, reduce

__all__ = ["CACHE_SIZE", "clear_cache", "fingerprint", "reduce_in_background"]

CACHE_SIZE = 8
STOP_WAIT = 5.0  # seconds an interrupted reduction gets to stop before the cell moves on
_cache: OrderedDict[str, Reduction] = OrderedDict()
_lock = threading.Lock()


def fingerprint(data: npt.NDArray[np.float32], **settings: Any) -> str:
    """A digest of the rows (shape, dtype and bytes) and the settings."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr((data.shape, str(data.dtype), sorted(settings.items()))).encode())
    digest.update(np.ascontiguousarray(data).data)
    return digest.hexdigest()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def reduce_in_background(
    data: npt.NDArray[np.float32],
    method: str,
    dims: int,
    metric: str,
    progress: Progress,
    **kwargs: Any,
) -> tuple[Reduction, bool]:
    """Reduces ``data`` on a worker thread (PCA, fast and exact, runs on the caller's); returns
    the reduction and whether it came from the cache.

    Raises:
        KeyboardInterrupt: the caller was interrupted while waiting.
        ProjectionError: from the reduction (bad settings, too few rows).
    """
    if method == "pca":
        return reduce(data, method, dims, metric, **kwargs), False
    key = fingerprint(data, method=method, dims=dims, metric=metric, **kwargs)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key], True
    cancel = threading.Event()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = reduce(
                data, method, dims, metric, progress=progress, cancel=cancel, **kwargs
            )
        except BaseException as error:  # noqa: BLE001 (handed to the waiting thread, which raises it)
            outcome["error"] = error

    worker = threading.Thread(target=work, name=f"workbench-{method}", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        cancel.set()
        worker.join(STOP_WAIT)
        if not worker.is_alive():
            raise KeyboardInterrupt(f"{method} interrupted") from None
        left = (
            "UMAP cannot be stopped mid-run: it finishes in the background, unused"
            if method == "umap"
            else "it stops at its next check in the background (after its neighbour search)"
        )
        raise KeyboardInterrupt(f"{method} interrupted ({left})") from None
    error = outcome.get("error")
    if isinstance(error, Cancelled):
        raise KeyboardInterrupt(f"{method} interrupted")
    if error is not None:
        raise error
    result: Reduction = outcome["result"]
    with _lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result, False
