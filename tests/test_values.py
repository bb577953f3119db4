"""Lenient value conversions: a clean value or None, never an exception."""

from __future__ import annotations

import datetime
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homesections.values import boolean, from_epoch, from_iso, integer, text

UTC = datetime.timezone.utc
NAN, INF = float("nan"), float("inf")

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
json_like = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
# Strings that look like numbers, times and flags, to reach past the first check.
numeric_text = st.from_regex(r"\s*[-+]?\d{0,25}(\.\d{0,12})?([eE][-+]?\d{1,4})?\s*", fullmatch=True)
iso_text = st.from_regex(
    r"\d{1,5}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d{0,9})?)?)?([zZ]|[-+]\d{2}(:?\d{2})?)?",
    fullmatch=True,
)
hostile = json_like | numeric_text | iso_text | st.sampled_from([NAN, INF, -INF, 10**5000, -(10**400)])


def is_utc(value: datetime.datetime) -> bool:
    return value.tzinfo is UTC


# --- text --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Heat", "Heat"),
        ("", ""),
        ("He\x00at\x00", "Heat"),
        (12, "12"),
        (-3, "-3"),
        (1.5, "1.5"),
        (True, None),
        (False, None),
        (NAN, None),
        (INF, None),
        (None, None),
        ([], None),
        ({"a": 1}, None),
        pytest.param(10**5000, None, id="int-over-4300-digits"),
    ],
)
def test_text(value, expected):
    assert text(value) == expected


# --- integer -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (7, 7),
        (-7, -7),
        (0, 0),
        (7.0, 7),
        (7.9, 7),
        (-7.9, -7),
        ("42", 42),
        (" 42\n", 42),
        ("-42", -42),
        ("12.9", 12),
        ("1e3", 1000),
        ("", None),
        ("   ", None),
        ("forty-two", None),
        ("0x10", None),
        ("nan", None),
        ("inf", None),
        ("1e400", None),
        ("9" * 5000, None),
        (NAN, None),
        (INF, None),
        (-INF, None),
        (None, None),
        ([1], None),
        ({"v": 1}, None),
    ],
)
def test_integer(value, expected):
    assert integer(value) == expected


@pytest.mark.parametrize("value", [True, False])
def test_a_bool_is_not_an_integer(value):
    assert integer(value) is None


# --- boolean -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        (2, True),
        (0.0, False),
        (0.5, True),
        ("1", True),
        ("0", False),
        ("true", True),
        ("TRUE", True),
        (" True ", True),
        ("yes", True),
        ("on", True),
        ("false", False),
        ("False", False),
        ("no", False),
        ("off", False),
        ("", False),
        ("maybe", None),
        ("2", None),
        (NAN, None),
        (INF, None),
        (None, None),
        ([], None),
        ({}, None),
    ],
)
def test_boolean(value, expected):
    assert boolean(value) is expected


