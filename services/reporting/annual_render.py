"""The annual report laid out as the national format's tables: text (the body of
the published disclosure), HTML (each number links to the events behind it) and PDF
(fpdf2 with the CJK font the project installs, as ``services.reporting.pdf``)."""

from __future__ import annotations

import html
from typing import Any

from fpdf import FPDF, FontFace

from services.core.display import PRINT_CSS, china_minute
from services.reporting.pdf import LATIN_FONT, cjk_font

Report = dict[str, Any]


def title_of(report: Report) -> str:
    return f"{report['name']}{report['year']}年政府信息公开工作年度报告"


def moment_line(report: Report) -> str:
    """截至 2026-12-06 19:56（北京时间），以 2026-12-06 19:56 时的记录为准."""
    return (
        f"截至 {china_minute(report['as_of'])}（北京时间），"
        f"以 {china_minute(report['known_at'])} 时的记录为准"
    )


def _number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return str(int(value))


def _grid(table: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of table 三 or 四 as text."""
    columns = table["columns"]
    head = ["", *[c["label"] for c in columns]]
    rows = [
        [row["label"], *[_number(row["cells"][c["code"]]) for c in columns]]
        for row in table["rows"]
    ]
    return head, rows


def _proactive(table: dict[str, Any]) -> list[list[str]]:
    return [
        [
            row["label"],
            "；".join(
                f"{c['label']} {_number(row['cells'][c['code']])}"
                for c in row["columns"]
            ),
        ]
        for row in table["rows"]
    ]


def report_text(report: Report) -> str:
    """Plain text: the sections with the tables written out line by line."""
    out = [title_of(report), ""]
    tables = report["tables"]
    for n, section in report["sections"].items():
        out.append(section["title"])
        if n == "2":
            out += ["  " + "：".join(r) for r in _proactive(tables["proactive"])]
        elif n in ("3", "4"):
            name = "applications" if n == "3" else "reviews_lawsuits"
            head, rows = _grid(tables[name])
            out.append("  " + " | ".join(head[1:]))
            out += [f"  {r[0]}：" + " | ".join(r[1:]) for r in rows]
        else:
            if n == "6":
                out += ["  " + line for line in suggestion_lines(tables)]
            out.append(section["text"] or "（待填写）")
        out.append("")
    return "\n".join(out)


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
    """The report as a page; a number links to the case, challenge or disclosure
    behind it (a cell of several lists them in its title), an input to its draft."""
    e = html.escape
    path = report["tenant"]
    tables = report["tables"]
    parts: list[str] = []

    def cell(row: dict[str, Any], code: str, kind: str) -> str:
        value = _number(row["cells"].get(code))
        refs = row.get("refs", {}).get(code, [])
        if not refs:
            return f"<td>{e(value)}</td>"
        href = f"/v1/tenants/{e(path)}/{kind}/{e(refs[0])}"
        all_refs = e(" ".join(refs))
        return f'<td><a href="{href}" title="{all_refs}">{e(value)}</a></td>'

    def grid(name: str, kind: str, caption: str) -> str:
        table = tables[name]
        cols = table["columns"]
        head = "".join(f'<th scope="col">{e(c["label"])}</th>' for c in cols)
        body = "".join(
            f'<tr><th scope="row">{e(r["label"])}</th>'
            + "".join(cell(r, c["code"], kind) for c in cols)
            + "</tr>"
            for r in table["rows"]
        )
        return (
            f"<table><caption>{e(caption)}</caption><thead><tr><th></th>{head}"
            f"</tr></thead><tbody>{body}</tbody></table>"
        )

    for n, section in report["sections"].items():
        parts.append(f"<h2>{e(section['title'])}</h2>")
        if n == "2":
            rows = []
            for r in tables["proactive"]["rows"]:
                cells = []
                for c in r["columns"]:
                    source = r["sources"][c["code"]]
                    mark = {"input": "（填报）", "missing": "（待填报）"}.get(
                        source, ""
                    )
                    link = cell(r, c["code"], "disclosures")
                    cells.append(f"{e(c['label'])} {link}{mark}")
                rows.append(
                    f'<tr><th scope="row">{e(r["label"])}</th>'
                    f"<td><table><tr>{''.join(cells)}</tr></table></td></tr>"
                )
            parts.append(
                "<table><caption>主动公开政府信息情况</caption>"
                + "".join(rows)
                + "</table>"
            )
        elif n == "3":
            parts.append(
                grid("applications", "cases", "收到和处理政府信息公开申请情况")
            )
        elif n == "4":
            parts.append(
                grid("reviews_lawsuits", "challenges", "行政复议、行政诉讼情况")
            )
        else:
            if n == "6":
                parts += [f"<p>{e(t)}</p>" for t in suggestion_lines(tables)]
            parts.append(f"<p>{e(section['text'] or '（待填写）')}</p>")
    moment = moment_line(report)
    json_link = f"/v1/tenants/{e(path)}/annual-reports/{report['year']}?format=json"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{e(title_of(report))}</title>
<link rel="stylesheet" href="{PRINT_CSS}"></head><body>
<h1>{e(title_of(report))}</h1>
<p>{e(moment)}。<a href="{json_link}">JSON</a></p>
{"".join(parts)}
</body></html>"""


def report_pdf(report: Report) -> bytes:
    """A4 landscape, the tables of the national format with borders."""
    font = cjk_font()
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(title_of(report))
    pdf.add_font("latin", fname=str(LATIN_FONT))
    pdf.add_font("cjk", fname=str(font))
    pdf.set_fallback_fonts(["cjk"])
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()

    def line(text: str, size: float = 10, height: float = 6) -> None:
        pdf.set_font("latin", size=size)
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    def grid(head: list[str], rows: list[list[str]], first: float) -> None:
        pdf.set_font("latin", size=7)
        width = (pdf.epw - first) / max(1, len(head) - 1)
        widths = (first, *[width] * (len(head) - 1))
        with pdf.table(
            col_widths=widths,
            text_align="CENTER",
            line_height=4.5,
            headings_style=FontFace(emphasis=None),
        ) as t:
            for values in [head, *rows]:
                r = t.row()
                for v in values:
                    r.cell(v)

    line(title_of(report), size=16, height=10)
    line(moment_line(report), size=8)
    tables = report["tables"]
    for n, section in report["sections"].items():
        line(section["title"], size=12, height=8)
        if n == "2":
            grid(["信息内容", "数量"], _proactive(tables["proactive"]), 90)
        elif n in ("3", "4"):
            name = "applications" if n == "3" else "reviews_lawsuits"
            head, rows = _grid(tables[name])
            grid(head, rows, 110 if n == "3" else 70)
        else:
            if n == "6":
                for text in suggestion_lines(tables):
                    line(text)
            line(section["text"] or "（待填写）")
    return bytes(pdf.output())


__all__ = ["moment_line", "report_html", "report_pdf", "report_text", "title_of"]
