"""Parameters as handlers read them: first values, every value, numbers and booleans."""

from __future__ import annotations

import pytest

from masterstream.subsonic.call import SubsonicCall
from masterstream.subsonic.errors import GENERIC, MISSING_PARAMETER, SubsonicError


def call_with(**params: list[str]) -> SubsonicCall:
    return SubsonicCall(params, state=None, request=None)  # type: ignore[arg-type]


def code_of(action) -> int:
    with pytest.raises(SubsonicError) as raised:
        action()
    return raised.value.code


def test_values_and_required_ones():
    call = call_with(id=["1", "2"], c=["DSub"])
    assert call.get("id") == "1" and call.get_all("id") == ["1", "2"]
    assert call.get("nope", "x") == "x" and call.get_all("nope") == []
    assert call.client_name == "DSub" and call.require("id") == "1"
    assert code_of(lambda: call.require("u")) == MISSING_PARAMETER


def test_integers_clamp_and_bad_ones_are_errors():
    call = call_with(size=["900"], offset=["-3"], empty=[""], bad=["ten"], inf=["1e999"])
    assert call.get_int("size", 10, minimum=0, maximum=500) == 500
    assert call.get_int("offset", 0, minimum=0) == 0
    assert call.get_int("empty", 7) == 7 and call.get_int("absent") is None
    assert code_of(lambda: call.get_int("bad")) == GENERIC
    assert code_of(lambda: call.get_float("inf")) == GENERIC


def test_numbers_out_of_range_and_booleans():
    call = call_with(i=["0.5"], hi=["1.5"], yes=["true"], no=["0"], odd=["maybe"])
    assert call.get_float("i", minimum=0.0, maximum=1.0) == 0.5
    assert code_of(lambda: call.get_float("hi", minimum=0.0, maximum=1.0)) == GENERIC
    assert call.get_bool("yes") is True and call.get_bool("no") is False
    assert call.get_bool("absent", False) is False
    assert code_of(lambda: call.get_bool("odd")) == GENERIC
