"""Option types of the command line: durations such as ``15m``."""

from __future__ import annotations

import datetime
import re
from typing import Any, Optional

import click

__all__ = ["Duration", "parse_duration"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")


def parse_duration(text: str) -> Optional[datetime.timedelta]:
    """``90``, ``90s``, ``15m``, ``1h30m``, ``2d`` as a timedelta; ``None`` if it is none of those."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return datetime.timedelta(seconds=float(text))
    if not text or not re.fullmatch(f"(?:{_PART.pattern})+", text):
        return None
    return datetime.timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in _PART.findall(text)))


class Duration(click.ParamType):
    """A length of time: seconds, or numbers with s, m, h, d (``15m``, ``1h30m``); more than zero."""

    name = "duration"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> datetime.timedelta:
        if isinstance(value, datetime.timedelta):
            return value
        duration = parse_duration(str(value))
        if duration is None or duration <= datetime.timedelta(0):
            self.fail(f"{value!r} is not a length of time such as 90s, 15m, 1h30m or 2d", param, ctx)
        return duration
