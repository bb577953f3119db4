"""Hostile text for hypothesis: SQL, quotes, control characters, emoji and right-to-left text.

NUL and lone surrogates are left out: a parse removes or replaces them (and
the hostile-payload tests prove it), so they never reach the store.
"""

from __future__ import annotations

from hypothesis import strategies as st

#: Pieces that break naive SQL, terminals, encoders and text layout.
FRAGMENTS = (
    "'; DROP TABLE home_sections; --", "' OR '1'='1", "\"", "''", "\\", "\\'", "%", "_", "$1",
    "?", ":name", "%s", "*/", "/*", "\x01", "\x08", "\x1b[31m", "\t", "\n", "\r\n", "\x7f",
    "\x85", "\x9f", "\u2028", "🎬", "👨\u200d👩\u200d👧\u200d👦", "🇫🇷", "שלום", "مرحبا",
    "\u202e", "\u200f", "\u2067", "e\u0301", "\ufeff", "\uffff", "𝕳", " ",
)

# Every character but NUL and surrogates.
_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")

#: Short text mixing the fragments with arbitrary characters.
hostile_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(_CHARACTERS, max_size=6), max_size=8).map("".join)


def long_text(max_size: int) -> st.SearchStrategy[str]:
    """Hostile text up to ``max_size`` characters, long ones included (built by repeating, not drawn one by one)."""
    piece = st.tuples(st.sampled_from(FRAGMENTS), hostile_text).map("".join)  # never empty
    return st.builds(lambda p, size: (p * (size // len(p) + 1))[:size], piece, st.integers(1, max_size))
