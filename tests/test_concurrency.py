"""Readers and writers on other connections: a page is seen whole, and writers queue."""

from __future__ import annotations

import threading

import pytest

import homesections.load
from homesections import HomeSections
from homesections.sync import SectionWriter

from .pages import page, section

OLD = page(section("a", "x"), section("b", "y"))
NEW = page(section("a", "z"), section("c", "w"))


def test_a_load_never_mixes_the_page_before_and_after_a_sync_committing_meanwhile(hs, connect_db, monkeypatch):
    hs.sync("plex", OLD)
    writer_db = connect_db()
    writer = HomeSections(writer_db)
    real_fetch_rows = homesections.load.fetch_rows
    calls = []

    def fetch_then_let_a_sync_commit(query):
        rows = real_fetch_rows(query)
        calls.append(query)
        if len(calls) == 1:  # between load's first and second query
            writer.sync("plex", NEW)
        return rows

    monkeypatch.setattr(homesections.load, "fetch_rows", fetch_then_let_a_sync_commit)
    try:
        seen = hs.load("plex")
    finally:
        writer_db.close()
    assert seen == OLD  # the snapshot the load started with, whole
    monkeypatch.undo()
    assert hs.load("plex") == NEW


def test_two_syncs_of_one_source_queue_instead_of_interleaving(hs, connect_db, monkeypatch):
    hs.sync("plex", OLD)
    first_has_read, let_first_finish = threading.Event(), threading.Event()
    real_cached_links = SectionWriter._cached_links

    def pause_the_first_sync_after_its_reads(self, plans):
        links = real_cached_links(self, plans)
        if threading.current_thread().name == "first":
            first_has_read.set()
            assert let_first_finish.wait(timeout=20)
        return links

    monkeypatch.setattr(SectionWriter, "_cached_links", pause_the_first_sync_after_its_reads)
    reports, errors = {}, []

    def run(name, home):
        db = connect_db()
        try:
            reports[name] = HomeSections(db).sync("plex", home)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            db.close()

    first = threading.Thread(target=run, args=("first", page(section("a", "x"), section("b", "z"))), name="first")
    second = threading.Thread(target=run, args=("second", page(section("a", "w"))), name="second")
    first.start()
    assert first_has_read.wait(timeout=20)
    second.start()
    second.join(timeout=1.0)
    assert second.is_alive(), "the second sync ran while the first held its transaction"
    let_first_finish.set()
    first.join(timeout=20)
    second.join(timeout=20)

    assert errors == []
    assert reports["first"].changed == ("b",) and reports["first"].unchanged == ("a",)
    # The second saw the first's page, not the one before it.
    assert reports["second"].changed == ("a",) and reports["second"].removed == ("b",)
    assert hs.load("plex") == page(section("a", "w"))


@pytest.mark.parametrize("source_ids", [("plex", "jellyfin")])
def test_syncs_of_two_sources_both_land(hs, connect_db, source_ids):
    def run(source_id):
        db = connect_db()
        try:
            HomeSections(db).sync(source_id, page(section(f"{source_id}.ondeck", "1", "2")))
        finally:
            db.close()

    threads = [threading.Thread(target=run, args=(s,)) for s in source_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert {s: len(hs.load(s)) for s in source_ids} == {s: 1 for s in source_ids}
