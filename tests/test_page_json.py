"""The common schema's JSON form: HomePage.to_dict() and HomePage.from_dict()."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import importlib
import json
from typing import Optional

import pytest
from hypothesis import given, settings

import homesections.page
from homesections import HomePage, Item, PayloadError, Section, SectionType, Skipped
from homesections.page import ITEM_FIELDS, SECTION_FIELDS

from .pages import home_pages

UTC = datetime.timezone.utc
ADDED = datetime.datetime(2025, 1, 7, 12, 30, 5, 250000, tzinfo=UTC)


def sample() -> HomePage:
    episode = Item("11", "episode", title="Pilot", grandparent_title="Show", index=1, parent_index=1,
                   duration=1_800_000, view_offset=600_000, added_at=ADDED)
    return HomePage((
        Section("home.ondeck", "On Deck", SectionType.ON_DECK, hub_type="episode", size=1,
                hub_key="/hubs/home/onDeck", more=True, items=(episode,)),
        Section("custom.1", "Picks"),
    ))


@settings(max_examples=60, deadline=None)
@given(home_pages())
def test_a_page_survives_the_json_form_exactly(page):
    data = json.loads(json.dumps(page.to_dict()))
    assert HomePage.from_dict(data) == page


def test_the_form_is_versioned_and_names_every_field_of_the_schema():
    data = sample().to_dict()
    assert data["format"] == "homesections.page/1"
    assert list(data) == ["format", "sections"]
    section = data["sections"][0]
    assert list(section) == [*SECTION_FIELDS, "items"]
    assert list(section["items"][0]) == list(ITEM_FIELDS)
    assert section["section_type"] == "on_deck" and section["more"] is True
    assert section["items"][0]["title"] == "Pilot" and section["items"][0]["year"] is None


def test_times_are_written_as_iso_8601_in_utc_whatever_their_zone():
    paris = datetime.timezone(datetime.timedelta(hours=1))
    item = Item("1", "movie", added_at=datetime.datetime(2025, 1, 7, 13, 30, tzinfo=paris),
                last_viewed_at=ADDED)
    (written,) = HomePage((Section("s", "S", items=(item,)),)).to_dict()["sections"][0]["items"]
    assert written["added_at"] == "2025-01-07T12:30:00Z"
    assert written["last_viewed_at"] == "2025-01-07T12:30:05.250000Z"


def test_times_are_read_in_any_zone_and_come_back_aware_utc():
    data = sample().to_dict()
    data["sections"][0]["items"][0]["added_at"] = "2025-01-07T13:30:05.250000+01:00"
    added = HomePage.from_dict(data).sections[0].items[0].added_at
    assert added == ADDED and added.tzinfo == UTC


def test_what_a_parse_left_out_is_not_part_of_the_form():
    page = dataclasses.replace(sample(), skipped=(Skipped("Hub[3]", "no key"),))
    assert "skipped" not in page.to_dict()
    assert HomePage.from_dict(page.to_dict()).skipped == ()


def test_readers_ignore_unknown_keys_and_default_missing_fields():
    data = {
        "format": "homesections.page/1", "generator": "a newer homesections",
        "sections": [{"hub_identifier": "h", "title": "H", "colour": "red",
                      "items": [{"key": "1", "type": "movie", "rating": 9.5}]}],
    }
    page = HomePage.from_dict(data)
    assert page == HomePage((Section("h", "H", SectionType.CUSTOM, items=(Item("1", "movie"),)),))


def test_a_page_with_no_sections_key_is_empty():
    assert HomePage.from_dict({"format": "homesections.page/1"}) == HomePage()


def _with(path: str, value: object) -> dict:
    """The sample's JSON form with the value at ``path`` (dots and [n]) replaced, or removed."""
    data = copy.deepcopy(sample().to_dict())
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    node = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _REMOVE:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return data


_REMOVE = object()


