"""Sending a digest: by e-mail over SMTP (HTML with a plain-text part) and to a webhook (JSON,
Slack-compatible ``text``), once per period per destination, safe across a crash.

``TOKARC_SMTP_URL`` says where to send (``tokarc.monitor.smtp_settings``): STARTTLS when the
server offers it; credentials are only ever sent over TLS, or to a loopback host. The URL's
password is never printed: errors name the host alone.

Each destination of a period is a row of ``digests``: written ``sending`` before the digest
goes out and ``sent`` after it went. A rerun in the same period skips what was sent; a row a
crash left ``sending`` is sent again, with the same ``Message-ID`` (mail clients drop the copy)
or the same ``idempotency_key`` (webhooks).
"""

from __future__ import annotations

import functools
import hashlib
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from .._time import parse_duration
from ..errors import InvalidInputError
from ..monitor import SMTP, Delivery, Watch, redact_url, smtp_settings
from ..status import DigestStatus
from ..store import Store, timestamp
from ._digest import Digest, to_html, to_markdown

TIMEOUT = 30.0


#: How each outcome of a destination is said.
SAID = {"sent": "sent to", "skipped": "already sent this period to", "failed": "not sent to"}


@dataclass(frozen=True)
class Sent:
    """What became of one destination: ``sent``, ``skipped`` (sent before in this period) or
    ``failed`` (with the error)."""

    destination: str
    outcome: str
    error: str | None = None

    def line(self) -> str:
        """``sent to mailto:desk@example.org``, ``already sent this period to ...``,
        ``not sent to webhook:https://hooks.slack.com/… (HTTP 500)``."""
        said = SAID[self.outcome]
        return f"{said} {self.destination}" + (f" ({self.error})" if self.error else "")


def deliver(
    store: Store,
    d: Digest,
    period: str,
    *,
    emails: Sequence[str] = (),
    webhooks: Sequence[str] = (),
    delivery: Delivery | None = None,
    now: float,
) -> list[Sent]:
    """Send ``d`` to each destination not yet sent for ``period``."""
    out = []
    if emails:
        smtp = smtp_settings()
        for to in emails:
            send = functools.partial(_mail, smtp, d, to, period)
            out.append(_once(store, period, f"mailto:{to}", now, send))
    for url in webhooks:
        send = functools.partial(_post, delivery, d, url, period)
        out.append(_once(store, period, f"webhook:{redact_url(url)}", now, send))
    return out


def _once(
    store: Store, period: str, destination: str, now: float, send: Callable[[], str | None]
) -> Sent:
    b = store.db
    rows = b.query(
        "SELECT status FROM digests WHERE period = ? AND destination = ?", (period, destination)
    )
    if rows and rows[0][0] == DigestStatus.SENT:
        return Sent(destination, "skipped")
    with b.transaction():
        if not rows:
            b.execute(
                "INSERT INTO digests (period, destination, status, created_at) VALUES (?, ?, ?, ?)",
                (period, destination, DigestStatus.SENDING, timestamp(now)),
            )
    error = send()
    status = DigestStatus.SENT if error is None else DigestStatus.FAILED
    with b.transaction():
        b.execute(
            "UPDATE digests SET status = ?, attempts = attempts + 1, error = ?, sent_at = ? "
            "WHERE period = ? AND destination = ?",
            (status, error, timestamp(now) if error is None else None, period, destination),
        )
    return Sent(destination, "sent" if error is None else "failed", error)


# -- e-mail ------------------------------------------------------------------------------------


def message(d: Digest, to: str, sender: str, period: str) -> EmailMessage:
    """The digest as an e-mail: a plain-text part (Markdown) and an HTML alternative."""
    msg = EmailMessage()
    msg["Subject"] = f"tokarc digest: {' '.join(d.scope.split())[:80]}"
    msg["From"], msg["To"] = sender, to
    msg["Date"] = formatdate(d.until, usegmt=True)
    msg["Message-ID"] = f"<digest-{_key(period, to)}@tokarc>"
    msg.set_content(to_markdown(d))
    msg.add_alternative(to_html(d), subtype="html")
    return msg


def _mail(smtp: SMTP, d: Digest, to: str, period: str) -> str | None:
    msg = message(d, to, smtp.sender, period)
    try:
        if smtp.tls:
            with smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT,
                                  context=ssl.create_default_context()) as s:  # fmt: skip
                _login_and_send(s, smtp, msg, secure=True)
        else:
            with smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT) as s:
                s.ehlo()
                secure = s.has_extn("starttls")
                if secure:
                    s.starttls(context=ssl.create_default_context())
                    s.ehlo()
                _login_and_send(s, smtp, msg, secure=secure)
    except (OSError, smtplib.SMTPException) as exc:
        return f"{smtp.host}:{smtp.port}: {type(exc).__name__}: {_no_secret(str(exc), smtp)}"
    return None


def _login_and_send(s: smtplib.SMTP, smtp: SMTP, msg: EmailMessage, *, secure: bool) -> None:
    if smtp.user:
        if not secure and smtp.host not in ("127.0.0.1", "localhost", "::1"):
            raise smtplib.SMTPException("the server offers no TLS: credentials not sent")
        s.login(smtp.user, smtp.password or "")
    s.send_message(msg)


def _no_secret(text: str, smtp: SMTP) -> str:
    text = " ".join(text.split())
    return text.replace(smtp.password, "********") if smtp.password else text


# -- webhook -----------------------------------------------------------------------------------


def _post(delivery: Delivery | None, d: Digest, url: str, period: str) -> str | None:
    payload = {
        "text": to_markdown(d),
        "idempotency_key": f"tokarc:digest:{_key(period, url)}",
        "digest": d.as_json(),
    }
    ok, _, error = (delivery or Delivery()).send(url, payload)
    return None if ok else error or "not delivered"


def _key(period: str, destination: str) -> str:
    return hashlib.sha256(f"{period}|{destination}".encode()).hexdigest()[:24]


def period_of(since: str, sources: Sequence[str], now: float) -> str:
    """The period a digest covers, as its key: the sources, the ``since`` asked and, for a
    duration, which slice of that length ``now`` falls in (two runs of ``--since 24h`` in one
    UTC day are one period; ``--since 2026-11-01`` is one period however often it runs)."""
    try:
        span = parse_duration(since, "--since")
    except InvalidInputError:
        span = 0
    bucket = int(now // span) if span else 0
    return f"{','.join(sorted(sources)) or 'all'}|{since}|{bucket}"


def watch_period(watch: Watch) -> str:
    """The period a digest watch's run covers, as its key: the watch and the time that run was
    due. A run a crash cut short is due at that time still (its watch was not given back, or
    given back unchanged), so its rerun sends the same digest again, with the same Message-ID;
    the next run, due an interval later, is a new period."""
    return f"watch:{watch.id}|{timestamp(watch.next_due)}"
