"""Hub identifiers up to 255 characters and titles up to 10 KB of hostile text are stored verbatim.

SQL, quotes, control characters other than NUL, emoji and right-to-left
text are synced and read back exactly as given, on both engines; a second
sync of the same page finds nothing changed (so nothing was altered on the
way in or out); and the values reach the database as parameters, never as
part of a statement's text (on SQLite, whose driver binds them).
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings

import pytest

from homesections import HomePage, Item, Section

from .processes import SOURCE
from .strings import FRAGMENTS, hostile_text, long_text

pytestmark = pytest.mark.stress

MAX_IDENTIFIER, MAX_TITLE = 255, 10 * 1024
EVERY_FRAGMENT = "".join(FRAGMENTS)
LONGEST_IDENTIFIER = (EVERY_FRAGMENT * 10)[:MAX_IDENTIFIER]
LONGEST_TITLE = (EVERY_FRAGMENT * 100)[:MAX_TITLE]


def other_than(text: str) -> str:
    """``text`` with its last character changed: as long, and apart only at the end."""
    return text[:-1] + ("b" if text[-1] == "a" else "a")


def hostile_page(hub: str, title: str, key: str, item_title: str, context: str) -> HomePage:
    return HomePage((
        Section(hub, title, context=context, style=context, hub_type=context, hub_key=context, items=(
            Item(key, "movie", title=item_title, parent_title=context, thumb=context),
        )),
        Section(other_than(hub), item_title, items=(Item(other_than(key), context or "custom"),)),
    ))


# The examples share one database and empty its tables, so a function-scoped fixture is right.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(hub=long_text(MAX_IDENTIFIER), title=long_text(MAX_TITLE), key=long_text(MAX_IDENTIFIER),
       item_title=long_text(MAX_TITLE), context=hostile_text)
@example(hub=LONGEST_IDENTIFIER, title=LONGEST_TITLE, key=LONGEST_IDENTIFIER,
         item_title=LONGEST_TITLE, context=EVERY_FRAGMENT)
def test_hostile_identifiers_and_titles_come_back_verbatim(hs, clear_tables, hub, title, key, item_title, context):
    clear_tables()
    home = hostile_page(hub, title, key, item_title, context)

    hs.sync(SOURCE, home)

    assert hs.load(SOURCE) == home
    again = hs.sync(SOURCE, home)
    assert not again.has_changes and again.rows_written == 0


def test_hostile_text_reaches_sqlite_only_as_parameters(hs, query_log, engine):
    if engine != "sqlite":
        pytest.skip("psycopg2 quotes every parameter into the statement text itself (libpq's "
                    "escaping): no statement is free of them; the verbatim round trip proves the quoting")
    home = hostile_page(LONGEST_IDENTIFIER, LONGEST_TITLE, "'; DROP TABLE media_items; --",
                        LONGEST_TITLE, EVERY_FRAGMENT)

    hs.sync(SOURCE, home)
    assert hs.load(SOURCE) == home

    assert query_log.statements, "the log saw no statement: no test"
    assert not [s for s in query_log.statements if "DROP TABLE" in s or "שלום" in s]
