"""The loader: cached pages out of the database in a fixed number of queries.

Three queries whatever the number of sections: the sections, their links in
order, and the media items the links name. Rows are read as plain tuples and
turned into :class:`HomePage` objects directly, without per-field conversion.
"""

from __future__ import annotations

from typing import Any, Optional

from .media_items import MediaItems
from .dialect import fetch_rows
from .models import Models
from .page import HomePage, Section, SectionType

__all__ = ["load_pages"]

_SECTION_TYPES = {t.value: t for t in SectionType}


def load_pages(
    models: Models, media_items: MediaItems, source_id: Optional[str] = None
) -> dict[str, HomePage]:
    """``{source id: HomePage}`` for one source (when given) or every cached source."""
    S, L = models.HomeSection, models.HomeSectionItem
    sections = S.select(
        S.id, S.source, S.hub_identifier, S.title, S.section_type, S.context, S.style,
        S.hub_type, S.size, S.hub_key, S.more,
    ).order_by(S.source, S.position, S.id)
    links = L.select(L.section, L.media_item).order_by(L.section, L.position)
    if source_id is not None:
        sections = sections.where(S.source == source_id)
        links = links.join(S).where(S.source == source_id)

    section_rows = fetch_rows(sections)
    item_ids: dict[int, list[Any]] = {}
    for section_id, media_item_id in fetch_rows(links):
        item_ids.setdefault(section_id, []).append(media_item_id)
    items = media_items.get(list({i for ids in item_ids.values() for i in ids}))

    pages: dict[str, list[Section]] = {}
    for section_id, source, hub, title, kind, context, style, hub_type, size, hub_key, more in section_rows:
        pages.setdefault(source, []).append(Section(
            hub, title, _SECTION_TYPES.get(kind, SectionType.CUSTOM), context, style, hub_type,
            size, hub_key, bool(more),
            tuple(items[i] for i in item_ids.get(section_id, ()) if i in items),
        ))
    return {source: HomePage(tuple(sections)) for source, sections in pages.items()}
