"""The inspection report PDF: lines set left-aligned, never stretched to the margin."""

from __future__ import annotations

import re
import zlib
from uuid import uuid4

from services.reporting.pdf import report_pdf
from tests.unit.domain.inspection.test_inspection_file import opened


def content_streams(pdf: bytes) -> list[bytes]:
    found = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue  # not a deflated stream (none is, today)
    return found


def test_a_long_state_line_wraps_without_stretched_spacing() -> None:
    state = {
        "state": "accepted",
        "title": "关于村道维修的投诉，村民反映路面坑洼严重影响出行，请尽快处理",
        "channels": ["公开栏", "网站"],
        "applicant_ref": str(uuid4()),
        "due_on": "2026-03-30",
        "handler": "XH-0301",
        "department": "综合科",
        "promised_working_days": 15,
    }
    event = {
        "position": 101,
        "type": "Case.Accepted",
        "subject": {"kind": "case", "id": str(uuid4())},
        "actor": {"id": "clerk@xinhe.tahe", "role": "clerk"},
        "recorded_at": "2026-03-02T10:00:00+08:00",
        "effective_at": "2026-03-01T12:00:00+08:00",
        "backdated": True,
        "event_id": f"{uuid4()}:2",
        "leaf": "xinhe.tahe.xingfu #12",
        "state": state,
    }
    pages = content_streams(report_pdf(opened(), [event] * 3, cut=False))
    text = b"".join(pages)
    assert b" Tj" in text  # the lines are there
    # fpdf2 justifies with TJ arrays that space the words out to the margin
    assert b"TJ" not in text
