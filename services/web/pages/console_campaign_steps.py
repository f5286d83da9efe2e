"""The campaign's steps as console forms: the owner's 发布公示, 答复异议, 确定等次,
下达整改通知 and 验收整改, the target clerk's 提出异议 and 报送整改情况.

Each form posts to one route, which runs the API's own step (``campaigns.STEPS``)
as the signed-in staffer, then sends the browser back to the page it came from; a
refused step draws that page again with the errors beside the form.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from domain.access import Principal
from domain.errors import GongkaiError
from services.api.deps import PlatformDep
from services.api.routes.campaigns import STEPS
from services.core.base import check_expected_version
from services.platform.runtime import Platform
from services.web.forms import FormErrors, body_from_form, parse, problem_words
from services.web.pages.console import FormDep, StaffDep, see_other
from services.web.pages.console_assessment import (
    StepForm,
    league_table_view,
    scorecard_view,
)

router = APIRouter(prefix="/console", include_in_schema=False)

STEP_LABELS = {
    "publish-notice": "发布公示",
    "answer-objection": "答复异议",
    "finalize": "确定等次",
    "object": "提出异议",
    "order-rectification": "下达整改通知",
    "report-rectification": "报送整改情况",
    "verify-rectification": "验收整改",
}


@router.post("/t/{path}/campaigns/{campaign_id}/act/{step}")
def campaign_step(
    request: Request,
    path: str,
    campaign_id: UUID,
    step: str,
    staff: StaffDep,
    platform: PlatformDep,
    form: FormDep,
) -> Response:
    """Run one step; a step on a target answers on its scorecard, the others on
    the league table."""
    target = str(form.get("target") or "")
    back = f"/console/t/{path}/campaigns/{campaign_id}"
    if target:
        back += f"/scorecards/{target}"
    if step not in STEP_LABELS:
        refused = FormErrors([("step", "没有此考核步骤")])
        return redraw(request, path, campaign_id, target, staff, platform,
                      StepForm(step, dict(form), refused, 404))  # fmt: skip
    model, run = STEPS[step]
    body, errors = parse(model, body_from_form(model, form))
    if body is None:
        return redraw(request, path, campaign_id, target, staff, platform,
                      StepForm(step, dict(form), errors, 422))  # fmt: skip
    try:
        seen = str(form.get("version") or "")
        if seen.isdigit() and len(seen) < 10:  # a page drawn before another step
            current = platform.campaigns.campaign(staff, path, campaign_id)
            check_expected_version(current, int(seen))
        run(platform, staff, path, campaign_id, body)
    except GongkaiError as e:
        said = problem_words(e, model.__name__)
        refused = FormErrors(
            [(e.field or "step", f"{STEP_LABELS[step]}未办理：{said}")]
        )
        return redraw(request, path, campaign_id, target, staff, platform,
                      StepForm(step, dict(form), refused, e.status))  # fmt: skip
    return see_other(back)


def redraw(
    request: Request,
    path: str,
    campaign_id: UUID,
    target: str,
    staff: Principal,
    platform: Platform,
    step: StepForm,
) -> Response:
    if target:
        return scorecard_view(
            request, path, campaign_id, target, staff, platform, step=step
        )
    return league_table_view(request, path, campaign_id, staff, platform, step=step)
