"""How answers show codes and moments: Chinese labels beside codes, China time.

One place for both, so every route says them the same way:

- every moment is RFC 3339 with the China offset (``2026-03-02T10:00:00+08:00``):
  ``ChinaJSONResponse`` (the app's default response class) rewrites every UTC
  date-time text in an answer, whether it came from a pydantic model or a view row
  (as ``domain.timeliness.in_china_time``, which the printed reports use too);
- every code has its Chinese ``*_label`` beside it and every tenant path its ``name``:
  ``labelled`` adds them to a row from a view.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import orjson
from fastapi.responses import JSONResponse

from domain.cases.rules import (
    LABELS,
    Action,
    CaseKind,
    CaseState,
    IntakeChannel,
    Rating,
)
from domain.disclosures.catalogue import Channel
from domain.timeliness import SHANGHAI, china_time

# A JSON string that is a UTC moment. It is a whole value (converted) when its
# opening quote follows ``:``, ``[``, ``,`` or nothing and its closing quote comes
# before ``,``, ``}``, ``]`` or the end (a key is followed by ``:``); a quote inside
# a string is escaped, so such a match is the entire string.
_UTC_STRING = re.compile(
    rb'"(\d{4}-\d{2}-\d{2}T\d{2})(:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:Z|\+00:00)"'
    rb"(?=[,}\]]|$)"
)
_VALUE_STARTS = frozenset(b":[,")


@functools.lru_cache(maxsize=4096)
def _china_hour(utc_hour: bytes) -> bytes:
    """``YYYY-MM-DDTHH`` in UTC as the same hour in China time (UTC+8, no DST)."""
    moment = datetime.fromisoformat(utc_hour.decode() + ":00:00+00:00")
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H").encode()


def _china_value(match: re.Match[bytes]) -> bytes:
    start = match.start()
    if start and match.string[start - 1] not in _VALUE_STARTS:
        return match.group(0)  # inside a longer string
    hour, rest, fraction = match.groups()
    out = b'"' + _china_hour(hour) + rest
    if fraction and fraction.strip(b"0"):
        out += b"." + fraction.ljust(6, b"0")
    return out + b'+08:00"'


def _china_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return china_time(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def china_json(content: Any) -> bytes:
    """``content`` as compact UTF-8 JSON with every UTC moment in China time: the
    same answer as ``json.dumps(in_china_time(content))``, in about a tenth of the
    time (a list of 50 items: ~3.5 ms before, on the event loop of the API)."""
    body = orjson.dumps(
        content,
        default=_china_default,
        option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS,
    )
    return _UTC_STRING.sub(_china_value, body)


class ChinaJSONResponse(JSONResponse):
    """JSON whose moments are all in China time (+08:00)."""

    def render(self, content: Any) -> bytes:
        return china_json(content)


# Labels ------------------------------------------------------------------------------

EVENT_LABELS: Mapping[str, str] = {
    # cases
    "Filed": "登记",
    "MaterialsRequested": "补正/补充材料",
    "MaterialsProvided": "材料补齐",
    "Accepted": "受理",
    "Rejected": "不予受理",
    "Assigned": "交办",
    "Transferred": "转办",
    "Split": "分办",
    "ChildResolved": "分办件办结",
    "Supervised": "督办",
    "ConsultationStarted": "征求意见",
    "ConsultationEnded": "征求意见结束",
    "Extended": "延期",
    "Resolved": "办结",
    "Replied": "回复",
    "FeedbackGiven": "评价",
    "Closed": "结案",
    "Reopened": "重新办理",
    "Erased": "删除个人信息",
    "PowerNamed": "对应权责清单事项",
    "ProposerMet": "见面沟通",
    # disclosures
    "published": "发布",
    "revised": "更正",
    "withdrawn": "撤回",
}
STATUS_LABELS: Mapping[str, str] = {
    "covered": "已公开",
    "missing": "未公开",
    "overdue": "逾期未更新",
    "published": "已发布",
    "revised": "已更正",
    "withdrawn": "已撤回",
}
LEVEL_LABELS: Mapping[str, str] = {
    "county": "县",
    "town": "镇(乡)",
    "village": "村",
    "unit": "单位",
}


def _enum_label(cls: type[Any]) -> Callable[[str], str | None]:
    labels = {m.value: text for m, text in LABELS[cls].items()}
    return labels.get


def _channel_label(code: str) -> str | None:
    try:
        return IntakeChannel(code).label
    except ValueError:
        try:
            return Channel(code).label
        except ValueError:
            return None


CODE_LABELS: Mapping[str, Callable[[str], str | None]] = {
    "state": _enum_label(CaseState),
    "kind": _enum_label(CaseKind),
    "channel": _channel_label,
    "rating": _enum_label(Rating),
    "event": EVENT_LABELS.get,
    "status": STATUS_LABELS.get,
    "level": LEVEL_LABELS.get,
}
ACTION_LABELS = _enum_label(Action)


def label(key: str, code: str | None) -> str | None:
    """The Chinese label of ``code`` as the value of field ``key``; None if unknown."""
    if code is None:
        return None
    find = CODE_LABELS.get(key)
    return find(code) if find else None


def labelled(
    row: Mapping[str, Any],
    *,
    names: Mapping[str, str] | None = None,
    categories: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``row`` with ``<code>_label`` beside each code it knows, ``category_label``
    from ``categories`` and ``tenant_name`` from ``names`` (path → Chinese name)."""
    out = dict(row)
    for key in CODE_LABELS:
        if key in row and isinstance(row[key], str | None):
            out[f"{key}_label"] = label(key, row[key])
    if "allowed_actions" in row and isinstance(row["allowed_actions"], list):
        out["allowed_action_labels"] = [
            ACTION_LABELS(a) for a in row["allowed_actions"]
        ]
    if categories is not None and "category" in row:
        out["category_label"] = categories.get(row["category"] or "")
    if names is not None and "tenant" in row:
        out["tenant_name"] = names.get(row["tenant"])
    return out
