"""Lenient conversions of server values, for backend authors.

Servers send numbers as strings, booleans as ``1``/``"true"``, times as epoch
seconds or ISO text. Each function here returns a clean Python value or
``None`` for anything it cannot read; none of them raises on odd input, so a
parse never crashes on a field it does not need.
"""

from __future__ import annotations

import datetime
import math
from typing import Optional

__all__ = ["text", "integer", "boolean", "from_epoch", "from_iso"]

#: The range of a 64-bit database integer (SQLite INTEGER, PostgreSQL BIGINT).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# Python's datetime range in epoch seconds; anything outside is not a real time.
_MIN_EPOCH = -62135596800
_MAX_EPOCH = 253402300799
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def text(value: object) -> Optional[str]:
    """A string with NUL characters removed (PostgreSQL cannot store them).

    Numbers become their decimal text; containers and ``None`` give ``None``,
    and so does a number outside the 64-bit range (see :func:`integer`).
    """
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if INT64_MIN <= value <= INT64_MAX else None
    if isinstance(value, float) and _in_range(value):
        return str(value)
    return None


def integer(value: object) -> Optional[int]:
    """An int from an int, a finite float or a numeric string; else ``None``.

    A number outside the 64-bit range a database can store is ``None`` too,
    and so is a float of that size: a JSON decoder may hand an integer that
    large back as a float (orjson does), and the result must not depend on
    the decoder.

    A fraction is truncated toward zero (``"12.9"`` -> ``12``), so fractional
    epoch seconds still read as a time.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _bounded(value)
    if isinstance(value, float):
        return int(value) if _in_range(value) else None
    if isinstance(value, str):
        stripped = value.strip()
        try:
            return _bounded(int(stripped))
        except ValueError:
            try:
                number = float(stripped)
            except ValueError:
                return None
            return int(number) if _in_range(number) else None
    return None


def _in_range(number: float) -> bool:
    # Strictly inside: -2**63 as a float may be the rounding of a smaller integer.
    return math.isfinite(number) and -_TWO_63 < number < _TWO_63


_TWO_63 = float(2**63)


def _bounded(number: int) -> Optional[int]:
    # A database integer is at most 64 bits; a larger number is not a real value.
    return number if INT64_MIN <= number <= INT64_MAX else None


def boolean(value: object) -> Optional[bool]:
    """``True``/``False`` from a bool, ``0``/``1`` or their usual spellings; else ``None``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, float):
        return value != 0 if math.isfinite(value) else None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return None


def from_epoch(value: object) -> Optional[datetime.datetime]:
    """A timezone-aware UTC datetime from epoch seconds (int, float or string)."""
    # Plex sends plain ints: skip the general conversion for them (hot path).
    seconds = value if type(value) is int else integer(value)
    if seconds is None or not _MIN_EPOCH <= seconds <= _MAX_EPOCH:
        return None
    return _EPOCH + datetime.timedelta(seconds=seconds)


def from_iso(value: object) -> Optional[datetime.datetime]:
    """A timezone-aware UTC datetime from ISO 8601 text.

    Accepts the 7 fractional digits .NET servers (Jellyfin) send and a
    trailing ``Z``; text without an offset is taken as UTC.
    """
    if not isinstance(value, str) or not value:
        return None
    stamp = value.strip()
    if stamp.endswith(("Z", "z")):
        stamp = stamp[:-1] + "+00:00"
    # Python before 3.11 reads exactly 3 or 6 fractional digits; .NET sends
    # up to 7 and trims trailing zeros, so cut or pad the fraction to 6.
    head, dot, rest = stamp.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        if digits:
            rest = rest[:digits][:6].ljust(6, "0") + rest[digits:]
            stamp = head + dot + rest
    try:
        parsed = datetime.datetime.fromisoformat(stamp)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=datetime.timezone.utc)
        return parsed.astimezone(datetime.timezone.utc)
    except (ValueError, OverflowError):  # not a date, or year 1 moved before year 1
        return None