# --- from_epoch --------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (0, datetime.datetime(1970, 1, 1, tzinfo=UTC)),
        (1_700_000_000, datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000", datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1_700_000_000.75, datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (-86_400, datetime.datetime(1969, 12, 31, tzinfo=UTC)),
        (-62_135_596_800, datetime.datetime(1, 1, 1, tzinfo=UTC)),
        (253_402_300_799, datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_from_epoch(value, expected):
    result = from_epoch(value)
    assert result == expected
    assert is_utc(result)


@pytest.mark.parametrize(
    "value",
    [-62_135_596_801, 253_402_300_800, 10**20, -(10**20), "1e400", NAN, INF, -INF, True, None, "", "soon", [0]],
)
def test_from_epoch_gives_none_for_what_is_not_a_real_time(value):
    assert from_epoch(value) is None


@given(st.integers(min_value=-62_135_596_800, max_value=253_402_300_799))
def test_from_epoch_round_trips_every_representable_second(seconds):
    result = from_epoch(seconds)
    assert is_utc(result)
    assert result.timestamp() == seconds


# --- from_iso ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-01-02T03:04:05Z", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05z", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("  2024-01-02T03:04:05Z\n", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        # .NET (Jellyfin) sends seven fractional digits, and trims trailing zeros
        ("2024-01-02T03:04:05.1234567Z", datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2024-01-02T03:04:05.1234567+00:00", datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2024-01-02T03:04:05.12Z", datetime.datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)),
        ("2024-01-02T03:04:05.5", datetime.datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)),
        # offsets are converted to UTC
        ("2024-01-02T03:04:05+02:00", datetime.datetime(2024, 1, 2, 1, 4, 5, tzinfo=UTC)),
        ("2024-01-02T23:30:00-05:30", datetime.datetime(2024, 1, 3, 5, 0, tzinfo=UTC)),
        ("2024-01-02T03:04:05.9999999-01:00", datetime.datetime(2024, 1, 2, 4, 4, 5, 999999, tzinfo=UTC)),
        # no offset: taken as UTC
        ("2024-01-02T03:04:05", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02", datetime.datetime(2024, 1, 2, tzinfo=UTC)),
    ],
)
def test_from_iso(value, expected):
    result = from_iso(value)
    assert result == expected
    assert is_utc(result)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "Z",
        "yesterday",
        "2024-13-01T00:00:00Z",
        "2024-01-02T25:00:00Z",
        "2024-01-02T03:04:05.",
        "0001-01-01T00:30:00+01:00",  # before year 1 once moved to UTC
        "9999-12-31T23:30:00-01:00",  # after year 9999 once moved to UTC
        1_700_000_000,
        None,
        datetime.datetime(2024, 1, 2, tzinfo=UTC),
        ["2024-01-02"],
    ],
)
def test_from_iso_gives_none_for_what_is_not_iso_text(value):
    assert from_iso(value) is None


fixed_offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)
datetimes = st.datetimes(
    min_value=datetime.datetime(2, 1, 1), max_value=datetime.datetime(9998, 12, 31)
)


@given(datetimes, fixed_offsets)
def test_from_iso_round_trips_any_aware_datetime_into_utc(moment, offset):
    aware = moment.replace(tzinfo=offset)
    result = from_iso(aware.isoformat())
    assert result == aware
    assert is_utc(result)


@given(datetimes)
def test_from_iso_takes_a_naive_datetime_as_utc(moment):
    assert from_iso(moment.isoformat()) == moment.replace(tzinfo=UTC)


# --- none of them raises -----------------------------------------------------


@given(hostile)
def test_no_conversion_raises_on_any_json_like_value(value):
    as_text = text(value)
    assert as_text is None or (isinstance(as_text, str) and "\x00" not in as_text)
    as_int = integer(value)
    assert as_int is None or type(as_int) is int
    as_bool = boolean(value)
    assert as_bool is None or type(as_bool) is bool
    for moment in (from_epoch(value), from_iso(value)):
        assert moment is None or is_utc(moment)


@pytest.mark.parametrize("literal", [
    "-9223372036854775809", "9223372036854775808", "18446744073709551616", "1" * 40,
])
def test_an_integer_past_64_bits_reads_the_same_whichever_decoder_read_it(literal):
    # orjson hands these back as (rounded) floats, the standard library as ints.
    as_int, as_float = int(literal), float(literal)
    assert integer(as_int) is integer(as_float) is None
    assert text(as_int) is text(as_float) is None


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_float_is_a_finite_number_or_nothing(value):
    if math.isfinite(value) and -(2**63) < value < 2**63:
        assert integer(value) == int(value)
        assert text(value) == str(value)
    elif math.isfinite(value):  # beyond what a 64-bit column holds, or a big integer rounded
        assert integer(value) is None
        assert text(value) is None
    else:
        assert integer(value) is None
        assert text(value) is None
        assert boolean(value) is None
        assert from_epoch(value) is None


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, "99999999999999999999", 1e300])
def test_a_number_no_database_integer_can_hold_is_nothing(value):
    assert integer(value) is None


@pytest.mark.parametrize("value", [2**63 - 1, -(2**63), "9223372036854775807"])
def test_the_64_bit_limits_themselves_are_kept(value):
    assert integer(value) == int(value)
