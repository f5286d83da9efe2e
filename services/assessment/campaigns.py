"""Campaign commands (第十五条) and the single-campaign reads: league table, scorecard.

A campaign belongs to the supervisor's tenant (write scope); its targets are
descendants. Owner-side steps need a supervisor of the owner; a target's clerk submits
its self-assessment and its rectification report; anyone in the owner's subtree or a
target's may lodge an objection during the notice. Reads: whoever can read the owner,
and the targets' own principals (the notice is public).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.access import Principal, Role, require_role
from domain.assessment.campaign import Campaign
from domain.assessment.grading import Grade, assess, league_order
from domain.errors import CampaignNotFoundError, ForbiddenError, NotFoundError
from domain.tenancy import is_within
from domain.timeliness import local_date
from services.core.base import GongkaiApplication, recorded
from services.documents.series import numbered


def may_see(principal: Principal, path: str) -> bool:
    """The owner's readers, and anyone below it (targets reach their campaigns)."""
    return principal.can_read(path) or (
        principal.tenant is not None and is_within(principal.tenant, path)
    )


class Campaigns(GongkaiApplication):
    """Plans and runs assessment campaigns (考核方案)."""

    def today(self) -> date:
        return local_date(self.now())

    def plan(
        self,
        principal: Principal,
        path: str,
        *,
        title: str,
        period_from: date,
        period_to: date,
        targets: Sequence[str],
        criteria: Sequence[Mapping[str, Any]],
        methods: Sequence[str],
    ) -> tuple[Campaign, int]:
        require_role(principal, path, Role.SUPERVISOR)
        self.tenant(path)
        for target in targets:
            if is_within(target, path):
                self.tenant(target)  # a descendant that does not exist is a 404
        with recorded(self):
            campaign = Campaign.plan(
                tenant=path,
                title=title,
                period_from=period_from,
                period_to=period_to,
                targets=list(targets),
                criteria=criteria,
                methods=methods,
                actor=principal.actor(),
            )
        return campaign, self._commit(campaign)

    def campaign(
        self,
        principal: Principal,
        path: str,
        campaign_id: UUID,
        as_of: datetime | None = None,
    ) -> Campaign:
        """The campaign (as recorded at ``as_of``); others' and unknown: 404."""
        if not may_see(principal, path):
            raise NotFoundError(f"tenant {path!r} not found", field="path")
        found = self._get(campaign_id, Campaign)
        if found is None or found.tenant != path:
            raise CampaignNotFoundError(f"no campaign {campaign_id} at {path}")
        if not principal.can_read(path) and not any(
            principal.tenant and is_within(principal.tenant, t) for t in found.targets
        ):
            raise CampaignNotFoundError(f"no campaign {campaign_id} at {path}")
        if as_of is not None:
            version = 0
            for e in self.repository.event_store.get(campaign_id):
                if e.timestamp <= as_of:
                    version = e.originator_version
            if version == 0:
                raise CampaignNotFoundError(f"campaign {campaign_id} not yet planned")
            then = self.repository.get(campaign_id, version=version)
            assert isinstance(then, Campaign)
            found = then
        return found

    def campaign_events(self, campaign: Campaign) -> list[Any]:
        return list(self.repository.event_store.get(campaign.id))

    # Owner-side steps ----------------------------------------------------------------

    def _owned(self, principal: Principal, path: str, campaign_id: UUID) -> Campaign:
        campaign = self.campaign(principal, path, campaign_id)
        require_role(principal, path, Role.SUPERVISOR)
        return campaign

    def _target_clerk(
        self, principal: Principal, path: str, campaign_id: UUID, target: str
    ) -> Campaign:
        campaign = self.campaign(principal, path, campaign_id)
        if principal.tenant != target or Role.CLERK not in principal.roles:
            raise ForbiddenError(f"only a clerk of {target} may submit this")
        return campaign

    def self_assess(
        self,
        principal: Principal,
        path: str,
        campaign_id: UUID,
        target: str,
        items: Sequence[Mapping[str, Any]],
        report: str,
    ) -> tuple[Campaign, int]:
        campaign = self._target_clerk(principal, path, campaign_id, target)
        with recorded(self):
            campaign.self_assess(target, items, report, principal.actor())
        return campaign, self._commit(campaign)

    def review(
        self,
        principal: Principal,
        path: str,
        campaign_id: UUID,
        target: str,
        items: Sequence[Mapping[str, Any]],
        method: str,
    ) -> tuple[Campaign, int]:
        campaign = self._owned(principal, path, campaign_id)
        with recorded(self):
            campaign.review(target, items, method, principal.actor())
        return campaign, self._commit(campaign)

    def publish_notice(
        self, principal: Principal, path: str, campaign_id: UUID
    ) -> tuple[Campaign, int]:
        campaign = self._owned(principal, path, campaign_id)
        with recorded(self):
            campaign.publish_notice(self.today(), self.calendar(), principal.actor())
            series = self._number(campaign, "notice", {}, principal)
        return campaign, self._commit(campaign, series)

    def object(
        self,
        principal: Principal,
        path: str,
        campaign_id: UUID,
        target: str,
        text: str,
    ) -> tuple[Campaign, int]:
        campaign = self.campaign(principal, path, campaign_id)
        with recorded(self):
            campaign.object(target, text, self.today(), principal.actor())
        return campaign, self._commit(campaign)

    def answer_objection(
        self,
        principal: Principal,
        path: str,
        campaign_id: UUID,
        number: int,
        answer: str,
    ) -> tuple[Campaign, int]:
        campaign = self._owned(principal, path, campaign_id)
        with recorded(self):
            campaign.answer_objection(number, answer, principal.actor())
        return campaign, self._commit(campaign)

    def finalize(
        self, principal: Principal, path: str, campaign_id: UUID
    ) -> tuple[Campaign, int]:
        campaign = self._owned(principal, path, campaign_id)
        with recorded(self):
            campaign.finalize(self.today(), principal.actor())
            series = self._number(campaign, "bulletin", {}, principal)
        return campaign, self._commit(campaign, series)

    def order_rectification(
        self,
        principal: Principal,
        path: str,
        campaign_id: UUID,
        target: str,
        working_days: int,
    ) -> tuple[Campaign, int]:
        campaign = self._owned(principal, path, campaign_id)
        with recorded(self):
            campaign.order_rectification(
                target, working_days, self.today(), self.calendar(), principal.actor()
            )
            series = self._number(
                campaign, "rectification", order_subject(campaign, target), principal
            )
        return campaign, self._commit(campaign, series)

    def report_rectification(
        self,
        principal: Principal,
        path: str,
        campaign_id: UUID,
        target: str,
        report: str,
    ) -> tuple[Campaign, int]:
        campaign = self._target_clerk(principal, path, campaign_id, target)
        with recorded(self):
            campaign.report_rectification(
                target, report, self.today(), principal.actor()
            )
        return campaign, self._commit(campaign)

    def verify_rectification(
        self,
        principal: Principal,
        path: str,
        campaign_id: UUID,
        target: str,
        passed: bool,
        note: str,
        working_days: int,
    ) -> tuple[Campaign, int]:
        campaign = self._owned(principal, path, campaign_id)
        with recorded(self):
            campaign.verify_rectification(
                target,
                passed,
                note,
                self.today(),
                self.calendar(),
                principal.actor(),
                working_days,
            )
            if passed:
                return campaign, self._commit(campaign)
            series = self._number(  # ordered again: a new 整改通知
                campaign, "rectification", order_subject(campaign, target), principal
            )
        return campaign, self._commit(campaign, series)

    def _number(
        self,
        campaign: Campaign,
        kind: str,
        extra: dict[str, str],
        principal: Principal,
    ) -> Any:
        """签发: the document's number from the owner's series of ``kind``."""
        subject = {"campaign": str(campaign.id), **extra}
        return numbered(
            self,
            campaign.tenant,
            kind,
            subject,
            document_title(campaign, kind),
            self.today(),
            principal.actor(),
        )


