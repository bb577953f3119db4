"""The loader: cached pages out of the database in a fixed number of queries.

Three queries whatever the number of sections: the sections, their links in
order, and the media items the links name. Rows are read as plain tuples and
turned into :class:`HomePage` objects directly, without per-field conversion.
"""

from __future__ import annotations

from typing import Any, Optional

import peewee

from .media_items import MediaItems, PluginMediaItems
from .dialect import fetch_rows
from .models import Models
from .page import HomePage, Section, SectionType

__all__ = ["load_pages"]

_SECTION_TYPES = {t.value: t for t in SectionType}


def load_pages(
    models: Models, media_items: MediaItems, source_id: Optional[str] = None
) -> dict[str, HomePage]:
    """``{source id: HomePage}`` for one source (when given) or every source.

    Every source includes those with nothing cached, as empty pages: the
    sections are read through an outer join from the sources table.
    """
    S, L = models.HomeSection, models.HomeSectionItem
    columns = (S.id, S.hub_identifier, S.title, S.section_type, S.context, S.style,
               S.hub_type, S.size, S.hub_key, S.more)
    links = L.select(L.section, L.media_item).order_by(L.section, L.position)
    if source_id is None:
        source_key = models.Source._meta.primary_key
        sections = (models.Source.select(source_key, *columns)
                    .join(S, peewee.JOIN.LEFT_OUTER, on=(S.source == source_key))
                    .order_by(source_key, S.position, S.id))
    else:
        sections = S.select(S.source, *columns).where(S.source == source_id).order_by(S.position, S.id)
        links = links.join(S).where(S.source == source_id)

    section_rows = fetch_rows(sections)
    item_ids: dict[int, list[Any]] = {}
    link_rows = fetch_rows(links)
    if not isinstance(media_items, PluginMediaItems):
        # A host's ids (a UUID, say) go back to its get() as its field makes them.
        to_python = L.media_item.python_value
        link_rows = [(section_id, to_python(media_item_id)) for section_id, media_item_id in link_rows]
    for section_id, media_item_id in link_rows:
        item_ids.setdefault(section_id, []).append(media_item_id)
    items = media_items.get(list({i for ids in item_ids.values() for i in ids}))

    pages: dict[str, list[Section]] = {}
    for source, section_id, hub, title, kind, context, style, hub_type, size, hub_key, more in section_rows:
        page = pages.setdefault(source, [])
        if section_id is None:
            continue  # a source with no sections (outer join)
        page.append(Section(
            hub, title, _SECTION_TYPES.get(kind, SectionType.CUSTOM), context, style, hub_type,
            size, hub_key, bool(more),
            tuple(items[i] for i in item_ids.get(section_id, ()) if i in items),
        ))
    return {source: HomePage(tuple(sections)) for source, sections in pages.items()}
