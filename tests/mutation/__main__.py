"""``make mutate``: the mutation score of the core, module by module (mutmut 3).

Each module is mutated against the fast tests that exercise it (``MODULES``), in a scratch copy of
``workbench/`` and ``tests/`` under the temp folder, so the checkout others are testing never holds
a mutant. mutmut records which tests reach each function and runs only those for its mutants.

Writes ``bench-results/mutation.json`` (per module: mutants, killed, survived, the score, the
survivors' diffs) and prints a table. A survivor listed in ``tests/mutation/EQUIVALENT.md`` (an
equivalent mutant: no input can tell it from the original) counts apart, and the score leaves it
out. Usage: ``python -m tests.mutation [module ...] [--workers N] [--keep]``.
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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "bench-results" / "mutation.json"
EQUIVALENT = Path(__file__).with_name("EQUIVALENT.md")

# module -> the fast tests that exercise it (no browser, kernel or notebook tests)
CURVES_TESTS = [
    "tests/unit/test_curves_core.py",
    "tests/unit/test_damaged_runs.py",
    "tests/unit/test_feed.py",
]
PROJECTOR_TESTS = ["tests/projector/test_inputs_and_reductions.py"]
DATA_TESTS = [
    "tests/data/test_stats_match_numpy.py",
    "tests/data/test_damaged_input.py",
    "tests/data/test_schema_and_anomalies.py",
    "tests/data/test_drift.py",
]
PROFILER_VERDICT_TESTS = "tests/unit/test_profiler_verdicts.py"
PROFILER_TIMELINE_TESTS = "tests/unit/test_profiler_timeline_index.py"
PROFILER_FILE_TESTS = [
    "tests/unit/test_profiler_capture_files.py",
    "tests/widgets/test_timeline_view.py",
]
MODULES: dict[str, list[str]] = {
    "workbench/curves/series.py": ["tests/unit/test_curves_core.py"],
    "workbench/curves/downsample.py": ["tests/unit/test_curves_core.py"],
    "workbench/curves/records.py": CURVES_TESTS,
    "workbench/curves/events.py": CURVES_TESTS,
    "workbench/curves/store.py": CURVES_TESTS,
    "workbench/curves/runs.py": CURVES_TESTS,
    "workbench/curves/feed.py": CURVES_TESTS,
    "workbench/curves/registry.py": CURVES_TESTS,
    "workbench/service/params.py": ["tests/unit/test_service.py"],
    "workbench/service/router.py": ["tests/unit/test_service.py"],
    "workbench/compile/analysis.py": ["tests/unit/test_compile_analysis.py"],
    "workbench/compile/codegen.py": ["tests/unit/test_compile_analysis.py"],
    # which loops open: read from their syntax alone (the shell tests run the loops, slowly)
    "workbench/compile/loops.py": [
        "tests/magics/test_compile_loops.py::test_which_loops_open",
        "tests/magics/test_compile_loops.py::test_each_pass_assigns_its_item_to_the_loops_target_"
        "on_the_loops_line",
        "tests/magics/test_compile_loops.py::test_which_tapes_stay_open",
        "tests/magics/test_compile_loops.py::test_a_body_that_returns_is_not_opened",
    ],
    "workbench/compile/tapes.py": ["tests/unit/test_compile_tapes_and_abandoned.py"],
    "workbench/compile/abandoned.py": ["tests/unit/test_compile_tapes_and_abandoned.py"],
    "workbench/compile/branch_values.py": ["tests/unit/test_branch_values.py"],
    # its shell tests (tests/magics) take ~1 min per mutant: 272 mutants would take hours
    "workbench/compile/traces.py": [],
    "workbench/inspect/tensors.py": ["tests/inspect/test_tensor_displays.py"],
    "workbench/curves/follow.py": ["tests/unit/test_run_follower.py"],
    # the store's own tests; the callback's (tests/checkpoint/test_checkpoint.py) train models,
    # and runs.py / known.py are reached only by kernel-restart and panel tests
    "workbench/checkpoints/store.py": ["tests/checkpoint/test_store.py"],
    # and what users pass workbench.project: a trained model's layer, an Embedding, tensors
    "workbench/projector/inputs.py": [
        *PROJECTOR_TESTS,
        *(
            f"tests/projector/test_projection.py::test_{name}"
            for name in (
                "activations_of_a_trained_model_separate_the_classes",
                "a_missing_layer_lists_the_models_layers",
                "an_embedding_layer_with_its_vocabulary_and_a_tensor",
                "nan_rows_keep_their_place_in_coords",
            )
        ),
    ],
    "workbench/projector/reduce.py": PROJECTOR_TESTS,
    "workbench/projector/neighbors.py": PROJECTOR_TESTS,
    "workbench/projector/export.py": ["tests/projector/test_export.py"],
    "workbench/data/columns.py": DATA_TESTS,
    "workbench/data/accumulate.py": DATA_TESTS,
    "workbench/data/stats.py": DATA_TESTS,
    "workbench/data/schema.py": DATA_TESTS,
    "workbench/data/validate.py": DATA_TESTS,
    "workbench/data/drift.py": DATA_TESTS,
    # most of its forked mutants time out (31 of the first 42, each then run again in a fresh
    # interpreter): a full run takes hours; one process judging every mutant took ~1 h here
    "workbench/data/slices.py": ["tests/data/test_sliced_metrics.py"],
    # the table from rows made in the test: tests/export/test_export.py exports and times every
    # artifact (~12 s a mutant), which formats.py and measure.py would need too
    "workbench/exports/report.py": ["tests/export/test_report_table.py"],
    # the profiler's core, on captures the tests write (tests/profiler/xspace.py) and xprof's
    # tool data kept in tests/profiler/data: tests/profiler/test_captures.py profiles real
    # training, seconds a mutant
    "workbench/profiler/xplane.py": PROFILER_FILE_TESTS,
    "workbench/profiler/trace.py": [*PROFILER_FILE_TESTS, PROFILER_TIMELINE_TESTS],
    "workbench/profiler/lod.py": [PROFILER_TIMELINE_TESTS],
    "workbench/profiler/breakdown.py": [PROFILER_VERDICT_TESTS],
    "workbench/profiler/diagnosis.py": [PROFILER_VERDICT_TESTS],
    "workbench/profiler/ops.py": [PROFILER_VERDICT_TESTS],
    "workbench/profiler/pipeline.py": [PROFILER_VERDICT_TESTS],
    # the distribution core's pure parts, on the faults, worker states and frames a job makes,
    # built in the test (tests/unit/test_distribute_*.py, in EXTRA_TESTS)
    "workbench/distribute/diagnosis.py": [],
    "workbench/distribute/wire.py": [],
}
# The rest of workbench/distribute/ is left out: every test of it starts worker processes
# (multiworker) or trains on virtual devices (slow), which are not fast tests.
# Modules with process-wide caches (analyze's and digest's lru_cache, the trace caches) or tests
# that leave state in their process (a shared IPython shell): mutmut's default forks every mutant
# from the process that ran the whole suite for its stats, so a mutant would be served what the
# original code cached there (and never run), or a clean run would find the cells traced
# already. A fork server that only collected the tests is clean.
FRESH_PROCESS = {
    "workbench/compile/analysis.py",
    "workbench/compile/codegen.py",
    "workbench/compile/traces.py",
    "workbench/compile/tapes.py",
    "workbench/compile/abandoned.py",
    "workbench/compile/branch_values.py",
    "workbench/inspect/tensors.py",
    # openTSNE's thread pool: a forked worker hangs in it until mutmut's timeout (60 s a mutant)
    "workbench/projector/reduce.py",
    "workbench/projector/inputs.py",  # Keras models trained in its tests
    # TensorFlow (tf.data, reductions) in every test: forked workers hang as above
    *(f"workbench/data/{name}.py" for name in ("columns", "accumulate", "stats")),
    *(f"workbench/data/{name}.py" for name in ("schema", "validate", "drift", "slices")),
}
# Tests that cannot run under mutmut, left out of every run (the rest of their file runs):
# mutmut's runner takes SIGINT for itself, so an interrupt a test sends reaches no test.
UNDER_MUTMUT_NEVER = [
    "tests/data/test_damaged_input.py::test_a_kernel_interrupt_stops_the_pass_and_says_so",
]
# our own tests, each beside the modules it was written for (test file -> modules)
EXTRA_TESTS: dict[str, list[str]] = {
    "tests/unit/test_profiler_verdict_text.py": ["workbench/profiler/diagnosis.py"],
    "tests/unit/test_profiler_lod_edges.py": ["workbench/profiler/lod.py"],
    "tests/unit/test_profiler_xplane_exactly.py": ["workbench/profiler/xplane.py"],
    "tests/unit/test_profiler_breakdown_exactly.py": ["workbench/profiler/breakdown.py"],
    "tests/unit/test_profiler_trace_steps_exactly.py": ["workbench/profiler/trace.py"],
    "tests/unit/test_profiler_trace_columns_exactly.py": ["workbench/profiler/trace.py"],
    "tests/unit/test_profiler_event_table_exactly.py": ["workbench/profiler/trace.py"],
    "tests/unit/test_profiler_ops_and_pipeline_exactly.py": [
        "workbench/profiler/ops.py",
        "workbench/profiler/pipeline.py",
    ],
    "tests/unit/test_series_history.py": ["workbench/curves/series.py"],
    "tests/unit/test_lttb_matches_the_textbook.py": ["workbench/curves/downsample.py"],
    "tests/unit/test_records_damage_exactly.py": ["workbench/curves/records.py"],
    "tests/unit/test_event_files_read_back.py": [
        "workbench/curves/records.py",
        "workbench/curves/events.py",
    ],
    "tests/unit/test_run_store_in_memory_and_on_disk.py": ["workbench/curves/store.py"],
    "tests/unit/test_run_resume.py": ["workbench/curves/store.py"],
    "tests/unit/test_feed_progress_and_registry.py": [
        "workbench/curves/feed.py",
        "workbench/curves/registry.py",
    ],
    "tests/unit/test_run_listings.py": ["workbench/curves/runs.py", "workbench/curves/registry.py"],
    "tests/unit/test_run_registry_memory.py": [
        "workbench/curves/registry.py",
        "workbench/curves/feed.py",
    ],
    "tests/unit/test_params_errors_word_for_word.py": ["workbench/service/params.py"],
    "tests/unit/test_router_replies_exactly.py": ["workbench/service/router.py"],
    "tests/unit/test_cell_analysis_names.py": ["workbench/compile/analysis.py"],
    "tests/unit/test_cell_codegen_runs.py": ["workbench/compile/codegen.py"],
    "tests/unit/test_trace_cache.py": ["workbench/compile/traces.py"],
    "tests/unit/test_compile_promises_on_plain_namespaces.py": ["workbench/compile/traces.py"],
    "tests/unit/test_trace_cache_notes_and_calls.py": ["workbench/compile/traces.py"],
    "tests/unit/test_trace_exports.py": ["workbench/compile/traces.py"],
    "tests/projector/test_embedding_inputs.py": ["workbench/projector/inputs.py"],
    "tests/projector/test_activation_inputs.py": ["workbench/projector/inputs.py"],
    "tests/data/test_drift_scores_exactly.py": ["workbench/data/drift.py"],
    "tests/data/test_columns_of_every_kind.py": ["workbench/data/columns.py"],
    "tests/data/test_running_statistics.py": ["workbench/data/accumulate.py"],
    "tests/data/test_running_statistics_edges.py": ["workbench/data/accumulate.py"],
    "tests/data/test_running_statistics_over_batches.py": ["workbench/data/accumulate.py"],
    "tests/data/test_validate_infinite_values.py": [
        "workbench/data/validate.py",
        "workbench/data/accumulate.py",
        "workbench/data/stats.py",  # a pass without bounds counts -inf and inf
    ],
    "tests/data/test_stats_frame_and_histograms.py": [
        "workbench/data/stats.py",
        "workbench/data/accumulate.py",
        "workbench/data/columns.py",
    ],
    # a batch without values fitting a feature of either kind is stats.compute's
    "tests/data/test_object_columns_exactly.py": [
        "workbench/data/columns.py",
        "workbench/data/stats.py",
    ],
    "tests/data/test_dense_columns_exactly.py": ["workbench/data/columns.py"],
    # the kind a batch of NumPy strings is said to be, in the error of a column changing kind
    "tests/data/test_stats_passes_and_errors.py": [
        "workbench/data/stats.py",
        "workbench/data/columns.py",
    ],
    "tests/data/test_ragged_sparse_and_pandas_columns.py": [
        "workbench/data/columns.py",
        "workbench/data/stats.py",
    ],
    "tests/data/test_stats_saved.py": ["workbench/data/stats.py"],
    "tests/data/test_sliced_metrics_custom_loss.py": ["workbench/data/slices.py"],
    "tests/data/test_stats_limit_past_the_end.py": [
        "workbench/data/stats.py",
        "workbench/data/accumulate.py",
    ],
    "tests/data/test_schema_shapes_and_page.py": [
        "workbench/data/schema.py",
        "workbench/data/accumulate.py",
    ],
    "tests/unit/test_tensor_display_copies_a_sample.py": ["workbench/inspect/tensors.py"],
    "tests/unit/test_tensor_summaries_sparse_ragged_strings.py": ["workbench/inspect/tensors.py"],
    "tests/unit/test_sparse_tensor_statistics.py": ["workbench/inspect/tensors.py"],
    "tests/checkpoint/test_store_leaves_alone.py": ["workbench/checkpoints/store.py"],
    "tests/projector/test_pca_extremes.py": ["workbench/projector/reduce.py"],
    "tests/projector/test_tsne_settings.py": ["workbench/projector/reduce.py"],
    "tests/projector/test_umap_before_its_fit.py": ["workbench/projector/reduce.py"],
    "tests/projector/test_umap_fit.py": ["workbench/projector/reduce.py"],
    "tests/projector/test_export_read_back.py": ["workbench/projector/export.py"],
    "tests/data/test_sliced_metrics_exactly.py": ["workbench/data/slices.py"],
    "tests/data/test_sliced_metrics_inputs.py": ["workbench/data/slices.py"],
    "tests/unit/test_distribute_diagnosis.py": ["workbench/distribute/diagnosis.py"],
    "tests/unit/test_distribute_wire.py": ["workbench/distribute/wire.py"],
}

# mutmut exit codes (mutmut.stats.status_by_exit_code): a timeout or a crash is a detection
DETECTED = {"killed", "timeout", "segfault"}
STATUS = {
    0: "survived",
    1: "killed",
    3: "killed",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    -11: "segfault",
    -9: "segfault",
}


def selected_tests(module: str, extra_tests: bool) -> list[str]:
    extra = [t for t, modules in EXTRA_TESTS.items() if module in modules and extra_tests]
    return [t for t in MODULES[module] + extra if (REPO / t.partition("::")[0]).exists()]


def _normal(diff: str) -> str:
    """A mutant's changed lines without their indentation: how EQUIVALENT.md names a mutant."""
    return "\n".join(line[0] + line[1:].strip() for line in diff.strip().splitlines() if line)


