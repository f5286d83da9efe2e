"""The national format of the annual report (国办公开办函〔2021〕30号) as data.

Tables 二 (主动公开), 三 (收到和处理政府信息公开申请) and 四 (行政复议、行政诉讼):
their rows and columns with stable codes and the format's Chinese labels; the
applicant types (the columns of table 三); the answer categories and reasons (its
rows), with the mapping of the older answer types onto them; and the tally of table
三 and 四 from plain facts about each request, so that every cell can name the
requests behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from domain.errors import InconsistentInputError, InvalidInputError


@dataclass(frozen=True)
class Line:
    """A row or a column of a table: a stable code and the format's label."""

    code: str
    label: str


def _lines(*pairs: tuple[str, str]) -> tuple[Line, ...]:
    return tuple(Line(c, label) for c, label in pairs)


# Applicant types: the columns of table 三 ------------------------------------------

APPLICANT_TYPES: tuple[Line, ...] = _lines(
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("public_interest", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
)
DEFAULT_APPLICANT_TYPE = "natural_person"
_APPLICANT_ALIASES = MappingProxyType(
    {"其他组织": "other_org", "法人或其他组织": "other_org", "个人": "natural_person"}
)


APPLICANT_TYPE_SPELLINGS = tuple(
    [t.code for t in APPLICANT_TYPES]
    + [t.label for t in APPLICANT_TYPES]
    + list(_APPLICANT_ALIASES)
)
"""Every text ``parse_applicant_type`` takes."""


def parse_applicant_type(text: str, field: str = "applicant_type") -> str:
    """The code of an applicant type given by code or Chinese column name."""
    key = text.strip() if isinstance(text, str) else ""
    for line in APPLICANT_TYPES:
        if key in (line.code, line.label):
            return line.code
    if key in _APPLICANT_ALIASES:
        return _APPLICANT_ALIASES[key]
    allowed = ", ".join(f"{t.code}/{t.label}" for t in APPLICANT_TYPES)
    raise InvalidInputError(
        f"unknown {field} {text!r}; use one of {allowed}", field=field
    )


# Answer categories and reasons: the result rows of table 三 --------------------------

CATEGORIES: tuple[Line, ...] = _lines(
    ("disclose", "予以公开"),
    ("partial", "部分公开"),
    ("refuse", "不予公开"),
    ("unable", "无法提供"),
    ("not_processed", "不予处理"),
    ("other", "其他处理"),
)
REASONS: Mapping[str, tuple[Line, ...]] = MappingProxyType(
    {
        "disclose": (),
        "partial": (),
        "refuse": _lines(
            ("state_secret", "属于国家秘密"),
            ("law_prohibits", "其他法律行政法规禁止公开"),
            ("three_safety", "危及“三安全一稳定”"),
            ("third_party", "保护第三方合法权益"),
            ("internal", "属于三类内部事务信息"),
            ("process", "属于四类过程性信息"),
            ("enforcement", "属于行政执法案卷"),
            ("inquiry", "属于行政查询事项"),
        ),
        "unable": _lines(
            ("not_held", "本机关不掌握相关政府信息"),
            ("needs_creation", "没有现成信息需要另行制作"),
            ("unclear", "补正后申请内容仍不明确"),
        ),
        "not_processed": _lines(
            ("petition", "信访举报投诉类申请"),
            ("duplicate", "重复申请"),
            ("publication", "要求提供公开出版物"),
            ("mass_repeat", "无正当理由大量反复申请"),
            ("confirm", "要求行政机关确认或重新出具已获取信息"),
        ),
        "other": _lines(
            (
                "no_correction",
                "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ),
            (
                "unpaid_fee",
                "申请人逾期未按收费通知要求缴纳费用、"
                "行政机关不再处理其政府信息公开申请",
            ),
            ("other", "其他"),
        ),
    }
)
# The older answer types, as (category, reason) of the format.
LEGACY_ANSWERS: Mapping[str, tuple[str, str | None]] = MappingProxyType(
    {
        "disclose": ("disclose", None),
        "partial": ("partial", None),
        "refuse": ("refuse", None),  # the reason is read from the legal ground
        "not_exist": ("unable", "not_held"),
        "not_held": ("unable", "not_held"),
        "duplicate": ("not_processed", "duplicate"),
    }
)
# Words of a legal ground that name a 不予公开 reason (for answers recorded before
# the reason was asked); anything else counts as 其他法律行政法规禁止公开.
_GROUND_WORDS: tuple[tuple[str, str], ...] = (
    ("国家秘密", "state_secret"),
    ("三安全一稳定", "three_safety"),
    ("国家安全", "three_safety"),
    ("第三方", "third_party"),
    ("商业秘密", "third_party"),
    ("个人隐私", "third_party"),
    ("内部事务", "internal"),
    ("过程性", "process"),
    ("行政执法案卷", "enforcement"),
    ("查询", "inquiry"),
)
FALLBACK_REFUSE_REASON = "law_prohibits"


def _find(lines: Iterable[Line], text: str) -> str | None:
    key = text.strip()
    for line in lines:
        if key in (line.code, line.label):
            return line.code
    return None


def parse_category(text: str, field: str = "answer") -> str:
    """A format category (code or label), or an older answer type's category."""
    found = _find(CATEGORIES, text) if isinstance(text, str) else None
    if found is not None:
        return found
    allowed = ", ".join(f"{c.code}/{c.label}" for c in CATEGORIES)
    raise InvalidInputError(
        f"unknown {field} {text!r}; use one of {allowed}", field=field
    )


def classify_answer(
    answer: str, reason: str | None, legal_ground: str | None = None
) -> tuple[str, str | None]:
    """(category, reason) of the format for an answer and its ``answer_reason``.

    ``answer`` is a category or an older answer type; a category with reasons needs
    one (an older type brings its own, and an older ``refuse`` reads it from the
    legal ground). Requires nothing else; raises InvalidInputError on a bad code.
    """
    if answer in LEGACY_ANSWERS and answer not in ("refuse",) and reason is None:
        return LEGACY_ANSWERS[answer]
    category = LEGACY_ANSWERS[answer][0] if answer in LEGACY_ANSWERS else None
    if category is None:
        category = parse_category(answer)
    reasons = REASONS[category]
    if not reasons:
        if reason is not None:
            raise InconsistentInputError(
                f"a {category} answer takes no answer_reason", field="answer_reason"
            )
        return category, None
    if reason is None:
        if category == "refuse" and answer == "refuse":
            return category, reason_from_ground(legal_ground)
        allowed = ", ".join(f"{r.code}/{r.label}" for r in reasons)
        raise InconsistentInputError(
            f"a {category} answer needs an answer_reason: one of {allowed}",
            field="answer_reason",
        )
    found = _find(reasons, reason)
    if found is None:
        allowed = ", ".join(f"{r.code}/{r.label}" for r in reasons)
        raise InconsistentInputError(
            f"unknown answer_reason {reason!r} for {category}; use one of {allowed}",
            field="answer_reason",
        )
    return category, found


def reason_from_ground(legal_ground: str | None) -> str:
    """The 不予公开 reason a legal ground names; the fallback if none."""
    text = legal_ground or ""
    for word, code in _GROUND_WORDS:
        if word in text:
            return code
    return FALLBACK_REFUSE_REASON


def result_code(category: str, reason: str | None) -> str:
    """The row code of a result: ``refuse.state_secret``, or ``disclose``."""
    return category if reason is None else f"{category}.{reason}"


# Table 三 --------------------------------------------------------------------------

APPLICATION_COLUMNS: tuple[Line, ...] = (*APPLICANT_TYPES, Line("total", "总计"))
_NUMERALS = "一二三四五六"


def _result_rows() -> tuple[Line, ...]:
    """The result rows with their own labels as the format prints them: a category
    without reasons is ``（一）予以公开``, a reason ``1.属于国家秘密`` (its category
    and the block ``三、本年度办理结果`` are groups: ``layout``)."""
    rows: list[Line] = []
    for i, cat in enumerate(CATEGORIES):
        reasons = REASONS[cat.code]
        if not reasons:
            rows.append(Line(cat.code, category_label(i)))
        for n, r in enumerate(reasons, start=1):
            rows.append(Line(f"{cat.code}.{r.code}", f"{n}.{r.label}"))
    return tuple(rows)


def category_label(i: int) -> str:
    """``（三）不予公开``: the ``i``-th category as the format numbers it."""
    head = f"（{_NUMERALS[i]}）{CATEGORIES[i].label}"
    if CATEGORIES[i].code == "partial":
        head += "（区分处理的，只计这一情形，不计其他情形）"
    return head


RESULT_ROWS: tuple[Line, ...] = _result_rows()
APPLICATION_ROWS: tuple[Line, ...] = (
    Line("new", "一、本年新收政府信息公开申请数量"),
    Line("carried_in", "二、上年结转政府信息公开申请数量"),
    *RESULT_ROWS,
    Line("results_total", "（七）总计"),
    Line("carried_out", "四、结转下年度继续办理"),
)


# Table 四 --------------------------------------------------------------------------

ROUTES: tuple[Line, ...] = _lines(
    ("review", "行政复议"),
    ("lawsuit_direct", "行政诉讼 未经复议直接起诉"),
    ("lawsuit_after_review", "行政诉讼 复议后起诉"),
)
OUTCOMES: tuple[Line, ...] = _lines(
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
)
CHALLENGE_COLUMNS: tuple[Line, ...] = (*OUTCOMES, Line("total", "总计"))
_ROUTE_ALIASES = MappingProxyType(
    {"直接起诉": "lawsuit_direct", "复议后起诉": "lawsuit_after_review"}
)
_OUTCOME_ALIASES = MappingProxyType(
    {"维持": "upheld", "纠正": "corrected", "其他": "other"}
)


ROUTE_SPELLINGS = tuple(
    [r.code for r in ROUTES] + [r.label for r in ROUTES] + list(_ROUTE_ALIASES)
)
OUTCOME_SPELLINGS = tuple(
    [o.code for o in OUTCOMES[:3]]
    + [o.label for o in OUTCOMES[:3]]
    + list(_OUTCOME_ALIASES)
)


def parse_route(text: str, field: str = "route") -> str:
    """A challenge route by code or label (行政复议, 直接起诉, 复议后起诉)."""
    found = _find(ROUTES, text) if isinstance(text, str) else None
    found = found or _ROUTE_ALIASES.get(text.strip() if isinstance(text, str) else "")
    if found is None:
        allowed = ", ".join(f"{r.code}/{r.label}" for r in ROUTES)
        raise InvalidInputError(f"unknown {field} {text!r}; use {allowed}", field=field)
    return found


def parse_outcome(text: str, field: str = "outcome") -> str:
    """A decided outcome (维持, 纠正, 其他); 尚未审结 is the absence of one."""
    key = text.strip() if isinstance(text, str) else ""
    found = _find(OUTCOMES[:3], key) or _OUTCOME_ALIASES.get(key)
    if found is None:
        allowed = ", ".join(f"{o.code}/{o.label}" for o in OUTCOMES[:3])
        raise InvalidInputError(f"unknown {field} {text!r}; use {allowed}", field=field)
    return found


# Table 二 --------------------------------------------------------------------------

PROACTIVE_ROWS: tuple[Line, ...] = _lines(
    ("rules", "规章"),
    ("normative", "行政规范性文件"),
    ("licensing", "行政许可"),
    ("punishment", "行政处罚"),
    ("coercion", "行政强制"),
    ("fees", "行政事业性收费"),
)
# The four parts of table 二, each under its item of 条例第二十条 with its own
# header row: (code, the item, the rows in it).
PROACTIVE_SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("item_1", "第二十条第（一）项", ("rules", "normative")),
    ("item_5", "第二十条第（五）项", ("licensing",)),
    ("item_6", "第二十条第（六）项", ("punishment", "coercion")),
    ("item_8", "第二十条第（八）项", ("fees",)),
)
PROACTIVE_COLUMNS: Mapping[str, tuple[Line, ...]] = MappingProxyType(
    {
        "rules": _lines(
            ("made", "本年制发件数"),
            ("repealed", "本年废止件数"),
            ("in_force", "现行有效件数"),
        ),
        "normative": _lines(
            ("made", "本年制发件数"),
            ("repealed", "本年废止件数"),
            ("in_force", "现行有效件数"),
        ),
        "licensing": _lines(("decisions", "本年处理决定数量")),
        "punishment": _lines(("decisions", "本年处理决定数量")),
        "coercion": _lines(("decisions", "本年处理决定数量")),
        "fees": _lines(("amount", "本年收费金额（单位：万元）")),
    }
)
PROACTIVE_INPUTS: frozenset[str] = frozenset(
    f"{row}.{col.code}" for row, cols in PROACTIVE_COLUMNS.items() for col in cols
)
SECTIONS: Mapping[int, str] = MappingProxyType(
    {
        1: "一、总体情况",
        2: "二、主动公开政府信息情况",
        3: "三、收到和处理政府信息公开申请情况",
        4: "四、政府信息公开行政复议、行政诉讼情况",
        5: "五、存在的主要问题及改进情况",
        6: "六、其他需要报告的事项",
    }
)
WRITTEN_SECTIONS = (1, 5, 6)


# Tallies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFacts:
    """A disclosure request as it stood at the report's moment."""

    ref: str
    applicant_type: str
    received_on: date
    resolved_on: date | None
    category: str | None
    reason: str | None


@dataclass(frozen=True)
class ChallengeFacts:
    """A review or lawsuit against a request's decision, as it stood."""

    ref: str
    route: str
    filed_on: date
    outcome: str | None
    decided_on: date | None


@dataclass
class Table:
    """Cells keyed by row and column code, each with the refs behind it."""

    rows: tuple[Line, ...]
    columns: tuple[Line, ...]
    refs: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, row: str, column: str, ref: str) -> None:
        self.refs.setdefault((row, column), []).append(ref)
        self.refs.setdefault((row, "total"), []).append(ref)

    def cell(self, row: str, column: str) -> int:
        return len(self.refs.get((row, column), []))


