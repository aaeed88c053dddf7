"""``tokarc-emulator``: serve the emulator with uvicorn.

Example: ``tokarc-emulator --port 8765 --seed 1 --latency 0.05 --error-rate 0.02``
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from ._app import API_PREFIX, DEFAULT_CACHE_MB, Emulator
from ._clock import check_time
from ._faults import check_status
from ._server import HEADER_TIMEOUT, EmulatorServer, server_config


def start_time(text: str) -> int:
    """``--start``: an ISO 8601 date or date-time (UTC unless it says otherwise), or unix
    seconds, as unix seconds within the world's range."""
    try:
        if text.strip().lstrip("-").isdigit():
            return check_time(int(text), "--start")
        moment = datetime.fromisoformat(text.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return check_time(int(moment.timestamp()), "--start")
    except ValueError as exc:
        detail = str(exc) if "--start" in str(exc) else "use YYYY-MM-DD[THH:MM:SSZ] or unix seconds"
        raise argparse.ArgumentTypeError(f"{text!r}: {detail}") from None


def error_status(text: str) -> int:
    """``--error-status``: 0 (off) or an HTTP error code from 400 to 599."""
    try:
        code = int(text)
        check_status(code)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a code from 400 to 599, or 0 (off)"
        ) from None
    return code


def build_parser() -> argparse.ArgumentParser:
    """The command line parser (``tokarc emulator`` wraps the same options)."""
    p = argparse.ArgumentParser(
        prog="tokarc-emulator",
        description="Serve a deterministic EnsembleData TikTok API emulator.",
        epilog="example: tokarc-emulator --port 8765 --seed 1 --latency 0.05 --error-rate 0.02",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--seed", type=int, default=0, help="world seed (default 0)")
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to each response")
    p.add_argument("--jitter", type=float, default=0.0, help="plus up to this many seconds")
    p.add_argument("--error-rate", type=float, default=0.0, help="share of 500 responses")
    p.add_argument("--rate-limit-rate", type=float, default=0.0, help="share starting 429 bursts")
    p.add_argument("--hang-rate", type=float, default=0.0, help="share of hanging responses")
    p.add_argument("--malformed-rate", type=float, default=0.0, help="share of broken bodies")
    p.add_argument(
        "--error-status",
        type=error_status,
        default=0,
        metavar="CODE",
        help="every API request answers this code, 400-599 (default 0: off)",
    )
    p.add_argument("--units", type=int, default=None, help="unit allowance, then 495")
    p.add_argument("--require-token", default=None, help="accept only this token")
    p.add_argument("--time-scale", type=float, default=0.0, help="world time speed (0: frozen)")
    p.add_argument(
        "--start",
        type=start_time,
        default=None,
        metavar="DATE",
        help="the world clock's start, e.g. 2026-11-01 (default: this machine's clock, now)",
    )
    p.add_argument(
        "--header-timeout",
        type=float,
        default=HEADER_TIMEOUT,
        metavar="S",
        help=f"close connections slower to send a request's headers (default {HEADER_TIMEOUT:g})",
    )
    p.add_argument(
        "--cache-mb",
        type=int,
        default=DEFAULT_CACHE_MB,
        metavar="N",
        help=f"MiB all caches may hold together (default {DEFAULT_CACHE_MB})",
    )
    p.add_argument("--media-base", default=None, help="origin of media URLs (default: asked)")
    p.add_argument(
        "--http",
        default="auto",
        choices=["auto", "httptools", "h11"],
        help="uvicorn HTTP parser (default auto: httptools if installed)",
    )
    p.add_argument(
        "--loop",
        default="auto",
        choices=["auto", "uvloop", "asyncio"],
        help="uvicorn event loop (default auto: uvloop if installed)",
    )
    return p


def emulator_from_args(args: argparse.Namespace) -> Emulator:
    """An emulator configured from parsed options; ValueError names a bad value.

    Its clock starts at ``--start``, else at this machine's time (like ``tokarc --sandbox``).
    """
    return Emulator(
        seed=args.seed,
        latency=args.latency,
        jitter=args.jitter,
        error_rate=args.error_rate,
        rate_limit_rate=args.rate_limit_rate,
        hang_rate=args.hang_rate,
        malformed_rate=args.malformed_rate,
        error_status=args.error_status,
        units=args.units,
        require_token=args.require_token,
        time_scale=args.time_scale,
        media_base=args.media_base,
        start_time=int(time.time()) if args.start is None else args.start,
        cache_bytes=args.cache_mb << 20,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse ``argv`` and serve until interrupted (Ctrl-C or SIGTERM: in-flight requests, hangs
    too, get one second, then the process ends)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        emulator = emulator_from_args(args)
        config = server_config(
            emulator,
            http=args.http,
            loop=args.loop,
            header_timeout=args.header_timeout,
            host=args.host,
            port=args.port,
        )
    except ValueError as exc:
        parser.error(str(exc))
    # The world's caches hold many long-lived objects; collecting young ones less often saves
    # ~10 % of a cold page. Only in this server process, never in a library caller's.
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    print(f"tokarc emulator on http://{args.host}:{args.port}{API_PREFIX}", flush=True)
    EmulatorServer(config, emulator).run()


if __name__ == "__main__":
    main()
