"""Commands on a unit's power list: a clerk drafts a version (JSON, or a CSV of the
catalogue that keeps the processes and risk points by code), a supervisor of the
unit or above reviews it (清权确权) and it takes effect."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.access import (
    Principal,
    Role,
    require_read,
    require_role,
    require_subtree_role,
)
from domain.fees.standard import FeeStandard, standard_id
from domain.powers.errors import PowerListNotFoundError
from domain.powers.listing import PowerListing
from domain.powers.power import Power
from domain.powers.power_csv import parse_powers_csv
from domain.powers.power_list import PowerList, power_list_id
from services.core.base import GongkaiApplication, recorded


@dataclass(frozen=True)
class Drafted:
    """What a draft command returns: the version, the log position, the listing."""

    version: int
    position: int
    listing: PowerListing


class PowerLists(GongkaiApplication):
    """Versions of each tenant's power list and their review."""

    def draft(
        self,
        principal: Principal,
        path: str,
        *,
        powers: Sequence[Mapping[str, Any]],
        risks: Sequence[Mapping[str, Any]],
        source: str = "",
    ) -> Drafted:
        """Record a whole new version (powers with processes, risk points)."""
        require_role(principal, path, Role.CLERK, Role.ADMIN)
        self.tenant(path)
        return self._draft(
            principal, path, PowerListing.from_dicts(powers, risks), source
        )

    def draft_csv(
        self, principal: Principal, path: str, csv_text: str, source: str = ""
    ) -> Drafted:
        """A new version from the catalogue CSV; each power keeps the process and
        risk points the latest version gave its code."""
        require_role(principal, path, Role.CLERK, Role.ADMIN)
        self.tenant(path)
        powers: tuple[Power, ...] = parse_powers_csv(csv_text)
        existing = self.power_list(path)
        listing = PowerListing(powers)
        if existing is not None:
            listing = listing.with_risks_of(existing.latest())
        return self._draft(principal, path, listing, source or "CSV 导入")

    def fee_items(self, path: str) -> dict[str, dict[str, str]]:
        """The items of the latest version of ``path``'s fee standard (收费标准) by
        code; none without one. A power's ``fee_item`` must be one of them."""
        standard = self._get(standard_id(path), FeeStandard)
        if standard is None or not standard.versions:
            return {}
        return {i["code"]: i for i in standard.versions[-1]["items"]}

    def _draft(
        self, principal: Principal, path: str, listing: PowerListing, source: str
    ) -> Drafted:
        listing.require_fee_items(self.fee_items(path))
        with recorded(self):
            plist = self.power_list(path) or PowerList(
                tenant=path, actor=principal.actor(), effective_at=self.now()
            )
            version = plist.draft(
                listing, source=source, actor=principal.actor(), effective_at=self.now()
            )
        return Drafted(version, self._commit(plist), listing)

    def approve(
        self, principal: Principal, path: str, version: int, opinion: str = ""
    ) -> int:
        """清权确权 passed: version ``version`` takes effect. Returns the position."""
        require_subtree_role(principal, path, Role.SUPERVISOR)
        plist = self._existing(path)
        with recorded(self):
            plist.approve(
                version,
                opinion=opinion,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        return self._commit(plist)

    def send_back(
        self, principal: Principal, path: str, version: int, opinion: str
    ) -> int:
        """The review returns the pending version with its opinion."""
        require_subtree_role(principal, path, Role.SUPERVISOR)
        plist = self._existing(path)
        with recorded(self):
            plist.send_back(
                version,
                opinion=opinion,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        return self._commit(plist)

    def power_list(self, path: str) -> PowerList | None:
        return self._get(power_list_id(path), PowerList)

    def read(self, principal: Principal | None, path: str) -> PowerList:
        """The tenant's list for a reader (None: the public, which sees what is in
        force); 404 when it has none."""
        if principal is not None:
            require_read(principal, path)
        self.read_tenant(path)
        return self._existing(path)

    def in_force(self, path: str) -> PowerListing:
        """The version in force at ``path`` (empty if none): what cases cite."""
        plist = self.power_list(path)
        return plist.listing() if plist is not None else PowerListing(())

    def _existing(self, path: str) -> PowerList:
        plist = self.power_list(path)
        if plist is None:
            raise PowerListNotFoundError(f"{path} has no power list yet", field="path")
        return plist
