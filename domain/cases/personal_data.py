"""An applicant's personal data, its validation, and the redacted forms one may show.

The clear form never enters the event log: ``infra/vault.py`` seals it with a key per
subject, and events, views and streams carry only ``Applicant.redacted()`` (or
``erased_view()`` once the key is gone). Redaction rules:

- name: the first character, then one ``*`` per further character (``张*``); a name of
  one character becomes ``*``.
- phone: a mobile keeps 3 + 4 digits (``138****5678``); a landline keeps its area code
  and last 4 digits, masking the rest and any extension (``0997-***1234``).
- ID number: the first 6 (region) and last 4 characters (``110101********1234``).
- address: everything up to and including the first 镇, 乡 or 街道 when that prefix
  looks like an administrative name (no digits, at most 30 characters), then ``***``;
  otherwise the first 6 characters (at most half of a short address), then ``***``.
- email: the first character of the local part, ``***``, then ``@`` and the domain
  (``z***@example.cn``); the domain names a provider, rarely a person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date

from domain.errors import (
    InconsistentInputError,
    InvalidEmailError,
    InvalidInputError,
)

ERASED = "已删除"
FIELDS = ("name", "phone", "id_number", "address", "email")
MAX_NAME = 50
MAX_ADDRESS = 200
MAX_EMAIL = 254  # RFC 5321's path limit

MOBILE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE = re.compile(
    r"(?P<area>0[0-9]{2,3}-?)?(?P<local>[2-9][0-9]{6,7})(?P<ext>-[0-9]{1,6})?"
)
RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
# Not in a name: control characters, line and paragraph separators, bidi controls.
_NOT_IN_NAME = r"\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069"
_NAME_BREAKER = re.compile(f"[{_NOT_IN_NAME}]")
_SPACE = r"\x20\x85\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
# The forms a document gives these fields (as typed, before trimming).
NAME_PATTERN = f"^[^{_NOT_IN_NAME}]*[^{_NOT_IN_NAME}{_SPACE}][^{_NOT_IN_NAME}]*$"
PHONE_PATTERN = (  # MOBILE or LANDLINE
    r"^(?:1[3-9][0-9]{9}|(?:0[0-9]{2,3}-?)?[2-9][0-9]{6,7}(?:-[0-9]{1,6})?)$"
)
RESIDENT_ID_PATTERN = r"^[0-9]{17}[0-9Xx]$"
# An address as people type it (no quoted local parts or IP literals): a local part of
# printable ASCII, an ``@``, and a domain of dot-separated labels with a letter TLD.
EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
EMAIL_PATTERN = f"^{EMAIL.pattern}$"
_ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))  # GB 11643-1999
_ID_CHECK = "10X98765432"
_TOWN_MARKERS = ("街道", "镇", "乡")
_MAX_TOWN_PREFIX = 30
_MASK = "***"


def id_check_digit(first_17: str) -> str:
    """The GB 11643 check character of 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first_17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _refuse(field: str, detail: str) -> InvalidInputError:
    return InvalidInputError(detail, field=f"applicant.{field}")


def _disagree(field: str, detail: str) -> InconsistentInputError:
    return InconsistentInputError(detail, field=f"applicant.{field}")


def _check_id(value: str) -> None:
    if re.fullmatch(r"\d{15}", value):
        raise _refuse(
            "id_number", "a 15-digit first-generation ID is not accepted; give the 18"
        )
    if not RESIDENT_ID.fullmatch(value):
        raise _refuse("id_number", "a resident ID has 17 digits and a digit or X")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise _disagree("id_number", "the ID's birth date does not exist") from None
    if id_check_digit(value[:17]) != value[17]:
        raise _disagree("id_number", "the ID's check digit is wrong")


def _check_email(value: str) -> None:
    if len(value) > MAX_EMAIL or not EMAIL.fullmatch(value):
        raise InvalidEmailError(
            "an email address is name@domain (e.g. zhang@example.cn)",
            field="applicant.email",
        )


