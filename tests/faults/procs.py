"""Real processes for the fault tests: a throwaway PostgreSQL cluster, ``gongkai``
subprocesses on free loopback ports, and a small HTTP client that never raises."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GONGKAI = str(Path(sys.executable).parent / "gongkai")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**settings: str) -> dict[str, str]:
    """The test process's environment without GONGKAI_*, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    env.update({f"GONGKAI_{k.upper()}": v for k, v in settings.items()})
    return env


@dataclass
class Answer:
    status: int  # 0: no HTTP answer at all (refused, reset, timed out)
    headers: dict[str, str]
    body: Any
    error: str = ""


def call(
    method: str,
    url: str,
    token: str | None = None,
    body: Any = None,
    timeout: float = 20,
) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                json.loads(response.read()),
            )
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            parsed: Any = json.loads(raw)
        except ValueError:
            parsed = raw.decode(errors="replace")
        return Answer(e.code, {k.lower(): v for k, v in e.headers.items()}, parsed)
    except (OSError, ValueError) as e:  # refused, reset, timeout
        return Answer(0, {}, None, repr(e))


class Server:
    """``gongkai serve`` on a free loopback port, its output in a file."""

    def __init__(self, env: dict[str, str], log: Path, *options: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("a") as out:  # a file, not a pipe: a full pipe blocks the server
            self.process = subprocess.Popen(
                [GONGKAI, "serve", "--port", str(self.port), *options],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while call("GET", f"{self.base}/v1/health", timeout=5).status != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start:\n{self.log.read_text()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def pg_bin(name: str) -> str:
    """A PostgreSQL server binary: on PATH, else the newest /usr/lib/postgresql/*."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise FileNotFoundError(f"{name} (PostgreSQL server binaries) not found")
    return candidates[-1]


class Cluster:
    """A PostgreSQL cluster of the test's own, on a free port, trust auth.

    ``initdb`` refuses to run as root, so as root the cluster belongs to the
    ``postgres`` OS user and its commands run as that user.
    """

    def __init__(self, max_connections: int = 100) -> None:
        self.max_connections = max_connections
        self.dir = Path(tempfile.mkdtemp(prefix="gongkai-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/gongkai"
        self._user = "postgres" if os.geteuid() == 0 else None
        if self._user:
            shutil.chown(self.dir, self._user)
        self._run(
            pg_bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self.start()
        self._run(
            pg_bin("createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "gongkai",
        )

    def _run(self, *args: str) -> None:
        subprocess.run(
            list(args),
            check=True,
            capture_output=True,
            timeout=60,
            user=self._user,
            cwd=self.dir,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            f"-c fsync=off -c max_connections={self.max_connections}"
        )
        self._run(
            pg_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` is a crash: no checkpoint, recovery from WAL on start."""
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def cluster(max_connections: int = 100) -> Iterator[Cluster]:
    c = Cluster(max_connections)
    try:
        yield c
    finally:
        c.destroy()
