"""Create ``home_sections`` and ``home_section_items`` with their keys and indexes.

The foreign keys point at the registration's source and media-item tables,
the host's or the plugin's. The models are frozen copies: later columns come
from later migrations.
"""

import peewee

from homesections.fields import UTCDateTimeField


def _models(ctx):
    db = ctx.db

    class HomeSection(peewee.Model):
        id = peewee.AutoField()
        source = peewee.ForeignKeyField(
            ctx.source_model, column_name="source_id", on_delete="CASCADE",
            backref="+", index=False,
        )
        hub_identifier = peewee.TextField()
        title = peewee.TextField()
        section_type = peewee.TextField()
        position = peewee.IntegerField()
        context = peewee.TextField(null=True)
        style = peewee.TextField(null=True)
        hub_type = peewee.TextField(null=True)
        size = peewee.IntegerField(null=True)
        last_updated = UTCDateTimeField()
        is_stale = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])
        created_at = UTCDateTimeField()
        updated_at = UTCDateTimeField()

        class Meta:
            database = db
            table_name = "home_sections"

    HomeSection.add_index(HomeSection.index(
        HomeSection.source, HomeSection.hub_identifier, unique=True,
        name="idx_home_sections_source_hub",
    ))
    HomeSection.add_index(HomeSection.index(
        HomeSection.source, HomeSection.position, name="idx_home_sections_source_position",
    ))

    class HomeSectionItem(peewee.Model):
        id = peewee.AutoField()
        section = peewee.ForeignKeyField(
            HomeSection, column_name="section_id", on_delete="CASCADE", backref="+", index=False,
        )
        media_item = peewee.ForeignKeyField(
            ctx.media_item_model, column_name="media_item_id", on_delete="CASCADE",
            backref="+", index=False,
        )
        position = peewee.IntegerField()
        created_at = UTCDateTimeField()

        class Meta:
            database = db
            table_name = "home_section_items"

    HomeSectionItem.add_index(HomeSectionItem.index(
        HomeSectionItem.section, HomeSectionItem.position,
        name="idx_home_section_items_section_position",
    ))
    HomeSectionItem.add_index(HomeSectionItem.index(
        HomeSectionItem.section, HomeSectionItem.media_item, unique=True,
        name="idx_home_section_items_unique",
    ))
    # Deleting a media item cascades to its links, and pruning looks links up
    # by media item: both would scan the whole table without this index.
    HomeSectionItem.add_index(HomeSectionItem.index(
        HomeSectionItem.media_item, name="idx_home_section_items_media_item",
    ))
    return [HomeSection, HomeSectionItem]


def up(ctx):
    ctx.db.create_tables(_models(ctx), safe=False)


def down(ctx):
    ctx.refuse_if_referenced(["home_sections", "home_section_items"])
    ctx.db.drop_tables(_models(ctx), safe=False)