def equivalents() -> dict[tuple[str, str], str]:
    """(function, changed lines) -> why the mutant is equivalent, from EQUIVALENT.md.

    An entry is a ``### <function>`` heading (the mutant's name without ``__mutmut_<n>``), a
    ``diff`` block of its changed lines and a paragraph saying why: matched by function and
    change, so renumbered mutants (after an edit elsewhere in the module) still match.
    """
    found: dict[tuple[str, str], str] = {}
    if not EQUIVALENT.exists():
        return found
    entry = re.compile(r"^### (\S+)\n+```diff\n(.*?)```\n+(.+?)(?=\n### |\n## |\Z)", re.M | re.S)
    for match in entry.finditer(EQUIVALENT.read_text()):
        why = " ".join(match.group(3).split())
        found[(match.group(1), _normal(match.group(2)))] = why
    return found


def _stem(name: str) -> str:
    return name.rpartition("__mutmut_")[0]


def _pyproject(module: str, tests: list[str]) -> str:
    """The project's pyproject.toml (pytest settings) plus mutmut's section for one module."""
    config: dict[str, Any] = {
        "source_paths": ["workbench/"],
        "only_mutate": [module],
        "pytest_add_cli_args_test_selection": tests,
        # the scratch copy has no cache to share; slow and browser tests are not fast tests
        "pytest_add_cli_args": [
            *("-p", "no:cacheprovider", "-m", "not slow and not browser and not multiworker"),
            *(arg for test in UNDER_MUTMUT_NEVER for arg in ("--deselect", test)),
        ],
        "use_git_change_detection": False,
    }
    if module in FRESH_PROCESS:
        config["process_isolation"] = "forkserver"
        # a hung worker (see _verify_timeouts) is cut short sooner, then run again without forks
        config["timeout_multiplier"] = 2.0
        config["timeout_constant"] = 2.0
    lines = ["", "[tool.mutmut]"] + [
        f"{key} = {json.dumps(value)}" for key, value in config.items()
    ]
    return (REPO / "pyproject.toml").read_text() + "\n".join(lines) + "\n"


