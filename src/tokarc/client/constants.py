"""The numbers tokarc runs on, each with where it comes from."""

from __future__ import annotations

# The API's public base URL (API.md §1.1; the official SDK's `BASE_URL`).
DEFAULT_BASE_URL = "https://ensembledata.com/apis"

# Environment variables (DESIGN.md, "Contracts").
ENV_TOKEN = "TOKARC_TOKEN"
ENV_TOKEN_FALLBACK = "ENSEMBLEDATA_TOKEN"  # what users of the official SDK already have set
ENV_BASE_URL = "TOKARC_BASE_URL"
ENV_CONFIG = "TOKARC_CONFIG"  # path of the config file, overriding the default location
ENV_DB = "TOKARC_DB"

# Timeouts. The official SDK waits 600 s by default because the full searches take minutes
# (API.md §3.4: "allow a timeout above 10 minutes"); the endpoint table raises it for those two.
# Page endpoints answer in seconds, so tokarc defaults lower and fails faster on a hung socket.
DEFAULT_TIMEOUT = 60.0
CONNECT_TIMEOUT = 10.0

# Retries (STYLE.md habit 6): network errors, timeouts, 429 and 5xx, exponential backoff with
# jitter. 5 attempts ride out a 20 % fault rate with a failure chance of 0.2**5 = 0.03 %.
RETRY_ATTEMPTS = 5
RETRY_WAIT_INITIAL = 0.5
RETRY_WAIT_MAX = 30.0
RETRY_WAIT_JITTER = 1.0
RETRY_TOTAL_TIMEOUT = 300.0
RETRY_AFTER_MAX = 120.0  # never sleep longer than this on a server's Retry-After

# Concurrency: the async client's default cap on requests in flight (httpx's default pool holds
# 100 connections; 50 keeps a margin for other users of the pool).
DEFAULT_MAX_CONCURRENCY = 50

#: What a collecting command spends at most when no --max-units is given (the README's
#: examples cost at most 231 units in the sandbox); TOKARC_MAX_UNITS or ``tokarc configure
#: --max-units N`` set another, ``none`` no cap.
DEFAULT_MAX_UNITS = 500
ENV_MAX_UNITS = "TOKARC_MAX_UNITS"
