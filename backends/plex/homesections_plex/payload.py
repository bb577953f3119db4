"""Reading a Plex payload: JSON or XML, and the MediaContainer at its root.

Internal to the Plex backend: :mod:`homesections_plex.parse` maps what these
functions return. The bytes are decoded by :mod:`homesections.decoding`
(encoding detection, defusedxml with DTDs refused, orjson when installed).
Every failure is a :class:`~homesections.PayloadError` naming what was ``expected``.
"""

from __future__ import annotations

from typing import Any, Iterator, Union
from xml.etree.ElementTree import Element

from homesections import PayloadError
from homesections.decoding import is_xml, load_json, load_xml


def decode(payload: Any, expected: str) -> Union[Element, Any]:
    """The payload as an XML root element or a decoded JSON value."""
    if isinstance(payload, dict):
        return payload
    if not isinstance(payload, (bytes, bytearray, str)):
        raise PayloadError(
            f"got {kind(payload)}", where="payload", expected="a dict, JSON or XML text or bytes"
        )
    return load_xml(payload, expected) if is_xml(payload) else load_json(payload, expected)


def json_container(data: Any, expected: str) -> dict:
    """The ``MediaContainer`` object of a decoded JSON answer."""
    if not isinstance(data, dict) or "MediaContainer" not in data:
        raise PayloadError(
            f"got {kind(data)} without MediaContainer", where="payload", expected=expected
        )
    container = data["MediaContainer"]
    if not isinstance(container, dict):
        raise PayloadError(
            f"got {kind(container)}", where="MediaContainer", expected="an object"
        )
    return container


def json_entries(value: Any, where: str) -> list[dict]:
    """A JSON list of objects; ``None`` is empty and a lone object a list of one."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise PayloadError(f"got {kind(value)}", where=where, expected="a list of objects")
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise PayloadError(f"got {kind(entry)}", where=f"{where}[{i}]", expected="an object")
    return value


def xml_root(root: Element) -> Element:
    """The root element, which must be a ``<MediaContainer>``."""
    if root.tag != "MediaContainer":
        raise PayloadError(
            f"root element is <{short(root.tag)}>", where="payload", expected="<MediaContainer>"
        )
    return root


def xml_children(element: Element, where: str) -> Iterator[tuple[str, Element]]:
    """Each child with its place, numbered per tag as in ``Hub[0].Video[2]``."""
    counts: dict[str, int] = {}
    for child in element:
        n = counts.get(child.tag, 0)
        counts[child.tag] = n + 1
        yield f"{where}.{short(child.tag)}[{n}]", child


def short(name: str) -> str:
    """An element name cut to a length fit for a log line."""
    return name if len(name) <= 40 else name[:37] + "..."


def kind(value: Any) -> str:
    """A short, safe description of a value's type for an error message."""
    if value is None:
        return "null"
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "a number", float: "a number"}
    return kinds.get(type(value), f"a {type(value).__name__}")
