"""The control routes under /_emulator, over HTTP, and the CLI options."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tokarc.emulator import DEFAULT_NOW, Emulator
from tokarc.emulator.__main__ import build_parser, emulator_from_args


def test_control_routes(live_emulator: Any) -> None:
    ctl, api = live_emulator.control_url, live_emulator.base_url
    with httpx.Client() as http:
        assert http.get(f"{ctl}/health").json() == {"ok": True}
        assert http.get(f"{ctl}/clock").json()["now"] == DEFAULT_NOW
        assert http.post(f"{ctl}/clock", json={"advance": 60}).json()["now"] == DEFAULT_NOW + 60
        assert http.post(f"{ctl}/clock", json={"now": 1_800_000_000}).json()["now"] == 1_800_000_000
        http.get(f"{api}/tt/hashtag/posts", params={"token": "t", "name": "magic"})
        stats = http.get(f"{ctl}/stats").json()
        assert stats["requests"] == {"hashtag_search": 1}
        assert stats["units_total"] == 1
        assert http.get(f"{ctl}/world").json()["posts"] == 20
        faults = http.post(f"{ctl}/faults", json={"error_rate": 1.0}).json()
        assert faults["error_rate"] == 1.0
        assert http.get(f"{ctl}/faults").json()["error_rate"] == 1.0
        assert (
            http.get(f"{api}/tt/hashtag/posts", params={"token": "t", "name": "x"}).status_code
            == 500
        )
        assert http.post(f"{ctl}/faults", json={"bogus": 1}).status_code == 400
        assert http.post(f"{ctl}/reset").json() == {"ok": True}
        assert http.get(f"{ctl}/clock").json()["now"] == DEFAULT_NOW
        assert http.get(f"{ctl}/stats").json()["requests_total"] == 0
        assert http.get(f"{ctl}/nope").status_code == 404
        # control is never under /apis
        assert http.get(f"{api}/_emulator/clock").status_code == 404


def test_cli_parses_every_option() -> None:
    args = build_parser().parse_args(
        [
            "--host",
            "0.0.0.0",
            "--port",
            "9000",
            "--seed",
            "7",
            "--latency",
            "0.1",
            "--jitter",
            "0.05",
            "--error-rate",
            "0.1",
            "--rate-limit-rate",
            "0.2",
            "--hang-rate",
            "0.01",
            "--malformed-rate",
            "0.03",
            "--units",
            "500",
            "--require-token",
            "secret",
            "--time-scale",
            "60",
            "--error-status",
            "463",
        ]
    )
    assert (args.host, args.port, args.seed) == ("0.0.0.0", 9000, 7)
    emu = emulator_from_args(args)
    s = emu.settings
    assert (s.latency, s.jitter, s.error_rate, s.rate_limit_rate) == (0.1, 0.05, 0.1, 0.2)
    assert (s.hang_rate, s.malformed_rate, s.units, s.require_token) == (0.01, 0.03, 500, "secret")
    assert emu.clock.time_scale == 60
    assert s.error_status == 463


def test_cli_defaults() -> None:
    args = build_parser().parse_args([])
    assert (args.host, args.port, args.seed, args.units, args.require_token) == (
        "127.0.0.1", 8765, 0, None, None,
    )  # fmt: skip


BAD_CLOCKS = [
    {"now": 1e308},
    {"now": -1e12},
    {"now": "nan"},
    {"now": "soon"},
    {"now": True},
    {"advance": 1e308},
    {"advance": float("-inf")},
    {"advance": -1e12},
    {"now": 1_800_000_000, "advance": 1e308},  # a good half is not applied either
    {"later": 5},
    {},
]
BAD_FAULTS = [
    {"error_rate": 5},
    {"error_rate": "NaN"},
    {"error_rate": -0.1},
    {"hang_rate": "inf"},
    {"latency": 1e308},
    {"max_streak": 0},
    {"retry_after": 1.5},
    {"error_rate": 0.5, "malformed_rate": 2},  # the good half is not applied either
    {"error_rate": [1]},
    {"error_status": 600},
    {"error_status": 200},
    {"error_status": 463.5},
]


def test_bad_control_values_are_refused_and_change_nothing(live_emulator: Any) -> None:
    ctl, api = live_emulator.control_url, live_emulator.base_url
    with httpx.Client() as http:
        clock, faults = http.get(f"{ctl}/clock").json(), http.get(f"{ctl}/faults").json()
        for body in BAD_CLOCKS:
            reply = http.post(f"{ctl}/clock", content=_json(body))
            assert reply.status_code == 400, body
            assert reply.json()["detail"]
        for body in BAD_FAULTS:
            reply = http.post(f"{ctl}/faults", content=_json(body))
            assert reply.status_code == 400, body
        assert http.post(f"{ctl}/clock", params={"now": "1e308"}).status_code == 400
        assert http.post(f"{ctl}/faults", content=b"[1, 2]").status_code == 400
        assert http.get(f"{ctl}/clock").json() == clock
        assert http.get(f"{ctl}/faults").json() == faults
        page = http.get(f"{api}/tt/hashtag/posts", params={"token": "t", "name": "magic"})
        assert page.status_code == 200
        assert len(page.json()["data"]["data"]) == 20


def test_error_status_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    from tokarc.emulator.__main__ import main

    assert emulator_from_args(build_parser().parse_args([])).settings.error_status == 0
    with pytest.raises(SystemExit) as exited:
        main(["--error-status", "700", "--port", "0"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument --error-status: '700': give a code from 400 to 599, or 0 (off)" in err
    assert "Traceback" not in err


def test_bad_settings_are_refused_at_construction() -> None:
    for bad in ({"error_rate": 5.0}, {"hang_rate": float("nan")}, {"start_time": 10**13}):
        with pytest.raises(ValueError, match="must be"):
            Emulator(**bad)


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()  # allows NaN and Infinity, as a careless client sends
