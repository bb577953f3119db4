"""The Plex backend against real Plex Media Server answers.

The files live outside the project, in ``../shared/fixtures/plex`` next to the
repository (see its SOURCES.txt), and are read in place, never copied here
(tests/backends/fixtures.py says what happens without them).
What each page must hold is worked out from the raw file with ``json`` and
``xml.etree`` alone, not with the parser under test: every hub in order with
its identifier and title, every item in its section in order (once per hub,
first position wins), keyed by its ``ratingKey`` or else ``key:<its key>``, and
everything else in ``skipped``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from homesections import HomePage
from homesections_plex import PlexBackend

from .fixtures import shared_fixtures

FIXTURES = shared_fixtures("plex")  # skips the module when missing; fails it under CI
FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".json", ".xml"))
XML_ITEM_TAGS = {"Video", "Directory", "Track", "Photo", "Playlist", "Metadata"}


class ExpectedHub(NamedTuple):
    where: str
    identifier: str
    title: str
    items: list[tuple[str, str]]  # (where, item key or "") in payload order
    types: dict[str, str]  # item key -> type of its first copy


class Expected(NamedTuple):
    sections: list[ExpectedHub]
    skipped: list[str]


def raw_hubs(path: Path) -> list[ExpectedHub]:
    """Every hub of the file with its items, read with the standard library."""
    if path.suffix == ".json":
        return _json_hubs(json.loads(path.read_bytes()))
    return _xml_hubs(ET.fromstring(path.read_bytes()))


def _as_list(value: Any) -> list:
    return [] if value is None else [value] if isinstance(value, dict) else value


def _item_key(rating_key: Any, key: Any) -> str:
    """The ``ratingKey``, else ``key:`` and the ``key`` (a Station, a tag), else nothing."""
    derived = str(rating_key or "") or (f"key:{key}" if key else "")
    assert len(derived) <= 255, "a fixture key the parser would shorten"
    return derived


def _json_hubs(data: dict) -> list[ExpectedHub]:
    result = []
    for i, hub in enumerate(_as_list(data["MediaContainer"].get("Hub"))):
        where = f"MediaContainer.Hub[{i}]"
        items, types = [], {}
        for list_name in ("Metadata", "Directory"):
            for j, entry in enumerate(_as_list(hub.get(list_name))):
                key = _item_key(entry.get("ratingKey"), entry.get("key"))
                items.append((f"{where}.{list_name}[{j}]", key))
                types.setdefault(key, entry.get("type"))
        identifier = hub.get("hubIdentifier") or hub.get("identifier") or hub.get("key") or ""
        result.append(ExpectedHub(where, identifier, hub.get("title", ""), items, types))
    return result


def _xml_hubs(root: ET.Element) -> list[ExpectedHub]:
    assert root.tag == "MediaContainer"
    result = []
    for i, hub in enumerate(root.findall("Hub")):
        where = f"MediaContainer.Hub[{i}]"
        items, types, counts = [], {}, {}
        for child in hub:
            assert child.tag in XML_ITEM_TAGS, f"unexpected <{child.tag}> in {where}"
            n = counts[child.tag] = counts.get(child.tag, -1) + 1
            key = _item_key(child.get("ratingKey"), child.get("key"))
            items.append((f"{where}.{child.tag}[{n}]", key))
            types.setdefault(key, child.get("type"))
        identifier = hub.get("hubIdentifier") or hub.get("identifier") or hub.get("key") or ""
        result.append(ExpectedHub(where, identifier, hub.get("title", ""), items, types))
    return result


def expected_page(path: Path) -> Expected:
    """The sections a parse must keep and the places it must list as skipped."""
    sections, skipped, seen = [], [], set()
    for hub in raw_hubs(path):
        if not hub.identifier or len(hub.identifier) > 255 or hub.identifier in seen:
            skipped.append(hub.where)
            continue
        seen.add(hub.identifier)
        kept, keys = [], set()
        for where, key in hub.items:
            if not key:
                skipped.append(where)
            elif key not in keys:
                keys.add(key)
                kept.append((where, key))
        sections.append(hub._replace(items=kept))
    return Expected(sections, skipped)


@pytest.fixture(params=FILES, ids=[p.name for p in FILES])
def fixture_file(request) -> Path:
    return request.param


def test_the_fixtures_are_there():
    names = {p.name for p in FILES}

    assert len(FILES) >= 4
    assert "shortlist_pms_hubs_sections_1_manage.xml" in names
    assert any(name.endswith(".json") for name in names)


def test_every_hub_comes_out_in_order_with_its_identifier_and_title(fixture_file):
    page = PlexBackend().parse(fixture_file.read_bytes())
    expected = expected_page(fixture_file)

    assert isinstance(page, HomePage)
    assert [(s.hub_identifier, s.title) for s in page] == [
        (hub.identifier, hub.title) for hub in expected.sections
    ]


def test_every_item_with_a_key_is_in_its_section_in_order(fixture_file):
    page = PlexBackend().parse(fixture_file.read_bytes())
    expected = expected_page(fixture_file)

    for section, hub in zip(page, expected.sections):
        assert [item.key for item in section.items] == [key for _, key in hub.items], hub.where
        assert [item.type for item in section.items] == [hub.types[key] for _, key in hub.items]


def test_everything_else_is_listed_in_skipped(fixture_file):
    page = PlexBackend().parse(fixture_file.read_bytes())

    assert [s.where for s in page.skipped] == expected_page(fixture_file).skipped


def test_text_bytes_and_dict_give_the_same_page(fixture_file):
    backend = PlexBackend()
    raw = fixture_file.read_bytes()
    page = backend.parse(raw)

    assert backend.parse(raw.decode("utf-8")) == page
    if fixture_file.suffix == ".json":
        assert backend.parse(json.loads(raw)) == page


def part_paths(value: Any) -> list[str]:
    """The ``file`` and ``key`` of every ``Part`` anywhere in a decoded JSON file."""
    if isinstance(value, list):
        return [path for entry in value for path in part_paths(entry)]
    if not isinstance(value, dict):
        return []
    found = [p[name] for p in _as_list(value.get("Part")) for name in ("file", "key") if name in p]
    return found + [path for child in value.values() for path in part_paths(child)]


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".json"], ids=lambda p: p.name)
def test_no_file_path_reaches_the_page(path):
    paths = part_paths(json.loads(path.read_bytes()))
    page = repr(PlexBackend().parse(path.read_bytes()))

    assert paths  # every JSON fixture has items with Media/Part
    assert [p for p in paths if p in page] == []


def test_the_manage_listing_has_its_hubs_and_no_items():
    page = PlexBackend().parse((FIXTURES / "shortlist_pms_hubs_sections_1_manage.xml").read_bytes())

    assert len(page) == 8
    assert page.section("recent.library.playlists").section_type.value == "playlists"
    assert all(section.items == () for section in page)
    assert page.skipped == ()


def test_the_search_answers_genre_tags_are_kept_by_their_key():
    page = PlexBackend().parse((FIXTURES / "plexapispec_hubs_search_query-action.json").read_bytes())

    genre = page.section("genre")
    assert genre is not None and len(genre.items) == genre.size == 3
    assert all(item.key.startswith("key:/library/sections/") for item in genre.items)
    assert page.skipped == ()
    assert page.section("movie").items[0].title == "Class Action Park"


def test_the_same_movies_in_two_collection_hubs_have_one_value():
    page = PlexBackend().parse((FIXTURES / "replex_hubs_sections_6.json").read_bytes())

    trending, popular = page.sections[:2]
    assert trending.items == popular.items
    assert [i.key for i in trending.items] == ["148287", "148277"]
