"""The pages' markup holds no inline script or style: their Content-Security-Policy
(services/web/headers.py) would refuse it, and the page would break quietly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.web.headers import PAGE_POLICY

WEB = Path(__file__).parents[4] / "services" / "web"
SOURCES = sorted([*WEB.glob("templates/*.html"), *WEB.glob("pages/*.py")])
INLINE = re.compile(
    r"<script(?![^>]*\ssrc=)[^>]*>|<style\b|<[a-z][^>]*\s(?:style|on[a-z]+)=|javascript:"
)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_markup_has_no_inline_script_style_or_handler(source: Path) -> None:
    assert INLINE.findall(source.read_text(encoding="utf-8")) == []


def test_the_page_policy_allows_no_inline_code() -> None:
    assert "'unsafe-inline'" not in PAGE_POLICY
    assert "'unsafe-eval'" not in PAGE_POLICY
    assert "frame-ancestors 'none'" in PAGE_POLICY
    assert len(SOURCES) > 20
