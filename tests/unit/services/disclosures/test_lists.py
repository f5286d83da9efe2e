"""A count and the list it opens are made from one ``Listed``: its link carries
the same moments, scope and filters the count was taken with."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest

from services.api.export import Taken
from services.api.params import parse_moment, parse_moments
from services.disclosures.lists import (
    EVERY_STATUS,
    Listed,
    Moments,
    Selection,
    case_scope,
    moment_param,
)
from services.disclosures.overview import OVERVIEW_COUNTS

NOW = datetime(2026, 11, 20, 2, 0, 0, 123456, tzinfo=UTC)  # 10:00 in China


@pytest.mark.parametrize(
    "text",
    ["2026-10-31", "2026-11-20T10:00:00.123456", "2026-09-15T12:00:00"],
)
def test_a_moment_parameter_reads_back_as_the_same_moment(text: str) -> None:
    moment = parse_moment(text, "as_of", NOW)
    assert moment_param(moment) == text
    assert parse_moment(moment_param(moment), "as_of", NOW) == moment


def test_now_becomes_china_time_to_the_microsecond() -> None:
    assert moment_param(NOW) == "2026-11-20T10:00:00.123456"


def test_a_listed_links_to_the_console_and_the_api_with_its_moments() -> None:
    moments = parse_moments("2026-10-31", "2026-11-05T18:00", NOW)
    backdated = Listed(OVERVIEW_COUNTS["backdated_items"], "xinhe.tahe", True, moments)
    url = urlsplit(backdated.console_url())
    assert url.path == "/console/t/xinhe.tahe/disclosures"
    assert parse_qsl(url.query) == [
        ("as_of", "2026-10-31"),
        ("known_at", "2026-11-05T18:00:00"),
        ("include_descendants", "true"),
        *(("status", s) for s in EVERY_STATUS),
        ("backdated", "true"),
    ]
    assert backdated.api_url().startswith("/v1/tenants/xinhe.tahe/disclosures?")
    own = Listed(OVERVIEW_COUNTS["missing"], "xinhe.tahe.tuanjie", False, moments)
    assert own.console_url().startswith("/console/t/xinhe.tahe.tuanjie/coverage?")
    assert "include_descendants" not in own.query()
    assert own.api_url().startswith("/v1/tenants/xinhe.tahe.tuanjie/catalogue?")
    assert own.api_url().endswith("&status=missing")


def test_every_overview_count_names_a_list_that_counts_withdrawn_items_as_it_does() -> (
    None
):
    assert OVERVIEW_COUNTS["published"].statuses == ()  # public items only
    assert OVERVIEW_COUNTS["late_items"].statuses == ()
    assert OVERVIEW_COUNTS["withdrawals"].statuses == ("withdrawn",)
    assert set(OVERVIEW_COUNTS["backdated_items"].statuses) == {
        "published",
        "revised",
        "withdrawn",
    }  # a withdrawn item was still recorded late
    window = Selection("disclosures", late=True).disclosure_filter(5)
    assert (window.late, window.backdating_window, window.statuses) == (True, 5, ())


def test_cases_are_those_received_by_as_of_as_known_at_the_earlier_moment() -> None:
    moments = Moments(
        parse_moment("2026-09-30", "as_of", NOW),
        parse_moment("2026-09-15T12:00", "known_at", NOW),
    )
    scope = case_scope("wensu", include_descendants=True, moments=moments, now=NOW)
    assert scope.received_to == date(2026, 9, 30)
    assert scope.today == date(2026, 9, 30)
    assert scope.known_at == "2026-09-15T04:00:00.000000+00:00"
    later = case_scope(
        "wensu",
        include_descendants=False,
        moments=Moments(moments.known_at, moments.as_of),
        now=NOW,
        received_to=date(2026, 9, 1),
    )
    assert later.known_at == "2026-09-15T04:00:00.000000+00:00"
    assert later.received_to == date(2026, 9, 1)  # the earlier bound wins
    overdue = OVERVIEW_COUNTS["overdue_cases"].case_filter(scope)
    assert (overdue.overdue, overdue.open, overdue.tenant) == (True, None, "wensu")
    now = case_scope("wensu", include_descendants=False, moments=None, now=NOW)
    assert (now.known_at, now.received_to, now.today) == (
        None,
        None,
        date(2026, 11, 20),
    )
    future = case_scope(
        "wensu",
        include_descendants=False,
        moments=parse_moments("2027-01-31", None, NOW),
        now=NOW,
    )
    assert future.today == date(2026, 11, 20)  # lateness is not judged ahead


def test_an_export_names_its_moments_and_when_it_was_taken() -> None:
    taken = Taken(parse_moments("2026-10-31", "2026-11-05T18:00", NOW), NOW)
    assert taken.heading() == [
        ["截至（as_of）", "2026-10-31 23:59", "as_of=2026-10-31"],
        ["按当时所知（known_at）", "2026-11-05 18:00", "known_at=2026-11-05T18:00:00"],
        ["导出时间", "2026-11-20 10:00", ""],
    ]
    assert taken.suffix() == (
        "as-of-20261031-2359_known-at-20261105-1800_taken-20261120-1000"
    )
