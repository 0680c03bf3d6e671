"""Tensor displays on the inputs that broke them: string tensors, tensors with NaN and Inf, and
the pictures (heatmap, histogram) and previews as a user sees them in JupyterLab."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from typing import Any

import numpy as np
import pytest

from tests.conftest import run_python


def test_string_tensors_show_their_values(ip: Any, show: Any) -> None:
    text = show("tf.constant('hello')")["text/plain"]
    assert text == "<tf.Tensor shape=() string on CPU:0 = 'hello'>"
    data = show("tf.Variable('hello', name='greeting')")
    assert data["text/plain"] == (
        "<tf.Variable shape=() string on CPU:0 = 'hello' · trainable True · name greeting:0>"
    )
    assert "<b>&#x27;hello&#x27;</b>" in data["text/html"]
    # bytes that are not UTF-8 show as a bytes literal
    assert show(r"tf.constant(b'\xff\xfe')")["text/plain"].endswith(r"= b'\xff\xfe'>")
    # a long value is cut, and says how long it is; a cut never splits a character
    text = show("tf.constant('x' * 1_000_000)")["text/plain"]
    assert text.endswith("'… (1,000,000 bytes)>")
    assert len(text) < 200
    text = show("tf.constant('é' * 100)")["text/plain"]
    assert text.endswith(" = '" + "é" * 60 + "'… (200 bytes)>")


def test_string_tensors_of_other_shapes(ip: Any, show: Any) -> None:
    data = show(r"tf.constant([['a', 'bb'], ['ccc', b'\xff']])")
    assert data["text/plain"].split("\n") == [
        "<tf.Tensor shape=(2, 2) string on CPU:0 · bytes per string min 1 · max 3 · mean 1.75>",
        "[['a' 'bb']",
        r" ['ccc' b'\xff']]",
    ]
    assert "workbench-histogram" not in data["text/html"]  # no histogram of strings
    text = show("tf.constant(['y' * 100_000] * 1_000)")["text/plain"]
    assert "['yyyyyyyyyyyyyyyyyyyyyyyy'… 'yyyyyyyyyyyyyyyyyyyyyyyy'…" in text
    assert len(text) < 400  # six values cut at 24 bytes, not 100 MB
    assert show("tf.constant([''])")["text/plain"].endswith("= ''>")
    assert "rows 2" in show("tf.ragged.constant([['a'], ['b', 'c']])")["text/plain"]


def test_statistics_leave_out_nan_and_inf_like_numpy(ip: Any, show: Any, monkeypatch: Any) -> None:
    import tensorflow as tf

    from workbench.inspect import stats
    from workbench.inspect.tensors import summarize

    monkeypatch.setattr(stats, "CHUNK", 1_000)  # many chunks: clean ones, mixed ones, all-NaN ones
    rng = np.random.default_rng(7)
    values = (rng.standard_normal(20_000) * 3 + 1e4).astype(np.float32)
    values[rng.random(20_000) < 0.3] = np.nan
    values[rng.random(20_000) < 0.05] = np.inf
    values[rng.random(20_000) < 0.05] = -np.inf
    values[5_000:7_000] = np.nan  # whole chunks without a finite value
    summary = summarize(tf.constant(values.reshape(100, 200)))
    finite = values[np.isfinite(values)].astype(np.float64)
    assert summary.stats["nan"] == np.isnan(values).sum()
    assert summary.stats["inf"] == np.isinf(values).sum()
    assert summary.stats["min"] == finite.min()
    assert summary.stats["max"] == finite.max()
    assert summary.stats["mean"] == pytest.approx(finite.mean(), rel=1e-9)
    assert summary.stats["std"] == pytest.approx(finite.std(), rel=1e-4)
    assert summary.histogram is not None
    assert summary.histogram.caption == f"all {finite.size:,} finite values"
    assert summary.histogram.counts.sum() == finite.size
    # mostly NaN: the strided sample holds no finite value, the few there are are found
    sparse = np.full(300_000, np.nan, np.float32)
    sparse[[3, 150_001, 299_999]] = [-2.0, 5.0, 1.0]
    summary = summarize(tf.constant(sparse))
    assert (summary.stats["min"], summary.stats["max"], summary.stats["mean"]) == (-2, 5, 4 / 3)
    assert summary.histogram is not None
    assert summary.histogram.caption == "all 3 finite values"
    text = show("tf.fill([3, 2], float('nan'))")["text/plain"]
    assert text.startswith("<tf.Tensor shape=(3, 2) float32 on CPU:0 · nan 6 · inf 0>")
    # finite float32 values whose squares overflow float32
    assert "std 8.165e+29 · nan 1" in show("tf.constant([1e30, -1e30, 2.0, np.nan])")["text/plain"]


PEAK = """
import os
from pathlib import Path
import numpy as np, tensorflow as tf
from workbench.inspect.tensors import summarize

