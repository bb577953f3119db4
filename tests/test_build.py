"""PageBuilder: the quirk rules every backend's parse shares."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homesections import HomePage, Item, Section, SectionType, Skipped
from homesections.build import MAX_IDENTIFIER_LENGTH, PageBuilder


def movie(key: str | None = "1", **fields: object) -> Item:
    return Item(key=key, type="movie", **fields)  # type: ignore[arg-type]


def build(*hubs: tuple[Section, list[Item]]) -> HomePage:
    """A page built from (section, items) pairs, with Hub[i].Metadata[j] as the places."""
    builder = PageBuilder()
    for i, (section, items) in enumerate(hubs):
        handle = builder.add_section(section, f"Hub[{i}]")
        for j, item in enumerate(items):
            if handle is not None:
                builder.add_item(handle, item, f"Hub[{i}].Metadata[{j}]")
    return builder.build()


def string_fields(cls: type) -> list[str]:
    """The fields annotated as (optional) str: the ones NUL must be removed from."""
    return [f.name for f in dataclasses.fields(cls) if f.type in ("str", "Optional[str]")]


def test_an_empty_builder_builds_an_empty_page():
    page = PageBuilder().build()
    assert page == HomePage()
    assert page.skipped == ()


def test_sections_and_items_keep_payload_order():
    page = build(
        (Section("home.continue", "Continue"), [movie("3"), movie("1"), movie("2")]),
        (Section("home.ondeck", "On Deck"), [movie("9")]),
    )
    assert [s.hub_identifier for s in page] == ["home.continue", "home.ondeck"]
    assert [i.key for i in page.sections[0].items] == ["3", "1", "2"]
    assert page.skipped == ()


def test_the_items_a_section_arrives_with_are_ignored():
    page = build((Section("home.ondeck", "On Deck", items=(movie("stray"),)), [movie("1")]))
    assert page.sections[0].items == (movie("1"),)


@pytest.mark.parametrize("identifier", ["", None, "\x00", "\x00\x00"])
def test_a_hub_without_identifier_is_left_out_and_listed(identifier):
    builder = PageBuilder()
    assert builder.add_section(Section(identifier, "Nameless"), "Hub[4]") is None  # type: ignore[arg-type]
    page = builder.build()
    assert page == HomePage()
    assert page.skipped == (Skipped("Hub[4]", "hub has no identifier"),)


def test_a_hub_identifier_over_the_limit_is_left_out_and_listed():
    assert MAX_IDENTIFIER_LENGTH == 255
    too_long = "custom.collection." + "9" * (256 - len("custom.collection."))
    assert len(too_long) == 256
    page = build((Section(too_long, "Long"), [movie("1")]), (Section("home.ondeck", "On Deck"), []))
    assert [s.hub_identifier for s in page] == ["home.ondeck"]
    [skipped] = page.skipped
    assert skipped.where == "Hub[0]"
    assert "256" in skipped.reason and "255" in skipped.reason


def test_a_hub_identifier_of_exactly_the_limit_is_kept():
    identifier = "x" * 255
    page = build((Section(identifier, "Long"), [movie("1")]))
    assert page.section(identifier).items == (movie("1"),)
    assert page.skipped == ()


def test_the_identifier_is_measured_after_nul_removal():
    page = build((Section("x" * 255 + "\x00", "Long"), []))
    assert [s.hub_identifier for s in page] == ["x" * 255]


def test_a_repeated_hub_identifier_keeps_the_first_and_lists_the_second():
    builder = PageBuilder()
    first = builder.add_section(Section("home.ondeck", "First"), "Hub[0]")
    assert builder.add_section(Section("home.ondeck", "Second"), "Hub[1]") is None
    builder.add_item(first, movie("1"), "Hub[0].Metadata[0]")
    page = builder.build()
    assert [(s.hub_identifier, s.title) for s in page] == [("home.ondeck", "First")]
    assert page.sections[0].items == (movie("1"),)
    [skipped] = page.skipped
    assert skipped.where == "Hub[1]"
    assert "home.ondeck" in skipped.reason and "already" in skipped.reason


def test_the_same_item_twice_in_one_hub_is_kept_once_at_its_first_position():
    page = build((Section("home.continue", "Continue"), [movie("a"), movie("b"), movie("a"), movie("c")]))
    assert [i.key for i in page.sections[0].items] == ["a", "b", "c"]
    assert page.skipped == ()


def test_a_repeated_item_in_one_hub_combines_its_copies_by_the_merge_rules():
    early, late = (datetime.datetime(2024, m, 1, tzinfo=datetime.timezone.utc) for m in (1, 2))
    first = movie("a", title="First", thumb=None, added_at=early)
    second = movie("a", title="Second", thumb="/thumb", view_offset=7, added_at=late)
    page = build((Section("home.continue", "Continue"), [first, movie("b"), second]))
    assert page.sections[0].items == (
        movie("a", title="First", thumb="/thumb", view_offset=7, added_at=late), movie("b"),
    )


@pytest.mark.parametrize("key", ["", None, "\x00"])
def test_an_item_without_key_is_left_out_and_listed(key):
    page = build((Section("home.ondeck", "On Deck"), [movie("1"), movie(key), movie("2")]))
    assert [i.key for i in page.sections[0].items] == ["1", "2"]
    assert page.skipped == (Skipped("Hub[0].Metadata[1]", "item has no key"),)


def test_skip_records_in_order_with_everything_else_left_out():
    builder = PageBuilder()
    builder.skip("Hub[0]", "not a hub")
    builder.add_section(Section("", "x"), "Hub[1]")
    builder.skip("Hub[2]", "unreadable")
    assert [str(s) for s in builder.build().skipped] == [
        "Hub[0]: not a hub", "Hub[1]: hub has no identifier", "Hub[2]: unreadable",
    ]


def test_nul_is_removed_from_every_string_field_of_sections_and_items():
    section_strings = string_fields(Section)
    item_strings = string_fields(Item)
    assert {"hub_identifier", "title", "context", "style", "hub_type", "hub_key"} <= set(section_strings)
    assert {"key", "type", "title", "thumb", "art", "grandparent_thumb"} <= set(item_strings)

    dirty_section = Section(**{name: f"\x00{name}\x00x\x00" for name in section_strings})
    dirty_item = Item(**{name: f"{name}\x00\x00y" for name in item_strings})
    page = build((dirty_section, [dirty_item]))

    [section] = page.sections
    for name in section_strings:
        assert getattr(section, name) == f"{name}x"
    [item] = section.items
    for name in item_strings:
        assert getattr(item, name) == f"{name}y"


@given(
    identifier=st.text(min_size=1, max_size=40),
    title=st.text(),
    key=st.text(min_size=1),
    item_title=st.none() | st.text(),
)
def test_no_string_in_a_built_page_holds_nul(identifier, title, key, item_title):
    page = build((Section(identifier, title), [movie(key, title=item_title)]))
    values = [getattr(s, n) for s in page for n in string_fields(Section)]
    values += [getattr(i, n) for s in page for i in s.items for n in string_fields(Item)]
    assert not any("\x00" in v for v in values if isinstance(v, str))
    assert all(s.hub_identifier for s in page)
    assert all(i.key for s in page for i in s.items)


def test_leaves_clean_objects_alone():
    builder = PageBuilder()
    item = movie("1", title="Heat")
    handle = builder.add_section(Section("home.ondeck", "On Deck", SectionType.ON_DECK), "Hub[0]")
    builder.add_item(handle, item, "Hub[0].Metadata[0]")
    assert builder.build().sections[0].items[0] is item


@pytest.mark.parametrize(
    "section, expected",
    [
        (Section("tv.ondeck.2", "On Deck"), SectionType.ON_DECK),
        (Section("home.4317132", "Mine", context="hub.custom.collection"), SectionType.COLLECTION),
        (Section("something.else", "Else"), SectionType.CUSTOM),
        (Section("tv.ondeck.2", "Trending?", SectionType.TRENDING), SectionType.TRENDING),
        (Section("tv.ondeck.2", "Plain text", "custom"), SectionType.ON_DECK),  # type: ignore[arg-type]
        (Section("anything", "Plain text", "genre"), SectionType.GENRE),  # type: ignore[arg-type]
    ],
)
def test_a_custom_section_is_classified_and_an_explicit_type_is_kept(section, expected):
    page = build((section, []))
    assert page.sections[0].section_type is expected


def test_classification_sees_the_identifier_and_context_after_nul_removal():
    page = build((Section("tv.on\x00deck", "On Deck"), []))
    assert page.sections[0].section_type is SectionType.ON_DECK


def test_a_section_type_outside_the_set_is_refused():
    with pytest.raises(ValueError):
        PageBuilder().add_section(Section("x", "X", "favourites"), "Hub[0]")  # type: ignore[arg-type]


def test_an_item_repeated_across_hubs_gets_one_value():
    page = build(
        (Section("home.continue", "Continue"), [movie("a", title="A", view_offset=100), movie("b")]),
        (Section("home.movies.recent", "Recent"), [movie("c"), movie("a", title="A!", thumb="/a", year=1999)]),
    )
    unified = movie("a", title="A", view_offset=100, thumb="/a", year=1999)
    assert page.section("home.continue").items == (unified, movie("b"))
    assert page.section("home.movies.recent").items == (movie("c"), unified)


def test_values_no_database_can_store_are_made_storable():
    builder = PageBuilder()
    handle = builder.add_section(Section("hub", "Title \ud800", size=2**31), where="Hub[0]")
    builder.add_item(handle, Item("1", "movie", title="a\udfffb", year=2**31, index=-(2**31) - 1,
                                  duration=2**40, view_offset=2**63), where="Hub[0].Metadata[0]")
    (section,) = builder.build().sections
    assert section.title == "Title \ufffd" and section.size is None
    (item,) = section.items
    assert item.title == "a\ufffdb"
    assert item.year is None and item.index is None  # 32-bit columns
    assert item.duration == 2**40  # milliseconds are 64-bit
    assert item.view_offset is None  # beyond 64 bits
    assert (2**31 - 1, -(2**31)) == _kept_ints()


def _kept_ints():
    builder = PageBuilder()
    handle = builder.add_section(Section("hub", "t"), where="Hub[0]")
    builder.add_item(handle, Item("1", "movie", year=2**31 - 1, index=-(2**31)), where="x")
    (item,) = builder.build().sections[0].items
    return item.year, item.index


def test_an_item_key_over_255_characters_is_left_out_and_listed():
    builder = PageBuilder()
    handle = builder.add_section(Section("hub", "t"), where="Hub[0]")
    builder.add_item(handle, Item("k" * 256, "movie"), where="Hub[0].Metadata[0]")
    builder.add_item(handle, Item("k" * 255, "movie"), where="Hub[0].Metadata[1]")
    page = builder.build()
    assert [i.key for i in page.sections[0].items] == ["k" * 255]
    assert [(s.where, s.reason) for s in page.skipped] == [
        ("Hub[0].Metadata[0]", "item key is 256 characters, over 255")]
