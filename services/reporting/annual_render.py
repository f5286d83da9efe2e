"""The annual report laid out as the national format's tables: text (the body of
the published disclosure) and HTML (each number links to the events behind it),
both drawn from the grids of ``annual_grid`` as the PDF (``annual_pdf``) and the
workbook (``annual_xlsx``) are."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from domain.reporting.publication import DRAFT_MARK, LATE_MARK, deadline_text
from services.core.display import PRINT_CSS, china_minute
from services.reporting.annual_grid import Cell, Grid, grids, text_lines

Report = dict[str, Any]


def title_of(report: Report) -> str:
    return f"{report['name']}{report['year']}年政府信息公开工作年度报告"


def moment_line(report: Report) -> str:
    """截至 2026-12-06 19:56（北京时间），以 2026-12-06 19:56 时的记录为准."""
    return (
        f"截至 {china_minute(report['as_of'])}（北京时间），"
        f"以 {china_minute(report['known_at'])} 时的记录为准"
    )


def status_lines(report: Report) -> list[str]:
    """草稿 (until published), the statutory deadline, and 逾期发布 if it was."""
    lines = []
    if report["status"] != "published":
        start = report["publishable_from"]
        lines.append(f"{DRAFT_MARK}：尚未发布（{start[:4]}年1月1日起方可发布）")
    lines.append(deadline_text(date.fromisoformat(report["deadline"]["on"])))
    if report["late"]:
        lines.append(
            f"{LATE_MARK}：首次发布于 {china_minute(report['published']['first_on'])}"
        )
    return lines


def report_text(report: Report) -> str:
    """Plain text (the published disclosure's body): the sections, each table
    written row by row as its grid, cells joined by `` | ``."""
    out = [title_of(report), *status_lines(report), ""]
    tables = grids(report)
    for n, section in report["sections"].items():
        out.append(section["title"])
        if n in tables:
            out += ["  " + line for line in text_lines(tables[n])]
        else:
            if n == "6":
                out += ["  " + line for line in suggestion_lines(report["tables"])]
            out.append(section["text"] or "（待填写）")
        out.append("")
    return "\n".join(out)


_KINDS = {"2": "disclosures", "3": "cases", "4": "challenges"}
_CAPTIONS = {
    "2": "主动公开政府信息情况",
    "3": "收到和处理政府信息公开申请情况",
    "4": "政府信息公开行政复议、行政诉讼情况",
}


def _html_grid(grid: Grid, path: str, kind: str, caption: str) -> str:
    """A grid as an HTML table; a figure links to the first event behind it (all
    ids in its title), a figure nobody recorded says so in its title."""
    e = html.escape

    def td(cell: Cell, tag: str) -> str:
        span = "".join(
            f' {name}="{n}"'
            for name, n in (("colspan", cell.colspan), ("rowspan", cell.rowspan))
            if n > 1
        )
        if cell.head:
            return f"<{tag}{span}>{e(cell.text)}</{tag}>"
        if cell.refs:
            href = f"/v1/tenants/{e(path)}/{kind}/{e(cell.refs[0])}"
            link = f'<a href="{href}" title="{e(" ".join(cell.refs))}">'
            return f"<td{span}>{link}{e(cell.text)}</a></td>"
        note = {"input": "填报", "missing": "未填报，按0计"}.get(cell.source)
        title = f' title="{note}"' if note else ""
        return f"<td{span}{title}>{e(cell.text)}</td>"

    head = "".join(
        "<tr>" + "".join(td(c, "th") for c in row) + "</tr>"
        for row in grid.rows[: grid.header_rows]
    )
    body = "".join(
        "<tr>" + "".join(td(c, "th") for c in row) + "</tr>"
        for row in grid.rows[grid.header_rows :]
    )
    thead = f"<thead>{head}</thead>" if head else ""
    return (
        f'<table class="format"><caption>{e(caption)}</caption>{thead}'
        f"<tbody>{body}</tbody></table>"
    )


SUGGESTION_RATES = {
    "meeting_rate": "见面率",
    "reply_rate": "答复率",
    "satisfaction_rate": "满意率",
}


def suggestion_lines(tables: dict[str, Any]) -> list[str]:
    """Section 六's 建议提案 figures (none when there were none): 办理人大代表建议和
    政协委员提案N件, then each rate with its numerator and denominator."""
    found = tables.get("suggestions") or {}
    if not found.get("received"):
        return []
    out = [f"办理人大代表建议和政协委员提案{found['received']}件。"]
    for key, name in SUGGESTION_RATES.items():
        rate = found[key]
        value = rate["value"]
        shown = "—" if value is None else f"{value * 100:.1f}%"
        out.append(f"{name}{shown}（{rate['numerator']}/{rate['denominator']}）")
    return out


def report_html(report: Report) -> str:
    """The report as a page laid out as the format's tables; a number links to the
    case, challenge or disclosure behind it. Until published it says 草稿 on every
    printed page (a fixed mark, which print repeats)."""
    e = html.escape
    path = report["tenant"]
    tables = grids(report)
    parts: list[str] = []
    for n, section in report["sections"].items():
        parts.append(f"<h2>{e(section['title'])}</h2>")
        if n in tables:
            parts.append(_html_grid(tables[n], path, _KINDS[n], _CAPTIONS[n]))
        else:
            if n == "6":
                parts += [f"<p>{e(t)}</p>" for t in suggestion_lines(report["tables"])]
            parts.append(f"<p>{e(section['text'] or '（待填写）')}</p>")
    moment = moment_line(report)
    json_link = f"/v1/tenants/{e(path)}/annual-reports/{report['year']}?format=json"
    draft = report["status"] != "published"
    mark = f'<div class="draft-mark">{DRAFT_MARK}</div>' if draft else ""
    status = "".join(
        f'<p class="report-status">{e(line)}</p>' for line in status_lines(report)
    )
    title = title_of(report) + (f"（{DRAFT_MARK}）" if draft else "")
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{e(title)}</title>
<link rel="stylesheet" href="{PRINT_CSS}"></head><body class="annual-report">
{mark}<h1>{e(title_of(report))}</h1>
{status}<p>{e(moment)}。<a href="{json_link}">JSON</a></p>
{"".join(parts)}
</body></html>"""


__all__ = [
    "moment_line",
    "report_html",
    "report_text",
    "status_lines",
    "suggestion_lines",
    "title_of",
]
