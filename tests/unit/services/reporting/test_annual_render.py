"""The annual report's moment as a person reads it, in every format (#23)."""

from __future__ import annotations

from services.reporting.annual_render import moment_line


def test_the_report_says_its_moment_in_china_time_to_the_minute() -> None:
    report = {
        "as_of": "2026-12-06T11:56:59.955413+00:00",
        "known_at": "2026-12-07T01:02:03+00:00",
    }
    assert moment_line(report) == (
        "截至 2026-12-06 19:56（北京时间），以 2026-12-07 09:02 时的记录为准"
    )
