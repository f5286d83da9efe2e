"""The sealed personal data of one applicant, kept in the log as ciphertext only.

The aggregate's id is the vault subject (``Case.applicant_ref``); its key lives in the
vault, outside the log. Destroying the key makes every ``Sealed`` ciphertext unreadable
while the events, their hashes and the audit history stay intact; ``Erased`` records
that this happened. No clear or redacted personal data ever enters these events.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain.base import GongkaiAggregate, stored_as
from domain.errors import InvalidInputError

Actor = dict[str, str]
MAX_CIPHERTEXT = 8192  # base64 characters; a sealed Applicant is far smaller


def check_ciphertext(ciphertext: str) -> str:
    """Requires standard base64 of 1 to ``MAX_CIPHERTEXT`` characters."""
    if not isinstance(ciphertext, str) or not 0 < len(ciphertext) <= MAX_CIPHERTEXT:
        raise InvalidInputError(
            "the ciphertext is missing or too long", field="applicant"
        )
    try:
        base64.b64decode(ciphertext, validate=True)
    except binascii.Error:
        raise InvalidInputError(
            "the ciphertext is not base64", field="applicant"
        ) from None
    return ciphertext


@stored_as("domain.applicant")  # its stored name (docs/events.md)
class ApplicantRecord(GongkaiAggregate):
    """An applicant's personal data, sealed under vault subject ``id``."""

    @classmethod
    def seal(
        cls,
        *,
        subject: str,
        tenant: str,
        ciphertext: str,
        actor: Actor,
        effective_at: datetime,
    ) -> ApplicantRecord:
        """Record the sealed form. Requires a canonical UUID subject and base64."""
        try:
            record_id = UUID(subject)
        except (ValueError, TypeError, AttributeError):
            raise InvalidInputError(
                "the subject is not a UUID", field="applicant_ref"
            ) from None
        if str(record_id) != subject:
            raise InvalidInputError(
                "the subject is not a canonical UUID", field="applicant_ref"
            )
        return cls(
            id=record_id,
            tenant=tenant,
            ciphertext=check_ciphertext(ciphertext),
            actor=actor,
            effective_at=effective_at,
        )

    @event("Sealed")
    def __init__(
        self,
        id: UUID,
        tenant: str,
        ciphertext: str,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.tenant = tenant
        self.ciphertext = ciphertext
        self.erased = False
        self.effective_at = effective_at

    @property
    def subject(self) -> str:
        """The vault subject that holds the key."""
        return str(self.id)

    def sealed(self) -> dict[str, str]:
        """The form ``infra.vault.open_applicant`` takes."""
        return {"subject": self.subject, "ciphertext": self.ciphertext}

    def erase(self, *, actor: Actor, effective_at: datetime) -> None:
        """Record that the key was (about to be) destroyed. Idempotent."""
        if self.erased:
            return
        self._erased(tenant=self.tenant, actor=actor, effective_at=effective_at)

    @event("Erased")
    def _erased(self, tenant: str, actor: Actor, effective_at: datetime) -> None:
        self.erased = True
        self.effective_at = effective_at
