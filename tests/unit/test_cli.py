import json
import sys
from pathlib import Path

import pytest

from workbench import cli


def test_kernel_install_under_a_prefix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["kernel", "install", "--prefix", str(tmp_path), "--virtual-devices", "4"]) == 0
    spec = json.loads((tmp_path / "share/jupyter/kernels/tf-workbench/kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    assert spec["env"]["WORKBENCH_VIRTUAL_DEVICES"] == "4"
    assert "4 virtual CPUs" in capsys.readouterr().out


def test_install_locations_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["kernel", "install", "--user", "--sys-prefix"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_unknown_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["fly"])
    assert "invalid choice: 'fly'" in capsys.readouterr().err
