"""A unit's power list (权责清单) as an aggregate: each draft a numbered version
that takes effect only when the 清权确权 review approves it. Pure.

Versions are whole: a draft holds every power with its process and every risk
point, so the version in force (and any earlier one) is read from one event, and
the public board shows exactly what was approved.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.powers.errors import (
    NoPendingVersionError,
    SelfReviewError,
    UnmitigatedRiskError,
)
from domain.powers.listing import PowerListing
from domain.powers.process import clean_text

MAX_OPINION = 2000


@lru_cache(maxsize=65_536)
def power_list_id(tenant: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:power-list:{tenant}")


class PowerList(GongkaiAggregate):
    """The power list of one tenant, with its versions and their review."""

    @staticmethod
    def create_id(tenant: str, **_: Any) -> UUID:
        return power_list_id(tenant)

    @event("Started")
    def __init__(
        self, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.tenant = tenant
        self.versions: dict[int, dict[str, Any]] = {}
        self.pending: int | None = None
        self.in_force: int | None = None
        self.drafted_by: dict[int, str] = {}
        self.approved_at: dict[int, datetime] = {}

    def draft(
        self,
        listing: PowerListing,
        *,
        source: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> int:
        """Record ``listing`` as the next version, awaiting review; it supersedes
        a draft still pending. Returns the version number."""
        version = max(self.versions, default=0) + 1
        data = listing.to_dict()
        self._drafted(
            tenant=self.tenant,
            version=version,
            powers=data["powers"],
            risks=data["risks"],
            source=clean_text(source or "接口提交", "source", limit=200),
            actor=actor,
            effective_at=effective_at,
        )
        return version

    @event("Drafted")
    def _drafted(
        self,
        tenant: str,
        version: int,
        powers: list[dict[str, Any]],
        risks: list[dict[str, Any]],
        source: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.versions[version] = {"powers": powers, "risks": risks, "source": source}
        self.pending = version
        self.drafted_by[version] = actor.get("id", "")

    def approve(
        self,
        version: int,
        *,
        opinion: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """清权确权: the reviewer confirms version ``version``, which takes effect.

        Requires it to be the pending version, a reviewer other than its drafter,
        and no high risk point without a measure.
        """
        self._check_pending(version)
        if actor.get("id") == self.drafted_by.get(version):
            raise SelfReviewError(
                f"version {version} was drafted by {actor.get('id')}; another"
                " person must review it"
            )
        unmitigated = self.listing(version).unmitigated_high()
        if unmitigated:
            codes = ", ".join(r.code for r in unmitigated)
            raise UnmitigatedRiskError(
                f"version {version} holds high risk points without a measure: {codes}",
                count=len(unmitigated),
            )
        self._approved(
            tenant=self.tenant,
            version=version,
            opinion=opinion.strip()[:MAX_OPINION],
            actor=actor,
            effective_at=effective_at,
        )

    @event("Approved")
    def _approved(
        self,
        tenant: str,
        version: int,
        opinion: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.in_force = version
        self.pending = None
        self.approved_at[version] = effective_at

    def send_back(
        self,
        version: int,
        *,
        opinion: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """The review returns the pending version with its opinion; the version in
        force stays."""
        self._check_pending(version)
        self._returned(
            tenant=self.tenant,
            version=version,
            opinion=clean_text(opinion, "opinion", limit=MAX_OPINION),
            actor=actor,
            effective_at=effective_at,
        )

    @event("Returned")
    def _returned(
        self,
        tenant: str,
        version: int,
        opinion: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.pending = None

    def _check_pending(self, version: int) -> None:
        if self.pending != version:
            raise NoPendingVersionError(
                f"version {version} is not awaiting review; pending: {self.pending}",
                field="version",
            )

    def listing(self, version: int | None = None) -> PowerListing:
        """Version ``version`` (default: the one in force; empty if none)."""
        number = self.in_force if version is None else version
        data = self.versions.get(number) if number is not None else None
        if data is None:
            return PowerListing(())
        return PowerListing.from_dicts(data["powers"], data["risks"])

    def latest(self) -> PowerListing:
        """The pending draft if there is one, else the version in force."""
        return self.listing(self.pending if self.pending is not None else None)
