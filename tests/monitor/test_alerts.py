"""Alerts: rules met by ticks against the emulator, posted to a webhook served by the test."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tokarc._wiring import open_store
from tokarc.emulator import Emulator
from tokarc.errors import InvalidInputError
from tokarc.models import decode
from tokarc.monitor import MAX_FAILURES, Alerts, Delivery, Watches, is_spike, parse_rule
from tokarc.store import Batch, Store

from .conftest import HOUR, Hook, scheduler


def now(emulator: Emulator) -> float:
    return float(emulator.clock.now())


def quick(**options: Any) -> Delivery:
    """Retries with backoff, the waits recorded instead of slept."""
    waits: list[float] = options.pop("waits", [])
    return Delivery(backoff=0.5, sleep=waits.append, **options)


@pytest.mark.slow
def test_rules_parse_and_bad_ones_are_refused(watches: Watches, hook: Hook) -> None:
    assert parse_rule("new_posts > 50").text == "new_posts>50"
    assert parse_rule("spike").threshold is None
    for bad in ("new_posts", "spike>3", "plays>1", "new_posts>-1", ""):
        with pytest.raises(InvalidInputError, match="invalid --alert"):
            parse_rule(bad)
    with pytest.raises(InvalidInputError, match="invalid --webhook"):
        watches.add("hashtag", "magic", alerts=["spike"], webhook="ftp://x/y")
    assert watches.all() == []  # nothing stored


def test_the_spike_rule() -> None:
    assert not is_spike(100, [1, 2])  # no baseline yet
    assert not is_spike(9, [1, 1, 1])  # too small to matter
    assert is_spike(31, [10, 10, 12])
    assert not is_spike(30, [10, 10, 12])  # 3× the median is not above it


@pytest.mark.slow
def test_new_posts_alert_is_posted_once_and_recorded(
    emulator: Emulator, db_path: str, store: Store, watches: Watches, hook: Hook
) -> None:
    w = watches.add("hashtag", "magic", every="1h", window="2h", alerts=["new_posts>20"],
                    webhook=hook.url, now=now(emulator))  # fmt: skip
    s = scheduler(emulator, db_path, delivery=quick())
    run = s.tick()[0]
    assert run.new > 20
    [payload] = hook.received
    text = f"tokarc: hashtag:magic: {run.new:,} new posts in one tick (rule new_posts&gt;20)"
    assert payload["text"] == text  # Slack's escaping of & < >
    assert payload["rule"] == "new_posts>20"
    assert (payload["value"], payload["threshold"]) == (run.new, 20)
    assert payload["watch"] == {"id": w.id, "kind": "hashtag", "target": "magic"}
    assert payload["idempotency_key"] == f"tokarc:{w.id}:{payload['run_id']}:new_posts>20"
    [alert] = Alerts(store).all()
    assert (alert.status, alert.attempts, alert.rule) == ("sent", 1, "new_posts>20")
    emulator.clock.advance(10 * 60)
    watches.edit(w.id, every="10m")
    assert s.tick()[0].new < 20  # ten minutes of #magic: below the rule, nothing sent
    assert len(hook.received) == 1
    assert len(Alerts(store).all()) == 1


@pytest.mark.slow
def test_delivery_retries_with_backoff(
    emulator: Emulator, db_path: str, store: Store, watches: Watches, hook: Hook
) -> None:
    hook.fail = 2
    watches.add("hashtag", "magic", window="2h", alerts=["new_posts>1"], webhook=hook.url,
                now=now(emulator))  # fmt: skip
    waits: list[float] = []
    scheduler(emulator, db_path, delivery=quick(waits=waits)).tick()
    assert hook.tries == 3
    assert len(hook.received) == 1
    assert waits == [0.5, 1.0]
    assert [(a.status, a.attempts) for a in Alerts(store).all()] == [("sent", 3)]


@pytest.mark.slow
def test_an_unreachable_webhook_fails_then_the_next_run_sends_it(
    emulator: Emulator, db_path: str, store: Store, watches: Watches, hook: Hook
) -> None:
    hook.fail, hook.status = 99, 503
    w = watches.add("hashtag", "magic", every="1h", window="2h", alerts=["new_posts>1"],
                    webhook=hook.url, now=now(emulator))  # fmt: skip
    s = scheduler(emulator, db_path, delivery=quick(attempts=2))
    assert s.tick()[0].status == "ok"  # a failed delivery never fails the run
    [alert] = Alerts(store).all()
    assert (alert.status, alert.attempts, alert.error) == ("failed", 2, "HTTP 503")
    hook.fail = 0
    emulator.clock.advance(HOUR)
    s.tick()
    alerts = Alerts(store).all(w.id)
    assert [a.status for a in alerts] == ["sent", "sent"]  # the old one, then this run's
    keys = [p["idempotency_key"] for p in hook.received]
    assert keys == [a.idempotency_key for a in alerts]


@pytest.mark.slow
def test_a_crash_before_sending_sends_at_the_next_run_and_never_twice(
    emulator: Emulator, db_path: str, store: Store, watches: Watches, hook: Hook
) -> None:
    w = watches.add("hashtag", "magic", every="1h", window="2h", alerts=["new_posts>1"],
                    webhook=hook.url, now=now(emulator))  # fmt: skip

    def crash(url: str, payload: dict[str, Any]) -> int:
        raise SystemExit("killed between recording and sending")

    with pytest.raises(SystemExit):
        scheduler(emulator, db_path, delivery=quick(post=crash)).tick()
    assert [a.status for a in Alerts(store).all()] == ["pending"]
    assert hook.received == []
    watches._db.execute("UPDATE watches SET claimed_by = NULL, next_due = 0")  # lease gone
    emulator.clock.advance(HOUR)
    scheduler(emulator, db_path, delivery=quick()).tick()
    scheduler(emulator, db_path, delivery=quick()).tick()  # not due: sends nothing again
    keys = [p["idempotency_key"] for p in hook.received]
    assert len(keys) == len(set(keys)) == 2
    assert all(a.status == "sent" for a in Alerts(store).all(w.id))


@pytest.mark.slow
def test_plays_per_hour_needs_an_hour_of_observation(
    emulator: Emulator, db_path: str, store: Store, watches: Watches, hook: Hook
) -> None:
    w = watches.add("hashtag", "magic", every="1m", window="1d", alerts=["plays_per_hour>1"],
                    webhook=hook.url, now=now(emulator))  # fmt: skip
    s = scheduler(emulator, db_path, delivery=quick())
    s.tick()
    emulator.clock.advance(120)
    s.tick()  # the same posts again, two minutes on: no rate yet
    assert hook.received == []
    emulator.clock.advance(2 * HOUR)
    s.tick()
    [payload] = hook.received
    assert payload["rule"] == "plays_per_hour>1"
    post = payload["details"]["aweme_id"]
    plays = [r[0] for c in store.stream("SELECT play_count FROM post_stats WHERE aweme_id = ? "
                                        "ORDER BY observed_at", (post,)) for r in c]  # fmt: skip
    assert plays[-1] > plays[0]
    assert payload["value"] <= (plays[-1] - plays[0])  # per hour, over two hours or more
    assert Alerts(store).all(w.id)[0].status == "sent"


@pytest.mark.slow
def test_gone_alert(
    emulator: Emulator, db_path: str, store: Store, watches: Watches, hook: Hook
) -> None:
    watches.add("hashtag", "magic", every="1h", window="1h", now=now(emulator))
    s = scheduler(emulator, db_path, delivery=quick())
    s.tick()
    ghost = decode("post", {"aweme_id": "7000000000000000002", "desc": "was here"})
    store.save_page(Batch(endpoint="test", records=[ghost], source_kind="hashtag",
                          source_target="magic"))  # fmt: skip
    posts = watches.add("posts", "hashtag:magic", every="6h", alerts=["gone"], webhook=hook.url,
                        now=now(emulator))  # fmt: skip
    for _ in range(3):  # however many misses it takes to call a post gone
        emulator.clock.advance(6 * HOUR)
        s.tick()
        if hook.received:
            break
    [payload] = hook.received
    assert payload["rule"] == "gone"
    assert payload["watch"]["id"] == posts.id
    assert payload["details"]["gone_posts"] >= 1


@pytest.mark.slow
def test_spike_alert_against_the_watch_baseline(
    emulator: Emulator, db_path: str, watches: Watches, hook: Hook
) -> None:
    watches.add("hashtag", "magic", every="1m", window="12h", alerts=["spike"], webhook=hook.url,
                now=now(emulator))  # fmt: skip
    s = scheduler(emulator, db_path, delivery=quick())
    s.tick()  # the first pass: the whole window, part of the baseline, never a spike itself
    for _ in range(3):
        emulator.clock.advance(10 * 60)
        s.tick()
    assert hook.received == []
    emulator.clock.advance(4 * HOUR)
    run = s.tick()[0]
    [payload] = hook.received
    assert payload["rule"] == "spike"
    assert payload["value"] == run.new
    assert "spike" in payload["text"]


@pytest.mark.slow
def test_edit_adds_and_removes_rules(watches: Watches, hook: Hook) -> None:
    w = watches.add("hashtag", "magic", every="1h", budget=10, alerts=["gone"], webhook=hook.url)
    w = watches.edit(w.id, every="30m", window="2d", budget=50, add_alerts=["new_posts>5"],
                     remove_alerts=["gone"])  # fmt: skip
    assert (w.every_s, w.window_s, w.budget, w.alert_rules) == (1800, 2 * 86400, 50,
                                                                ("new_posts>5",))  # fmt: skip
    assert watches.edit(w.id, no_budget=True).budget is None
    with pytest.raises(InvalidInputError, match="no such rule"):
        watches.edit(w.id, remove_alerts=["spike"])
    with pytest.raises(InvalidInputError, match="invalid every"):
        watches.edit(w.id, every="soon")
    assert watches.get(w.id).every_s == 1800  # unchanged
    assert "secret-path" not in json.dumps(watches.get(w.id).public())


@pytest.mark.slow
def test_alerts_on_both_backends(emulator: Emulator, any_db: str, hook: Hook) -> None:
    with open_store(any_db) as store:
        w = Watches(store).add("user", "nosuchuser_xyz", every="1h", alerts=["new_posts>0"],
                               webhook=hook.url, now=now(emulator))  # fmt: skip
        magic = Watches(store).add("hashtag", "magic", window="1h", alerts=["new_posts>1"],
                                   webhook=hook.url, now=now(emulator))  # fmt: skip
    s = scheduler(emulator, any_db, delivery=quick())
    for _ in range(MAX_FAILURES):
        s.tick()
        emulator.clock.advance(2 * HOUR)
    with open_store(any_db) as store:
        first = Alerts(store).all(magic.id)[0]
        assert (first.rule, first.status) == ("new_posts>1", "sent")
        assert Alerts(store).all(w.id) == []
        stopped = Watches(store).get(w.id)
        assert stopped.state() == f"stopped after {MAX_FAILURES} failures"
        assert Watches(store).edit(w.id, every="2h").every_s == 7200
    assert {p["watch"]["id"] for p in hook.received} == {magic.id}


@pytest.mark.slow
def test_an_overperforming_post_alerts_across_the_emulators_clock(
    emulator: Emulator, db_path: str, store: Store, watches: Watches, hook: Hook
) -> None:
    """zachking's posts, observed again an hour apart by a posts watch: the alert names the
    post that scores highest against zachking's usual at its age, as ``tokarc top`` does."""
    from tokarc.analysis import overperforming

    assert parse_rule("overperforming:likes>2.5").text == "overperforming:likes>2.5"
    for bad in ("overperforming", "overperforming:views>2", "new_posts>2.5", "spike:likes"):
        with pytest.raises(InvalidInputError, match="invalid --alert"):
            parse_rule(bad)
    watches.add("user", "zachking", every="1h", window="30d", now=now(emulator))
    w = watches.add("posts", "user:zachking", every="1h", alerts=["overperforming>1"],
                    webhook=hook.url, now=now(emulator))  # fmt: skip
    s = scheduler(emulator, db_path, delivery=quick())
    for _ in range(3):
        s.tick()
        emulator.clock.advance(HOUR)
    assert hook.received, "no post of zachking beat its account's usual"
    payload = hook.received[-1]
    assert payload["watch"]["id"] == w.id
    assert payload["rule"] == "overperforming>1"
    scores = [x for x in overperforming(store, "plays") if x.trusted]
    best = scores[0]
    assert payload["details"]["aweme_id"] == best.aweme_id
    assert payload["value"] == round(best.score or 0, 2) > 1
    assert payload["details"]["baseline_posts"] >= 5
    assert f"has {best.score:.1f}x its account's usual plays" in payload["text"]