DOCUMENT_TITLES = {
    "notice": "关于{}结果的公示",
    "bulletin": "关于{}结果的通报",
    "rectification": "关于{}限期整改的通知",
}


def document_title(campaign: Campaign, kind: str) -> str:
    """标题 of the campaign's 公文 of ``kind`` (the 文种 last, as 7.3.1 asks)."""
    return DOCUMENT_TITLES[kind].format(campaign.title)


def order_subject(campaign: Campaign, target: str) -> dict[str, str]:
    """A 限期整改通知 is one round of a target's order: its subject names both."""
    rounds = campaign.rectifications[target]["rounds"]
    return {"target": target, "round": str(len(rounds))}


def league_table(campaign: Campaign) -> list[dict[str, Any]]:
    """Targets best first: by grade, then score (``league_order``); equal grade and
    score share a rank (1, 2, 2, 4).

    Final results once finalized, the noticed ones during the notice, else the
    reviewers' provisional points; a target not reviewed yet has no score or rank.
    """
    rows: list[dict[str, Any]] = []
    for target in campaign.targets:
        result = campaign.results.get(target)
        if result is None:
            provisional = campaign.provisional(target)
            result = provisional.to_dict() if provisional else None
        rows.append({"target": target, **(result or _unscored())})
    scored = league_order([r for r in rows if r["score"] is not None])
    return scored + [r for r in rows if r["score"] is None]


