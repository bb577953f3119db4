"""Add ``hub_key`` (the URL of the whole hub) and ``more`` (the server holds more) to ``home_sections``.

Both columns are added in place with ``ALTER TABLE ... ADD COLUMN``. ``more`` is
NOT NULL with a server-side default, added in one statement: letting
playhouse.migrate add it nullable and then set NOT NULL would rebuild the
table on SQLite, and a rebuild inside a transaction with foreign keys on
deletes every link row by cascade. Dropping uses ``ALTER TABLE ... DROP
COLUMN`` (SQLite 3.35+), which never rebuilds either.
"""

import peewee


def up(ctx):
    ctx.migrator.migrate(
        ctx.migrator.add_column("home_sections", "hub_key", peewee.TextField(null=True)),
        ctx.migrator.add_column(
            "home_sections", "more",
            peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")]),
            allow_not_null=True,
        ),
    )


def down(ctx):
    ctx.require_drop_column()
    ctx.migrator.migrate(
        ctx.migrator.drop_column("home_sections", "more", cascade=False),
        ctx.migrator.drop_column("home_sections", "hub_key", cascade=False),
    )
