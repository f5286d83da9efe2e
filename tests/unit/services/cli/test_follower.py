"""How ``gongkai serve --workers`` logs the end of its follower process."""

from __future__ import annotations

from services.cli.follower import ended


def test_how_a_child_ended_is_said_in_words() -> None:
    assert ended(-9) == "killed by SIGKILL"
    assert ended(1) == "exited with status 1"
