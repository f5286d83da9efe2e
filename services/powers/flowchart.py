"""A power's process drawn as an SVG flowchart, on the server, from the data: the
main path top to bottom, a branch that ends the process (不予受理) as a box to the
right, a branch that goes back (补正 → 受理) as an arrow round the left side.

A pure-Python layout rather than Graphviz: the shape is always one column with side
exits, which a fixed grid draws legibly, and the board needs no Debian package or
subprocess per request. The SVG names itself (``<title>``, ``<desc>``) for screen
readers; pages show the steps as an ordered list beside it as well.
"""

from __future__ import annotations

from html import escape

from domain.powers.power import Power
from domain.powers.process import Step

FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif"
STEP_W, STEP_H = 220, 58
SIDE_W, SIDE_H = 150, 34
ROW_GAP = 40
LOOP_X = 60
MAIN_X = 96  # left edge of the main column: room for the loops on the left
SIDE_X = MAIN_X + STEP_W + 70
TOP = 20
TERMINAL_H = 36
WIDTH = SIDE_X + SIDE_W + 16


def _row_height(step: Step) -> int:
    ends = sum(1 for b in step.branches if b.returns_to is None)
    return max(STEP_H, ends * (SIDE_H + 8) - 8)


def render_flowchart(power: Power) -> str:
    """The SVG of ``power``'s process (a single 无流程 note when it has none)."""
    steps = power.process
    title = f"{power.name}运行流程图"
    parts: list[str] = []
    y = TOP
    parts.append(_terminal(y, "开始"))
    y += TERMINAL_H
    above = y  # the bottom of what the next arrow leaves
    cx = MAIN_X + STEP_W // 2
    tops: dict[str, int] = {}
    rows: list[tuple[Step, int, int]] = []
    for step in steps:
        y += ROW_GAP
        height = _row_height(step)
        top = y + (height - STEP_H) // 2
        parts.append(_arrow(cx, above, cx, top))
        tops[step.name] = top
        rows.append((step, top, y))
        above = top + STEP_H
        y += height
    y += ROW_GAP
    parts.append(_arrow(cx, above, cx, y))
    parts.append(_terminal(y, "办结"))
    height = y + TERMINAL_H + TOP
    loops = 0
    for step, top, row_top in rows:
        parts.append(_step_box(step, top))
        side_y = row_top
        for branch in step.branches:
            if branch.returns_to is None:
                parts.append(_side_exit(top, side_y, branch.label))
                side_y += SIDE_H + 8
            else:
                loops += 1
                parts.append(_loop(top, tops[branch.returns_to], branch.label, loops))
    if not steps:
        parts.append(_note(TOP + TERMINAL_H + 8, "尚未登记运行流程"))
    desc = "；".join(_describe(s) for s in steps) or "尚未登记运行流程"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" height="{height}" role="img"'
        ' aria-labelledby="fc-title fc-desc" class="flowchart">'
        f'<title id="fc-title">{escape(title)}</title>'
        f'<desc id="fc-desc">{escape(desc)}</desc>'
        '<defs><marker id="fc-arrow" viewBox="0 0 10 10" refX="9" refY="5"'
        ' markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>'
        f'<g font-family="{FONT}" font-size="14" fill="#222">{"".join(parts)}</g>'
        "</svg>"
    )


def _describe(step: Step) -> str:
    text = f"{step.name}（{step.performer}，{step.days} 个工作日）"
    for b in step.branches:
        text += f"，{b.label}则{'返回' + b.returns_to if b.returns_to else '办结'}"
    return text


def _arrow(x1: int, y1: int, x2: int, y2: int) -> str:
    return (
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333"'
        ' marker-end="url(#fc-arrow)"/>'
    )


def _terminal(y: int, label: str) -> str:
    x = MAIN_X + (STEP_W - 120) // 2
    return (
        f'<rect x="{x}" y="{y}" width="120" height="{TERMINAL_H}" rx="18"'
        ' fill="#eef3f8" stroke="#335"/>'
        f'<text x="{x + 60}" y="{y + 23}" text-anchor="middle">{escape(label)}</text>'
    )


def _step_box(step: Step, top: int) -> str:
    cx = MAIN_X + STEP_W // 2
    return (
        f'<g class="fc-step"><rect x="{MAIN_X}" y="{top}" width="{STEP_W}"'
        f' height="{STEP_H}" rx="4" fill="#fff" stroke="#335" stroke-width="1.5"/>'
        f'<text x="{cx}" y="{top + 24}" text-anchor="middle" font-weight="bold">'
        f"{escape(step.name)}</text>"
        f'<text x="{cx}" y="{top + 45}" text-anchor="middle" font-size="12"'
        f' fill="#555">{escape(_fit(step.performer, 11))} · {step.days} 个工作日</text>'
        "</g>"
    )


def _side_exit(top: int, side_y: int, label: str) -> str:
    y1 = top + STEP_H // 2
    y2 = side_y + SIDE_H // 2
    return (
        f'<path d="M{MAIN_X + STEP_W},{y1} C{SIDE_X - 30},{y1} {SIDE_X - 40},{y2}'
        f' {SIDE_X},{y2}" fill="none" stroke="#a33" marker-end="url(#fc-arrow)"/>'
        f'<rect class="fc-branch" x="{SIDE_X}" y="{side_y}" width="{SIDE_W}"'
        f' height="{SIDE_H}" rx="4" fill="#fbeeee" stroke="#a33"'
        ' stroke-dasharray="4 2"/>'
        f'<text x="{SIDE_X + SIDE_W // 2}" y="{side_y + 22}" text-anchor="middle"'
        f' font-size="13">{escape(_fit(label, 10))}</text>'
    )


def _loop(top: int, target_top: int, label: str, n: int) -> str:
    """An arrow out of the step's left side, round, into the target's left side."""
    x = max(30, LOOP_X - 8 * (n - 1))
    y1 = top + STEP_H // 2 + 10
    y2 = target_top + STEP_H // 2 - 10
    if target_top == top:  # back to itself (补正 → 受理)
        y1, y2 = top + STEP_H - 12, top + 12
    return (
        f'<path class="fc-loop" d="M{MAIN_X},{y1} H{x} V{y2} H{MAIN_X}" fill="none"'
        ' stroke="#36a" stroke-dasharray="5 3" marker-end="url(#fc-arrow)"/>'
        f'<text x="{x - 16}" y="{(y1 + y2) // 2 - 12}" font-size="12" fill="#36a"'
        f' writing-mode="tb">{escape(_fit(label, 6))}</text>'
    )


def _note(y: int, text: str) -> str:
    return (
        f'<text x="{MAIN_X + STEP_W // 2}" y="{y + 20}" text-anchor="middle"'
        f' fill="#777">{escape(text)}</text>'
    )


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
