"""``tokarc-emulator``: serve the emulator with uvicorn.

Example: ``tokarc-emulator --port 8765 --seed 1 --latency 0.05 --error-rate 0.02``
"""

from __future__ import annotations

import argparse
import gc
from collections.abc import Sequence

from ._app import API_PREFIX, Emulator
from ._server import fastest_http, fastest_loop


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
    p.add_argument("--units", type=int, default=None, help="unit allowance, then 495")
    p.add_argument("--require-token", default=None, help="accept only this token")
    p.add_argument("--time-scale", type=float, default=0.0, help="world time speed (0: frozen)")
    p.add_argument("--media-base", default=None, help="origin of media URLs (default: asked)")
    p.add_argument("--http", default="auto", help="uvicorn HTTP parser: auto, httptools, h11")
    p.add_argument("--loop", default="auto", help="uvicorn event loop: auto, uvloop, asyncio")
    return p


def emulator_from_args(args: argparse.Namespace) -> Emulator:
    """An emulator configured from parsed options."""
    return Emulator(
        seed=args.seed, latency=args.latency, jitter=args.jitter, error_rate=args.error_rate,
        rate_limit_rate=args.rate_limit_rate, hang_rate=args.hang_rate,
        malformed_rate=args.malformed_rate, units=args.units, require_token=args.require_token,
        time_scale=args.time_scale, media_base=args.media_base,
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    """Parse ``argv`` and serve until interrupted."""
    import uvicorn

    args = build_parser().parse_args(argv)
    emulator = emulator_from_args(args)
    # The world's caches hold many long-lived objects; collecting young ones less often saves
    # ~10 % of a cold page. Only in this server process, never in a library caller's.
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    print(f"tokarc emulator on http://{args.host}:{args.port}{API_PREFIX}", flush=True)
    uvicorn.run(
        emulator.asgi_app(), host=args.host, port=args.port, log_level="warning",
        http=fastest_http(args.http), loop=fastest_loop(args.loop),
    )  # fmt: skip


if __name__ == "__main__":
    main()
