"""Add the card fields to the plugin's own ``media_items``: what a client draws on a card.

Applied only when the plugin owns ``media_items``, like the migration that
created it; a host that owns its media items keeps its own columns (its store's
``get()`` may leave these fields ``None``), and rolling this back never touches
a table of the host's.

Every column is nullable and added in place with ``ALTER TABLE ... ADD
COLUMN``; dropping uses ``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35+). Neither
rebuilds the table, which on SQLite, inside a transaction with foreign keys on,
would delete every link row by cascade. ``release_date`` is ISO date text
(``YYYY-MM-DD``) on both engines; the two times are naive UTC, like the others.
"""

import peewee

from homesections.fields import UTCDateTimeField

TABLE = "media_items"


def _columns():
    # Frozen copies of the model's fields: this migration means the same thing forever.
    return (
        ("summary", peewee.TextField(null=True)),
        ("content_rating", peewee.TextField(null=True)),
        ("release_date", peewee.TextField(null=True)),
        ("leaf_count", peewee.IntegerField(null=True)),
        ("unplayed_count", peewee.IntegerField(null=True)),
        ("library_id", peewee.TextField(null=True)),
        ("library_title", peewee.TextField(null=True)),
        ("starts_at", UTCDateTimeField(null=True)),
        ("ends_at", UTCDateTimeField(null=True)),
        ("channel_title", peewee.TextField(null=True)),
    )


def applies(ctx):
    return ctx.owns_sources


def up(ctx):
    ctx.migrator.migrate(*(ctx.migrator.add_column(TABLE, name, field) for name, field in _columns()))


def down(ctx):
    ctx.require_drop_column()
    ctx.migrator.migrate(
        *(ctx.migrator.drop_column(TABLE, name, cascade=False) for name, _ in reversed(_columns()))
    )
