"""On the SQLite default, an unwritable GONGKAI_HOME or a full disk gives one clear
line naming the path (exit 1), never a traceback."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.faults.procs import GONGKAI, clean_env, free_port

# Root writes through file modes: drop the capabilities that let it, for the child.
AS_UNPRIVILEGED = (
    ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]
    if os.geteuid() == 0
    else []
)


def gongkai(home: Path, *args: str, limit: int | None = None) -> str:
    def file_size_limit() -> None:  # the disk is "full" past this many bytes
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [*AS_UNPRIVILEGED, GONGKAI, *args],
        env=clean_env(home=str(home)),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=file_size_limit,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "Error:" not in result.stderr
    return result.stderr


@pytest.fixture
def read_only(tmp_path: Path) -> Path:
    if AS_UNPRIVILEGED and shutil.which("setpriv") is None:
        pytest.fail("running as root needs setpriv (util-linux) to drop privileges")
    directory = tmp_path / "ro"
    directory.mkdir()
    directory.chmod(0o555)
    return directory


@pytest.mark.parametrize(("command", "where"), [("serve", "home"), ("demo", "parent")])
def test_an_unwritable_home_is_one_line_naming_it(
    read_only: Path, command: str, where: str
) -> None:
    home = read_only if where == "home" else read_only / "home"
    args = ["serve", "--port", str(free_port())] if command == "serve" else ["demo"]
    message = gongkai(home, *args).strip()
    assert message == (
        f"cannot write {home}: Permission denied: give the user running gongkai "
        "write access"
    )


def test_a_full_disk_during_the_demo_is_one_line_naming_the_store(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    stderr = gongkai(home, "demo", limit=300_000)
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"cannot write {home / 'gongkai.db'}: ")
    assert "disk is full" in last or "disk full" in last, last
