"""A subtree is one range of byte order (projections.sql.subtree_clause): the path
and what lies below it, never a sibling whose code starts with the same letters
(``xinhe-b`` beside ``xinhe``; ``-`` sorts before ``.``); and the annual report's
scan reads an event's tenant and moment off its stored JSON exactly as decoding
would, or declines."""

from __future__ import annotations

from typing import Any

from services.reporting.annual_figures import _peek
from tests.conftest import ADMIN

TREE = (
    ("xinhe", "county", None),
    ("tahe", "town", "xinhe"),
    ("tuanjie", "village", "xinhe.tahe"),
    ("tahe2", "town", "xinhe"),
    ("xinhe-b", "county", None),
    ("tahe", "town", "xinhe-b"),
    ("xinhea", "county", None),
)


def test_a_subtree_is_its_path_and_below(platform: Any) -> None:
    for code, level, parent in TREE:
        _, position = platform.tenants.register(
            ADMIN, code=code, name=code, level=level, parent=parent
        )
    assert platform.wait("tenant_directory", position)

    def subtree(path: str) -> list[str]:
        return [r["path"] for r in platform.directory.subtree(path)]

    assert subtree("xinhe") == [
        "xinhe",
        "xinhe.tahe",
        "xinhe.tahe.tuanjie",
        "xinhe.tahe2",
    ]
    assert subtree("xinhe.tahe") == ["xinhe.tahe", "xinhe.tahe.tuanjie"]
    assert subtree("xinhe-b") == ["xinhe-b", "xinhe-b.tahe"]
    assert subtree("xinhea") == ["xinhea"]


def test_peek_reads_what_decoding_reads_or_declines(platform: Any) -> None:
    for code, level, parent in TREE[:3]:
        platform.tenants.register(
            ADMIN, code=code, name=code, level=level, parent=parent
        )
    app = platform.tenants
    stored = app.recorder.select_notifications(start=1, limit=10)
    assert stored
    for n in stored:
        event = app.mapper.to_domain_event(n)
        peeked = _peek(n.state, 1)
        assert peeked is not None
        moment, tenants = peeked
        assert moment == event.timestamp
        assert event.tenant in tenants
        assert _peek(n.state, 2) is None  # another class_version: decode it
        assert _peek(b"\x00" + n.state, 1) is None  # not plain JSON
