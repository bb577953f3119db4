"""The Peewee models of one registration.

Models are made per registration by :func:`build_models`, each set bound to its
host's database, so two registrations in one process never share a binding and
no model of the host's is ever rebound. The tables themselves are created only
by the migrations; these classes describe them for queries.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple, Optional

import peewee

from .fields import ISODateField, UTCDateTimeField

__all__ = ["Models", "build_models", "SOURCE_TABLE", "MEDIA_ITEM_TABLE", "SECTION_TABLE", "LINK_TABLE"]

SOURCE_TABLE = "sources"
MEDIA_ITEM_TABLE = "media_items"
SECTION_TABLE = "home_sections"
LINK_TABLE = "home_section_items"


def utc_now() -> datetime.datetime:
    """The current time, aware UTC."""
    return datetime.datetime.now(datetime.timezone.utc)


class Models(NamedTuple):
    """The model classes of one registration (``hs.models``).

    ``Source`` and ``MediaItem`` are the host's own models when the host
    supplied them, the plugin's otherwise.
    """

    Source: type[peewee.Model]
    MediaItem: type[peewee.Model]
    HomeSection: type[peewee.Model]
    HomeSectionItem: type[peewee.Model]


def build_models(
    db: peewee.Database | peewee.DatabaseProxy,
    source_model: Optional[type[peewee.Model]] = None,
    media_item_model: Optional[type[peewee.Model]] = None,
) -> Models:
    """Make the model classes of one registration, bound to ``db``."""

    class BaseModel(peewee.Model):
        class Meta:
            database = db
            legacy_table_names = False

    if source_model is None:

        class Source(BaseModel):
            """A server as one user sees it. Two users of one server are two sources."""

            id = peewee.TextField(primary_key=True)
            name = peewee.TextField()
            backend = peewee.TextField(null=True)
            created_at = UTCDateTimeField(default=utc_now)

            class Meta:
                table_name = SOURCE_TABLE

        source_model = Source

    if media_item_model is None:

        class MediaItem(BaseModel):
            """One item of one source, with what a client needs to draw its card.

            ``id`` is scoped by source (see :func:`homesections.media_items.media_item_id`),
            so the same server key on two sources is two rows.
            """

            id = peewee.TextField(primary_key=True)
            source = peewee.ForeignKeyField(
                source_model, column_name="source_id", on_delete="CASCADE",
                backref="+", index=False,
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
            # The card fields (migration m20250109_000001_add_card_fields).
            summary = peewee.TextField(null=True)
            content_rating = peewee.TextField(null=True)
            release_date = ISODateField(null=True)
            leaf_count = peewee.IntegerField(null=True)
            unplayed_count = peewee.IntegerField(null=True)
            library_id = peewee.TextField(null=True)
            library_title = peewee.TextField(null=True)
            starts_at = UTCDateTimeField(null=True)
            ends_at = UTCDateTimeField(null=True)
            channel_title = peewee.TextField(null=True)

            class Meta:
                table_name = MEDIA_ITEM_TABLE

        MediaItem.add_index(MediaItem.index(MediaItem.source, name="idx_media_items_source"))
        media_item_model = MediaItem

    class HomeSection(BaseModel):
        """One row of a source's home page."""

        id = peewee.AutoField()
        source = peewee.ForeignKeyField(
            source_model, column_name="source_id", on_delete="CASCADE",
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
        hub_key = peewee.TextField(null=True)
        more = peewee.BooleanField(default=False)
        last_updated = UTCDateTimeField(default=utc_now)
        is_stale = peewee.BooleanField(default=False)
        created_at = UTCDateTimeField(default=utc_now)
        updated_at = UTCDateTimeField(default=utc_now)

        class Meta:
            table_name = SECTION_TABLE

    HomeSection.add_index(HomeSection.index(
        HomeSection.source, HomeSection.hub_identifier, unique=True,
        name="idx_home_sections_source_hub",
    ))
    HomeSection.add_index(HomeSection.index(
        HomeSection.source, HomeSection.position, name="idx_home_sections_source_position",
    ))

    class HomeSectionItem(BaseModel):
        """One item's place in one section."""

        id = peewee.AutoField()
        section = peewee.ForeignKeyField(
            HomeSection, column_name="section_id", on_delete="CASCADE",
            backref="+", index=False,
        )
        media_item = peewee.ForeignKeyField(
            media_item_model, column_name="media_item_id", on_delete="CASCADE",
            backref="+", index=False,
        )
        position = peewee.IntegerField()
        created_at = UTCDateTimeField(default=utc_now)

        class Meta:
            table_name = LINK_TABLE

    HomeSectionItem.add_index(HomeSectionItem.index(
        HomeSectionItem.section, HomeSectionItem.position,
        name="idx_home_section_items_section_position",
    ))
    HomeSectionItem.add_index(HomeSectionItem.index(
        HomeSectionItem.section, HomeSectionItem.media_item, unique=True,
        name="idx_home_section_items_unique",
    ))
    HomeSectionItem.add_index(HomeSectionItem.index(
        HomeSectionItem.media_item, name="idx_home_section_items_media_item",
    ))

    return Models(source_model, media_item_model, HomeSection, HomeSectionItem)
