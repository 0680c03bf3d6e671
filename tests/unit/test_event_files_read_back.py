"""Event files: what ``read_scalars`` takes from files TensorFlow's own ``tf.summary`` wrote, what
it leaves out, what it says about files it cannot use, and what ``EventWriter`` writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import tensorflow as tf
from tensorboard.compat.proto import event_pb2

from workbench.curves.events import EventWriter, read_scalars
from workbench.curves.records import read_records


def test_tf_summary_scalars_of_any_number_type_are_read_and_other_summaries_are_not(
    tmp_path: Path,
) -> None:
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        for step in (1, 2):
            tf.summary.scalar("loss", 0.5 * step, step=step)
            tf.summary.write("count", tf.constant(7 * step, tf.int64), step=step)
            tf.summary.write("done", tf.constant(step == 2), step=step)
            tf.summary.text("note", f"epoch {step}", step=step)  # one string: not a number
            tf.summary.histogram("weights", [1.0, 2.0, 3.0], step=step)  # many numbers
            tf.summary.write("pair", tf.constant([1.0, 2.0]), step=step)
    writer.close()
    problems: list[str] = []
    scalars = read_scalars(tmp_path, problems)
    assert problems == []
    assert sorted(scalars) == ["count", "done", "loss"]
    assert scalars["loss"][0] == [1, 2]
    assert scalars["loss"][2] == [0.5, 1.0]
    assert scalars["count"][2] == [7.0, 14.0]
    assert scalars["done"][2] == [0.0, 1.0]


def test_a_tag_once_written_as_text_is_not_a_curve(tmp_path: Path) -> None:
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        tf.summary.scalar("mixed", 1.0, step=1)
        tf.summary.text("mixed", "not a number", step=2)
        tf.summary.scalar("kept", 2.0, step=1)
    writer.close()
    assert sorted(read_scalars(tmp_path)) == ["kept"]


def test_files_that_cannot_be_used_are_named_and_the_others_still_read(tmp_path: Path) -> None:
    (tmp_path / "events.out.tfevents.0.0.a-folder").mkdir()
    os.mkfifo(tmp_path / "events.out.tfevents.0.1.a-fifo")
    (tmp_path / "events.out.tfevents.0.2.unreadable").symlink_to("/proc/self/mem")  # EIO on read
    with tf.io.TFRecordWriter(str(tmp_path / "events.out.tfevents.0.3.not-events")) as records:
        records.write(b"\xff\xff\xff not a proto")
        records.write(b"\xff\xff\xff nor this")
        event = event_pb2.Event(step=4)
        event.summary.value.add(tag="loss", simple_value=0.25)
        records.write(event.SerializeToString())
    (tmp_path / "events.out.tfevents.0.4.empty").write_bytes(b"")
    writer = EventWriter(tmp_path)
    writer.write([("loss", 5, 100.0, 0.125)])
    writer.close()
    problems: list[str] = []
    scalars = read_scalars(tmp_path, problems)
    assert scalars["loss"][0] == [4, 5]
    assert scalars["loss"][2] == [0.25, 0.125]
    assert problems == [
        "events.out.tfevents.0.0.a-folder: a folder, skipped",
        "events.out.tfevents.0.1.a-fifo: not a regular file, skipped",
        "events.out.tfevents.0.2.unreadable: cannot be read (Input/output error), skipped",
        "events.out.tfevents.0.3.not-events: 2 records are not events, skipped",
        "events.out.tfevents.0.4.empty: empty (its writer wrote nothing, or it was emptied)",
    ]


def test_a_cut_off_last_record_is_damage_unless_the_writer_is_live(tmp_path: Path) -> None:
    writer = EventWriter(tmp_path)
    writer.write([("loss", step, 100.0 + step, 1.0 / step) for step in (1, 2, 3)])
    writer.close()
    assert writer.path is not None
    data = writer.path.read_bytes()
    writer.path.write_bytes(data[:-5])
    problems: list[str] = []
    assert read_scalars(tmp_path, problems)["loss"][0] == [1, 2]
    assert len(problems) == 1
    assert "the last record is cut off" in problems[0]
    live: list[str] = []
    assert read_scalars(tmp_path, live, live=True)["loss"][0] == [1, 2]
    assert live == []


def test_the_writer_starts_files_as_tensorboard_expects_and_reuses_a_folder(
    tmp_path: Path,
) -> None:
    first = EventWriter(tmp_path)
    assert first.path is None  # no file before the first write
    first.write([("batch_loss", 1, 100.0, 0.5)])
    first.close()
    first.close()  # idempotent
    second = EventWriter(tmp_path)  # the folder exists: a resumed run writes beside it
    second.write([("batch_loss", 2, 101.0, 0.25)])
    second.close()
    assert first.path is not None
    assert second.path is not None
    assert first.path != second.path
    header = event_pb2.Event.FromString(read_records(first.path).records[0])
    assert header.file_version == "brain.Event:2"
    assert header.wall_time > 1e9  # now, not zero
    assert read_scalars(tmp_path)["batch_loss"][0] == [1, 2]


def test_an_event_file_of_only_its_header_has_no_scalars_and_no_problem(tmp_path: Path) -> None:
    with tf.io.TFRecordWriter(str(tmp_path / "events.out.tfevents.9.x")) as records:
        records.write(event_pb2.Event(file_version="brain.Event:2").SerializeToString())
    problems: list[str] = []
    assert read_scalars(tmp_path, problems) == {}
    assert problems == []


def test_every_value_of_an_event_is_read_even_after_one_that_is_not_a_number(
    tmp_path: Path,
) -> None:
    # one event may hold several values (TF 1 merged summaries): a text value first
    event = event_pb2.Event(step=3, wall_time=100.0)
    note = event.summary.value.add(tag="note")
    note.tensor.ParseFromString(tf.make_tensor_proto("a string").SerializeToString())
    event.summary.value.add(tag="loss", simple_value=0.5)
    with tf.io.TFRecordWriter(str(tmp_path / "events.out.tfevents.0.merged")) as records:
        records.write(event.SerializeToString())
    assert read_scalars(tmp_path) == {"loss": ([3], [100.0], [0.5])}


def _file(path: Path, points: list[tuple[str, int, float, float]]) -> None:
    with tf.io.TFRecordWriter(str(path)) as records:
        for tag, step, wall, value in points:
            event = event_pb2.Event(step=step, wall_time=wall)
            event.summary.value.add(tag=tag, simple_value=value)
            records.write(event.SerializeToString())


def test_a_run_written_again_under_its_name_replaces_the_overlap_and_says_so(
    tmp_path: Path,
) -> None:
    _file(
        tmp_path / "events.out.tfevents.0.a",
        [("loss", s, 100.0 + s, 1.0) for s in range(1, 6)]
        + [("acc", s, 100.0 + s, 1.0) for s in range(1, 7)],
    )
    # later, the same name again from step 2 (acc) and 3 (loss)
    _file(
        tmp_path / "events.out.tfevents.0.b",
        # (acc first: the message takes the earliest restart and the latest step of any tag)
        [("acc", 2, 200.0, 2.0), ("loss", 3, 200.0, 2.0), ("loss", 4, 201.0, 2.0)],
    )
    problems: list[str] = []
    scalars = read_scalars(tmp_path, problems)
    assert scalars["loss"] == ([1, 2, 3, 4], [101.0, 102.0, 200.0, 201.0], [1.0, 1.0, 2.0, 2.0])
    assert scalars["acc"] == ([1, 2], [101.0, 200.0], [1.0, 2.0])
    assert problems == [
        "events.out.tfevents.0.b: starts again at step 2 after earlier files reached step 6 "
        "(a run written twice under one name?): 8 earlier points from step 2 on are replaced "
        "by this file's, as TensorBoard shows them"
    ]


@pytest.mark.parametrize(
    ("second", "steps", "replaced"),
    [
        # continues after the last step: appended
        ([("loss", 4, 110.0, 2.0)], [1, 2, 3, 4], False),
        # earlier wall times that sort after (not a re-run): merged
        ([("loss", 2, 50.0, 2.0)], [1, 2, 3, 2], False),
        # starts again exactly at the last step, written at the same second: replaced
        ([("loss", 3, 103.0, 2.0)], [1, 2, 3], True),
    ],
)
def test_when_a_later_file_continues_merges_or_replaces(
    tmp_path: Path, second: list[tuple[str, int, float, float]], steps: list[int], replaced: bool
) -> None:
    _file(tmp_path / "events.out.tfevents.0.a", [("loss", s, 100.0 + s, 1.0) for s in (1, 2, 3)])
    _file(tmp_path / "events.out.tfevents.0.b", second)
    problems: list[str] = []
    assert read_scalars(tmp_path, problems)["loss"][0] == steps
    assert bool(problems) is replaced


def test_a_tag_that_only_continues_does_not_count_in_the_restart_message(tmp_path: Path) -> None:
    _file(
        tmp_path / "events.out.tfevents.0.a",
        [("loss", s, 100.0 + s, 1.0) for s in range(1, 10)]
        + [("acc", s, 100.0 + s, 1.0) for s in range(1, 7)],
    )
    _file(tmp_path / "events.out.tfevents.0.b", [("loss", 10, 200.0, 2.0), ("acc", 2, 200.0, 2.0)])
    problems: list[str] = []
    scalars = read_scalars(tmp_path, problems)
    assert scalars["loss"][0] == list(range(1, 11))
    assert problems == [
        "events.out.tfevents.0.b: starts again at step 2 after earlier files reached step 6 "
        "(a run written twice under one name?): 5 earlier points from step 2 on are replaced "
        "by this file's, as TensorBoard shows them"
    ]


def test_the_restart_message_takes_each_tags_first_step(tmp_path: Path) -> None:
    _file(
        tmp_path / "events.out.tfevents.0.a",
        [("loss", s, 100.0 + s, 1.0) for s in range(1, 6)]
        + [("acc", s, 100.0 + s, 1.0) for s in range(1, 6)],
    )
    _file(
        tmp_path / "events.out.tfevents.0.b",
        [("loss", 4, 200.0, 2.0), ("acc", 2, 200.0, 2.0), ("acc", 3, 201.0, 2.0)],
    )
    problems: list[str] = []
    read_scalars(tmp_path, problems)
    assert problems[0].startswith("events.out.tfevents.0.b: starts again at step 2 after ")
