"""Sample pages for the sync, load and staleness tests: builders, strategies, snapshots."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from typing import Any

import peewee
from hypothesis import strategies as st

from homesections import HomePage, Item, Section, SectionType
from homesections.page import ITEM_TYPES

UTC = datetime.timezone.utc

#: The tables a plugin-owned registration writes, in foreign-key order.
TABLES = ("sources", "media_items", "home_sections", "home_section_items")


def movie(key: str, **fields: Any) -> Item:
    return Item(key=key, type="movie", **fields)


def section(hub: str, *keys: str, title: str | None = None, **fields: Any) -> Section:
    """A section whose items are plain movies titled after their keys."""
    items = tuple(movie(k, title=f"Movie {k}") for k in keys)
    return Section(hub, title or hub.title(), items=items, **fields)


def page(*sections: Section) -> HomePage:
    return HomePage(tuple(sections))


def hubs(home: HomePage) -> list[str]:
    return [s.hub_identifier for s in home]


def snapshot(db: peewee.Database, tables: tuple[str, ...] = TABLES) -> dict[str, list[tuple]]:
    """Every row of ``tables``, raw as the driver returns them, ordered by id."""
    return {
        table: [tuple(row) for row in db.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()]
        for table in tables
    }


_source_ids = itertools.count()


def fresh_source_id(prefix: str = "gen") -> str:
    """A source id no earlier call returned (hypothesis examples share one database)."""
    return f"{prefix}-{next(_source_ids)}"


# --- hypothesis strategies: pages parse() can produce -------------------------

# Any character but NUL (a parse removes it; PostgreSQL cannot store it) and
# lone surrogates (not encodable), plus samples that make sure emoji,
# right-to-left and combining text come up.
_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_SAMPLES = st.sampled_from([
    "🎬🍿 Movie night", "שלום עולם", "مرحبا بالعالم", "e\u0301te\u0301", "👨‍👩‍👧‍👦",
    "a'b\"c\\d;--", "%:_", " ", "",
])
text = st.one_of(st.text(_CHARACTERS, max_size=40), _SAMPLES)
identifier = st.one_of(st.text(_CHARACTERS, min_size=1, max_size=60), _SAMPLES.filter(bool))
optional_text = st.none() | text
int32 = st.none() | st.integers(-(2**31), 2**31 - 1)
int64 = st.none() | st.integers(-(2**63), 2**63 - 1)
aware_utc = st.none() | st.datetimes(
    min_value=datetime.datetime(1970, 1, 1), max_value=datetime.datetime(2100, 12, 31),
    timezones=st.just(UTC),
)
# Any day a datetime.date holds: years below 1000 test the zero-padded ISO text.
optional_date = st.none() | st.dates()
item_type = st.sampled_from(sorted(ITEM_TYPES)) | st.text(_CHARACTERS, min_size=1, max_size=20)


def item_with_key(key: str) -> st.SearchStrategy[Item]:
    return st.builds(
        Item, key=st.just(key), type=item_type, title=optional_text, parent_title=optional_text,
        grandparent_title=optional_text, index=int32, parent_index=int32, year=int32,
        thumb=optional_text, art=optional_text, grandparent_thumb=optional_text,
        duration=int64, view_offset=int64, view_count=int32,
        last_viewed_at=aware_utc, added_at=aware_utc,
        summary=optional_text, content_rating=optional_text, release_date=optional_date,
        leaf_count=int32, unplayed_count=int32, library_id=optional_text,
        library_title=optional_text, starts_at=aware_utc, ends_at=aware_utc,
        channel_title=optional_text,
    )


@st.composite
def home_pages(draw, max_sections: int = 6, max_items: int = 8) -> HomePage:
    """A page with unique hub identifiers, unique keys per section and one Item value per key."""
    keys = draw(st.lists(identifier, max_size=max_items * 2, unique=True))
    items = {key: draw(item_with_key(key)) for key in keys}
    identifiers = draw(st.lists(identifier, max_size=max_sections, unique=True))
    sections = []
    for hub in identifiers:
        chosen = draw(st.lists(st.sampled_from(keys), max_size=max_items, unique=True)) if keys else []
        sections.append(Section(
            hub_identifier=hub,
            title=draw(text),
            section_type=draw(st.sampled_from(list(SectionType))),
            context=draw(optional_text),
            style=draw(optional_text),
            hub_type=draw(optional_text),
            size=draw(int32),
            hub_key=draw(optional_text),
            more=draw(st.booleans()),
            items=tuple(items[k] for k in chosen),
        ))
    return HomePage(tuple(sections))


@st.composite
def edits_of(draw, home: HomePage) -> HomePage:
    """A later version of ``home``: sections dropped, reordered, retitled and added,
    items dropped, moved, added and given new values (one value per key still)."""
    pool = {item.key: item for s in home for item in s.items}
    keys = sorted(pool)
    for key in draw(st.lists(st.sampled_from(keys), unique=True)) if keys else []:
        pool[key] = draw(item_with_key(key))
    kept = draw(st.permutations(home.sections))
    kept = kept[: draw(st.integers(0, len(kept)))]
    sections = []
    for old in kept:
        chosen = [item.key for item in draw(st.permutations(old.items))]
        chosen = chosen[: draw(st.integers(0, len(chosen)))]
        if keys:
            chosen += [k for k in draw(st.lists(st.sampled_from(keys), unique=True)) if k not in chosen]
        title = draw(st.one_of(st.just(old.title), text))
        sections.append(dataclasses.replace(old, title=title, items=tuple(pool[k] for k in chosen)))
    taken = {s.hub_identifier for s in home}
    for hub in draw(st.lists(identifier.filter(lambda h: h not in taken), max_size=2, unique=True)):
        chosen = draw(st.lists(st.sampled_from(keys), unique=True)) if keys else []
        new = Section(hub, draw(text), items=tuple(pool[k] for k in chosen))
        sections.insert(draw(st.integers(0, len(sections))), new)
    return HomePage(tuple(sections))