def rss(field):
    lines = Path("/proc/self/status").read_text().splitlines()
    line = next(line for line in lines if line.startswith(field))
    return int(line.split()[1]) / 1024

summarize(tf.constant([[1.0, float("nan")], [float("inf"), 2.0]]))  # kernels set up
values = np.random.default_rng(0).standard_normal(25_000_000, dtype=np.float32)  # 100 MB
values[{nans}] = np.nan
tensor = tf.constant(values.reshape(5_000, 5_000))
del values
before = rss("VmRSS")
Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
summarize(tensor).html()
print(rss("VmHWM") - before)
"""


@pytest.mark.slow
def test_a_tensor_with_nans_displays_without_a_full_size_copy() -> None:
    """The display's peak memory, in a fresh process per case (an allocator keeps what it once
    held): compacting the finite values took 3x the tensor's size more than a clean display."""
    clean = float(run_python(PEAK.format(nans="[]")).split()[-1])
    for nans in ("12_345_678", "slice(None, None, 2)"):  # one NaN; every other value
        peak = float(run_python(PEAK.format(nans=nans)).split()[-1])
        assert peak - clean < 25, (nans, peak, clean)  # MB, a quarter of the tensor's size


def _pixels(html: str) -> np.ndarray:
    """The heatmap's PNG (8-bit RGB, filter 0, as the workbench writes it) as an H x W x 3 array;
    its size checked against the <img> size: nearest-neighbour scaling is in the PNG itself."""
    img = re.search(r"<img [^>]*width='(\d+)' height='(\d+)'[^>]*base64,([^']+)'", html)
    assert img is not None
    png = base64.b64decode(img.group(3))
    width, height, depth, color = struct.unpack(">IIBB", png[16:26])
    assert (width, height, depth, color) == (int(img.group(1)), int(img.group(2)), 8, 2)
    data = zlib.decompress(png[png.index(b"IDAT") + 4 :])
    rows = np.frombuffer(data, np.uint8).reshape(height, 1 + width * 3)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(height, width, 3)


def test_a_small_heatmap_is_large_and_sharp(ip: Any, show: Any) -> None:
    ip.run_cell("ramp = tf.reshape(tf.range(64.0), [8, 8])")
    html = show("ramp")["text/html"]
    pixels = _pixels(html)
    assert pixels.shape[:2] == (128, 128)  # 8x8 cells of 16 px, not 32 px in all
    cells = pixels[::16, ::16, 0]
    assert (pixels[:, :, 0] == np.repeat(np.repeat(cells, 16, 0), 16, 1)).all()  # sharp edges
    assert cells[0, 0] == 0
    assert cells[-1, -1] == 255
    assert "black 0 · white 63" in html
    strip = _pixels(show("tf.zeros([1, 40]) + tf.range(40.0)")["text/html"])
    assert strip.shape[0] >= 12  # a 1-row tensor is still a visible strip
    assert strip.shape[1] >= 96


def test_a_constant_looks_constant_and_nan_stands_out(ip: Any, show: Any) -> None:
    html = show("tf.ones([8, 8])")["text/html"]
    assert (_pixels(html) == 128).all()  # mid grey, not black
    assert "constant 1" in html
    pixels = _pixels(show("tf.constant([[0.0, float('nan')], [float('inf'), 1.0]])")["text/html"])
    assert tuple(pixels[0, -1]) == tuple(pixels[-1, 0]) == (214, 39, 40)  # NaN, Inf: red
    assert tuple(pixels[0, 0]) == (0, 0, 0)
    assert tuple(pixels[-1, -1]) == (255, 255, 255)


