"""The error of an export that cannot be made."""

from __future__ import annotations


class ExportError(Exception):
    """An export that cannot be made; the message says why and what to do."""
