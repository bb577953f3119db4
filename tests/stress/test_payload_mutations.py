"""Mutated server answers map to a page or raise PayloadError, and every page that maps round-trips.

The answers start from real-format payloads (tests/stress/payloads.py): a
Plex hub list as JSON and as XML, and a Jellyfin envelope. Hypothesis then
mutates them a few times over: fields removed, values swapped for another
type, values nested deep, huge strings, hostile text (control characters,
emoji, right-to-left), entries repeated; in XML, attributes dropped or
rewritten, elements removed, repeated, renamed or nested. Whatever comes
out, ``parse()`` gives a :class:`HomePage` or raises :class:`PayloadError`,
never anything else, and a page it gives is synced and loaded back equal.
"""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from homesections import HomePage, PayloadError
from homesections_jellyfin import JellyfinBackend
from homesections_plex import PlexBackend

from .payloads import jellyfin_envelope, plex_hubs, plex_xml
from .processes import SOURCE
from .strings import hostile_text, long_text

pytestmark = pytest.mark.stress

# The examples share one database and empty its tables, so a function-scoped fixture is right.
examples = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])

MUTATIONS = st.integers(1, 5)
# How deep a mutation may nest a value, and how deep in a payload one is made.
NESTING, REACH = 100, 40
# Keys the parsers look for, so nested values sit where they would be read.
KEYS = ["MediaContainer", "Hub", "Metadata", "Directory", "Media", "Part", "Items", "UserData",
        "ImageTags", "latest", "views", "CustomPrefs", "title", "Name", "Id", "ratingKey"]

scalars = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | hostile_text)
values = scalars | st.lists(scalars, max_size=3) | st.dictionaries(st.sampled_from(KEYS) | hostile_text,
                                                                   scalars, max_size=3)


def places(document: Any, depth: int = 0) -> list[tuple[Any, Any]]:
    """Every ``(container, key or index)`` in ``document`` down to :data:`REACH` levels."""
    if depth >= REACH:
        return []
    entries = (list(document.items()) if isinstance(document, dict)
               else list(enumerate(document)) if isinstance(document, list) else [])
    found = []
    for key, child in entries:
        found.append((document, key))
        found += places(child, depth + 1)
    return found


@st.composite
def nested(draw, value: Any) -> Any:
    for _ in range(draw(st.integers(1, NESTING))):
        value = [value] if draw(st.booleans()) else {draw(st.sampled_from(KEYS)): value}
    return value


@st.composite
def mutated_json(draw, document: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(document)
    for _ in range(draw(MUTATIONS)):
        found = places(document)
        if not found:
            break
        container, key = draw(st.sampled_from(found))
        how = draw(st.sampled_from(["remove", "swap", "nest", "huge", "text", "repeat"]))
        if how == "remove":
            del container[key]
        elif how == "repeat" and isinstance(container, list):
            container.insert(key, copy.deepcopy(container[key]))
        elif how == "nest":
            container[key] = draw(nested(container[key]))
        elif how == "huge":
            container[key] = draw(long_text(200_000))
        elif how == "text":
            container[key] = draw(hostile_text)
        else:
            container[key] = draw(values)
    return document


XML_TAGS = ["Hub", "Video", "Directory", "Track", "Photo", "Playlist", "Metadata", "Media", "Part",
            "MediaContainer", "Genre"]
XML_ATTRIBUTES = ["hubIdentifier", "key", "title", "type", "size", "more", "context", "style",
                  "ratingKey", "year", "index", "duration", "viewOffset", "addedAt", "thumb"]
attribute_values = (hostile_text | st.sampled_from(["", "0", "1", "-1", "1e400", "12.5", "true", "NaN"])
                    | st.integers(-(2**70), 2**70).map(str))


@st.composite
def mutated_xml(draw) -> bytes:
    root = plex_xml(plex_hubs())
    for _ in range(draw(MUTATIONS)):
        parents = {child: parent for parent in root.iter() for child in parent}
        element = draw(st.sampled_from(list(root.iter())))
        parent = parents.get(element)
        how = draw(st.sampled_from(["drop", "set", "huge", "remove", "repeat", "rename", "nest"]))
        if how == "drop" and element.attrib:
            del element.attrib[draw(st.sampled_from(sorted(element.attrib)))]
        elif how in ("set", "huge", "drop"):
            name = draw(st.sampled_from(sorted(element.attrib) + XML_ATTRIBUTES))
            element.set(name, draw(long_text(200_000) if how == "huge" else attribute_values))
        elif how == "remove" and parent is not None:
            parent.remove(element)
        elif how == "repeat" and parent is not None:
            parent.insert(list(parent).index(element), copy.deepcopy(element))
        elif how == "rename":
            element.tag = draw(st.sampled_from(XML_TAGS))
        else:
            for _ in range(draw(st.integers(1, NESTING))):
                element = ET.SubElement(element, draw(st.sampled_from(XML_TAGS)))
    # Text XML cannot carry (most control characters) makes a document the
    # parser refuses: a PayloadError, as it should be.
    return ET.tostring(root, encoding="utf-8")


def maps_or_is_refused_and_round_trips(hs, clear_tables, parse, payload: Any) -> None:
    """``parse(payload)`` gives a page that syncs and loads back equal, or raises PayloadError; nothing else."""
    try:
        page = parse(payload)
    except PayloadError:
        event("refused")  # the share of each outcome: pytest --hypothesis-show-statistics
        return
    assert isinstance(page, HomePage)
    event(f"mapped, {sum(len(s.items) for s in page)} items")
    clear_tables()
    hs.sync(SOURCE, page)
    assert hs.load(SOURCE) == page


FORMS = st.sampled_from(["dict", "text", "bytes"])


def in_form(document: dict[str, Any], form: str) -> Any:
    """The document as a backend may be handed it: decoded, or as JSON text or bytes."""
    if form == "dict":
        return document
    text = json.dumps(document, ensure_ascii=False)
    return text.encode() if form == "bytes" else text


@examples
@given(document=mutated_json(plex_hubs()), form=FORMS)
def test_mutated_plex_json_maps_or_is_refused_and_what_maps_round_trips(hs, clear_tables, document, form):
    maps_or_is_refused_and_round_trips(hs, clear_tables, PlexBackend().parse, in_form(document, form))


@examples
@given(payload=mutated_xml())
def test_mutated_plex_xml_maps_or_is_refused_and_what_maps_round_trips(hs, clear_tables, payload):
    maps_or_is_refused_and_round_trips(hs, clear_tables, PlexBackend().parse, payload)


@examples
@given(envelope=mutated_json(jellyfin_envelope()), form=FORMS)
def test_mutated_jellyfin_envelopes_map_or_are_refused_and_what_maps_round_trips(hs, clear_tables, envelope, form):
    maps_or_is_refused_and_round_trips(hs, clear_tables, JellyfinBackend().parse, in_form(envelope, form))
