"""Responsibility statements: issue (supervisor), sign (the named staffer), assess."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from domain.access import Principal, Role, require_read, require_role
from domain.assessment.statements import Statement
from domain.errors import ForbiddenError, InvalidInputError, NotFoundError
from domain.people.staff import username_of
from domain.tenancy import is_within
from domain.timeliness import local_date
from services.core.base import GongkaiApplication, recorded
from services.people.staff import Staff


class Statements(GongkaiApplication):
    staff: Staff

    def configure(self, staff: Staff) -> None:
        self.staff = staff

    def statement(self, principal: Principal, path: str, sid: UUID) -> Statement:
        """Readers of the issuer, and the unit's own principals."""
        found = self._get(sid, Statement)
        visible = found is not None and found.tenant == path
        if visible and not principal.can_read(path):
            assert found is not None
            visible = principal.tenant is not None and is_within(
                principal.tenant, found.unit
            )
        if not visible:
            require_read(principal, path)
            raise NotFoundError(f"no statement {sid} at {path}")
        assert found is not None
        return found

    def issue(
        self,
        principal: Principal,
        path: str,
        *,
        year: int,
        unit: str,
        number: str,
        targets: Sequence[Mapping[str, Any]],
    ) -> tuple[Statement, int]:
        require_role(principal, path, Role.SUPERVISOR)
        if unit == path or not is_within(unit, path):
            raise InvalidInputError(f"{unit} is not below {path}", field="unit")
        staffer = self.staff._staffer(unit, number)
        with recorded(self):
            statement = Statement.issue(
                tenant=path,
                year=year,
                unit=unit,
                county=staffer.county,
                number=staffer.number,
                targets=targets,
                actor=principal.actor(),
            )
        return statement, self._commit(statement)

    def sign(self, principal: Principal, path: str, sid: UUID) -> tuple[Statement, int]:
        statement = self.statement(principal, path, sid)
        if principal.id != username_of(statement.county, statement.number):
            raise ForbiddenError("only the named staffer signs the statement")
        with recorded(self):
            statement.sign(local_date(self.now()), principal.actor())
        return statement, self._commit(statement)

    def assess(
        self,
        principal: Principal,
        path: str,
        sid: UUID,
        figures: Mapping[str, float | None],
        judged: Mapping[str, tuple[bool, str]],
    ) -> tuple[Statement, int]:
        statement = self.statement(principal, path, sid)
        require_role(principal, path, Role.SUPERVISOR)
        with recorded(self):
            statement.assess(local_date(self.now()), figures, judged, principal.actor())
        return statement, self._commit(statement)