def _histogram(html: str) -> str:
    start = html.index("<div class='workbench-histogram'")
    return html[start : html.index("<figure", start) if "<figure" in html[start:] else None]


def test_the_histogram_says_what_it_counts_and_reads_at_a_glance(ip: Any, show: Any) -> None:
    chart = _histogram(show("tf.reshape(tf.range(64.0), [8, 8])")["text/html"])
    assert ">all 64 values</span>" in chart
    sizes = [int(size) for size in re.findall(r"font-size:(\d+)px", chart)]
    assert min(sizes) >= 10
    ticks = re.findall(r"text-align:(\w+);font-size:10px;[^>]*>([^<]*)</span>", chart)
    assert ("left", "0") in ticks
    assert ("right", "63") in ticks
    assert len(ticks) >= 4  # the ends and round values between them
    ip.run_cell("big = tf.random.normal([300, 1000], seed=3)")
    chart = _histogram(show("big")["text/html"])
    assert ">a sample: 60,000 of 300,000 values</span>" in chart
    # the ends are marked with the sample's own min and max, which the tensor's may exceed
    ends = [float(end) for end in re.findall(r";color:#ff8f00'>([^<]+)</span>", chart)]
    text = show("big")["text/plain"]
    stats = dict(part.split(" ", 1) for part in text.split(">")[0].split(" · ")[1:])
    assert len(ends) == 2
    assert float(stats["min"]) <= ends[0] < ends[1] <= float(stats["max"])


# What JupyterLab's sanitizer keeps of the HTML of an untrusted notebook (a saved notebook opened
# elsewhere): its allowlist (packages/apputils/src/sanitizer.ts) cut to what displays may use.
TAGS = {"div", "span", "b", "table", "tr", "td", "pre", "img", "figure", "figcaption", "br"}
ATTRIBUTES = {"class", "style", "title", "alt", "width", "height", "src"}
PROPERTIES = {
    *("position", "left", "top", "width", "height", "display", "vertical-align", "opacity"),
    *("margin", "margin-right", "padding", "padding-right", "border-top", "border-left"),
    *("font-family", "font-size", "line-height", "white-space", "text-align", "color"),
    "background-color",
    "image-rendering",  # dropped when untrusted, harmless: the PNG is scaled up already
}


def test_tensor_displays_survive_an_untrusted_notebook(ip: Any, show: Any) -> None:
    from html.parser import HTMLParser

    class Check(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            assert tag in TAGS, tag
            for name, value in attrs:
                assert name in ATTRIBUTES, (tag, name)
                if name == "src":
                    assert (value or "").startswith("data:image/png;base64,")
                for declaration in (value or "").split(";") if name == "style" else []:
                    prop, _, setting = declaration.partition(":")
                    assert prop.strip() in PROPERTIES, declaration
                    # a variable fails the sanitizer's value check: only a font may fall back
                    assert "var(" not in setting or prop == "font-family", declaration

    expressions = [
        "tf.reshape(tf.range(64.0), [8, 8])",
        "tf.constant([[0.0, float('nan')], [float('inf'), 1.0]])",
        "tf.ones([3, 28, 28, 1])",
        "tf.constant(['a', 'b'])",
        "tf.constant('a')",
    ]
    for expression in expressions:
        Check().feed(show(expression)["text/html"])


def test_previews_are_a_few_lines(ip: Any, show: Any) -> None:
    ip.run_cell(
        "from sklearn.datasets import load_digits\n"
        "digits = tf.constant(load_digits().images, tf.float32)"
    )
    data = show("digits")
    lines = data["text/plain"].split("\n")
    assert lines[1] == "[0, :6, :6] = [[ 0.  0.  5. 13.  9.  1.]"
    assert len(lines) == 7  # the head line and the first image's corner: not 40 lines
    pre = data["text/html"].split("<pre")[1].split("</pre>")[0]
    assert pre.count("\n") == 5
    assert "[0] 8x8" in data["text/html"]  # the heatmap says which slice it shows
    text = show("tf.zeros([2, 28, 28, 3])")["text/plain"]
    assert text.split("\n")[1].startswith("[0, :6, :6, 0] = [[0. 0. 0. 0. 0. 0.]")
    assert len(text.split("\n")) == 7