def item_titles(campaign: Any) -> dict[str, str]:
    """Item code → title, so vetoes and failed items read in Chinese (a campaign,
    or its answer, whose criteria are dicts)."""
    return {
        (c["code"] if isinstance(c, Mapping) else c.code): (
            c["title"] if isinstance(c, Mapping) else c.title
        )
        for c in campaign.criteria
    }


def titled(codes: Sequence[str], titles: Mapping[str, str]) -> list[str]:
    """Item codes as their titles (a code without one as it is)."""
    return [titles.get(code, code) for code in codes]


def _unscored() -> dict[str, Any]:
    return {
        "score": None,
        "grade": None,
        "grade_label": None,
        "vetoed_by": [],
        "failed_items": [],
        "rank": None,
    }


def scorecard(campaign: Campaign, target: str) -> dict[str, Any]:
    """Per item: self-assessed and reviewers' points, methods and evidence."""
    if target not in campaign.targets:
        raise NotFoundError(
            f"{target} is not a target of this campaign", field="target"
        )
    own = campaign.self_assessments.get(target)
    reviews = campaign.reviews.get(target, {})
    mean = campaign.reviewed_points(target)
    items = []
    for c in campaign.criteria:
        items.append(
            {
                **c.to_dict(),
                "self_points": own["points"][c.code] if own else None,
                "reviewed_points": mean[c.code] if mean else None,
                "failed": c.fails(mean[c.code]) if mean else None,
                "reviews": [
                    {
                        "reviewer": r["by"]["id"],
                        "method": r["method"],
                        "points": r["points"][c.code],
                        "evidence": r["evidence"].get(c.code, []),
                    }
                    for r in reviews.values()
                ],
            }
        )
    result = campaign.results.get(target)
    if result is None and mean is not None:
        result = assess(campaign.criteria, mean).to_dict()
    return {
        "target": target,
        "stage": campaign.stage,
        "result": result,
        "self_report": own["report"] if own else None,
        "self_score": sum(own["points"].values()) if own else None,
        "items": items,
        "objections": [o for o in campaign.objections if o["target"] == target],
        "rectification": campaign.rectifications.get(target),
    }


GRADES = [g.value for g in Grade]
