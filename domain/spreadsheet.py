"""Text cells a spreadsheet will not run: the guard against CSV formula injection.

Excel, WPS and LibreOffice read a CSV cell that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula (``=HYPERLINK(…)``, ``@SUM(1+1)*cmd|…``), so
a title typed by one user would run on the machine of whoever opens the export. As
OWASP's CSV-injection guidance advises, every such text cell is written with a
leading apostrophe, which the spreadsheet shows as text and does not display. Only
text is guarded: numbers (negative ones too) are written as numbers by the caller.
"""

from __future__ import annotations

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def guard_formula(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet takes for a formula."""
    return GUARD + text if text.startswith(FORMULA_STARTS) else text


def unguard_formula(text: str) -> str:
    """A cell read back from a CSV the platform wrote: ``guard_formula`` undone."""
    if text.startswith(GUARD) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class UnreadableCsvError(ValueError):
    """The text is not CSV; ``line`` is where reading stopped (callers word it)."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


def csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows of an uploaded CSV, cells stripped and unguarded, each with
    the line it starts on (for errors that name the line)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    last = 0
    try:
        for row in reader:
            cells = [unguard_formula(cell.strip()).strip() for cell in row]
            if any(cells):
                rows.append((last + 1, cells))
            last = reader.line_num
    except csv.Error as exc:
        raise UnreadableCsvError(str(exc), last + 1) from exc
    return rows
