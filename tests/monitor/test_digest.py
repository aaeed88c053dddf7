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
