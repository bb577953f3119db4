"""What a server sends is bounded: hubs, items, listed skips, and the text classification reads.

The payloads here are a few MB, real-format and hostile: more entries than
any home page holds must be refused with a PayloadError (not parsed for
seconds into hundreds of MB), whoever the backend; a page a host builds
itself is never capped.
"""

from __future__ import annotations

import json

import pytest

from homesections import HomePage, Item, PayloadError, Section, SectionType, Skipped
from homesections.build import PageBuilder, PageLimits
from homesections.classification import CLASSIFIED_PREFIX
from homesections_jellyfin import JellyfinBackend
from homesections_plex import PlexBackend


def plex_hubs(hubs: list[dict]) -> bytes:
    return json.dumps({"MediaContainer": {"size": len(hubs), "Hub": hubs}}).encode()


def test_more_hubs_than_the_limit_are_refused_counting_the_ones_left_out():
    payload = plex_hubs([{}] * 10_001)  # not one of them has an identifier: all would be left out

    with pytest.raises(PayloadError, match="more than 10,000 hubs") as caught:
        PlexBackend().parse(payload)

    assert caught.value.where == "MediaContainer.Hub[10000]"


def test_ten_thousand_hubs_are_still_read():
    page = PlexBackend().parse(plex_hubs([{}] * 10_000))
    assert page.sections == ()
    assert len(page.skipped) == 1_000 and page.more_skipped == 9_000


def test_more_items_than_the_limit_are_refused_counting_the_ones_left_out():
    keyless = [{"type": "movie", "title": "no key"}] * 60_000
    payload = plex_hubs([{"hubIdentifier": "a", "Metadata": keyless},
                         {"hubIdentifier": "b", "Metadata": keyless}])

    with pytest.raises(PayloadError, match="more than 100,000 items") as caught:
        PlexBackend().parse(payload)

    assert caught.value.where == "MediaContainer.Hub[1].Metadata"  # refused before it is read


def test_the_skipped_list_holds_a_thousand_entries_and_counts_the_rest():
    builder = PageBuilder()
    handle = builder.add_section(Section("home.recent", "Recent"), "Hub[0]")
    for n in range(2_500):
        builder.add_item(handle, Item("", "movie"), f"Hub[0].Metadata[{n}]")

    page = builder.build()

    assert len(page.skipped) == 1_000 and page.more_skipped == 1_500
    assert page.skipped[-1] == Skipped("Hub[0].Metadata[999]", "item has no key")
    assert page == HomePage((Section("home.recent", "Recent", SectionType.RECENTLY_ADDED),))


def test_joined_pages_keep_the_bound_on_what_they_list():
    many = HomePage((), tuple(Skipped(f"a[{n}]", "x") for n in range(800)), more_skipped=5)
    joined = many.merged_with(many)
    assert len(joined.skipped) == 1_000 and joined.more_skipped == 5 + 5 + 600


def test_the_limits_are_a_setting_of_every_backend():
    tight = PageLimits(hubs=2, items=3, skipped=1)
    hubs = [{"hubIdentifier": f"h{n}", "title": "H"} for n in range(3)]
    with pytest.raises(PayloadError, match="more than 2 hubs"):
        PlexBackend(limits=tight).parse(plex_hubs(hubs))
    assert len(PlexBackend().parse(plex_hubs(hubs))) == 3

    resume = {"Items": [{"Id": str(n), "Type": "Movie", "Name": "M"} for n in range(4)]}
    with pytest.raises(PayloadError, match="more than 3 items"):
        JellyfinBackend(limits=tight).parse({"resume": resume})
    assert len(JellyfinBackend().parse({"resume": resume}).sections[0].items) == 4


@pytest.mark.parametrize("setting", [{"hubs": 0}, {"items": -1}, {"skipped": True}, {"hubs": 1.5}])
def test_limits_must_be_whole_numbers_of_at_least_one(setting):
    from homesections import ConfigurationError

    with pytest.raises(ConfigurationError, match="whole number"):
        PageLimits(**setting)


HOSTILE = {
    "NaN and infinities": (b'{"MediaContainer": {"Hub": [{"hubIdentifier": "h", "size": NaN, "more": Infinity,'
                           b' "Metadata": [{"ratingKey": "1", "type": "movie", "duration": -Infinity}]}]}}',
                           lambda page: page.sections[0].size is None and page.sections[0].items[0].duration is None),
    "a number of 5,000 digits": (b'{"MediaContainer": {"Hub": [{"hubIdentifier": "h", "size": 1' + b"0" * 5000
                                 + b"}]}}", None),
    "an integer past 64 bits": (b'{"MediaContainer": {"Hub": [{"hubIdentifier": "h", "size": 99999999999999999999,'
                                b' "Metadata": [{"ratingKey": 18446744073709551616, "type": "movie"}]}]}}',
                                lambda page: page.sections[0].size is None and page.sections[0].items == ()),
    "invalid UTF-8": (b'{"MediaContainer": {"Hub": [{"hubIdentifier": "\xff"}]}}', None),
    "lone surrogates and NUL": (b'{"MediaContainer": {"Hub": [{"hubIdentifier": "h\\u0000", "title": "\\ud800x",'
                                b' "Metadata": [{"ratingKey": "k\\u0000", "type": "movie", "title": "\\udfff"}]}]}}',
                                lambda page: (page.sections[0].hub_identifier, page.sections[0].title,
                                              page.sections[0].items[0].key, page.sections[0].items[0].title)
                                == ("h", "\ufffdx", "k", "\ufffd")),
    "100,000-deep nesting": (b'{"MediaContainer": {"Hub": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}", None),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_json_maps_or_is_refused_the_same_on_both_decoders(name, json_path):
    payload, check = HOSTILE[name]
    if check is None:
        with pytest.raises(PayloadError):
            PlexBackend().parse(payload)
    else:
        assert check(PlexBackend().parse(payload))


def test_classification_reads_only_the_start_of_a_giant_context():
    giant = "hub.movie.genre." + "x" * 5_000_000
    hidden = "x" * CLASSIFIED_PREFIX + ".genre"
    assert SectionType.classify("h1", giant) is SectionType.GENRE
    assert SectionType.classify("h1", hidden) is SectionType.CUSTOM

    page = PlexBackend().parse(plex_hubs([{"hubIdentifier": "h1", "title": "T", "context": giant}]))
    assert page.sections[0].section_type is SectionType.GENRE and page.sections[0].context == giant


def test_a_page_a_host_builds_is_not_capped(hs):
    items = tuple(Item(str(n), "movie") for n in range(100_001))

    report = hs.sync("big", HomePage((Section("everything", "Everything", items=items),)))

    assert report.added == ("everything",)
    assert len(hs.load("big").sections[0].items) == 100_001
