"""environment.yml (for conda users) installs the same runtime dependencies as pyproject.toml."""

import tomllib
import yaml

from tests.conftest import REPO


def test_environment_yml_lists_the_runtime_dependencies() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1
    requirements = [r for r in pip_sections[0] if not r.startswith("-")]
    assert sorted(requirements) == sorted(project["dependencies"])
    assert "-e ." in pip_sections[0]
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    # the same lowest Python as pyproject's requires-python (">=3.10" -> "python>=3.10,...")
    lowest = project["requires-python"].removeprefix(">=")
    assert python.split(",")[0] == f"python>={lowest}", (python, project["requires-python"])
