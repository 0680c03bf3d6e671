"""Virtual devices, each case in its own process: TensorFlow fixes its devices once per process."""

import pytest

from tests.conftest import run_python


@pytest.mark.slow
def test_split_cpu_then_same_split_again_then_another_split() -> None:
    out = run_python(
        "import workbench\n"
        "from workbench.distribute.devices import runtime_started, physical_devices\n"
        "print(runtime_started(), len(physical_devices()), runtime_started())\n"
        "print(len(workbench.virtual_devices(3)), runtime_started())\n"
        "print([d['name'] for d in workbench.devices()])\n"
        "print(len(workbench.virtual_devices(3)))\n"
        "try:\n    workbench.virtual_devices(2)\n"
        "except RuntimeError as e:\n    print('error:', e)\n"
    )
    lines = out.splitlines()
    # listing physical devices must not start the runtime: a split is still possible after it
    assert lines[0] == "False 1 False"
    assert lines[1] == "3 True"
    assert lines[2] == "['/device:CPU:0', '/device:CPU:1', '/device:CPU:2']"
    assert lines[3] == "3"
    assert "already started" in lines[4]
    assert "Restart the kernel" in lines[4]
    assert "--virtual-devices 2" in lines[4]


@pytest.mark.slow
def test_bad_arguments_and_missing_kind() -> None:
    out = run_python(
        "import workbench\n"
        "for args in [(0,), (2, 'TPU'), (True,), (2, 'GPU')]:\n"
        "    try:\n        workbench.virtual_devices(*args)\n"
        "    except ValueError as e:\n        print(e)\n"
        "from workbench.distribute.devices import runtime_started\n"
        "print(runtime_started())\n"
    )
    lines = out.splitlines()
    assert lines[0] == "Expected n to be a positive integer. Received: n=0"
    assert lines[1] == "Expected kind to be one of ['CPU', 'GPU']. Received: kind='TPU'"
    assert lines[2] == "Expected n to be a positive integer. Received: n=True"
    assert lines[3] == "No GPU is visible to TensorFlow (it sees: CPU)."
    assert lines[4] == "False"  # failed calls leave the runtime unstarted: a split is still open
