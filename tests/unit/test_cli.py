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


def _lab_args(*argv: str) -> object:
    return cli.build_parser().parse_args(["lab", *argv])


def test_lab_binds_loopback_and_opens_quietly() -> None:
    argv = cli.lab_argv(_lab_args("--open", "tutorials/00_welcome.ipynb"))
    assert "--ip=127.0.0.1" in argv
    assert "--LabApp.news_url=None" in argv  # no news pop-up
    assert "--LabApp.default_url=/lab/tree/tutorials/00_welcome.ipynb" in argv
    assert "--ip=::1" in cli.lab_argv(_lab_args("--ip", "::1"))


def test_lab_refuses_other_interfaces_unless_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["lab", "--ip", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "Expected a loopback --ip" in err
    assert "Received: '0.0.0.0'" in err
    assert "--allow-remote" in err
    assert "--ip=0.0.0.0" in cli.lab_argv(_lab_args("--ip", "0.0.0.0", "--allow-remote"))


def test_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert "``" not in out
    assert "doctor" in out


def test_copy_missing_keeps_the_users_copies(tmp_path: Path) -> None:
    source, root = tmp_path / "notebooks", tmp_path / "work"
    (source / "tutorials" / "runs" / "r").mkdir(parents=True)
    (source / "tutorials" / "00.ipynb").write_text("original")
    (source / "tutorials" / "01.ipynb").write_text("new tutorial")
    (source / "tutorials" / "runs" / "r" / "x").write_text("a run")
    (root / "tutorials").mkdir(parents=True)
    (root / "tutorials" / "00.ipynb").write_text("edited by the user")
    copied = cli.copy_missing(source, root)
    assert copied == [root / "tutorials" / "01.ipynb"]
    assert (root / "tutorials" / "00.ipynb").read_text() == "edited by the user"
    assert not (root / "tutorials" / "runs").exists()


def test_lab_settings_answer_the_news_question_and_keep_the_environments(tmp_path: Path) -> None:
    current = tmp_path / "env-settings"
    current.mkdir()
    (current / "page_config.json").write_text('{"disabledExtensions": {"x": true}}')
    (current / "overrides.json").write_text('{"@jupyterlab/apputils-extension:themes": {"t": 1}}')
    dest = cli.app_settings_without_news(tmp_path / "lab", current)
    overrides = json.loads((dest / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false"}
    assert overrides["@jupyterlab/apputils-extension:themes"] == {"t": 1}
    assert (dest / "page_config.json").read_text() == '{"disabledExtensions": {"x": true}}'
    # a user's own answer in the environment stands
    (current / "overrides.json").write_text(
        '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "true"}}'
    )
    dest = cli.app_settings_without_news(tmp_path / "lab", current)
    notification = json.loads((dest / "overrides.json").read_text())
    assert notification["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "true"
    argv = cli.lab_argv(_lab_args("--settings-dir", str(dest)))
    assert f"--LabApp.app_settings_dir={dest}" in argv
