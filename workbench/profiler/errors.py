"""The one error type of the profiler: what went wrong, naming the file or call, and what to do."""

from __future__ import annotations


class ProfilerError(Exception):
    """A capture could not be made or read.

    The message names the file (or the call) and says what to do; it never is TensorBoard's bare
    "No profile data was found".
    """

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback: the message is the whole story
        return [f"ProfilerError: {self}"]
