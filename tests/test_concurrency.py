"""Readers and writers on other connections: a page is seen whole, and writers queue."""

from __future__ import annotations

import threading

import pytest

from homesections import HomePage, HomeSections, Section

from .host import Hold, LibraryItems, register_host
from .pages import movie, page, section

OLD = page(section("a", "x"), section("b", "y"))
# "a" retitles the item it shows, "b" is gone, "c" is new: links and items both change.
NEW = HomePage((Section("a", "A", items=(movie("x", title="Movie x, recut"),)), section("c", "w")))


def test_a_load_never_mixes_the_page_before_and_after_a_sync_committing_meanwhile(db, connect_db):
    # A host's get() is called inside the load, after it read the sections and
    # their links: another connection's sync commits there.
    commits = []

    class CommitsMeanwhile(LibraryItems):
        armed = False

        def get(self, ids):
            if self.armed:
                self.armed = False
                commits.append(writer.sync("srv", NEW))
            return super().get(ids)

    reader = register_host(db, "srv", store=CommitsMeanwhile)
    writer_db = connect_db()
    writer = register_host(writer_db, "srv")
    try:
        writer.sync("srv", OLD)
        reader.media_items.armed = True
        seen = reader.load("srv")
    finally:
        writer_db.close()
    assert [report.changed for report in commits] == [("a",)]  # it did commit meanwhile
    assert seen == OLD  # the snapshot the load started with, whole
    assert reader.load("srv") == NEW


def test_two_syncs_of_one_source_queue_instead_of_interleaving(db, connect_db):
    hs = register_host(db, "srv")
    hs.sync("srv", OLD)
    # The first sync is held inside its transaction, after its reads, before any write.
    hold = Hold()
    stores = {"first": lambda model: LibraryItems(model, before_upsert=hold), "second": LibraryItems}
    writers = {name: register_host(connect_db(), "srv", store=store) for name, store in stores.items()}
    reports, errors = {}, []

    def run(name: str, home: HomePage) -> None:
        try:
            reports[name] = writers[name].sync("srv", home)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            writers[name].db.close()

    first = threading.Thread(target=run, args=("first", page(section("a", "x"), section("b", "z"))))
    second = threading.Thread(target=run, args=("second", page(section("a", "w"))))
    try:
        first.start()
        assert hold.reached.wait(timeout=20)
        second.start()
        second.join(timeout=1.0)
        assert second.is_alive(), "the second sync ran while the first held its transaction"
    finally:
        hold.release()
        first.join(timeout=20)
        second.join(timeout=20)
        for writer in writers.values():
            writer.db.close()  # the connection registering it opened on this thread

    assert errors == []
    assert reports["first"].changed == ("b",) and reports["first"].unchanged == ("a",)
    # The second saw the first's page, not the one before it.
    assert reports["second"].changed == ("a",) and reports["second"].removed == ("b",)
    assert hs.load("srv") == page(section("a", "w"))


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
