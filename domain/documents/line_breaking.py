"""Chinese line breaking (禁则) for the printed 公文.

A line of Chinese may break between any two characters, except that (GB/T 15834
标点符号用法 and the usual 避头尾 rules of Chinese typesetting): no line starts with
closing punctuation (。，、；：？！）》」』〕】…％ and closing quotes), no line ends
with opening punctuation (（《「『〔【 and opening quotes), and a run of digits or
Latin letters (``1730.49``, ``2026``, ``GB/T``) is not split. When the character
that would start the next line is closing punctuation, the last character of the
line is pulled down with it (推出法), so a line may end up to a unit short; the
renderer then draws the lines as they are.

Pure: the caller measures text (the PDF's font metrics), so this module holds only
the rules and can be tested without a font.
"""

from __future__ import annotations

import re
from collections.abc import Callable

CLOSING = frozenset("。，、；：？！）》」』〕】〉…％‰’”・·.,;:?!)]}%—")
"""Characters that never start a line (避头). ``—`` is here so that the two-em
dash ``——`` stays whole: its first half glues the second to it."""

OPENING = frozenset("（《「『〔【〈‘“([{")
"""Characters that never end a line (避尾)."""

_TOKEN = re.compile(r"[0-9A-Za-z]+(?:[.,:/\-_][0-9A-Za-z]+)*| +|.", re.DOTALL)
"""A digit/Latin run (with the dots, commas and slashes inside it: ``1,730.49``,
``GB/T``), a run of ASCII spaces, or any one other character."""

Measure = Callable[[str], float]


def units(text: str) -> list[str]:
    """The pieces a line may break between: each token with any closing
    punctuation after it and any opening punctuation before it glued on."""
    tokens = _TOKEN.findall(text)
    pieces: list[str] = []
    pending_open = ""
    for token in tokens:
        if token in OPENING:
            pending_open += token
            continue
        if token in CLOSING and pieces and not pending_open:
            pieces[-1] += token
            continue
        pieces.append(pending_open + token)
        pending_open = ""
    if pending_open:
        if pieces:
            pieces[-1] += pending_open
        else:
            pieces.append(pending_open)
    return pieces


def break_lines(text: str, width: float, measure: Measure) -> list[str]:
    """``text`` cut into lines no wider than ``width`` (as ``measure`` gives
    widths) that keep the 禁则. A piece wider than a whole line (a very long Latin
    run) is cut by characters, the only case a run is split. An empty text is one
    empty line, as a paragraph of nothing still takes a line."""
    lines: list[str] = []
    line = ""
    for piece in units(text):
        if measure(line + piece) <= width:
            line += piece
            continue
        if line.strip():
            lines.append(line.rstrip(" "))
            line = ""
        piece = piece.lstrip(" ")
        while measure(piece) > width and len(piece) > 1:
            cut = _fit(piece, width, measure)
            lines.append(piece[:cut])
            piece = piece[cut:]
        line = piece
    if line.strip() or not lines:
        lines.append(line.rstrip(" "))
    return lines


def _fit(piece: str, width: float, measure: Measure) -> int:
    """How many leading characters of ``piece`` fit in ``width`` (at least one)."""
    cut = 1
    while cut < len(piece) and measure(piece[: cut + 1]) <= width:
        cut += 1
    return cut
