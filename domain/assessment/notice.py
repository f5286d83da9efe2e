"""The public notice (公示) of a campaign's provisional results and the objections
lodged during it: when objections may be lodged, when the campaign may be finalized,
and each objection's state (a dict in ``Campaign.objections``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from domain.assessment.grading import notice_over
from domain.errors import CampaignStageError, InvalidInputError


def require_notice_running(notice: dict[str, Any] | None, today: date) -> None:
    """Requires ``today`` within the notice period (objections are lodged then)."""
    assert notice is not None
    if notice_over(notice["ends_on"], today):
        raise CampaignStageError(f"the notice period ended on {notice['ends_on']}")


def require_notice_over(
    notice: dict[str, Any] | None, objections: Sequence[dict[str, Any]], today: date
) -> None:
    """Requires the notice period over and every objection answered (else a 409)."""
    assert notice is not None
    if not notice_over(notice["ends_on"], today):
        raise CampaignStageError(
            f"the public notice runs until {notice['ends_on']} "
            "(7 working days); finalize after it"
        )
    waiting = open_objections(objections)
    if waiting:
        numbers = ", ".join(str(o["number"]) for o in waiting)
        raise CampaignStageError(f"unanswered objections: {numbers}")


def open_objections(objections: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objections if o["answer"] is None]


def require_answerable(objections: Sequence[dict[str, Any]], number: int) -> None:
    """Requires objection ``number`` (from 1) to exist and be unanswered."""
    if not 1 <= number <= len(objections):
        raise InvalidInputError(f"no objection {number}", field="objection")
    if objections[number - 1]["answer"] is not None:
        raise CampaignStageError(f"objection {number} is already answered")


def lodged(
    number: int, target: str, text: str, on: date, actor: dict[str, str]
) -> dict[str, Any]:
    """A new objection's state, not answered yet."""
    return {
        "number": number,
        "target": target,
        "text": text,
        "lodged_on": on,
        "by": actor,
        "answer": None,
    }
