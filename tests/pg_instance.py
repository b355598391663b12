"""A PostgreSQL server of the test's own (initdb + pg_ctl in a temporary folder, on a free port), so a test can stop
and start it: the machine's shared server on 5432 is never touched.

As root, the server runs as the ``postgres`` account (PostgreSQL refuses to run as root) in a folder that account
owns; as any other user, as that user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

BIN_CANDIDATES = ("/usr/local/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True))


def find_bin(name: str) -> str | None:
    for folder in BIN_CANDIDATES:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TemporaryPostgres:
    """initdb'd on creation; ``start``/``stop`` (fast shutdown, or ``immediate`` to pull the plug); ``remove``."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise RuntimeError(
                "initdb and pg_ctl are not installed (looked in /usr/local/bin, /usr/lib/postgresql/*/bin and PATH)"
            )
        self.as_postgres = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="sharedmap-pg-", dir="/tmp"))
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")
        self.data, self.log = self.folder / "data", self.folder / "server.log"
        self.port = free_port()
        self.user = "postgres" if self.as_postgres else os.environ.get("USER", "postgres")
        self._run(self.initdb, "-D", str(self.data), "-A", "trust", "-U", self.user, "--no-sync", "-E", "UTF8")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