@pytest.mark.parametrize("path, value, where, says", [
    ("format", "homesections.page/2", "format", "'homesections.page/2'"),
    ("format", _REMOVE, "format", "no \"format\" key: not the homesections JSON form"),
    ("sections", {"0": {}}, "sections", "expected a list, got an object"),
    ("sections[1]", "custom.1", "sections[1]", "expected an object"),
    ("sections[1].hub_identifier", _REMOVE, "sections[1].hub_identifier", "'hub_identifier' is missing"),
    ("sections[0].section_type", "favourites", "sections[0].section_type", "one of collection, continue_watching"),
    ("sections[0].more", None, "sections[0].more", "expected true or false, got null"),
    ("sections[0].size", "1", "sections[0].size", "expected a whole number, got a string"),
    ("sections[0].items", None, "sections[0].items", "expected a list, got null"),
    ("sections[0].items[0].index", True, "sections[0].items[0].index", "got a boolean"),
    ("sections[0].items[0].title", 7, "sections[0].items[0].title", "expected a string, got a number"),
    ("sections[0].items[0].type", _REMOVE, "sections[0].items[0].type", "'type' is missing"),
    ("sections[0].items[0].added_at", "yesterday", "sections[0].items[0].added_at", "ISO 8601 time"),
    ("sections[0].items[0].added_at", "2025-01-07T12:00:00", "sections[0].items[0].added_at", "with a zone"),
    ("sections[0].items[0].added_at", 1736251200, "sections[0].items[0].added_at", "got a number"),
])
def test_bad_input_is_a_payload_error_naming_the_place(path, value, where, says):
    with pytest.raises(PayloadError) as caught:
        HomePage.from_dict(_with(path, value))
    assert caught.value.where == where
    assert str(caught.value).startswith(f"{where}: ")
    assert says in str(caught.value)


def test_input_that_is_not_an_object_is_a_payload_error():
    with pytest.raises(PayloadError, match="^page: expected an object, got a list"):
        HomePage.from_dict([])


def test_a_naive_time_cannot_be_written():
    item = Item("1", "movie", added_at=datetime.datetime(2025, 1, 7, 12, 0))
    with pytest.raises(PayloadError) as caught:
        HomePage((Section("s", "S", items=(item,)),)).to_dict()
    assert caught.value.where == "sections[0].items[0].added_at"


# --- a field added to the schema later needs no change to the JSON form ---------


@dataclasses.dataclass(frozen=True)
class _DatedItem(Item):
    """Item as a later schema may extend it: a date and one more time field."""

    release_date: Optional[datetime.date] = None
    ends_at: Optional[datetime.datetime] = None


@pytest.fixture
def extended_schema(monkeypatch):
    """The JSON form rebuilt over an Item with more fields; rebuilt back afterwards."""
    import homesections.page_json as page_json

    monkeypatch.setattr(homesections.page, "Item", _DatedItem)
    yield importlib.reload(page_json)
    monkeypatch.undo()
    importlib.reload(page_json)


def test_fields_added_to_item_are_carried_by_their_annotation(extended_schema):
    ends = datetime.datetime(2025, 3, 1, 21, 0, tzinfo=UTC)
    item = _DatedItem("1", "program", release_date=datetime.date(2024, 2, 29), ends_at=ends)
    page = HomePage((Section("tv.live", "On Now", items=(item,)),))
    written = page.to_dict()["sections"][0]["items"][0]
    assert written["release_date"] == "2024-02-29" and written["ends_at"] == "2025-03-01T21:00:00Z"
    assert HomePage.from_dict(json.loads(json.dumps(page.to_dict()))) == page
    written["release_date"] = "2024-02-29T00:00:00Z"
    with pytest.raises(PayloadError, match=r"^sections\[0\]\.items\[0\]\.release_date: expected an ISO 8601 date"):
        HomePage.from_dict({"format": "homesections.page/1", "sections": [
            {"hub_identifier": "tv.live", "title": "On Now", "items": [written]}]})
