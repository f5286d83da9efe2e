"""Every error a person can meet has Chinese words (#23: no English to staff)."""

from __future__ import annotations

import importlib
import pkgutil
import re

import domain
import services
from domain.error_words import FIELD_PHRASES, PHRASES, facts_of, phrase
from domain.errors import CatalogueFormatError, GongkaiError, TooManyAttemptsError


def every_error_class() -> set[type[GongkaiError]]:
    for package in (domain, services):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    found: set[type[GongkaiError]] = set()
    todo = [GongkaiError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo += cls.__subclasses__()
    return found


def test_every_slug_raised_anywhere_has_chinese_words() -> None:
    slugs = {cls.slug for cls in every_error_class()}
    assert len(slugs) > 45
    assert sorted(slugs - set(PHRASES)) == []
    for words in PHRASES.values():
        assert re.search(r"[\u4e00-\u9fff]", words)
        plain = re.sub(r"\{\w+\}", "", words).replace("PDF", "")
        assert not re.search(r"[A-Za-z]{3,}", plain)
    for slug, _ in FIELD_PHRASES:
        assert slug in PHRASES


def test_a_phrase_is_precise_for_its_field_and_fills_in_the_errors_facts() -> None:
    assert phrase("invalid-date") == "日期不符合要求"
    assert phrase("invalid-date", "formed_on").endswith("不晚于公开日期")
    assert phrase("no-such-slug") == PHRASES["error"]
    wait = TooManyAttemptsError("retry later", retry_after=60)
    assert phrase(wait.slug, **facts_of(wait)) == "失败的尝试过多，请 60 秒后再试"
    bad = CatalogueFormatError("no such column", line=3)
    assert phrase(bad.slug, bad.field, **facts_of(bad)) == "目录文件第 3 行有误"
    assert phrase("invalid-catalogue") == PHRASES["error"]  # a fact it names is missing
