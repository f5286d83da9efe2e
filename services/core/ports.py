"""The running platform as capability code sees it.

``services.platform.runtime.Platform`` is built from the capabilities' applications,
so a capability cannot import it without a cycle. A function that needs several of
the platform's parts (the feed, an evidence bundle, a receipt lookup) takes a
``Running`` instead and is handed the platform by its caller: the dependency points
down, and the platform satisfies the protocol structurally. The applications are
typed ``Any`` here for the same reason; the functions that use one import its class
from their own or a lower capability when they need its type.
"""

from __future__ import annotations

from typing import Any, Protocol

from infra.settings import Settings
from projections.sql import SqlView
from services.core.views import ProjectionSpec


class Running(Protocol):
    """Settings, the views by name, the applications, and waiting on the views
    (catching up the audit view)."""

    settings: Settings
    views: dict[str, SqlView]
    tenants: Any
    disclosures: Any
    cases: Any
    inspections: Any
    powers: Any
    questionnaires: Any
    auditor: Any
    credentials: Any
    sign_ins: Any
    witnesses: list[Any]
    projection_lock: Any

    @property
    def directory(self) -> Any: ...

    @property
    def disclosure_view(self) -> Any: ...

    @property
    def case_view(self) -> Any: ...

    @property
    def staff_view(self) -> Any: ...

    def wait(self, view_name: str, position: int) -> bool: ...

    def max_position(self) -> int: ...

    def catch_up_audit(self) -> bool: ...

    def construct_view(self, spec: ProjectionSpec, name: str = "") -> SqlView: ...

    def close(self) -> None: ...
