"""How ``gongkai serve --workers`` logs the end of its follower process, and how
the follower knows its supervisor is gone."""

from __future__ import annotations

import os

from services.cli.follower import SUPERVISOR_ENV, ended, orphaned


def test_how_a_child_ended_is_said_in_words() -> None:
    assert ended(-9) == "killed by SIGKILL"
    assert ended(1) == "exited with status 1"


def test_a_follower_knows_when_its_supervisor_is_gone() -> None:
    parent = str(os.getppid())
    assert not orphaned({})  # started by hand: nobody to outlive
    assert not orphaned({SUPERVISOR_ENV: parent})
    assert orphaned({SUPERVISOR_ENV: str(int(parent) + 1)})
