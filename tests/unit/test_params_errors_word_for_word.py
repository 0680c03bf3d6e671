"""Params checked against their ``TypedDict``: every kind of mismatch gives its exact sentence
(the field's path, the expected type in words, the received value, cut to ``SHOWN``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypedDict

import pytest

from workbench.service.params import SHOWN, ParamsError, check_params, describe, shown


class Inner(TypedDict):
    n: int


class _Required(TypedDict):
    name: str


# the house pattern (_protocol.py): optional fields in a total=False subclass
class Params(_Required, total=False):
    count: int
    ratio: float
    flag: bool
    mode: Literal["a", "b"]
    tags: list[str]
    sizes: list[int]
    items: list[Any]
    extra: dict[str, int]
    loose: dict  # type: ignore[type-arg]
    maybe: int | None
    inner: Inner
    anything: Any


class Empty(TypedDict):
    pass


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (None, "Expected params to have the field 'name'. Received: {}"),
        ([1], "Expected params to be an object. Received: [1]"),
        ({"name": 3}, "Expected params.name to be a string. Received: 3"),
        ({"name": "x", "count": True}, "Expected params.count to be an integer. Received: True"),
        ({"name": "x", "count": 1.5}, "Expected params.count to be an integer. Received: 1.5"),
        ({"name": "x", "ratio": False}, "Expected params.ratio to be a number. Received: False"),
        ({"name": "x", "flag": "yes"}, "Expected params.flag to be true or false. Received: 'yes'"),
        ({"name": "x", "mode": "c"}, "Expected params.mode to be one of ['a', 'b']. Received: 'c'"),
        ({"name": "x", "tags": "t"}, "Expected params.tags to be a list of string. Received: 't'"),
        ({"name": "x", "tags": ["t", 2]}, "Expected params.tags[1] to be a string. Received: 2"),
        ({"name": "x", "sizes": 4}, "Expected params.sizes to be a list of integer. Received: 4"),
        ({"name": "x", "items": 4}, "Expected params.items to be a list of any value. Received: 4"),
        ({"name": "x", "extra": [1]}, "Expected params.extra to be an object. Received: [1]"),
        ({"name": "x", "extra": {1: 2}}, "Expected params.extra to be an object. Received: {1: 2}"),
        (
            {"name": "x", "extra": {"k": "v"}},
            "Expected params.extra.k to be an integer. Received: 'v'",
        ),
        ({"name": "x", "loose": 3}, "Expected params.loose to be an object. Received: 3"),
        (
            {"name": "x", "maybe": "y"},
            "Expected params.maybe to be an integer or null. Received: 'y'",
        ),
        ({"name": "x", "inner": {}}, "Expected params.inner to have the field 'n'. Received: {}"),
        (
            {"name": "x", "inner": {"n": 1, "m": 2}},
            "Expected params.inner to have only the fields ['n']. Received: 'm'",
        ),
    ],
)
def test_each_mismatch_says_where_what_and_what_came(params: Any, message: str) -> None:
    with pytest.raises(ParamsError) as error:
        check_params(params, Params)
    assert str(error.value) == message


def test_params_that_fit_come_back_as_a_new_dict() -> None:
    params = {
        "name": "x",
        "count": 2,
        "ratio": 1,  # a JSON integer is a fine number
        "flag": False,
        "mode": "b",
        "tags": [],
        "items": [None, "a", 1],
        "extra": {"k": 1},
        "loose": {"any": ["thing"], "at": {"all": None}},
        "maybe": None,
        "inner": {"n": 0},
        "anything": object(),
    }
    checked = check_params(params, Params)
    assert checked == params
    assert checked is not params
    assert check_params(None, Empty) == {}
    with pytest.raises(ParamsError) as error:
        check_params({"x": 1}, Empty)
    assert str(error.value) == "Expected params to be empty. Received: {'x': 1}"


def test_types_read_as_words() -> None:
    assert describe(Any) == "any value"
    assert describe(type(None)) == "null"
    assert describe(Inner) == "an object"
    assert describe(dict) == "an object"
    assert describe(dict[str, int]) == "an object"
    assert describe(list[int]) == "a list of integer"
    assert describe(list[Inner]) == "a list of object"
    assert describe(list) == "list"  # a bare list's origin is None: named as a type
    assert describe(bool) == "true or false"
    assert describe(Path) == "Path"
    assert describe(3) == "3"  # no name: its text


def test_a_received_value_is_quoted_up_to_its_limit() -> None:
    whole = "x" * (SHOWN - 2)  # its repr is exactly SHOWN characters
    assert shown(whole) == repr(whole)
    cut = shown("y" * SHOWN)
    assert cut == "'" + "y" * (SHOWN - 4) + "..."
    assert len(cut) == SHOWN
