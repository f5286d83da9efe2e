"""A 公文 as GB/T 9704-2012 lays it out: its elements, in the order of the standard.

One value holds every element the platform fills in; the screen (HTML) and the print
(PDF) forms are drawn from it by services/documents/official_render.py with the
measures below, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# GB/T 9704-2012 5.2: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm (so the
# right margin is 26 mm and the bottom 35 mm).
PAGE_W, PAGE_H = 210.0, 297.0
TOP, LEFT = 37.0, 28.0
TYPE_W, TYPE_H = 156.0, 225.0
# 7.2.3: the 发文机关标志's upper edge 35 mm below the 版心's; 7.2.5: the red
# separator 4 mm under the 发文字号.
MARK_DROP, RULE_GAP = 35.0, 4.0
# 字号 in points (5.2.1 and 7.x): 2号 = 22 pt (标题), 3号 = 16 pt (正文),
# 4号 = 14 pt (版记, 页码); a line of 28 characters, 22 lines a page.
TITLE_PT, BODY_PT, NOTE_PT = 22.0, 16.0, 14.0
LINE_MM = TYPE_H / 22
RED = (230, 0, 18)


@dataclass(frozen=True)
class Attachment:
    """附件: its title (named in the 附件说明) and a table."""

    title: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class OfficialDocument:
    """The elements of one 公文 (GB/T 9704-2012 §7), as the reader sees them: names,
    labels and the 文号, never ids or codes."""

    issuer: str  # 发文机关 (its full name: 署名, and the 标志 with 文件)
    wenhao: str | None  # 发文字号; None while not issued (a draft)
    title: str
    addressees: list[str]  # 主送机关
    body: list[str]  # 正文, one paragraph each
    dated: date  # 成文日期
    attachments: list[Attachment] = field(default_factory=list)
    copies_to: list[str] = field(default_factory=list)  # 抄送机关
    printed_by: str = ""  # 印发机关 (the issuer's office)
    printed_on: date | None = None  # 印发日期
    voided: str | None = None  # 作废的原因: the document stays, marked

    @property
    def mark(self) -> str:
        """发文机关标志: the issuer's name followed by 文件 (7.2.3)."""
        return f"{self.issuer}文件"
