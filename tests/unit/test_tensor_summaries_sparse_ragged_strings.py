"""What a sparse tensor, a ragged tensor and a cut string display say, word for word: their
shape, what is stored, the rows and their lengths, and previews bounded the way dense ones are."""

from __future__ import annotations

import pytest
import tensorflow as tf

from workbench.inspect.tensors import _string, summarize


def test_a_sparse_tensor_says_its_dense_shape_and_how_much_it_stores() -> None:
    matrix = tf.sparse.SparseTensor([[0, 1], [2, 3]], [1.0, 2.0], [3, 4])
    summary = summarize(matrix)
    assert summary.text() == (
        "<tf.SparseTensor shape=(3, 4) float32 on CPU:0 · min 0 · max 2 · mean 0.25 · std 0.5951"
        " · nan 0 · inf 0 · stored values 2 · density 0.167>"
    )  # the dense tensor's statistics (tests/unit/test_sparse_tensor_statistics.py); no preview
    assert (summary.heatmap, summary.preview) == (None, "")
    assert "<img" not in summary.html()
    full = summarize(tf.sparse.SparseTensor([[0], [1]], [5, 1], [2]))
    assert full.text() == (
        "<tf.SparseTensor shape=(2,) int32 on CPU:0 · min 1 · max 5 · mean 3 · std 2"
        " · stored values 2 · density 1>"
    )
    many = tf.sparse.SparseTensor([[i, 0] for i in range(7)], tf.range(7.0), [7, 3])
    assert summarize(many).text().endswith("· stored values 7 · density 0.333>")


def test_an_empty_or_scalar_sparse_tensor() -> None:
    empty = tf.sparse.SparseTensor(tf.zeros([0, 2], tf.int64), tf.zeros([0]), [0, 3])
    assert summarize(empty).text() == (
        "<tf.SparseTensor shape=(0, 3) float32 on CPU:0 · stored values 0 · density ->"
    )
    scalar = tf.sparse.SparseTensor(tf.zeros([1, 0], tf.int64), [7.0], tf.zeros([0], tf.int64))
    assert summarize(scalar).text() == (
        "<tf.SparseTensor shape=() float32 on CPU:0 = 7. · stored values 1 · density 1>"
    )


def test_a_ragged_tensor_says_its_rows_and_their_lengths() -> None:
    summary = summarize(tf.ragged.constant([[1, 2], [3], [], [4, 5, 6]]))
    assert summary.text() == (
        "<tf.RaggedTensor shape=(4, None) int32 on CPU:0 · min 1 · max 6 · mean 3.5 · std 1.708"
        " · rows 4 · ragged rank 1 · row lengths min 0 · max 3 · mean 1.5>\n"
        "[[1, 2], [3], [], [4, 5, 6]]"
    )
    # two ragged dimensions: no single row length to state
    nested = summarize(tf.ragged.constant([[[1], [2]], [[3]]]))
    assert nested.text() == (
        "<tf.RaggedTensor shape=(2, None, None) int32 on CPU:0 · min 1 · max 3 · mean 2"
        " · std 0.8165 · rows 2 · ragged rank 2>\n[[[1], [2]], [[3]]]"
    )
    empty = summarize(tf.ragged.constant([], dtype=tf.int32, ragged_rank=1))
    assert (
        empty.text()
        == "<tf.RaggedTensor shape=(0, None) int32 on CPU:0 · rows 0 · ragged rank 1>\n[]"
    )
    # uniform inner dimensions: the flat values are images, but no heatmap of a ragged tensor
    images = tf.RaggedTensor.from_row_lengths(tf.reshape(tf.range(45.0), [5, 3, 3]), [2, 3])
    summary = summarize(images)
    assert summary.heatmap is None
    assert "row lengths min 2 · max 3 · mean 2.5>" in summary.text()


def test_a_ragged_preview_shows_the_first_rows_cut_and_says_so() -> None:
    rows = tf.ragged.constant([[1] * 300, [2], [], [3, 4]] + [[5]] * 8)
    summary = summarize(rows)
    assert "rows 12 · ragged rank 1 · row lengths min 0 · max 300 · mean 25.9>" in summary.text()
    assert summary.preview == "[[1, 1, 1, 1, 1, 1], [2], [], [3, 4], [5], [5]] ..."
    # exactly six rows of at most six values: nothing cut, nothing said
    six = tf.ragged.constant([[9] * 6] * 6)
    assert summarize(six).preview == str([[9] * 6] * 6)
    # a row longer than six, only
    assert summarize(tf.ragged.constant([[1] * 7])).preview == "[[1, 1, 1, 1, 1, 1]] ..."
    # a preview longer than 400 characters is cut there, and says so
    wide = tf.RaggedTensor.from_row_lengths(tf.fill([12, 6, 6], 1234.5), [6, 6])
    preview = summarize(wide).preview
    assert len(preview) == 404
    assert preview.endswith(" ...")
    assert preview.startswith("[[[[1234.5, 1234.5,")
    # exactly 400 characters: shown whole, nothing said
    values = [123_456_789] * 28 + [12_345_678] * 8
    exact = [values[i : i + 6] for i in range(0, 36, 6)]
    assert len(str(exact)) == 400
    assert summarize(tf.ragged.constant(exact, dtype=tf.int64)).preview == str(exact)


def test_a_ragged_string_tensor_keeps_its_lengths_and_cuts_its_strings() -> None:
    words = tf.ragged.constant([["a", "bb"], ["ccc", "x" * 100]])
    summary = summarize(words)
    assert summary.text() == (
        "<tf.RaggedTensor shape=(2, None) string on CPU:0 · rows 2 · ragged rank 1"
        " · row lengths min 2 · max 2 · mean 2 · bytes per string min 1 · max 100 · mean 26.5>\n"
        "[['a', 'bb'], ['ccc', '" + "x" * 24 + "'…]]"
    )
    raw = summarize(tf.ragged.constant([[b"\xff", b"ok"], [b"\xfe"]]))
    assert raw.preview == r"[[b'\xff', 'ok'], [b'\xfe']]"


@pytest.mark.parametrize("kept", [1, 2, 3])
def test_a_cut_never_splits_a_four_byte_character(kept: int) -> None:
    raw = b"ab" + "😀".encode()[:kept]  # the cut fell inside the emoji
    assert _string(raw, 40) == "'ab'…"
    assert _string(raw, 1_234, count=True) == "'ab'… (1,234 bytes)"


def test_whole_strings_and_bytes_that_are_not_utf8() -> None:
    assert _string(b"abc", 3) == "'abc'"
    assert _string(b"abc", 3, count=True) == "'abc'"
    assert _string("é😀".encode(), 6) == "'é😀'"
    # not a cut character: bytes that are no UTF-8 at all stay a bytes literal, cut or not
    assert _string(b"\xff\xfe", 2) == r"b'\xff\xfe'"
    assert _string(b"a\xff\x80\x80\x80", 9) == r"b'a\xff\x80\x80\x80'…"
