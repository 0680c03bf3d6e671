"""TensorFlow's import-time C++ log lines filtered as TF_CPP_MIN_LOG_LEVEL says; all else kept."""

from __future__ import annotations

import subprocess
import sys

import pytest

from workbench._quiet import ABSL_NOT_INITIALIZED, without_hidden_lines

ONEDNN = (
    "I0000 00:00:1795579442.205654   18555 port.cc:153] oneDNN custom operations are on. You may "
    "see slightly different numerical results.\n"
)
OLD_STYLE_WARNING = (
    "2024-01-11 05:40:05.061907: W tensorflow/core/platform/cpu_feature_guard.cc:182] "
    "This TensorFlow binary is optimized.\n"
)
ERROR = "E0000 00:00:1795579442.3   18555 cuda_dnn.cc:8310] Unable to register cuDNN factory\n"
OTHER = "Traceback (most recent call last):\n  something real\n"
TEXT = ABSL_NOT_INITIALIZED + "\n" + ONEDNN + OLD_STYLE_WARNING + ERROR + OTHER


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (0, TEXT),
        (1, OLD_STYLE_WARNING + ERROR + OTHER),
        (2, ERROR + OTHER),
        (3, OTHER),
    ],
)
def test_the_log_level_decides_which_lines_go(level: int, expected: str) -> None:
    assert without_hidden_lines(TEXT, level) == expected


def test_native_writes_during_the_block_come_back_filtered() -> None:
    code = (
        "import os\n"
        "from workbench._quiet import quiet_native_stderr\n"
        "with quiet_native_stderr(2):\n"
        f"    os.write(2, {TEXT.encode()!r})\n"
        "    os.write(1, b'stdout is untouched\\n')\n"
        "os.write(2, b'after the block\\n')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stderr == ERROR + OTHER + "after the block\n"
    assert proc.stdout == "stdout is untouched\n"


def test_an_import_error_still_shows() -> None:
    code = (
        "import sys\n"
        "from workbench._quiet import quiet_native_stderr\n"
        "with quiet_native_stderr(2):\n"
        "    import not_a_module_anywhere\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "ModuleNotFoundError: No module named 'not_a_module_anywhere'" in proc.stderr


def test_litert_and_tensorflow_info_lines_are_held_back_as_the_level_asks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import logging

    from workbench._quiet import quiet_tensorflow

    lite = "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"
    lite_error = "ERROR: Didn't find op for builtin opcode 'FOO'\n"
    assert without_hidden_lines(lite + lite_error + OTHER, 2) == lite_error + OTHER
    assert without_hidden_lines(lite, 0) == lite

    logger = logging.getLogger("tensorflow")
    original = logger.level
    logger.setLevel(logging.INFO)
    try:
        monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
        with quiet_tensorflow():
            assert not logger.isEnabledFor(logging.INFO)  # "Assets written to: ..." held back
            assert logger.isEnabledFor(logging.WARNING)
        assert logger.level == logging.INFO  # as it was
        monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
        with quiet_tensorflow():
            assert logger.isEnabledFor(logging.INFO)  # the user asked for everything
    finally:
        logger.setLevel(original)
