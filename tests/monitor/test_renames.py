"""A user watch follows the account through renames, over the emulator's clock."""

from __future__ import annotations

from tokarc._wiring import open_store
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.monitor import Alerts, Watches

from .conftest import DAY, client_factory, rows, scheduler


def test_a_watch_follows_a_rename_says_so_alerts_and_goes_on(
    emulator: Emulator, any_db: str
) -> None:
    with open_store(any_db) as store:
        w = Watches(store).add(
            "user", "lucky.zone64", every="1h", window="30d", alerts=["renamed"],
            now=float(emulator.clock.now()),
        )  # fmt: skip
    s = scheduler(emulator, any_db)
    first = s.tick()[0]
    assert (first.status, first.message.startswith("@")) == ("ok", False)
    emulator.clock.advance(DAY)  # renamed lucky.renamed: the old handle is 473 now
    run = s.tick()[0]
    assert run.status == "ok"
    assert run.message.startswith("@lucky.zone64 is now @lucky.renamed; ")
    emulator.clock.advance(DAY)
    assert not s.tick()[0].message.startswith("@")  # said once
    emulator.clock.advance(DAY)  # renamed again: lucky.final
    assert s.tick()[0].message.startswith("@lucky.renamed is now @lucky.final; ")
    with open_store(any_db) as store:
        alerts = Alerts(store).all(w.id)
        kinds = rows(store, "SELECT kind FROM jobs ORDER BY id")
        calls = rows(store, "SELECT endpoint, COUNT(*) FROM requests GROUP BY endpoint")
    assert [a.rule for a in alerts] == ["renamed", "renamed"]
    assert alerts[0].text == "user:lucky.zone64: @lucky.zone64 is now @lucky.renamed (rule renamed)"
    assert [k for (k,) in kinds] == ["user_posts", "user"]  # the watch's job; one lookup
    by_endpoint = dict(calls)
    assert by_endpoint == {"user_info_from_username": 1, "user_posts_from_secuid": 5}


def test_a_watch_of_an_account_the_store_knows_resolves_it_without_a_call(
    emulator: Emulator, db_path: str
) -> None:
    with open_store(db_path) as store, client_factory(emulator)() as client:
        Collector(client, store).run(JobSpec.build("user_posts", "zachking", max_items=10))
        Watches(store).add("user", "zachking", every="1h", now=float(emulator.clock.now()))
    run = scheduler(emulator, db_path).tick()[0]
    assert run.status == "ok"
    with open_store(db_path) as store:
        kinds = rows(store, "SELECT kind FROM jobs ORDER BY id")
        sources = rows(store, "SELECT DISTINCT source_target FROM seen_via WHERE entity = 'post'")
    assert [k for (k,) in kinds] == ["user_posts", "user_posts"]  # no profile lookup
    assert sources == [("zachking",)]  # found under the watch's source, as before