def _scratch(module: str, tests: list[str], root: Path) -> Path:
    work = root / module.replace("/", "_").removesuffix(".py")
    shutil.rmtree(work, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "labextension", "_static", "*.pyc")
    shutil.copytree(REPO / "workbench", work / "workbench", ignore=ignore)
    shutil.copytree(REPO / "tests", work / "tests", ignore=ignore)
    (work / "pyproject.toml").write_text(_pyproject(module, tests))
    return work


def _diffs(work: Path, names: list[str]) -> dict[str, str]:
    if not names:
        return {}
    code = (
        "import json, sys\n"
        "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
        "names = json.loads(sys.argv[1])\n"
        "print(json.dumps({n: get_diff_for_mutant(n) for n in names}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(names)],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    )
    diffs: dict[str, str] = json.loads(out.stdout.strip().splitlines()[-1])
    # only the changed lines: the context is the whole function
    return {
        name: "\n".join(
            line
            for line in diff.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        )
        for name, diff in diffs.items()
    }


def _verify_timeouts(
    work: Path, module: str, tests: list[str], names: list[str], workers: int = 1
) -> dict[str, str]:
    """Each timed-out mutant run again without mutmut's forks: applied to a copy of the scratch
    source, its tests in a fresh interpreter. "killed" if they fail, "survived" if they pass,
    "timeout" if they still hang. ``workers`` copies run side by side, one mutant each.

    A mutmut worker forked from a process that imported TensorFlow can hang where TensorFlow
    needs its thread pools (which a fork does not copy), e.g. when pytest shows a tensor in a
    failure: both killed and surviving mutants then come back as timeouts.
    """
    if not names:
        return {}
    ignore = shutil.ignore_patterns("__pycache__", "mutants", "*.pyc", "mutmut.log")
    copies = []
    for index in range(max(1, min(workers, len(names)))):
        copy = work / f"verify-{index}"
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir()
        for part in ("workbench", "tests"):
            shutil.copytree(work / part, copy / part, ignore=ignore)
        shutil.copy(work / "pyproject.toml", copy / "pyproject.toml")
        shutil.copytree(work / "mutants", copy / "mutants", ignore=ignore)  # the mutants' meta
        copies.append(copy)
    queue = list(names)
    verdicts: dict[str, str] = {}
    # only the test files mutmut saw reaching the mutant's function (the others cannot fail)
    stats_file = work / "mutants" / "mutmut-stats.json"
    reaching: dict[str, list[str]] = {}
    if stats_file.exists():
        found = json.loads(stats_file.read_text()).get("tests_by_mangled_function_name", {})
        reaching = {
            stem: [t for t in tests if t.partition("::")[0] in {i.partition("::")[0] for i in ids}]
            for stem, ids in found.items()
        }
    lock = threading.Lock()

    def drain(copy: Path) -> None:
        while True:
            with lock:
                if not queue:
                    return
                name = queue.pop(0)
            verdicts[name] = _verify_one(copy, module, reaching.get(_stem(name)) or tests, name)

    with ThreadPoolExecutor(len(copies)) as pool:
        list(pool.map(drain, copies))
    for copy in copies:
        shutil.rmtree(copy, ignore_errors=True)
    return verdicts


def _verify_one(work: Path, module: str, tests: list[str], name: str) -> str:
    source = work / module
    original = source.read_text()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(work)}
    env.pop("MUTANT_UNDER_TEST", None)
    apply = (
        "import sys\n"
        "from mutmut.mutation.diff_apply import apply_mutant\n"
        "apply_mutant(sys.argv[1])\n"
    )
    try:
        subprocess.run([sys.executable, "-c", apply, name], cwd=work, check=True, env=env)
        proc = subprocess.run(
            [
                *(sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"),
                *("-m", "not slow and not browser and not multiworker", *tests),
            ],
            cwd=work,
            env=env,
            capture_output=True,
            timeout=600,
            check=False,
        )
        if proc.returncode == 5:  # no tests ran: no proof either way
            return "no tests"
        return {0: "survived", 1: "killed"}.get(proc.returncode, "killed")
    except subprocess.TimeoutExpired:
        return "timeout"
    finally:
        source.write_text(original)


def mutate(
    module: str,
    workers: int,
    root: Path,
    keep: bool,
    extra_tests: bool = True,
    only: list[str] | None = None,
) -> dict[str, Any]:
    tests = selected_tests(module, extra_tests)
    work = _scratch(module, tests, root)
    log = work / "mutmut.log"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)  # the copy, not the checkout, is what the tests import
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.run(
            [sys.executable, "-m", "mutmut", "run", "--max-children", str(workers), *(only or [])],
            cwd=work,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.monotonic() - started
    meta = work / "mutants" / (module + ".meta")
    if proc.returncode != 0 or not meta.exists():
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"mutmut failed on {module} (exit {proc.returncode}):\n{tail}")
    codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    status = {
        name: STATUS.get(code, "suspicious") if code is not None else "not checked"
        for name, code in codes.items()
    }
    if only:  # the mutants asked for: the others were not run
        status = {name: s for name, s in status.items() if s != "not checked"}
    if module in FRESH_PROCESS:  # forks of a TensorFlow process: timeouts are not verdicts
        timed_out = [name for name, s in status.items() if s == "timeout"]
        status.update(_verify_timeouts(work, module, tests, timed_out, workers))
    survivors = sorted((name for name, s in status.items() if s not in DETECTED), key=_natural)
    diffs = _diffs(work, survivors)
    listed = equivalents()
    known = {
        name: listed[(_stem(name), _normal(diffs.get(name, "")))]
        for name in survivors
        if (_stem(name), _normal(diffs.get(name, ""))) in listed
    }
    equivalent = [name for name in survivors if name in known]
    unexplained = [name for name in survivors if name not in known]
    killed = sum(s in DETECTED for s in status.values())
    counted = len(status) - len(equivalent)
    stale = sorted(
        f"{stem}: {change}"
        for stem, change in listed
        if stem.startswith(_prefix(module))
        and (not only or stem in {_stem(n) for n in status})  # --only: the functions it ran
        and not any(_stem(n) == stem and _normal(diffs.get(n, "")) == change for n in survivors)
    )
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "module": module,
        "tests": tests,
        "only": only or [],
        "mutants": len(status),
        "killed": killed,
        # of which timed out (mutmut stops a mutant's tests at 15x their clean time): on a
        # loaded machine a slow but correct run can count here, so the number is kept apart
        "timeouts": sum(s == "timeout" for s in status.values()),
        "equivalent": len(equivalent),
        "survived": len(unexplained),
        "score": round(killed / counted, 4) if counted else 1.0,
        "seconds": round(seconds, 1),
        "survivors": {
            name: {"status": status[name], "diff": diffs.get(name, "")} for name in unexplained
        },
        "equivalents": {
            name: {"why": known[name], "diff": diffs.get(name, "")} for name in equivalent
        },
        # listed in EQUIVALENT.md but not among the survivors: killed now, or the code changed
        "listed_equivalent_not_surviving": stale,
    }


