"""The cached home page as a plain-text table that fits a given width.

Nothing here reads a clock or the environment: the same pages and width give
the same text, so ``homesections show > page.txt`` is reproducible.
"""

from __future__ import annotations

import unicodedata
from typing import Iterator, Mapping, Optional

from ..page import HomePage, Item, Section

__all__ = ["render_pages", "item_label"]

#: The item-type column: as wide as the longest shared type ("collection") and a space.
_TYPE_WIDTH = 11
_INDENT = "  "
#: The progress column: " 45%".
_PROGRESS_WIDTH = 4
_NARROWEST = 40


def render_pages(pages: Mapping[str, HomePage], width: int, items: Optional[int] = None) -> str:
    """Every page, by source id in the order given, each section with at most ``items`` items."""
    width = max(width, _NARROWEST)
    blocks = ["\n".join(_source_lines(source_id, page, width, items)) for source_id, page in pages.items()]
    return "\n\n".join(blocks) + "\n"


def _source_lines(source_id: str, page: HomePage, width: int, limit: Optional[int]) -> Iterator[str]:
    count = len(page.sections)
    yield _fit(f"{source_id} ({count} section{'' if count == 1 else 's'})", width)
    if not count:
        yield "  nothing cached"
    for section in page:
        yield ""
        yield from _section_lines(section, width, limit)


def _section_lines(section: Section, width: int, limit: Optional[int]) -> Iterator[str]:
    more = "  +more" if section.more else ""
    yield _fit(f"{_clean(section.title)}  [{section.section_type.value}]", width - len(more)) + more
    shown = section.items if limit is None else section.items[:limit]
    label_width = width - len(_INDENT) - _TYPE_WIDTH - _PROGRESS_WIDTH
    for item in shown:
        kind = _fit(item.type, _TYPE_WIDTH - 1)
        line = _INDENT + _pad(kind, _TYPE_WIDTH) + _pad(_fit(item_label(item), label_width), label_width)
        yield (line + _progress(item)).rstrip()
    if not section.items:
        yield _INDENT + "no items"
    elif len(shown) < len(section.items):
        yield f"{_INDENT}... {len(section.items) - len(shown)} more cached"


def item_label(item: Item) -> str:
    """What a card says, on one line: ``Show  S1 E2  Episode``, ``Movie  1995``, ``Track  Artist``."""
    if item.type == "episode":
        number = " ".join(
            f"{letter}{n}" for letter, n in (("S", item.parent_index), ("E", item.index)) if n is not None
        )
        parts = [item.grandparent_title, number, item.title]
    elif item.type == "season":
        parts = [item.parent_title, item.title]
    elif item.type == "track":
        parts = [item.title, item.grandparent_title or item.parent_title]
    elif item.type == "album":
        parts = [item.title, item.parent_title]
    else:
        parts = [item.title, str(item.year) if item.year else None]
    label = "  ".join(_clean(p) for p in parts if p)
    return label or _clean(item.key)


def _progress(item: Item) -> str:
    """`` 45%`` for a partly watched item, else nothing."""
    offset, duration = item.view_offset, item.duration
    if not offset or not duration or not 0 < offset < duration:
        return ""
    return f"{max(1, offset * 100 // duration):>3}%"  # _PROGRESS_WIDTH wide: at most 99%


def _clean(text: str) -> str:
    # A title holding a newline or a tab would break the table's lines.
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def _char_width(c: str) -> int:
    if unicodedata.combining(c) or unicodedata.category(c) in ("Cf", "Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide (CJK, emoji) characters take two."""
    return sum(map(_char_width, text))


def _fit(text: str, width: int) -> str:
    """``text``, cut to ``width`` columns with ``...`` when it is longer."""
    if _width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = _char_width(c)
        if used + w > width - 3:
            break
        out.append(c)
        used += w
    return "".join(out) + "..."


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
