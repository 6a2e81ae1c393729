"""What servers sharing one catalog rely on, on both engines: analysis claims that never
hand one track to two servers, and the scan lock they take turns with (PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest

from masterstream.db import Dialect
from masterstream.library.catalog import Catalog
from tests.library.test_catalog import entry


@pytest.fixture
def catalog(catalog_target):
    with Catalog(catalog_target) as catalog:
        for n in range(10):
            catalog.index_track(entry(f"/music/{n:02d}.flac", f"sig-{n}"), fingerprint=None)
        yield catalog


def test_claims_hand_each_unanalysed_track_to_one_owner(catalog):
    first = catalog.claim_analysis("a", limit=4)
    second = catalog.claim_analysis("b", limit=100)
    assert len(first) == 4 and len(second) == 6
    assert not {r.id for r in first} & {r.id for r in second}
    assert [r.id for r in second] == sorted(r.id for r in second)
    assert catalog.claim_analysis("c") == []  # everything is claimed


def test_analysed_tracks_are_never_claimed_and_stale_claims_are_free_again(catalog):
    claimed = catalog.claim_analysis("a", limit=3)
    catalog.set_fingerprint(claimed[0].id, {"integrated_lufs": -9.0})
    assert catalog.claim_analysis("b", limit=100, stale_s=3600) != []
    again = catalog.claim_analysis("c", limit=100, stale_s=-1.0)  # every claim is stale
    assert claimed[0].id not in {r.id for r in again} and len(again) == 9


def test_a_restarting_owner_releases_its_claims(catalog):
    claimed = catalog.claim_analysis("a", limit=5)
    assert catalog.release_claims("a") == 5
    assert {r.id for r in catalog.claim_analysis("b", limit=5)} == {r.id for r in claimed}


def test_the_scan_lock_makes_servers_take_turns(catalog_target):
    with Catalog(catalog_target) as one, Catalog(catalog_target) as two:
        if one.dialect is Dialect.SQLITE:  # one server per SQLite file: nothing to wait for
            with one.scan_lock(), two.scan_lock():
                return
        events: list[str] = []

        def second() -> None:
            with two.scan_lock():
                events.append("two")

        with one.scan_lock():
            waiter = threading.Thread(target=second)
            waiter.start()
            time.sleep(0.3)
            events.append("one done")
        waiter.join(10)
        assert events == ["one done", "two"]