def _prefix(module: str) -> str:
    return module.removesuffix(".py").replace("/", ".") + "."


def _natural(name: str) -> tuple[str, int]:
    stem, _, number = name.rpartition("__mutmut_")
    return stem, int(number)


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{'module':36} {'mutants':>7} {'killed':>6} {'equiv':>5} {'survived':>8} "
        f"{'score':>6} {'time':>7}"
    ]
    for r in rows:
        lines.append(
            f"{r['module']:36} {r['mutants']:7d} {r['killed']:6d} {r['equivalent']:5d} "
            f"{r['survived']:8d} {r['score']:6.1%} {r['seconds']:6.0f}s"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__)
    parser.add_argument("modules", nargs="*", help="paths as in MODULES; default: all")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("MUTATE_WORKERS", 2)))
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies")
    parser.add_argument(
        "--only",
        action="append",
        metavar="GLOB",
        help="only the mutants whose names match (mutmut's names, e.g. "
        "'workbench.projector.reduce.x_pca*'): a module whose slow functions would take hours",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"default {RESULTS}")
    parser.add_argument(
        "--without-extra-tests",
        action="store_true",
        help="only the tests in MODULES, not EXTRA_TESTS (the score before those were written)",
    )
    args = parser.parse_args(argv)
    modules = args.modules or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        parser.error(f"Expected modules among {list(MODULES)}. Received: {unknown}")
    root = Path(tempfile.gettempdir()) / "wb-mutation"
    rows = []
    for module in modules:
        extra = not args.without_extra_tests
        print(f"mutating {module} against {', '.join(selected_tests(module, extra))}", flush=True)
        row = mutate(module, args.workers, root, args.keep, extra, args.only)
        rows.append(row)
        # read again before writing: another run may have written other modules meanwhile
        results = json.loads(args.results.read_text()) if args.results.exists() else {}
        results[module] = row
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(results, indent=1) + "\n")
        for name, survivor in row["survivors"].items():
            print(f"  survived {name}\n    " + survivor["diff"].replace("\n", "\n    "))
    print(_table(rows))
    print(f"(written to {args.results})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
