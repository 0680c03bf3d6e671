"""The projection view's wire types are written twice: ``projector_messages.py`` and
``extensions/widgets/projector/messages.ts`` must name the same fields."""

from __future__ import annotations

from typing import is_typeddict

import pytest

from tests.conftest import REPO
from tests.unit.test_protocol_mirror import _fields, _ts_interface
from workbench.widgets import projector_messages

TS = REPO / "extensions" / "widgets" / "projector" / "messages.ts"
TYPES = [
    value
    for name, value in vars(projector_messages).items()
    if not name.startswith("_")
    and is_typeddict(value)
    and value.__module__ == projector_messages.__name__
]


@pytest.mark.parametrize("py", TYPES, ids=lambda t: t.__name__)
def test_projector_message_fields_match(py: type) -> None:
    assert _fields(py) == _ts_interface(f"I{py.__name__}", TS)


def test_the_view_traits_are_mirrored() -> None:
    from workbench.widgets.projector_view import ProjectorView

    synced = {
        name
        for name, trait in ProjectorView.class_traits(sync=True).items()
        if not name.startswith("_")
    } - {"comm", "keys", "layout", "tabbable", "tooltip"}
    assert synced == set(_ts_interface("IProjectorTraits", TS))
