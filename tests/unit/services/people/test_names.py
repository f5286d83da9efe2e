"""How a person is shown where people read (#23: names, not ids)."""

from __future__ import annotations

from services.people.names import actor_text, staff_text


def test_a_staffer_is_their_name_with_the_badge_number() -> None:
    assert staff_text("XH-0301", "李明") == "李明（XH-0301）"
    assert staff_text("XH-0399", None) == "XH-0399"  # not (yet) registered
    assert staff_text("王五", None) == "王五"  # a handler typed in by name
    assert staff_text(None, None) == ""
    named = {"id": "XH-0301@xinhe", "number": "XH-0301", "name": "李明"}
    assert actor_text(named) == "李明（XH-0301）"


def test_a_principal_that_is_no_staffer_is_shown_by_its_roles() -> None:
    token = {"id": "clerk@xinhe.ysfjq", "roles": "clerk,handler"}
    assert actor_text(token) == "信息公开员、承办人（clerk@xinhe.ysfjq）"
    assert actor_text({"id": "root", "roles": ""}) == "root"
    assert actor_text(None) == ""
