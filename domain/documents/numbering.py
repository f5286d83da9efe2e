"""The 发文字号 and the dates of a 公文, written as GB/T 9704-2012 writes them.

发文字号 (7.2.4): 机关代字, the year in 六角括号 〔〕, then the number with 号; the
number has no leading zeros (虚位) and no 第. 成文日期 and 印发日期 (7.3.5.1, 7.4.3):
the year in full and month and day in Arabic numerals without leading zeros
(``2026年12月6日``); the Chinese-numeral form (二〇二六年十二月六日) is the
superseded GB/T 9704-1999's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from domain.errors import InvalidInputError

# 机关代字: 1 to 12 characters, Chinese or Latin letters; no digits or brackets, which
# belong to the rest of the 文号.
CODE_PATTERN = re.compile(r"^[\u4e00-\u9fffA-Za-z]{1,12}$")


class InvalidSeriesCodeError(InvalidInputError):
    """A 机关代字 that cannot head a 文号."""

    slug = "invalid-series-code"


def check_code(code: str) -> str:
    """Requires a 机关代字 of 1 to 12 Chinese or Latin letters (no digits, no 〔〕)."""
    code = code.strip()
    if not CODE_PATTERN.match(code):
        raise InvalidSeriesCodeError(
            f"{code!r} is not a 机关代字 (1 to 12 letters, no digits or brackets)",
            field="code",
        )
    return code


def wenhao(code: str, year: int, number: int) -> str:
    """``新政公开〔2026〕3号``: requires a positive number."""
    if number < 1:
        raise InvalidInputError(f"document number {number} < 1", field="number")
    return f"{code}〔{year}〕{number}号"


def date_text(day: date) -> str:
    """``2026年12月6日``: the year in full, no leading zeros (7.3.5.1)."""
    return f"{day.year}年{day.month}月{day.day}日"


def first_gap(numbers: Iterable[int]) -> int | None:
    """The smallest of 1..max(numbers) not among ``numbers``; None without a gap."""
    taken = set(numbers)
    return next(
        (n for n in range(1, max(taken, default=0) + 1) if n not in taken), None
    )


def taken_twice(numbers: Iterable[int]) -> list[int]:
    """Numbers that occur more than once, in order."""
    seen: set[int] = set()
    twice: set[int] = set()
    for n in numbers:
        (twice if n in seen else seen).add(n)
    return sorted(twice)
