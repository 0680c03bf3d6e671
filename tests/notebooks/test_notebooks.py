"""Every tutorial and dashboard notebook runs top to bottom, and is committed without outputs."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").rglob("*.ipynb"))
IDS = [str(p.relative_to(REPO / "notebooks")) for p in NOTEBOOKS]

# what each notebook must show, as patterns over its cells' text outputs in order, each display
# followed by "[shows <mimetypes> <workbench-* parts of its HTML> <img/<svg>]" (a notebook that
# runs without error but shows the wrong thing fails too)
SHOWS: dict[str, list[str]] = {
    # run where no runs/ exists: the page says so, and shows itself (tests/dashboards has runs)
    "dashboards/training_monitor.ipynb": [
        r"<training monitor of runs: 0 runs \(0 running\) · curves of none · latest profile: "
        r"no profile yet>",
        r"\[shows application/vnd\.jupyter\.widget-view\+json text/html text/plain",
    ],
    "tutorials/07_checkpoint_export.ipynb": [
        r"<checkpoint ckpt-44: epoch 2, step 44, [\d.]+ KB, [\d:]+>\n<checkpoint ckpt-22: epoch 1",
        r"workbench\.checkpoint: resumed from tutorial-07/ckpts/ckpt-44 \(epoch 2, step 44\)\.",
        # the live curves continue the checkpoint's run: its 44 steps, then epochs 3 and 4
        r"<curves of digits · finished · epoch 4/4 · step 88/88 · ",
        r"epochs run now: \[3, 4\]",
        r"max weight difference, resumed vs straight: 0\.0\n",  # bit for bit
        r"skipping damaged checkpoint tutorial-07/ckpts/ckpt-88/state\.data-00000-of-00001: "
        r"corrupted .*kept as ckpt-88\.damaged\.",
        r"resumed from tutorial-07/ckpts/ckpt-66 \(epoch 3, step 66\)",
        r"custom loop, resumed vs straight: 0\.0\n",
        r"<export to tutorial-07/exports: 397 validation examples, this CPU>\nformat +size",
        r"\nsavedmodel +[\d.]+ KB .* 100\.0% +loads, max \|Δ\| 0\n",
        r"\nlitert-float +[\d.]+ KB .* 100\.0% +loads, max \|Δ\| 0\n",
        r"\nlitert-int8 +[\d.]+ KB .* 9\d\.\d% +loads, max \|Δ\| 0",
        r"\[shows text/html text/plain workbench-export\]",
        r"Expected representative_data with quantize='int8'",
    ],
    "tutorials/00_welcome.ipynb": [
        r"TensorFlow loaded yet\? False",  # `import workbench` is light
        r"TensorFlow 2\.\d+",
        r"eager (-?[\d.]+)  tf\.function \1",  # graph and eager agree
        r"accuracy after 10 epochs: 0\.9\d",  # a seeded model that learns
        r"All checks passed\.",
    ],
    "tutorials/04_profile.ipynb": [
        r"input-bound: \d+% of step time waits for data",  # the verdict, in the report
        r"before: input-bound, [\d.]+ ms a step, input \d+%",
        r"after: (compute|overhead)-bound, [\d.]+ ms a step",
        r"step time [\d.]+ ms -> [\d.]+ (ms|µs) \([\d.]+x faster\), input wait \d+% -> \d+%",
        r"The fix made a step \d+x faster\. All checks passed\.",
    ],
    "tutorials/06_projector.ipynb": [
        r"training accuracy 0\.9\d",
        r"<Projection: PCA of array 1797 x 8 x 8 to 2-D; explained variance 14\.9%, 13\.6%",
        r"\[shows application/vnd\.jupyter\.widget-view\+json text/html text/plain <img\]",
        r"t-SNE of 1,797 points in [\d.]+ s",  # the progress line's last word
        r"<Projection: t-SNE of activations of layer 'hidden' \(1797 x 32\) to 2-D; openTSNE",
        r"\[shows application/vnd\.jupyter\.widget-view\+json text/html text/plain <img\]",
        r"silhouette by class: 0\.[3-9]\d \(shuffled labels: -?0\.0\d\)",
        r"<5 nearest to row 0 \(euclidean\): \d+ \(0, [\d.]+\), ",
        r"0 rows selected; mistakes: \d+",
        r"<Projection: PCA of activations of layer 'hidden' \(1797 x 32\) to 3-D",
        r"\['hidden\.tsv', 'hidden_metadata\.tsv', 'projector_config\.pbtxt'\]",
        r"All checks passed\.",
    ],
    "tutorials/01_inspect.ipynb": [
        r"<tf\.Tensor shape=\(1797, 8, 8\) float32 on CPU:0 · min 0 · max 1 · mean 0\.3053 ",
        r"\[shows .*workbench-heatmap.*workbench-histogram.*<img\]",  # a batch's first image
        r"shape=\(4,\) float32 on CPU:0 · min 1 · max 3 · mean 2 · std 1 · nan 1 · inf 1>",
        r"<tf\.Variable shape=\(64, 10\) float32 .* trainable True · name w:0>",
        r"<tf\.RaggedTensor shape=\(3, None\) int32 .* row lengths min 1 · max 3 · mean 2>",
        r"<tf\.SparseTensor shape=\(5, 5\) .* stored values 5 · density 0\.2>",
        r"<Functional 'functional': 3,538 params \(3,538 trainable, 0 not\)>",
        r"merge \(Concatenate\) -> \(None, 64\) · 0 params",
        r"optimizer Adam \(learning rate 0\.001\) · loss sparse_categorical_crossentropy",
        r"\[shows .*<svg\]",  # the functional model's layer graph
        r"element \(float32\[None, 64\], int64\[None\]\) · cardinality 57>",
        r"<gradients of loss [\d.]+: 2 flagged>",
        r"wide/kernel: [\d.e+-]+\n",  # a connected layer: a finite norm, not flagged
        r"dangling/kernel: None  ! no gradient \(not connected to the loss\)",
        r"d²y/dx² = 12 \(6x = 12\)",  # a gradient of a gradient
        r"gradient penalty [\d.e+-]+; its gradient reaches (\d+) of \1 variables",
        # TensorFlow's own softplus gradient is inf / inf past float32's range, the custom one is 1
        r"naive gradient: +\[0\.5 .*nan +nan\]\ncustom gradient: \[0\.5 .* 1\. +1\. *\]",
        r"shape=\(4,\) float32 on CPU:0 · .* nan 2 · inf 0>",
    ],
    "tutorials/02_compile.ipynb": [
        r"%%compile function · cell · 1 trace · first call",
        r"<tf\.Tensor shape=\(\) float32 on CPU:0 = [\d.]+>",  # the loss comes back as a tensor
        r"%%compile xla · cell · 1 trace",
        r"local to the cell \(assigned only inside a loop or branch\): step, tape",
        r"cell · 2 traces.*\n.*cell retraced 1 time: `factor` is a Python float that changes "
        r"\(0\.5 -> 0\.25\); pass a tensor instead",
        r"eager +[\d.]+ (µs|ms|s) +1\.00x",
        r"tf\.function +[\d.]+ (µs|ms|s) +[\d.]+x +[\d.]+ (µs|ms|s) +agree",
        r"XLA +[\d.]+ (µs|ms|s) +[\d.]+x +[\d.]+ (µs|ms|s) +agree",
        # --graph: Grappler's rewrites and XLA's fusions of the cell, then of a tf.function
        r"\(XLA\): \d+ ops before Grappler, \d+ after\n",
        r"HLO \(optimized, entry computation\): .*fusion",
        r"\[shows text/html text/plain workbench-graph\]",
        r"<lambda>: \d+ ops before Grappler, \d+ after\n  before: .*Transpose",
        r"\[shows text/html text/plain workbench-graph\]",
        r"model\.fit ran XLA \(run_eagerly=False, jit_compile=True; the model's own "
        r"run_eagerly=False, jit_compile=False restored after the cell\)",
        r"first predictions: \[\d( \d){7}\]",  # printed as it runs, before the report
        r"%%compile function · compiled lines 2-5 · 1 trace · .* · ran eagerly: line 5 print, "
        r"line 6 float",
        r"Cells without %%compile run as tf\.function\.",
        r"%%compile function · cell · 1 trace",  # the default mode applied
        r"TensorShape\(\[128, 64\]\)",
        r"Cells without %%compile run eagerly\.",
    ],
    "tutorials/05_distribute.ipynb": [
        r"\['/device:CPU:0', '/device:CPU:1', '/device:CPU:2', '/device:CPU:3'\]",
        r"MirroredStrategy · 4 replicas on CPU:0, CPU:1, CPU:2, CPU:3 · all-reduce",
        r"accuracy after 5 epochs: 0\.\d+",
        r"largest weight difference from model\.fit on one device: \de[-+]\d\d",
        # the job's live view, replaced by its table when it ended; the chief's curves below
        r"<Job 'digits-2-workers' \(local\): finished; worker 0 finished at step 140, worker 1 "
        r"finished at step 140>\n\[shows text/html text/plain workbench-job\]",
        r"<curves of digits-2-workers · finished · epoch 5/5 · step 140/140",
        r"both workers hold the same model: True",
        r"ValueError: worker 1 has no data \['\(raised in worker 1 of the job\)'\]",
        r"failed; worker 0 stopped at step 0, worker 1 failed at step 0>",
        r"All checks passed\.",
    ],
    "tutorials/08_data_validation.ipynb": [
        r"<statistics of a tf\.data\.Dataset: 20,000 examples, 5 features "
        r"\(4 numeric, 1 categorical\)",
        r"\[shows text/html text/plain workbench-data-stats workbench-sortable "
        r"workbench-sparkline\]",
        r"country +string +20,000 +0% +4 +'NZ'",
        r"age: float, required, single value, 18 to 100",
        r"age: missing values: \d+ of 5,000 examples have no value \(the feature is required\)",
        r"country: new category: 250 values are not among the 4 allowed categories "
        r"\(e\.g\. 'UK'\)",
        r"\[shows text/html text/plain workbench-data-drift workbench-sortable "
        r"workbench-sparkline\]",
        r"! income +jensen_shannon +0\.9\d+",  # the export's income in thousands
        r"flagged: \['income'\]",
        r"<no anomalies in 5,000 examples>\nflagged after the fix: \[\]",
        r"\[shows text/html text/plain workbench-data-slices workbench-sortable\]",
        r"! country=BR +\d+ +loss [\d.]+ \[[\d.]+, [\d.]+\] · accuracy 0\.\d+ .* "
        r"worse: loss, accuracy",
        r"All checks passed\.",
    ],
    "tutorials/09_project.ipynb": [
        # the first pipeline waits for data (its share varies on a busy machine), the fix ends it
        r"<curves of first-pipeline · finished · epoch 1/1 · step 22/22",
        r"\n(partly )?input-bound: \d+% of step time waits for data",
        r"\[shows text/html text/plain workbench-profile-ops workbench-profile-report "
        r"workbench-profile-verdict\]",
        r"verdict: (partly )?input-bound; the steps wait for data \d+% of the time",
        r"<curves of fixed-pipeline · finished · epoch 2/2 · step 44/44",
        r"\n(compute|overhead)-bound: \d+% of step time",
        r"before: (partly )?input-bound, [\d.]+ ms a step, waiting for data \d+%\n"
        r"after: +(compute|overhead)-bound, [\d.]+ ms a step, waiting for data \d+%",
        r"step time [\d.]+ ms -> [\d.]+ (ms|µs) \([\d.]+x faster\), input wait \d+% -> \d+%",
        r"\[shows application/vnd\.plotly\.v1\+json text/html text/plain "
        r"workbench-profile-compare\]",
        # one step eager, tf.function and XLA side by side, then the fit compiled with XLA
        r"%%compile xla · cell · 1 trace",
        r"eager +[\d.]+ (µs|ms|s) +1\.00x",
        r"XLA +[\d.]+ (µs|ms|s) +[\d.]+x +[\d.]+ (µs|ms|s) +agree",
        r"<curves of digits-convnet · finished · epoch 10/10 · step 220/220 .* val_accuracy 0\.\d+",
        r"\[shows application/vnd\.plotly\.v1\+json.*workbench-curves-snapshot.*<svg\]",
        r"model\.fit ran XLA \(run_eagerly=False, jit_compile=True",
        r"test accuracy after 10 epochs: 0\.\d+\n<checkpoint ckpt-220: epoch 10, step 220, "
        r"[\d.]+ KB, [\d:]+>\n<checkpoint ckpt-198: epoch 9",
        r"restored epoch 10, step 220; same predictions as the trained model: True",
        r"<Projection: t-SNE of activations of layer 'embedding' \(397 x 32\) to 2-D",
        r"\[shows application/vnd\.jupyter\.widget-view\+json text/html text/plain <img\]",
        r"\d+ of 397 test images misclassified; silhouette of the classes in the picture: 0\.\d+",
        r"\nlitert-float +[\d.]+ KB .* 100\.0% +loads, max \|Δ\| 0\n",
        r"\[shows text/html text/plain workbench-export\]",
        r"model_float\.tflite: [\d.]+ KB\npredicted digit agrees with Keras on 100\.0% of 397 "
        r"test images\nlargest probability difference: [\d.]+e[-+]\d\d\n"
        r"test accuracy: Keras (0\.\d+), LiteRT \1\n",
        r"All checks passed\.",
    ],
    "tutorials/03_live_curves.ipynb": [
        # the live view was replaced by the run's final chart, saved as a plotly figure
        r"<curves of adam-1e-3 · finished · epoch 8/8 · step 360/360 · took \d+ s · "
        r"accuracy 0\.\d+ · loss [\d.]+ · val_accuracy 0\.\d+ · val_loss [\d.]+: accuracy, loss>",
        r"\[shows application/vnd\.plotly\.v1\+json.*workbench-curves-snapshot.*<svg\]",
        r"<curves of sgd-0\.1 · finished · step 227 · took \d+ s · loss [\d.]+: loss>",
        r"\[shows application/vnd\.plotly\.v1\+json",
        r"sgd-0\.1 +finished +227 +loss [\d.]+\nadam-1e-3 +finished +360 +accuracy 0\.\d+, loss",
        r"<curves of 2 runs \(adam-1e-3, sgd-0\.1\): loss>",
        r"\[shows application/vnd\.plotly\.v1\+json",
    ],
}


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path}: strip outputs"
            assert cell.execution_count is None, f"{path}: strip execution counts"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "tf-workbench"
    client = NotebookClient(
        nb, timeout=600, kernel_name="tf-workbench", resources={"metadata": {"path": tmp_path}}
    )
    started = time.perf_counter()
    client.execute()
    _record_time(path, time.perf_counter() - started)
    # a run leaves a readable record: save it beside the test's files for a look by hand
    nbformat.write(nb, tmp_path / path.name)
    text = "\n".join(_text(output) for cell in nb.cells for output in cell.get("outputs", []))
    position = 0
    for pattern in SHOWS.get(str(path.relative_to(REPO / "notebooks")), []):
        found = re.compile(pattern).search(text, position)
        assert found, f"{path.name} does not show {pattern!r} (after what it showed before)"
        position = found.end()


def _record_time(path: Path, seconds: float) -> None:
    """Each notebook's run time in ``bench-results/notebook-times.json`` (the README's tutorial
    table quotes them)."""
    out = REPO / "bench-results" / "notebook-times.json"
    out.parent.mkdir(exist_ok=True)
    try:
        times = json.loads(out.read_text())
    except (OSError, ValueError):
        times = {}
    times[str(path.relative_to(REPO / "notebooks"))] = round(seconds, 1)
    out.write_text(json.dumps(dict(sorted(times.items())), indent=2) + "\n")


def _text(output: dict[str, object]) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    data = output.get("data", {})
    if not isinstance(data, dict):
        return ""
    # what a reader sees beyond the text form: the mimetypes, the workbench displays' parts in the
    # HTML (histogram, heatmap, ...) and whether it holds a picture or a drawing
    html = str(data.get("text/html", ""))
    kinds = sorted(data) + sorted(set(re.findall(r"class=.(workbench-[\w-]+)", html)))
    kinds += [tag for tag in ("<img", "<svg") if tag in html]
    return f"{data.get('text/plain', '')}\n[shows {' '.join(kinds)}]"
