"""A private PostgreSQL server for the test that restarts one (the machine's is shared)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class PrivatePostgres:
    url: str
    data: str
    pg_ctl: str

    def ctl(self, *args: str, check: bool = True) -> None:
        """pg_ctl ACTION on this server (its output to the server's log file)."""
        log = os.path.join(self.data, "log")
        _as_postgres([self.pg_ctl, "-D", self.data, "-l", log, *args], check=check)


def _as_postgres(argv: list[str], check: bool = True) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *argv], check=check, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL restart test: no initdb found")
        pytest.skip("no PostgreSQL server binaries (initdb) on this machine")
    bindir = os.path.dirname(found[-1])
    data = tempfile.mkdtemp(prefix="tokarc-pg-")
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    port = _free_port()
    server = PrivatePostgres(f"postgresql://postgres@127.0.0.1:{port}/postgres", data,
                             os.path.join(bindir, "pg_ctl"))  # fmt: skip
    try:
        _as_postgres([found[-1], "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
        server.ctl("-o", options, "-w", "start")
        yield server
    finally:
        server.ctl("-m", "immediate", "stop", check=False)
        shutil.rmtree(data, ignore_errors=True)
