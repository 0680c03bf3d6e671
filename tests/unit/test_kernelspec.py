import json
import sys
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager

from workbench import kernelspec


def test_kernel_json_loads_the_extension_and_quiets_tensorflow() -> None:
    spec = kernelspec.kernel_json(python="/opt/py/bin/python")
    assert spec["argv"][:3] == ["/opt/py/bin/python", "-m", "ipykernel_launcher"]
    assert "--IPKernelApp.extensions=['workbench']" in spec["argv"]
    assert "{connection_file}" in spec["argv"]
    assert spec["display_name"] == "TensorFlow Workbench"
    assert spec["env"] == {"TF_CPP_MIN_LOG_LEVEL": "2"}


def test_virtual_devices_setting_goes_to_the_environment() -> None:
    spec = kernelspec.kernel_json(virtual_devices=4)
    assert spec["argv"][0] == sys.executable
    assert spec["env"]["WORKBENCH_VIRTUAL_DEVICES"] == "4"
    with pytest.raises(ValueError, match="positive integer"):
        kernelspec.kernel_json(virtual_devices=0)


def test_install_under_a_prefix_is_found_by_jupyter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = Path(kernelspec.install(prefix=str(tmp_path), virtual_devices=2))
    assert dest == tmp_path / "share" / "jupyter" / "kernels" / "tf-workbench"
    assert {p.name for p in dest.iterdir()} == {
        "kernel.json",
        "logo-32x32.png",
        "logo-64x64.png",
        "logo-svg.svg",
    }
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    spec = KernelSpecManager().get_kernel_spec("tf-workbench")
    assert spec.resource_dir == str(dest)
    assert spec.env["WORKBENCH_VIRTUAL_DEVICES"] == "2"
    assert json.loads((dest / "kernel.json").read_text())["language"] == "python"
