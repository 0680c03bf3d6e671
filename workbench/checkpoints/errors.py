"""Errors of checkpoints and exports."""

from __future__ import annotations


class CheckpointError(Exception):
    """A checkpoint folder or file that cannot be used; the message names it and says why."""
