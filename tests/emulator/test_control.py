"""The control routes under /_emulator, over HTTP, and the CLI options."""

from __future__ import annotations

from typing import Any

import httpx

from tokarc.emulator import DEFAULT_NOW
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
        ]
    )
    assert (args.host, args.port, args.seed) == ("0.0.0.0", 9000, 7)
    emu = emulator_from_args(args)
    s = emu.settings
    assert (s.latency, s.jitter, s.error_rate, s.rate_limit_rate) == (0.1, 0.05, 0.1, 0.2)
    assert (s.hang_rate, s.malformed_rate, s.units, s.require_token) == (0.01, 0.03, 500, "secret")
    assert emu.clock.time_scale == 60


def test_cli_defaults() -> None:
    args = build_parser().parse_args([])
    assert (args.host, args.port, args.seed, args.units, args.require_token) == (
        "127.0.0.1", 8765, 0, None, None,
    )  # fmt: skip
