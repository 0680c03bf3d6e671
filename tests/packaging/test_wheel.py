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
    assert "workbench/_kernels/tf-workbench/logo-64x64.png" in names
    assert "workbench/widgets/_static/livecurves.js" in names  # the live plot's front end
    assert "workbench/widgets/_static/timeline.js" in names  # the profiler's timeline
    assert "workbench/widgets/_static/projector.js" in names  # the projection view
    assert "workbench/widgets/_static/projectorloader.js" in names  # and its _esm
    assert "workbench/dashboard/notebooks/training_monitor.ipynb" in names  # workbench dashboard
    assert not any("node_modules" in n or n.endswith(".ts") for n in names)


def test_installed_wheel_is_enabled_without_node(wheel: Path, tmp_path: Path) -> None:
    # A fresh environment that sees the test venv's dependencies but not its editable
    # tf-workbench: a plain path in a .pth file adds site-packages without running the .pth
    # files inside it (one of which is the editable install).
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    deps = next(p for p in sys.path if p.endswith("site-packages"))
    (site / "test_deps.pth").write_text(deps + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    bare_path = tmp_path / "bin"  # a PATH with nothing on it: no node, no npm, no jlpm
    bare_path.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHON"))},
        "PATH": str(bare_path),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "user-config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "user-data"),
    }
    labs = _section(
        _jupyter(python, env, "jupyterlab.labextensions", "list"), str(env_dir / "share/jupyter")
    )
    assert re.search(r"^\s*tf-workbench v\S+ enabled OK", labs, re.MULTILINE), labs
    servers = _section(
        _jupyter(python, env, "jupyter_server.extension.serverextension", "list"),
        str(env_dir / "etc/jupyter"),
    )
    assert re.search(r"^\s*workbench enabled", servers, re.MULTILINE), servers
    assert re.search(r"^\s*workbench\s+\S+\s+OK", servers, re.MULTILINE), servers
    # and it is the wheel's copy of the package that was validated
    check = subprocess.run(
        [python, "-c", "import workbench; print(workbench.__file__)"],
        env=env,
        cwd=env_dir,  # not the checkout, whose workbench/ would shadow the installed one
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.startswith(str(site))
    # the wheel's own kernelspec files install, with no checkout to find them in
    prefix = tmp_path / "prefix"
    subprocess.run(
        [python, "-m", "workbench", "kernel", "install", "--prefix", str(prefix)],
        env=env,
        cwd=env_dir,
        capture_output=True,
        check=True,
        timeout=120,
    )
    spec = prefix / "share" / "jupyter" / "kernels" / "tf-workbench"
    assert {p.name for p in spec.iterdir()} >= {"kernel.json", "logo-64x64.png"}


def _jupyter(python: Path, env: dict[str, str], module: str, *args: str) -> str:
    """``jupyter <app> ...`` by module: the bare PATH has no ``jupyter-*`` scripts."""
    proc = subprocess.run(
        [python, "-m", module, *args],
        env=env,
        cwd=python.parent,
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
