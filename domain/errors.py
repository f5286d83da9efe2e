"""Errors of the domain layer.

Every error the platform raises on purpose descends from ``GongkaiError``. Each class
names a stable problem ``slug`` (the tail of the RFC 9457 ``type`` URI) and a ``status``
family, so the HTTP edge maps errors without knowing every class.
"""

from __future__ import annotations

from collections.abc import Sequence


class GongkaiError(Exception):
    """Root of every deliberate error."""

    slug = "error"
    status = 400
    title = "Request cannot be carried out"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidInputError(GongkaiError):
    """The input breaks a rule; nothing was recorded."""

    slug = "invalid-input"
    status = 422
    title = "Invalid input"


class InconsistentInputError(InvalidInputError):
    """Each input has its documented form, but they do not agree: with each other
    (``first`` after ``second``), within one (an ID's check digit) or with what is
    stored (a revision that changes nothing). No schema can state such a rule."""

    slug = "inconsistent-input"
    title = "Inconsistent input"


class NotFoundError(GongkaiError):
    """The thing does not exist, or the caller may not know it exists."""

    slug = "not-found"
    status = 404
    title = "Not found"


class ConflictError(GongkaiError):
    """The request contradicts the current state."""

    slug = "conflict"
    status = 409
    title = "Conflict with current state"


class ForbiddenError(GongkaiError):
    """The caller's roles or scope do not allow the request."""

    slug = "forbidden"
    status = 403
    title = "Forbidden"


# Tenancy ---------------------------------------------------------------------------


class TenantError(GongkaiError):
    """Root of tenancy errors."""


class InvalidTenantCodeError(TenantError, InvalidInputError):
    slug = "invalid-tenant-code"


class InvalidNestingError(TenantError, InvalidInputError):
    slug = "invalid-nesting"


class TenantExistsError(TenantError, ConflictError):
    slug = "tenant-exists"


class TenantNotFoundError(TenantError, NotFoundError):
    slug = "tenant-not-found"


# Disclosure ------------------------------------------------------------------------


class DisclosureError(GongkaiError):
    """Root of disclosure errors."""


class UnknownCategoryError(DisclosureError, InvalidInputError):
    slug = "unknown-category"


class UnknownChannelError(DisclosureError, InvalidInputError):
    slug = "unknown-channel"


class ReasonRequiredError(DisclosureError, InvalidInputError):
    slug = "reason-required"


class InvalidDateError(DisclosureError, InvalidInputError):
    slug = "invalid-date"


class BackdatingError(DisclosureError, InvalidInputError):
    slug = "backdating-needs-reason"


class AlreadyWithdrawnError(DisclosureError, ConflictError):
    slug = "already-withdrawn"


class DisclosureNotFoundError(DisclosureError, NotFoundError):
    slug = "disclosure-not-found"


class VersionMismatchError(ConflictError):
    """The caller's ``If-Match`` names a version that is no longer current."""

    slug = "version-mismatch"

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(
            f"version {expected} is stale: the current version is {current}",
            field="If-Match",
        )
        self.expected = expected
        self.current = current


# Catalogue and calendar -------------------------------------------------------------


class CatalogueError(GongkaiError):
    """Root of catalogue errors."""


class CatalogueFormatError(CatalogueError, InvalidInputError):
    """A catalogue CSV cannot be read; ``line`` is 1-based, counting the header."""

    slug = "invalid-catalogue"

    def __init__(self, detail: str, *, line: int, column: str | None = None) -> None:
        super().__init__(f"line {line}: {detail}", field=column)
        self.line = line


class CalendarError(GongkaiError):
    """Root of working-day calendar errors."""


class InvalidScheduleError(CalendarError, InvalidInputError):
    slug = "invalid-holiday-schedule"


def join_codes(codes: Sequence[str]) -> str:
    """Render a list of codes for an error message."""
    return ", ".join(codes)


# Ledger ------------------------------------------------------------------------------


class LedgerError(GongkaiError):
    """Root of transparency-ledger errors."""


class ProofError(LedgerError, InvalidInputError):
    """A Merkle proof, or the sizes it is asked about, cannot be right."""

    slug = "invalid-proof"


class RootMismatchError(ProofError):
    """A proof is well formed but leads to a different root than the one given."""

    def __init__(self, expected: bytes, calculated: bytes) -> None:
        super().__init__(
            f"calculated root {calculated.hex()} does not match {expected.hex()}"
        )
        self.expected = expected
        self.calculated = calculated


# Signed notes, checkpoints and cosignatures -----------------------------------------


class NoteError(LedgerError, InvalidInputError):
    """A signed note, checkpoint, key name or verifier key breaks its C2SP format."""

    slug = "invalid-note"


class CheckpointFormatError(NoteError):
    """A checkpoint body is not a well-formed C2SP tlog-checkpoint."""

    slug = "invalid-checkpoint"


class VerifierKeyError(NoteError):
    """A verifier key string is malformed, of another type, or names the wrong ID."""

    slug = "invalid-verifier-key"


