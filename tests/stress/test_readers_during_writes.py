"""Readers in other processes see a whole page while a writer syncs, and are never locked out.

One process syncs three versions of a page in turn, 200 times; two others
``load()`` in a loop meanwhile. Every page read must be one of the versions
written (a mix of two, or a part of one, is a failure), no read may fail
("database is locked" included), and each reader must have seen the page
change under it, or the reads did not overlap the writes. The rates are
printed (``-s``); ``benchmarks/bench_readers.py`` runs the same workload and
prints them as JSON.
"""

from __future__ import annotations

import json

import pytest

from .processes import readers_during_writes

pytestmark = [pytest.mark.stress, pytest.mark.slow]


def test_two_readers_see_only_whole_pages_while_one_writer_syncs_200_times(db, db_path, engine):
    db.close()  # the processes share the database, not this connection

    figures = readers_during_writes(engine, db_path, syncs=200, readers=2)

    print("\n" + json.dumps({k: v for k, v in figures.items() if k != "reads"}))
    for read in figures["reads"]:
        assert read["strangers"] == 0, "a reader saw a page that was never written whole"
        assert len(read["versions_seen"]) >= 2, "the reads did not overlap the writes"
