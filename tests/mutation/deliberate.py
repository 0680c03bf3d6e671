"""The deliberate bugs of issue 10's table: each must make some test fail.

Each bug is applied to a scratch copy of ``workbench/`` and ``tests/`` (never the checkout) and
the tests named for it are run there; a bug whose tests all pass is reported as not caught.
``python -m tests.mutation.deliberate [bug-id ...]``; ``make mutate`` runs it after the scores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "bench-results" / "deliberate-bugs.json"


@dataclass(frozen=True)
class Bug:
    id: str
    promise: str
    path: str
    edits: tuple[tuple[str, str], ...]  # (exact text, its buggy replacement); each found once
    tests: tuple[str, ...]


MAGICS = ("tests/magics", "tests/unit/test_compile_promises_on_plain_namespaces.py")
INSPECT = ("tests/inspect", "tests/unit/test_tensor_display_copies_a_sample.py")
BUGS = [
    Bug(
        "store-isnan",
        "NaN and Inf are marked and reported",
        "workbench/curves/store.py",
        (("if not math.isfinite(value)", "if math.isnan(value)"),),
        (
            "tests/unit/test_feed.py",
            "tests/unit/test_curves_core.py",
            "tests/unit/test_run_store_in_memory_and_on_disk.py",
        ),
    ),
    Bug(
        "snapshot-marks",
        "the static snapshot marks bad values",
        "workbench/widgets/live_curves.py",
        (("title=self._title(subtitle), marks=marks)", "title=self._title(subtitle), marks={})"),),
        ("tests/widgets/test_live_curves.py",),
    ),
    Bug(
        "restore-removed-only",
        "a failing compiled cell leaves the namespace as it was",
        "workbench/compile/namespace.py",
        (
            (
                "        namespace.clear()\n        namespace.update(snapshot)\n",
                # new names go, removed names come back, overwritten names keep the new value
                "        for key in [k for k in namespace if k not in snapshot]:\n"
                "            del namespace[key]\n"
                "        for key, value in snapshot.items():\n"
                "            namespace.setdefault(key, value)\n",
            ),
        ),
        MAGICS,
    ),
    Bug(
        "retrace-shape-reversed",
        "retrace reasons for a changed shape",
        "workbench/compile/retrace.py",
        (
            (
                "({_shape(old_shape)} -> {_shape(new_shape)})",
                "({_shape(new_shape)} -> {_shape(old_shape)})",
            ),
        ),
        MAGICS,
    ),
    Bug(
        "retrace-no-dtype",
        "retrace reasons for a changed dtype",
        "workbench/compile/retrace.py",
        (
            (
                'if getattr(old, "dtype", None) != getattr(new, "dtype", None):',
                "if False:",
            ),
        ),
        MAGICS,
    ),
    Bug(
        "compare-always-agrees",
        "--compare says when modes disagree",
        "workbench/compile/compare.py",
        (("    return agrees, worst\n", "    return True, worst\n"),),
        MAGICS,
    ),
    Bug(
        "tensor-whole-copy",
        "only a bounded sample is copied to the host (the histogram's sample)",
        "workbench/inspect/stats.py",
        (("    stride = max(1, -(-n // SAMPLE))\n", "    stride = 1\n"),),
        INSPECT,
    ),
    Bug(
        "tensor-copied-then-strided",
        "only a bounded sample is copied to the host (strided on the device, not on the host)",
        "workbench/inspect/stats.py",
        (
            (
                "strided = tf.cast(flat[::stride], tf.float64).numpy()",
                "strided = tf.cast(flat, tf.float64).numpy()[::stride]",
            ),
        ),
        INSPECT,
    ),
    Bug(
        "gradients-no-vanishing",
        "vanishing gradients are flagged",
        "workbench/inspect/gradients.py",
        (("elif value < VANISHING:", "elif False:"),),
        ("tests/inspect/test_displays.py", "tests/unit/test_gradient_flags.py"),
    ),
    Bug(
        "gradients-no-exploding",
        "exploding gradients are flagged",
        "workbench/inspect/gradients.py",
        (("elif value > EXPLODING:", "elif False:"),),
        ("tests/inspect/test_displays.py", "tests/unit/test_gradient_flags.py"),
    ),
]


def _apply(work: Path, bug: Bug) -> None:
    target = work / bug.path
    text = target.read_text()
    for old, new in bug.edits:
        if text.count(old) != 1:
            raise LookupError(
                f"{bug.id}: expected {old!r} once in {bug.path}. Received: {text.count(old)} "
                "(the code moved: update the bug in tests/mutation/deliberate.py)"
            )
        text = text.replace(old, new)
    target.write_text(text)


def check(bug: Bug, root: Path) -> dict[str, object]:
    work = root / bug.id
    shutil.rmtree(work, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "workbench", work / "workbench", ignore=ignore, symlinks=True)
    shutil.copytree(REPO / "tests", work / "tests", ignore=ignore)
    shutil.copy2(REPO / "pyproject.toml", work / "pyproject.toml")
    _apply(work, bug)
    tests = [t for t in bug.tests if (REPO / t).exists()]
    env = {**os.environ, "PYTHONPATH": str(work), "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "not browser",
            *tests,
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    failed = sorted(set(re.findall(r"^FAILED (\S+)", proc.stdout, flags=re.MULTILINE)))
    shutil.rmtree(work, ignore_errors=True)
    return {
        "promise": bug.promise,
        "where": bug.path,
        "tests": tests,
        # exit 1: tests failed; anything else (2: collection error, 5: no tests) is no proof
        "caught": proc.returncode == 1 and bool(failed),
        "failed": failed,
        "exit": proc.returncode,
        "tail": "" if failed else proc.stdout[-1500:] + proc.stderr[-1500:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation.deliberate")
    parser.add_argument("bugs", nargs="*", help=f"ids among {[b.id for b in BUGS]}")
    args = parser.parse_args(argv)
    chosen = [b for b in BUGS if not args.bugs or b.id in args.bugs]
    root = Path(tempfile.gettempdir()) / "wb-deliberate"
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for bug in chosen:
        result = check(bug, root)
        results[bug.id] = result
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
        verdict = "caught by " + ", ".join(result["failed"]) if result["caught"] else "NOT CAUGHT"  # type: ignore[arg-type]
        print(f"{bug.id:24} {verdict}", flush=True)
        if not result["caught"]:
            print(result["tail"])
    missed = [b.id for b in chosen if not results[b.id]["caught"]]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
