"""The common schema's JSON form: ``HomePage.to_dict()`` and ``HomePage.from_dict(data)``.

A page becomes plain JSON-ready data (dicts, lists, strings, numbers, booleans,
``None``), and back, exactly::

    {
        "format": "homesections.page/1",
        "sections": [
            {"hub_identifier": "home.ondeck", "title": "On Deck", "section_type": "on_deck",
             "context": null, "style": null, "hub_type": "video", "size": 1,
             "hub_key": "/hubs/home/onDeck", "more": false,
             "items": [{"key": "1001", "type": "episode", "title": "Pilot", ...,
                        "added_at": "2025-01-07T12:00:00Z"}]}
        ]
    }

The keys are the dataclass fields of :class:`~homesections.Section` and
:class:`~homesections.Item`, read from the classes themselves, so a field added
to the schema is carried with no change here; its annotation says how it is
written: a ``datetime`` as ISO 8601 in UTC (``Z``), a ``date`` as ``YYYY-MM-DD``,
a :class:`~homesections.SectionType` as its value. A field that is not part of a
page's value (``HomePage.skipped``, declared with ``compare=False``) is left out.

Readers ignore keys they do not know and take a missing field as its default
(``None`` for the optional ones), so adding fields keeps ``/1``; only a breaking
change bumps the number. Anything else that does not fit raises
:class:`~homesections.PayloadError` naming the place, as in
``sections[2].items[0].added_at``.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import typing
from typing import Any, Callable, Mapping, Optional

from .errors import PayloadError
from .page import HomePage, Item, Section, SectionType

__all__ = ["FORMAT", "page_to_dict", "page_from_dict"]

#: The value of the ``"format"`` key; the number changes only with a breaking change.
FORMAT = "homesections.page/1"

UTC = datetime.timezone.utc

Encode = Callable[[Any, str], Any]
Decode = Callable[[Any, str], Any]


@dataclasses.dataclass(frozen=True)
class _Field:
    """How one dataclass field is written and read."""

    name: str
    encode: Encode
    decode: Decode
    optional: bool
    default: Any  # dataclasses.MISSING for a required field


# --- scalar codecs, chosen by a field's annotation ------------------------------


def _fail(where: str, expected: str, value: Any) -> PayloadError:
    return PayloadError(f"expected {expected}, got {_describe(value)}", where=where, expected=expected)


def _describe(value: Any) -> str:
    kinds = {type(None): "null", bool: "a boolean", int: "a number", float: "a number",
             str: "a string", list: "a list", dict: "an object"}
    return f"{kinds.get(type(value), type(value).__name__)} ({value!r:.40})"


def _same(value: Any, where: str) -> Any:
    return value


def _checked(kind: type, expected: str) -> Decode:
    def decode(value: Any, where: str) -> Any:
        # bool is an int in Python, but true is not a number in JSON.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise _fail(where, expected, value)
        return value
    return decode


def _encode_datetime(value: Any, where: str) -> str:
    if not isinstance(value, datetime.datetime) or value.tzinfo is None:
        raise _fail(where, "a timezone-aware datetime", value)
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def _decode_datetime(value: Any, where: str) -> datetime.datetime:
    expected = "an ISO 8601 time with a zone, such as 2025-01-07T12:00:00Z"
    if not isinstance(value, str):
        raise _fail(where, expected, value)
    # Python 3.10's fromisoformat does not read the "Z" suffix.
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise _fail(where, expected, value) from None
    if parsed.tzinfo is None:
        raise _fail(where, expected, value)
    return parsed.astimezone(UTC)


def _encode_date(value: Any, where: str) -> str:
    if type(value) is not datetime.date:  # a datetime is a date too, but not what the field holds
        raise _fail(where, "a date", value)
    return value.isoformat()


def _decode_date(value: Any, where: str) -> datetime.date:
    expected = "an ISO 8601 date, such as 2025-01-07"
    if not isinstance(value, str):
        raise _fail(where, expected, value)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise _fail(where, expected, value) from None


def _enum_codec(kind: type[enum.Enum]) -> tuple[Encode, Decode]:
    by_value = {member.value: member for member in kind}
    expected = "one of " + ", ".join(sorted(by_value))

    def decode(value: Any, where: str) -> enum.Enum:
        try:
            return by_value[value]
        except (KeyError, TypeError):  # TypeError: an unhashable value such as a list
            raise _fail(where, expected, value) from None

    return (lambda value, where: value.value), decode


_SCALARS: dict[Any, tuple[Encode, Decode]] = {
    str: (_same, _checked(str, "a string")),
    int: (_same, _checked(int, "a whole number")),
    bool: (_same, _checked(bool, "true or false")),
    datetime.datetime: (_encode_datetime, _decode_datetime),
    datetime.date: (_encode_date, _decode_date),
    SectionType: _enum_codec(SectionType),
}


# --- dataclass codecs -------------------------------------------------------


def _fields_of(cls: type) -> tuple[_Field, ...]:
    """The codec of every field of ``cls`` that is part of its value, from its annotations."""
    hints = typing.get_type_hints(cls)
    fields = []
    for f in dataclasses.fields(cls):
        if not f.compare:
            continue
        hint = hints[f.name]
        args = typing.get_args(hint)
        optional = typing.get_origin(hint) is typing.Union and type(None) in args
        if optional:
            (hint,) = [a for a in args if a is not type(None)]
        encode, decode = _codec(cls, f.name, hint)
        default = f.default
        if f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        fields.append(_Field(f.name, encode, decode, optional, default))
    return tuple(fields)


def _codec(cls: type, name: str, hint: Any) -> tuple[Encode, Decode]:
    if hint in _SCALARS:
        return _SCALARS[hint]
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis and args[0] in _RECORDS:
        return _list_codec(args[0])
    # Fails at import: a new kind of field must be given a JSON form deliberately.
    raise TypeError(f"{cls.__name__}.{name}: no JSON form for the annotation {hint!r}")


def _list_codec(cls: type) -> tuple[Encode, Decode]:
    def encode(values: Any, where: str) -> list:
        return [_encode_record(cls, value, f"{where}[{n}]") for n, value in enumerate(values)]

    def decode(value: Any, where: str) -> tuple:
        if not isinstance(value, list):
            raise _fail(where, "a list", value)
        return tuple(_decode_record(cls, entry, f"{where}[{n}]") for n, entry in enumerate(value))

    return encode, decode


def _encode_record(cls: type, record: Any, where: str) -> dict[str, Any]:
    if not isinstance(record, cls):
        raise _fail(where, f"a {cls.__name__}", record)
    out = {}
    for f in _RECORDS[cls]:
        value = getattr(record, f.name)
        out[f.name] = None if value is None and f.optional else f.encode(value, _join(where, f.name))
    return out


def _decode_record(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, Mapping):
        raise _fail(where, "an object", data)
    values = {}
    for f in _RECORDS[cls]:
        here = _join(where, f.name)
        if f.name not in data:
            if f.default is dataclasses.MISSING:
                raise PayloadError(f"{f.name!r} is missing", where=here, expected=f"a {f.name}")
            continue  # the dataclass's own default: None for an optional field
        value = data[f.name]
        values[f.name] = None if value is None and f.optional else f.decode(value, here)
    return cls(**values)


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


_RECORDS: dict[type, tuple[_Field, ...]] = {}
# Inner records first: a section's codec refers to the item's.
for _cls in (Item, Section, HomePage):
    _RECORDS[_cls] = _fields_of(_cls)
del _cls


# --- the page -----------------------------------------------------------------


def page_to_dict(page: HomePage) -> dict[str, Any]:
    """``page`` in the JSON form (see the module docstring): ``json.dumps`` takes it as it is."""
    return {"format": FORMAT, **_encode_record(HomePage, page, "")}


def page_from_dict(data: Any) -> HomePage:
    """The page held by ``data``, the JSON form as ``json.loads`` returns it.

    Raises :class:`~homesections.PayloadError` naming the place for anything
    that does not fit, and for a ``"format"`` other than :data:`FORMAT`.
    """
    if not isinstance(data, Mapping):
        raise _fail("page", "an object", data)
    found: Optional[Any] = data.get("format")
    if found != FORMAT:
        if found is None:
            message = f"no \"format\" key: not the homesections JSON form ({FORMAT})"
        else:
            message = (f"format {found!r:.60}: this version of homesections reads {FORMAT!r} "
                       "(a newer format needs a newer homesections)")
        raise PayloadError(message, where="format", expected=FORMAT)
    return _decode_record(HomePage, data, "")
