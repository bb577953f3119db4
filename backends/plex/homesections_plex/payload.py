"""Reading a Plex payload safely: JSON or XML, and the MediaContainer at its root.

Internal to the Plex backend: :mod:`homesections_plex.parse` maps what these
functions return. XML is read with ``defusedxml`` and a document type
declaration is refused outright: Plex never sends one, so one is an attack
(billion laughs, external entities) or not Plex at all. Every failure is a
:class:`~homesections.PayloadError` naming what was ``expected``.
"""

from __future__ import annotations

import json
from typing import Any, Iterator, Union
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree
from homesections import PayloadError

# Bytes that may come before the first meaningful character: whitespace and
# the byte order marks of UTF-8 and UTF-16. Used only to tell XML from JSON.
_LEADING = b" \t\r\n\xef\xbb\xbf\xff\xfe"

# What defusedxml refused, in words; Plex sends none of these.
_REFUSED = {
    defusedxml.DTDForbidden: "a document type declaration (DTD)",
    defusedxml.EntitiesForbidden: "an entity declaration",
    defusedxml.ExternalReferenceForbidden: "an external reference",
}


def decode(payload: Any, expected: str) -> Union[Element, Any]:
    """The payload as an XML root element or a decoded JSON value."""
    if isinstance(payload, dict):
        return payload
    if isinstance(payload, (bytes, bytearray)):
        looks_like_xml = payload.lstrip(_LEADING)[:1] == b"<"
    elif isinstance(payload, str):
        payload = payload.lstrip("\ufeff")  # json.loads refuses a BOM in text
        looks_like_xml = payload.lstrip()[:1] == "<"
    else:
        raise PayloadError(
            f"got {kind(payload)}", where="payload", expected="a dict, JSON or XML text or bytes"
        )
    return _load_xml(payload, expected) if looks_like_xml else _load_json(payload, expected)


def _load_json(payload: str | bytes | bytearray, expected: str) -> Any:
    try:
        return json.loads(payload)
    except RecursionError:
        raise PayloadError("JSON nested too deeply", where="payload", expected=expected) from None
    except ValueError as exc:  # also invalid UTF-8 (UnicodeDecodeError is a ValueError)
        raise PayloadError(f"not JSON: {exc}", where="payload", expected=expected) from None


def _load_xml(payload: str | bytes | bytearray, expected: str) -> Element:
    try:
        return defusedxml.ElementTree.fromstring(payload, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        refused = _REFUSED.get(type(exc), type(exc).__name__)
        raise PayloadError(f"XML refused: {refused}", where="payload", expected=expected) from None
    except (ParseError, ValueError, LookupError) as exc:  # LookupError: an unknown encoding
        raise PayloadError(f"not XML: {exc}", where="payload", expected=expected) from None


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
