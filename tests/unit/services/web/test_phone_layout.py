"""At phone width 首页's overview is a card per unit whose figures take their labels
from the stylesheet (the template is not touched): those labels must be the table's
column headers, in order, or a card would call a figure by another's name."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).parents[4] / "services" / "web"


def test_the_overview_cards_label_each_figure_with_its_column_header() -> None:
    template = (WEB / "templates" / "_overview_table.html").read_text(encoding="utf-8")
    head = template[template.index("<thead>") : template.index("</thead>")]
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', head)
    assert headers[0] == "单位"  # the row's own header, the card's title
    css = (WEB / "static" / "gongkai.css").read_text(encoding="utf-8")
    rule = r'table\.overview td:nth-of-type\((\d+)\)::before \{ content: "([^"]+)"; \}'
    labels = dict(re.findall(rule, css))
    assert [labels.get(str(n)) for n in range(1, len(headers))] == headers[1:]
    assert len(labels) == len(headers) - 1