def applications_table(
    requests: Iterable[RequestFacts], year_start: date, cut: date
) -> Table:
    """Table 三 for the period from ``year_start`` to ``cut`` (inclusive).

    New: received in the period. Carried in: received before and not resolved
    before it. A result: resolved in the period. Carried out: received by ``cut``
    and not resolved by then. So new + carried in = results + carried out.
    """
    table = Table(APPLICATION_ROWS, APPLICATION_COLUMNS)
    for r in requests:
        if r.received_on > cut:
            continue
        before = r.received_on < year_start
        if before and r.resolved_on is not None and r.resolved_on < year_start:
            continue
        col = r.applicant_type
        table.add("carried_in" if before else "new", col, r.ref)
        if r.resolved_on is not None and r.resolved_on <= cut and r.category:
            table.add(result_code(r.category, r.reason), col, r.ref)
            table.add("results_total", col, r.ref)
        else:
            table.add("carried_out", col, r.ref)
    return table


def challenges_table(
    challenges: Iterable[ChallengeFacts], year_start: date, cut: date
) -> Table:
    """Table 四: reviews and lawsuits filed in the period, by outcome at ``cut``."""
    table = Table(ROUTES, CHALLENGE_COLUMNS)
    for c in challenges:
        if not year_start <= c.filed_on <= cut:
            continue
        outcome = "pending"
        if c.outcome is not None and c.decided_on is not None and c.decided_on <= cut:
            outcome = c.outcome
        table.add(c.route, outcome, c.ref)
    return table


# Table 二's rows by their short names, for the catalogue's 年报项目 column: a
# catalogue entry naming a row counts its disclosures as 本年制发 (or decisions).
PROACTIVE_ITEMS: Mapping[str, str] = MappingProxyType(
    {row.code: row.label for row in PROACTIVE_ROWS}
)
ANNUAL_REPORT_CATEGORY = "common.annual-report"
