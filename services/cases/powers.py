"""The power a case exercises: looked up in its tenant's 权责清单 in force."""

from __future__ import annotations

from domain.powers.errors import UnknownPowerError
from domain.powers.power import Power
from domain.powers.power_list import PowerList, power_list_id
from services.core.base import GongkaiApplication


def power_in_force(app: GongkaiApplication, tenant_path: str, code: str) -> Power:
    """The power ``code`` of ``tenant_path``'s list in force, not abolished; else
    ``unknown-power`` (422)."""
    plist = app._get(power_list_id(tenant_path), PowerList)
    power = plist.listing().power(code) if plist is not None else None
    if power is None or not power.in_force:
        raise UnknownPowerError(
            f"{tenant_path}'s power list in force holds no power {code!r}",
            field="power",
        )
    return power
