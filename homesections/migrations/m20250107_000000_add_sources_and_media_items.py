"""Create the plugin's own ``sources`` and ``media_items`` tables.

Applied only when the plugin owns them; a host that supplies its own source and
media-item models never runs it. The models are frozen copies, independent of
``homesections.models``, so this migration means the same thing forever.
"""

import peewee

from homesections.fields import UTCDateTimeField


def applies(ctx):
    return ctx.owns_sources


def _models(db):
    class Source(peewee.Model):
        id = peewee.TextField(primary_key=True)
        name = peewee.TextField()
        backend = peewee.TextField(null=True)
        created_at = UTCDateTimeField()

        class Meta:
            database = db
            table_name = "sources"

    class MediaItem(peewee.Model):
        id = peewee.TextField(primary_key=True)
        source = peewee.ForeignKeyField(
            Source, column_name="source_id", on_delete="CASCADE", backref="+", index=False
        )
        server_key = peewee.TextField()
        type = peewee.TextField()
        title = peewee.TextField(null=True)
        parent_title = peewee.TextField(null=True)
        grandparent_title = peewee.TextField(null=True)
        item_index = peewee.IntegerField(null=True)
        parent_index = peewee.IntegerField(null=True)
        year = peewee.IntegerField(null=True)
        thumb = peewee.TextField(null=True)
        art = peewee.TextField(null=True)
        grandparent_thumb = peewee.TextField(null=True)
        duration = peewee.BigIntegerField(null=True)
        view_offset = peewee.BigIntegerField(null=True)
        view_count = peewee.IntegerField(null=True)
        last_viewed_at = UTCDateTimeField(null=True)
        added_at = UTCDateTimeField(null=True)

        class Meta:
            database = db
            table_name = "media_items"

    MediaItem.add_index(MediaItem.index(MediaItem.source, name="idx_media_items_source"))
    return [Source, MediaItem]


def up(ctx):
    ctx.db.create_tables(_models(ctx.db), safe=False)


def down(ctx):
    ctx.refuse_if_referenced(["sources", "media_items"])
    ctx.db.drop_tables(_models(ctx.db), safe=False)
