"""pytest-jupyter's server fixtures (plugin loaded in tests/conftest.py) with the workbench on."""

import pytest


@pytest.fixture
def jp_server_config() -> dict[str, object]:
    return {"ServerApp": {"jpserver_extensions": {"workbench": True}}}