def _optional(data: Mapping[str, object], field: str) -> str | None:
    value = data.get(field)
    if value is None or isinstance(value, str):
        return value
    raise _refuse(field, "must be a string")


@dataclass(frozen=True, repr=False)
class Applicant:
    """Who filed a case, in clear. Never log or store it; seal it (infra/vault.py)."""

    name: str
    phone: str | None = None
    id_number: str | None = None
    address: str | None = None
    email: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.name, str) and _NAME_BREAKER.search(self.name):
            raise _refuse(
                "name",
                f"a name has 1–{MAX_NAME} printable characters (no control, line "
                "break or bidi characters)",
            )
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                object.__setattr__(self, f.name, value.strip())
        if self.id_number is not None:
            object.__setattr__(self, "id_number", self.id_number.upper())
        if not 1 <= len(self.name) <= MAX_NAME:
            raise _refuse("name", f"a name has 1–{MAX_NAME} printable characters")
        if self.phone is not None and not (
            MOBILE.fullmatch(self.phone) or LANDLINE.fullmatch(self.phone)
        ):
            raise _refuse(
                "phone", "give a mobile (11 digits from 13–19) or a landline (0997-…)"
            )
        if self.id_number is not None:
            _check_id(self.id_number)
        if self.address is not None and not 1 <= len(self.address) <= MAX_ADDRESS:
            raise _refuse("address", f"an address has 1–{MAX_ADDRESS} characters")
        if self.email is not None:
            _check_email(self.email)

    def to_dict(self) -> dict[str, str | None]:
        """The clear form, for sealing only."""
        return {f: getattr(self, f) for f in FIELDS}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Applicant:
        """The applicant of a clear form made by ``to_dict``, validated again."""
        name = data.get("name")
        if not isinstance(name, str):
            raise _refuse("name", "a name is required")
        return cls(
            name,
            _optional(data, "phone"),
            _optional(data, "id_number"),
            _optional(data, "address"),
            _optional(data, "email"),
        )

    def redacted(self) -> dict[str, str | None]:
        """The only form that may be shown, logged, streamed or put in an event."""
        return {
            "name": redact_name(self.name),
            "phone": None if self.phone is None else redact_phone(self.phone),
            "id_number": None if self.id_number is None else redact_id(self.id_number),
            "address": None if self.address is None else redact_address(self.address),
            "email": None if self.email is None else redact_email(self.email),
        }

    def __repr__(self) -> str:
        return f"Applicant({self.redacted()})"


def erased_view() -> dict[str, str]:
    """What views show for an applicant whose key was erased."""
    return dict.fromkeys(FIELDS, ERASED)


def redact_name(name: str) -> str:
    if len(name) <= 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def _keep_last_digits(text: str, keep: int) -> str:
    digits = sum(ch.isdigit() for ch in text)
    out, seen = [], 0
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > digits - keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def redact_phone(phone: str) -> str:
    if MOBILE.fullmatch(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    landline = LANDLINE.fullmatch(phone)
    if landline:
        local = landline["local"]
        ext = landline["ext"] or ""
        masked_ext = "-" + "*" * (len(ext) - 1) if ext else ""
        return (
            (landline["area"] or "") + "*" * (len(local) - 4) + local[-4:] + masked_ext
        )
    return _keep_last_digits(phone, 0 if len(phone) <= 8 else 4)


def redact_id(id_number: str) -> str:
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def redact_address(address: str) -> str:
    found = [address.index(m) + len(m) for m in _TOWN_MARKERS if m in address]
    if found:
        prefix = address[: min(found)]
        if len(prefix) <= _MAX_TOWN_PREFIX and not any(c.isdigit() for c in prefix):
            return prefix + _MASK
    return address[: min(6, len(address) // 2)] + _MASK


def redact_email(email: str) -> str:
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}{_MASK}@{domain}" if local else _MASK
