"""The wheel alone gives an enabled lab extension and server extension: no Node, no build."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the build tools are dev dependencies, and the extension was already built
    # by `make install`, which the build hook's skip-if-exists honours.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (found,) = out.glob("tf_workbench-*.whl")
    return found


def test_wheel_carries_the_prebuilt_extension_config_and_kernel(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = next(n.split("/")[0] for n in names if ".data/" in n)
    lab = f"{data}/data/share/jupyter/labextensions/tf-workbench"
    assert f"{lab}/package.json" in names
    assert any(re.match(rf"{re.escape(lab)}/static/remoteEntry\.\w+\.js$", n) for n in names)
    assert f"{lab}/schemas/tf-workbench/plugin.json" in names
    assert f"{data}/data/etc/jupyter/jupyter_server_config.d/workbench.json" in names
    assert "workbench/kernels/tf-workbench/logo-64x64.png" in names
    assert not any("node_modules" in n or n.endswith(".ts") for n in names)


def test_installed_wheel_is_enabled_without_node(wheel: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--prefix",
            str(prefix),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    site = next(prefix.glob("lib/python*/site-packages"))
    bare_path = tmp_path / "bin"  # a PATH with nothing on it: no node, no npm, no jlpm
    bare_path.mkdir()
    env = {
        **os.environ,
        "PATH": str(bare_path),
        "JUPYTER_PATH": str(prefix / "share" / "jupyter"),
        "JUPYTER_CONFIG_PATH": str(prefix / "etc" / "jupyter"),
        "PYTHONPATH": str(site),
    }
    labs = _section(_jupyter(env, "labextension", "list"), str(prefix / "share/jupyter"))
    assert re.search(r"^\s*tf-workbench v\S+ enabled OK", labs, re.MULTILINE), labs
    servers = _section(_jupyter(env, "server", "extension", "list"), str(prefix / "etc/jupyter"))
    assert re.search(r"^\s*workbench enabled", servers, re.MULTILINE), servers
    assert re.search(r"^\s*workbench\s+OK", servers, re.MULTILINE), servers
    # and it is the wheel's copy of the package that was validated
    check = subprocess.run(
        [sys.executable, "-c", "import workbench; print(workbench.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.startswith(str(site))


def _jupyter(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "jupyter", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)


def _section(listing: str, directory: str) -> str:
    """The lines of a Jupyter listing under the heading that names ``directory``."""
    lines = listing.splitlines()
    starts = [i for i, line in enumerate(lines) if directory in line]
    assert starts, f"{directory} not in listing:\n{listing}"
    section = []
    for line in lines[starts[0] + 1 :]:
        if line and not line.startswith(" "):
            break
        section.append(line)
    return "\n".join(section)
