"""One format for every time and share a person reads (#23)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.core.display import china_day, china_minute, percent


def test_a_moment_is_china_time_to_the_minute_whatever_its_form() -> None:
    for moment in (
        "2026-12-06T11:56:59.955413+00:00",
        "2026-12-06T11:56:59Z",
        "2026-12-06T19:56:10+08:00",
        datetime(2026, 12, 6, 11, 56, 59, tzinfo=UTC),
        datetime(2026, 12, 6, 11, 56, 59),  # naive: stored times are UTC
    ):
        assert china_minute(moment) == "2026-12-06 19:56", moment
    assert china_day("2026-12-06T16:30:00+00:00") == "2026-12-07"
    assert china_minute(date(2026, 3, 2)) == "2026-03-02"
    assert china_minute("2026-03-02") == "2026-03-02"
    assert china_minute(None) == china_day("") == "—"
    assert china_minute("第一季度") == "第一季度"


def test_a_share_is_a_percentage_with_one_decimal() -> None:
    assert percent(0.5100999795960008) == "51.0%"
    assert percent(1) == "100.0%"
    assert percent(None) == "—"
