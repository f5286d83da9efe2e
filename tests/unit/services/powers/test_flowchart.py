"""The flowchart SVG drawn from a branching process: well-formed, named for screen
readers, a box per step, a side exit per ending branch and a loop per return."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from domain.powers.process import Branch, Step
from services.demo.power_data import scenic_power_listing
from services.powers.flowchart import render_flowchart

SVG = "{http://www.w3.org/2000/svg}"


def test_a_branching_process_draws_its_exits_and_its_loops() -> None:
    licence = scenic_power_listing().powers[0]
    tree = ET.fromstring(render_flowchart(licence))
    assert tree.get("role") == "img"
    assert tree.findtext(f"{SVG}title") == f"{licence.name}运行流程图"
    desc = tree.findtext(f"{SVG}desc") or ""
    assert desc.startswith(
        "受理（窗口受理岗，1 个工作日），补正则返回受理，不予受理则办结"
    )
    groups = tree.iter(f"{SVG}g")
    steps = [g for g in groups if g.get("class") == "fc-step"]
    assert len(steps) == len(licence.process) == 4
    exits = [r for r in tree.iter(f"{SVG}rect") if r.get("class") == "fc-branch"]
    loops = [p for p in tree.iter(f"{SVG}path") if p.get("class") == "fc-loop"]
    assert (len(exits), len(loops)) == (2, 1)


def test_text_is_escaped_and_an_empty_process_says_so() -> None:
    licence = scenic_power_listing().powers[0]
    odd = replace(
        licence,
        name="<script>",
        process=(Step("受理", "A&B", 1, (Branch("补正", "受理"),)),),
    )
    text = render_flowchart(odd)
    assert "<script>" not in text
    assert "A&amp;B" in text
    ET.fromstring(text)
    assert "尚未登记运行流程" in render_flowchart(replace(licence, process=()))
