"""``workbench doctor``: is this environment ready, and if not, what to do about it."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from workbench.kernelspec import KERNEL_NAME

MIN_TENSORFLOW = (2, 21)
LAB_EXTENSION = "tf-workbench"
SERVER_EXTENSION = "workbench"


@dataclass(frozen=True)
class Check:
    """The outcome of one check: what was seen, and the fix when it failed."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def check_tensorflow() -> Check:
    try:
        import keras
        import tensorflow as tf
    except ImportError as exc:
        return Check("TensorFlow", False, f"cannot import: {exc}", _PIP_FIX)
    found = tuple(int(p) for p in re.findall(r"\d+", tf.__version__)[:2])
    detail = f"tensorflow {tf.__version__}, keras {keras.__version__}"
    if found < MIN_TENSORFLOW or not keras.__version__.startswith("3."):
        return Check("TensorFlow", False, detail + " (need tensorflow>=2.21, keras 3)", _PIP_FIX)
    return Check("TensorFlow", True, detail)


def check_devices() -> Check:
    from workbench.distribute.devices import devices

    found = devices()
    names = ", ".join(d["name"].removeprefix("/device:") for d in found)
    if not found:
        return Check("Devices", False, "TensorFlow sees no device", _PIP_FIX)
    gpu_hint = "" if any(d["device_type"] == "GPU" for d in found) else " (no GPU: see README, GPU)"
    return Check("Devices", True, names + gpu_hint)


def check_xla() -> Check:
    import tensorflow as tf

    try:
        compiled = tf.function(lambda x: tf.reduce_sum(x * 2.0 + 1.0), jit_compile=True)
        value = float(compiled(tf.range(4, dtype=tf.float32)))
    # XLA reports failures as several TensorFlow error types; all mean "XLA unusable here".
    except (tf.errors.OpError, RuntimeError, ValueError) as exc:
        return Check(
            "XLA",
            False,
            f"jit_compile failed: {exc}",
            "Use %%compile function instead of xla; reinstall TensorFlow if it should work.",
        )
    if value != 16.0:
        return Check("XLA", False, f"compiled sum gave {value}, expected 16.0", _PIP_FIX)
    return Check("XLA", True, "a tiny function compiles and runs")


def check_profiler() -> Check:
    """xprof reads profiler captures offline (``workbench.profile()``, ``%%profile``)."""
    from importlib.metadata import PackageNotFoundError, version

    fix = "pip install tensorboard-plugin-profile (it brings xprof)"
    try:
        from xprof.convert import raw_to_tool_data  # type: ignore[import-untyped]  # noqa: F401
    except ImportError as exc:
        return Check("Profiler", False, f"xprof cannot be imported: {exc}", fix)
    try:
        found = version("xprof")
    except PackageNotFoundError:
        found = "unknown version"
    return Check("Profiler", True, f"xprof {found} reads captures offline")


def check_lab_extension(listing: str | None = None) -> Check:
    """Parses ``jupyter labextension list`` (what the user would run to check by hand)."""
    text = _plain(listing if listing is not None else _jupyter("labextension", "list"))
    line = _line_naming(text, LAB_EXTENSION)
    fix = "Reinstall the package (make install, or pip install tf-workbench)."
    if line is None:
        return Check("JupyterLab extension", False, f"{LAB_EXTENSION} is not installed", fix)
    if "enabled" not in line or "OK" not in line:
        return Check(
            "JupyterLab extension",
            False,
            line.strip(),
            f"jupyter labextension enable {LAB_EXTENSION}",
        )
    return Check("JupyterLab extension", True, line.strip())


def check_server_extension(listing: str | None = None) -> Check:
    """Parses ``jupyter server extension list``."""
    text = _plain(listing if listing is not None else _jupyter("server", "extension", "list"))
    enabled = re.search(rf"^\s*{SERVER_EXTENSION}\s+enabled\b", text, re.MULTILINE)
    validated = re.search(rf"^\s*-\s*Validating\s+{SERVER_EXTENSION}\.\.\.", text, re.MULTILINE)
    ok_line = re.search(rf"^\s*{SERVER_EXTENSION}\s+(\S+\s+)?OK\b", text, re.MULTILINE)
    fix = f"jupyter server extension enable {SERVER_EXTENSION} --sys-prefix"
    if not enabled:
        return Check("Server extension", False, f"{SERVER_EXTENSION} is not enabled", fix)
    if not (validated and ok_line):
        return Check(
            "Server extension",
            False,
            f"{SERVER_EXTENSION} is enabled but fails to load",
            "Run `jupyter server extension list` to see the import error.",
        )
    return Check("Server extension", True, f"{SERVER_EXTENSION} enabled, OK")


def check_kernelspec(name: str = KERNEL_NAME) -> Check:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    fix = f"workbench kernel install --sys-prefix   (or --user); kernel name {name!r}"
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return Check("Kernelspec", False, f"no kernelspec named {name!r}", fix)
    python = spec.argv[0]
    if not Path(python).exists():
        return Check("Kernelspec", False, f"{name} runs {python}, which does not exist", fix)
    return Check("Kernelspec", True, f"{name} ({spec.display_name}) -> {python}")


ALL_CHECKS: tuple[Callable[[], Check], ...] = (
    check_tensorflow,
    check_devices,
    check_xla,
    check_profiler,
    check_lab_extension,
    check_server_extension,
    check_kernelspec,
)


def run(
    checks: Iterable[Callable[[], Check]] = ALL_CHECKS, out: Callable[[str], object] = print
) -> int:
    """Run the checks, print one line each (and the fix under a failure); 0 if all passed."""
    failed = 0
    for check in checks:
        result = check()
        out(f"{'ok  ' if result.ok else 'FAIL'} {result.name}: {result.detail}")
        if not result.ok:
            failed += 1
            out(f"     fix: {result.fix}")
    out("All checks passed." if not failed else f"{failed} check(s) failed.")
    return 0 if not failed else 1


_PIP_FIX = "pip install 'tensorflow-cpu>=2.21' (GPU: 'tensorflow[and-cuda]>=2.21')"


def _jupyter(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "jupyter", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.stdout + proc.stderr


def _plain(text: str) -> str:
    """Without the ANSI colours Jupyter's listings carry."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _line_naming(text: str, name: str) -> str | None:
    for line in text.splitlines():
        if re.match(rf"^\s*{re.escape(name)}\s", line):
            return line
    return None
