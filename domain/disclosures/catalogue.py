"""The disclosure catalogue (公开目录): what each kind of tenant must make public.

Rows follow the columns of the national 基层政务公开标准目录 (国办发〔2019〕54号) so
a county can upload its own catalogue in the shape it already keeps. This module holds
the queries over a catalogue and the rule that lays a county's CSV over the defaults
by code. Pure. The defaults (seed plan 三(二)1–5, 三(三)) are data in
``catalogue_defaults``; the entry and its vocabularies are in ``catalogue_entry``, the
CSV form in ``catalogue_csv``, and their names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.disclosures.catalogue_csv import (
    CSV_COLUMNS,
    OPTIONAL_CSV_COLUMNS,
    catalogue_to_csv,
    parse_catalogue_csv,
)
from domain.disclosures.catalogue_defaults import DEFAULT_CATALOGUE
from domain.disclosures.catalogue_entry import (
    CODE_PATTERN,
    KIND_LABELS,
    TENANT_KINDS,
    Audience,
    CatalogueEntry,
    Channel,
    ChannelRequirement,
    DisclosureMode,
    Period,
    PublicLevel,
    parse_channel,
)
from domain.errors import (
    InvalidInputError,
    join_codes,
)

__all__ = [
    "CODE_PATTERN",
    "CSV_COLUMNS",
    "KIND_LABELS",
    "OPTIONAL_CSV_COLUMNS",
    "TENANT_KINDS",
    "Audience",
    "CatalogueEntry",
    "Channel",
    "ChannelRequirement",
    "DisclosureMode",
    "Period",
    "PublicLevel",
    "catalogue_to_csv",
    "entries_for",
    "find_entry",
    "merge_catalogues",
    "parse_catalogue_csv",
    "parse_channel",
]


def entries_for(
    kind: str, catalogue: Sequence[CatalogueEntry] = DEFAULT_CATALOGUE
) -> tuple[CatalogueEntry, ...]:
    """Entries that apply to tenants of ``kind``, in catalogue order.

    Requires ``kind`` in ``TENANT_KINDS``: a typo must not read as "nothing due".
    """
    if kind not in TENANT_KINDS:
        raise InvalidInputError(
            f"unknown tenant kind {kind!r}; allowed: {join_codes(TENANT_KINDS)}",
            field="kind",
        )
    return tuple(e for e in catalogue if kind in e.applies_to)


def find_entry(code: str, catalogue: Sequence[CatalogueEntry]) -> CatalogueEntry | None:
    """The entry with ``code`` in the effective catalogue, if any."""
    return next((e for e in catalogue if e.code == code), None)


def merge_catalogues(
    base: Sequence[CatalogueEntry], overlay: Sequence[CatalogueEntry]
) -> tuple[CatalogueEntry, ...]:
    """A county's catalogue laid over the defaults: same code replaces in place,
    new codes are appended in overlay order (a later duplicate in overlay wins)."""
    merged = {e.code: e for e in base}
    for entry in overlay:
        merged[entry.code] = entry
    return tuple(merged.values())
