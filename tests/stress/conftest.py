"""What the stress tests share: a cache emptied for each hypothesis example."""

from __future__ import annotations

from typing import Callable

import pytest

from ..pages import TABLES


@pytest.fixture
def clear_tables(db) -> Callable[[], None]:
    """Empties the plugin's tables, as each hypothesis example needs: quicker than a new schema."""

    def clear() -> None:
        for table in reversed(TABLES):  # links first, sources last
            db.execute_sql(f'DELETE FROM "{table}"')

    return clear
