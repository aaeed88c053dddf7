"""Issue 29, digests: sent by e-mail to an SMTP server the test starts on 127.0.0.1 (aiosmtpd)
and to a webhook, once per period per destination, and again after a crash between sending and
recording, with the same Message-ID; hostile text escaped."""

from __future__ import annotations

import datetime as dt
import email
import socket
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tokarc._wiring import open_store
from tokarc.cli import run
from tokarc.models import decode
from tokarc.monitor import Scheduler, Watches
from tokarc.report import deliver, digest, period_of
from tokarc.store import Batch

from .conftest import Hook

HOSTILE = '<img src=x onerror="alert(1)"> *bold* [link](http://bad)'


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.logins: list[tuple[str, str]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:  # fmt: skip
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == ("digest", "s3cret-pass"))

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # AUTH over plain SMTP, as a loopback server allows (tokarc sends credentials in the clear
    # to a loopback host only)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=inbox,
                            auth_require_tls=False)  # fmt: skip
    controller.start()
    monkeypatch.setenv("TOKARC_SMTP_URL", f"smtp://digest:s3cret-pass@127.0.0.1:{port}")
    monkeypatch.setenv("TOKARC_SMTP_FROM", "tokarc@example.test")
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return _filled(tmp_path / "d.db")


def _filled(path: Any) -> Any:
    now = time.time()
    raw = {"aweme_id": "7400000000000000001", "desc": HOSTILE, "create_time": int(now - 3600),
           "author": {"uid": "5", "unique_id": "<b>evil</b>"}}  # fmt: skip
    with open_store(path) as store:
        store.save_page(Batch(endpoint="test", records=[decode("post", raw)],
                              source_kind="hashtag", source_target="magic"))  # fmt: skip
        store.mark_gone(["7400000000000000001"], at=dt.datetime.fromtimestamp(now, dt.UTC))
    return path


def _parts(msg: Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()  # type: ignore[union-attr]
        for part in msg.walk()
        if not part.is_multipart()
    }


