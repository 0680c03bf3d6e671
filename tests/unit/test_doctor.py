"""``workbench doctor``: each check's verdict on real listings, and the command as users run it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import doctor

LAB_OK = """JupyterLab v4.6.6
/srv/venv/share/jupyter/labextensions
        anywidget v0.11.0 \x1b[32menabled\x1b[0m \x1b[32mOK\x1b[0m
        tf-workbench v0.1.0 \x1b[32menabled\x1b[0m \x1b[32mOK\x1b[0m (python, tf-workbench)
"""
LAB_DISABLED = LAB_OK.replace(
    "tf-workbench v0.1.0 \x1b[32menabled", "tf-workbench v0.1.0 \x1b[31mdisabled"
)
SERVER_OK = """Config dir: /srv/venv/etc/jupyter
    jupyterlab \x1b[32menabled\x1b[0m
    - Validating jupyterlab...
      jupyterlab 4.6.6 \x1b[32mOK\x1b[0m
    workbench \x1b[32menabled\x1b[0m
    - Validating workbench...
      workbench  \x1b[32mOK\x1b[0m
"""
SERVER_BROKEN = """Config dir: /srv/venv/etc/jupyter
    workbench \x1b[32menabled\x1b[0m
    - Validating workbench...
      workbench  \x1b[31m X\x1b[0m is workbench importable?
"""


def test_lab_extension_verdicts() -> None:
    assert doctor.check_lab_extension(LAB_OK).ok
    disabled = doctor.check_lab_extension(LAB_DISABLED)
    assert not disabled.ok
    assert disabled.fix == "jupyter labextension enable tf-workbench"
    missing = doctor.check_lab_extension("JupyterLab v4.6.6\n")
    assert not missing.ok
    assert "not installed" in missing.detail


def test_server_extension_verdicts() -> None:
    assert doctor.check_server_extension(SERVER_OK).ok
    broken = doctor.check_server_extension(SERVER_BROKEN)
    assert not broken.ok
    assert "fails to load" in broken.detail
    absent = doctor.check_server_extension("Config dir: /srv\n    jupyterlab enabled\n")
    assert not absent.ok
    assert absent.fix == "jupyter server extension enable workbench --sys-prefix"


def test_missing_kernelspec_names_the_fix() -> None:
    result = doctor.check_kernelspec("no-such-kernel")
    assert not result.ok
    assert "workbench kernel install" in result.fix


def test_run_prints_fixes_and_fails_when_any_check_fails() -> None:
    lines: list[str] = []
    checks = [
        lambda: doctor.Check("A", True, "fine"),
        lambda: doctor.Check("B", False, "broken", "do this"),
    ]
    assert doctor.run(checks, out=lines.append) == 1
    assert lines == ["ok   A: fine", "FAIL B: broken", "     fix: do this", "1 check(s) failed."]
    assert doctor.run(checks[:1], out=lines.append) == 0


@pytest.mark.slow
def test_doctor_passes_in_the_installed_environment() -> None:
    """The README's promise after `make install`: `.venv/bin/workbench doctor` exits 0."""
    exe = Path(sys.executable).with_name("workbench")
    proc = subprocess.run(
        [str(exe), "doctor"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in (
        "TensorFlow",
        "Devices",
        "XLA",
        "JupyterLab extension",
        "Server extension",
        "Kernelspec",
    ):
        assert f"ok   {name}: " in proc.stdout
    assert "CPU:0" in proc.stdout
    assert proc.stdout.rstrip().endswith("All checks passed.")