class SignatureError(NoteError):
    """A signature by a known key does not verify."""

    slug = "invalid-signature"

    def __init__(
        self, name: str, key_id: bytes, detail: str = "signature does not verify"
    ) -> None:
        super().__init__(f"{detail}: key {name}+{key_id.hex()}")
        self.name = name
        self.key_id = key_id


class UnverifiedNoteError(NoteError):
    """No signature on the note is by a known key, so its text must be ignored."""

    slug = "unverified-note"


class EvidenceError(LedgerError, InvalidInputError):
    """An evidence bundle does not verify; ``field`` names where, as a JSON path."""

    slug = "invalid-evidence"


# Personal data -----------------------------------------------------------------------


class PersonalDataErasedError(GongkaiError):
    """The subject's key was destroyed, so its personal data can no longer be read."""

    slug = "personal-data-erased"
    status = 410
    title = "Personal data erased"


# Cases -------------------------------------------------------------------------------


class CaseError(GongkaiError):
    """Root of case errors (complaints, reports, requests, disclosure requests)."""


class IllegalTransitionError(CaseError, ConflictError):
    """The action is not open in the case's state; ``allowed_actions`` says what is."""

    slug = "illegal-transition"

    def __init__(self, action: str, state: str, allowed_actions: Sequence[str]) -> None:
        allowed = join_codes(allowed_actions) if allowed_actions else "none"
        super().__init__(
            f"cannot {action} a case that is {state}; allowed now: {allowed}"
        )
        self.action = action
        self.state = state
        self.allowed_actions = list(allowed_actions)


class CaseDateError(CaseError, InvalidInputError):
    slug = "invalid-case-date"


class CorrectionAlreadyRequestedError(CaseError, ConflictError):
    """A disclosure request gets one 补正 notice (条例第三十条)."""

    slug = "correction-already-requested"


class CorrectionWindowPassedError(CaseError, ConflictError):
    """The 补正 notice is due within 7 working days of receipt (条例第三十条)."""

    slug = "correction-window-passed"


class ExtensionLimitError(CaseError, ConflictError):
    slug = "extension-limit"


class DeadlinePassedError(CaseError, ConflictError):
    """A deadline cannot be extended once it has passed."""

    slug = "deadline-passed"


class UnknownServiceError(CaseError, InvalidInputError):
    slug = "unknown-service"


class InvalidEmailError(CaseError, InvalidInputError):
    """An applicant's email address that is not ``name@domain``."""

    slug = "invalid-email"


class InvalidLocationError(CaseError, InvalidInputError):
    """A case's location out of range, half given, or too long."""

    slug = "invalid-location"


class InvalidAttachmentError(CaseError, InvalidInputError):
    """An attachment reference that is not an http(s) URL, or too many of them."""

    slug = "invalid-attachment"


class CaseNotFoundError(CaseError, NotFoundError):
    slug = "case-not-found"


# Staff and sign-in -------------------------------------------------------------------


class StaffError(GongkaiError):
    """Root of staff registry and sign-in errors."""


class InvalidStaffNumberError(StaffError, InvalidInputError):
    slug = "invalid-staff-number"


class StaffExistsError(StaffError, ConflictError):
    slug = "staff-exists"


class StaffNotFoundError(StaffError, NotFoundError):
    slug = "staff-not-found"


class StaffStateError(StaffError, ConflictError):
    """Deactivating an inactive staffer, or reactivating an active one."""

    slug = "staff-state"


class ClientStateError(StaffError, ConflictError):
    """Rotating or revoking an integrator client that is revoked."""

    slug = "client-state"


class ClientNotFoundError(StaffError, NotFoundError):
    slug = "client-not-found"


class InvalidCredentialsError(StaffError):
    """Wrong username or password (the two are never told apart)."""

    slug = "invalid-credentials"
    status = 401
    title = "Sign-in refused"


class InvalidActivationCodeError(StaffError):
    slug = "invalid-activation-code"
    status = 401
    title = "Activation refused"


class AccountInactiveError(StaffError, ForbiddenError):
    slug = "account-inactive"


class WeakPasswordError(StaffError, InvalidInputError):
    slug = "weak-password"


class TooManyAttemptsError(StaffError):
    """Too many failed attempts for an account or from an address; wait and retry."""

    slug = "too-many-attempts"
    status = 429
    title = "Too many failed attempts"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


# Assessment ------------------------------------------------------------------------


class AssessmentError(GongkaiError):
    pass


class CriteriaError(AssessmentError, InvalidInputError):
    slug = "invalid-criteria"


class CampaignNotFoundError(AssessmentError, NotFoundError):
    slug = "campaign-not-found"


class CampaignStageError(AssessmentError, ConflictError):
    """The step does not fit the stage (e.g. finalizing during the notice)."""

    slug = "campaign-stage"


class ViolationError(AssessmentError, ConflictError):
    slug = "violation-state"
