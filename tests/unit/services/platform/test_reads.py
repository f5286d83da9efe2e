"""The read cache's bounds and keys, and If-None-Match matching (pure parts of
issue 25; the app-level behaviour is tests/e2e/test_reads_keyed.py)."""

from __future__ import annotations

from domain.documents.series import series_id
from domain.fees.standard import standard_id
from domain.reference import CALENDAR_ID, catalogue_id
from services.api.revalidate import matches
from services.platform.reads import (
    ReadCache,
    Stored,
    etag_of,
    read_key,
    reference_ids,
)

POSITIONS = {"tenant_directory": 3, "disclosures": 7, "cases": 9, "reference": 2}
VIEWS = ("tenant_directory", "disclosures")


def stored(size: int) -> Stored:
    return Stored(b"x" * size, "text/html", 'W/"e"')


def test_the_least_recently_used_answer_goes_first_past_the_size() -> None:
    cache = ReadCache(max_bytes=100)
    cache.put(("a",), stored(20))
    cache.put(("b",), stored(20))
    assert cache.get(("a",)) is not None  # a is now the most recent
    for name in "cdef":
        cache.put((name,), stored(20))
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is not None
    assert len(cache) == 5


def test_nothing_is_kept_when_disabled_or_too_large() -> None:
    off = ReadCache(max_bytes=0)
    off.put(("a",), stored(1))
    assert not off.enabled
    assert off.get(("a",)) is None
    small = ReadCache(max_bytes=100)
    small.put(("big",), stored(26))  # more than a quarter of the whole
    assert small.get(("big",)) is None


def test_the_key_moves_with_the_views_read_and_nothing_else() -> None:
    key = read_key("/gongkai/x?[]", ("public",), POSITIONS, VIEWS, "2026-03-02")
    cases_moved = POSITIONS | {"cases": 10}
    assert (
        read_key("/gongkai/x?[]", ("public",), cases_moved, VIEWS, "2026-03-02") == key
    )
    for moved in ({"disclosures": 8}, {"tenant_directory": 4}, {"reference": 3}):
        other = read_key(
            "/gongkai/x?[]", ("public",), POSITIONS | moved, VIEWS, "2026-03-02"
        )
        assert etag_of(other) != etag_of(key)
    next_day = read_key("/gongkai/x?[]", ("public",), POSITIONS, VIEWS, "2026-03-03")
    other_scope = read_key(
        "/gongkai/x?[]", ("u", "wensu"), POSITIONS, VIEWS, "2026-03-02"
    )
    assert len({key, next_day, other_scope}) == 3


def test_a_read_depends_on_its_county_catalogue_and_the_calendar() -> None:
    ids = reference_ids("xinhe.tahe.tuanjie")
    assert ids[:2] == [CALENDAR_ID, catalogue_id("xinhe")]
    assert catalogue_id("wensu") not in ids
    assert len(ids) == 2 + 2 * 3 + 2  # case rules and services at each level
    # and what its board reads without a view: fee standard, notice numbers
    assert ids[-2:] == [
        standard_id("xinhe.tahe.tuanjie"),
        series_id("xinhe.tahe.tuanjie", "levy"),
    ]


def test_if_none_match_compares_weakly_and_takes_lists() -> None:
    etag = 'W/"abc"'
    assert matches('W/"abc"', etag)
    assert matches('"abc"', etag)
    assert matches('"zzz", W/"abc"', etag)
    assert matches("*", etag)
    assert not matches('"abd"', etag)
    assert not matches(None, etag)
    assert not matches("", etag)
