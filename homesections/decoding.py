"""Reading a server's bytes safely: which format and encoding they are in, and their decoded value.

For backend authors; every backend reads its payloads through these, so they
agree on what can be read. The encoding is detected the way the standards
say: a byte order mark, else the pattern of zero bytes around the first
characters (the XML specification's appendix F; RFC 8259 and its predecessors
for JSON, whose first two characters are always ASCII). XML is parsed with
``defusedxml`` and a document type declaration is refused outright (no media
server sends one: it is an attack, such as billion laughs or an external
entity, or not a media server at all); UTF-32, which the XML parser cannot
read, is transcoded first. JSON is decoded with ``orjson`` when it is
installed (the ``fast`` extra) and with the standard library otherwise, or
when orjson refuses what the standard library reads (a byte order mark, NaN,
huge integers, lone surrogates), so the result never depends on which is
installed. orjson's working memory grows to about four times the standard
library's, so payloads over :data:`ORJSON_MAX_BYTES` (several times a real
home page) always take the standard library. Every failure is a
:class:`~homesections.PayloadError` naming what was expected.
"""

from __future__ import annotations

import codecs
import json
from typing import Any, Union
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from .errors import PayloadError

try:  # optional: the "fast" extra
    import orjson
except ImportError:  # pragma: no cover - the stdlib path is tested by forcing it
    orjson = None

__all__ = ["detect_encoding", "is_xml", "load_json", "load_xml", "ORJSON_MAX_BYTES"]

#: The largest payload orjson decodes; a larger one (no real home page is) takes
#: the standard library, whose peak memory is a quarter of orjson's.
ORJSON_MAX_BYTES = 4 * 1024 * 1024

Payload = Union[str, bytes, bytearray]

# Byte order marks, longest first (UTF-32 LE's begins with UTF-16 LE's).
_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
)
# Where the zero bytes of the first ASCII character fall, without a mark.
_ZEROS = {
    (True, True, True, False): "utf-32-be", (False, True, True, True): "utf-32-le",
    (True, False, True, False): "utf-16-be", (False, True, False, True): "utf-16-le",
}
# The XML parser (expat) reads these itself; anything else is transcoded first.
_EXPAT_READS = frozenset({"utf-8", "utf-16-be", "utf-16-le"})

_REFUSED = {
    defusedxml.DTDForbidden: "a document type declaration (DTD)",
    defusedxml.EntitiesForbidden: "an entity declaration",
    defusedxml.ExternalReferenceForbidden: "an external reference",
}


def detect_encoding(data: Union[bytes, bytearray]) -> tuple[str, int]:
    """``(codec name, length of the byte order mark)`` of JSON or XML bytes; UTF-8 by default."""
    head = bytes(data[:4])
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, len(bom)
    if len(head) == 4:
        name = _ZEROS.get(tuple(b == 0 for b in head))  # type: ignore[arg-type]
        if name is not None:
            return name, 0
    if head[:2] in (b"\x00\x00", b"\x00<") or (len(head) >= 2 and head[1:2] == b"\x00"):
        return ("utf-16-be" if head[:1] == b"\x00" else "utf-16-le"), 0  # a payload of one character
    return "utf-8", 0


def is_xml(payload: Payload) -> bool:
    """Whether the payload's first character that is not white space is ``<``."""
    if isinstance(payload, str):
        return payload.lstrip("\ufeff \t\r\n")[:1] == "<"
    encoding, bom = detect_encoding(payload)
    head = bytes(payload[bom:bom + 256]).decode(encoding, errors="ignore")
    return head.lstrip(" \t\r\n")[:1] == "<"


def load_json(payload: Payload, expected: str, where: str = "payload") -> Any:
    """The decoded JSON value of ``payload`` (text, or bytes in any encoding JSON allows)."""
    if orjson is not None and not isinstance(payload, str) and len(payload) <= ORJSON_MAX_BYTES:
        try:
            return orjson.loads(payload)
        except orjson.JSONDecodeError:
            pass  # what orjson refuses, the standard library may read: it decides
    if isinstance(payload, str):
        payload = payload.lstrip("\ufeff")  # json.loads refuses a byte order mark in text
    try:
        return json.loads(payload)
    except RecursionError:
        raise PayloadError("JSON nested too deeply", where=where, expected=expected) from None
    except ValueError as exc:  # also invalid UTF-8 (UnicodeDecodeError is a ValueError)
        raise PayloadError(f"not JSON: {_short(exc)}", where=where, expected=expected) from None


def load_xml(payload: Payload, expected: str, where: str = "payload") -> Element:
    """The root element of an XML payload; a DTD, entities and external references are refused."""
    if not isinstance(payload, str):
        encoding, bom = detect_encoding(payload)
        if encoding not in _EXPAT_READS:
            try:
                # As text the parser reads it whatever its declaration says.
                payload = bytes(payload[bom:]).decode(encoding)
            except UnicodeDecodeError:
                raise PayloadError(f"not XML: the bytes are not valid {encoding.upper()}",
                                   where=where, expected=expected) from None
    try:
        return defusedxml.ElementTree.fromstring(payload, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        refused = _REFUSED.get(type(exc), type(exc).__name__)
        raise PayloadError(f"XML refused: {refused}", where=where, expected=expected) from None
    except (ParseError, ValueError, LookupError) as exc:  # LookupError: an unknown encoding
        raise PayloadError(f"not XML: {_short(exc)}", where=where, expected=expected) from None


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 160 else text[:157] + "..."