@pytest.mark.slow
def test_a_digest_by_email_and_webhook_once_a_period(
    db: Path, smtp: Inbox, hook: Hook, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["digest", "--db", str(db), "--since", "24h", "--email", "desk@example.test",
            "--webhook", hook.url]  # fmt: skip
    assert run(args) == 0
    out, err = capsys.readouterr()
    assert "sent to mailto:desk@example.test" in err
    assert "s3cret-pass" not in out + err
    assert "secret-path" not in err  # the webhook's path is a secret too
    [msg] = smtp.messages
    assert smtp.logins == [("digest", "s3cret-pass")]
    assert (msg["From"], msg["To"]) == ("tokarc@example.test", "desk@example.test")
    assert msg["Subject"] == "tokarc digest: every source"
    assert msg["Message-ID"].startswith("<digest-")
    parts = _parts(msg)
    assert set(parts) == {"text/plain", "text/html"}
    assert "@&lt;b&gt;evil&lt;/b&gt;" in parts["text/html"]
    assert "<b>evil</b>" not in parts["text/html"]
    assert "\\<b\\>evil\\</b\\>" in parts["text/plain"]  # Markdown shows it as text
    [payload] = hook.received
    assert payload["text"].startswith("# tokarc digest")
    assert payload["idempotency_key"].startswith("tokarc:digest:")
    assert payload["digest"]["gone"][0]["id"] == "7400000000000000001"
    assert run(args) == 0  # the same period: nothing sent again
    assert "already sent this period to mailto:desk@example.test" in capsys.readouterr().err
    assert (len(smtp.messages), len(hook.received)) == (1, 1)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_crash_between_sending_and_recording_sends_again_with_the_same_id(
    tmp_path: Path,
    smtp: Inbox,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    from tokarc.report import _deliver

    where = tmp_path / "d.db" if backend == "sqlite" else request.getfixturevalue("pg_url")
    db = _filled(where)

    now = time.time()
    real = _deliver._mail

    def then_crash(*args: Any) -> str | None:
        real(*args)
        raise KeyboardInterrupt  # the process dies before the row says "sent"

    with open_store(db) as store:
        d = digest(store, now - 86_400, now)
        period = period_of("24h", (), now)
        monkeypatch.setattr(_deliver, "_mail", then_crash)
        with pytest.raises(KeyboardInterrupt):
            deliver(store, d, period, emails=["desk@example.test"], now=now)
        monkeypatch.setattr(_deliver, "_mail", real)
        [sent] = deliver(store, d, period, emails=["desk@example.test"], now=now)
        status = store.db.query("SELECT status, attempts FROM digests")
    assert sent.outcome == "sent"
    assert status == [("sent", 1)]
    first, second = smtp.messages
    assert first["Message-ID"] == second["Message-ID"]  # a client drops the copy


def test_no_smtp_url_is_a_usage_error_before_anything(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TOKARC_SMTP_URL", raising=False)
    assert run(["digest", "--db", str(db), "--email", "desk@example.test"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "TOKARC_SMTP_URL" in err


# -- scheduled digests: the digest watch ------------------------------------------------------


def _no_client() -> Any:
    raise AssertionError("a digest watch asked for an API client")


@pytest.fixture
def no_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TOKARC_TOKEN", "ENSEMBLEDATA_TOKEN", "TOKARC_BASE_URL", "TOKARC_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOKARC_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.chdir(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_digest_watch_is_sent_by_tick_once_a_period_with_no_request(
    tmp_path: Path,
    smtp: Inbox,
    hook: Hook,
    no_token: None,
    capsys: pytest.CaptureFixture[str],
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    where = tmp_path / "d.db" if backend == "sqlite" else request.getfixturevalue("pg_url")
    db = str(_filled(where))
    shown_hook = hook.url.split("/services")[0] + "/…"
    add = ["watch", "add", "digest", "--every", "1d", "--email", "desk@example.test",
           "--webhook", hook.url, "--source", "hashtag:magic", "--db", db]  # fmt: skip
    assert run(add) == 0
    out, _ = capsys.readouterr()
    assert out == (f"watching digest:hashtag:magic (id 1): every 1d, the last 1d to "
                   f"desk@example.test, {shown_hook}, no units (no request)\n")  # fmt: skip
    assert run(["watch", "tick", "--db", db]) == 0  # no token needed: nothing is fetched
    out, err = capsys.readouterr()
    assert out == (f"digest:hashtag:magic: ok: sent to mailto:desk@example.test; sent to "
                   f"webhook:{shown_hook} (a digest makes no request: 0 units)\n")  # fmt: skip
    [msg], [payload] = smtp.messages, hook.received
    assert msg["Subject"] == "tokarc digest: hashtag:magic"
    assert payload["digest"]["gone"][0]["id"] == "7400000000000000001"
    assert run(["watch", "tick", "--db", db]) == 0  # the same period: not due, nothing sent
    assert "no watch is due" in capsys.readouterr().err
    assert (len(smtp.messages), len(hook.received)) == (1, 1)
    assert run(["watch", "list", "--db", db]) == 0
    listed, _ = capsys.readouterr()
    assert "no request" in listed
    assert "desk@example.test" in listed
    for text in (out, err, listed):
        assert "s3cret-pass" not in text
        assert "secret-path" not in text
    with open_store(db) as store:
        [ran] = Watches(store).runs(1)
        sent = store.db.query("SELECT destination, status, attempts FROM digests ORDER BY 1")
        spent = store.db.query("SELECT COUNT(*) FROM requests")[0][0]
    assert (ran["status"], ran["units"], ran["pages"]) == ("ok", 0, 0)
    assert sent == [("mailto:desk@example.test", "sent", 1), (f"webhook:{shown_hook}", "sent", 1)]
    assert spent == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_digest_watch_crashing_after_sending_sends_that_period_again_and_only_it(
    tmp_path: Path,
    smtp: Inbox,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    from tokarc.report import RUNNERS, _deliver

    where = tmp_path / "d.db" if backend == "sqlite" else request.getfixturevalue("pg_url")
    db = str(_filled(where))
    now = [time.time()]
    with open_store(db) as store:
        Watches(store).add("digest", "all", every="1d", emails=["desk@example.test"], now=now[0])
    scheduler = Scheduler(db, _no_client, clock=lambda: now[0], runners=RUNNERS, workers=1)
    real = _deliver._mail

    def then_crash(*args: Any) -> str | None:
        real(*args)
        raise KeyboardInterrupt  # the tick dies before the row says "sent"

    monkeypatch.setattr(_deliver, "_mail", then_crash)
    with pytest.raises(KeyboardInterrupt):
        scheduler.tick()
    monkeypatch.setattr(_deliver, "_mail", real)
    now[0] += 60
    [again] = scheduler.tick()  # still due: the period it was sending is sent again
    assert again.status == "ok"
    assert scheduler.tick() == []  # and not a third time in that period
    now[0] += 86_400
    [later] = scheduler.tick()  # the next period: a new digest
    assert later.status == "ok"
    first, second, third = smtp.messages
    assert first["Message-ID"] == second["Message-ID"]  # a mail client drops the copy
    assert third["Message-ID"] != first["Message-ID"]
    with open_store(db) as store:
        rows = store.db.query("SELECT status, attempts FROM digests ORDER BY period")
    assert rows == [("sent", 1), ("sent", 1)]


def test_a_scheduler_without_a_digest_runner_fails_the_run_saying_so(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(db) as store:
        Watches(store).add("digest", "all", webhook="http://127.0.0.1:9/x")
    [ran] = Scheduler(str(db), _no_client).tick()
    assert (ran.status, ran.message) == (
        "failed", "this scheduler runs no digest watches (no runner given)"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "desk@example.test"], "--email needs TOKARC_SMTP_URL"),
        (["--email", "desk@example.test\nBcc: x@evil.test"], "invalid --email"),
        (["--email", "not an address"], "invalid --email 'not an address'"),
        (["--webhook", "http://127.0.0.1:9/x", "--every", "soon"], "invalid --every 'soon'"),
        (["--webhook", "http://127.0.0.1:9/x", "--since", "2026-11-01"], "invalid --since"),
        (["--webhook", "http://127.0.0.1:9/x", "--source", "planet:mars"], "invalid --source"),
        (["--webhook", "http://127.0.0.1:9/x", "--source", "hashtag:nope"], "'hashtag:nope'"),
        (["--webhook", "http://127.0.0.1:9/x", "--budget", "5"], "invalid --budget"),
        (["--webhook", "http://127.0.0.1:9/x", "--alert", "gone"], "invalid --alert"),
        (["--webhook", "http://127.0.0.1:9/x", "--window", "1d"], "invalid --window"),
        (["--webhook", "localhost/x"], "invalid --webhook"),
        ([], "a digest watch sends somewhere"),
    ],
)
def test_a_bad_digest_watch_is_one_line_exit_2_and_nothing_stored(
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.delenv("TOKARC_SMTP_URL", raising=False)
    assert run(["watch", "add", "digest", *args, "--db", str(db)]) == 2
    out, err = capsys.readouterr()
    assert (out, err.count("\n")) == ("", 1)
    assert message in err
    assert "Traceback" not in err
    with open_store(db) as store:
        assert Watches(store).all() == []


def test_only_a_digest_watch_takes_digest_options(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for extra in (["--email", "a@example.test"], ["--since", "1d"], ["--source", "hashtag:magic"]):
        assert run(["watch", "add", "hashtag", "cats", *extra, "--db", str(db)]) == 2
        assert "for a hashtag watch" in capsys.readouterr().err
    assert run(["watch", "add", "hashtag", "--db", str(db)]) == 2
    assert "missing TARGET" in capsys.readouterr().err
