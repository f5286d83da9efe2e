"""Labels and China time: the one place every answer takes them from."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from domain.timeliness import china_text, china_time, in_china_time
from services.api.export import cell
from services.api.present import china_json, labelled


def test_every_utc_moment_reads_in_china_time_and_other_text_is_left_alone() -> None:
    assert china_text("2026-03-02T02:00:00.000000+00:00") == "2026-03-02T10:00:00+08:00"
    assert china_text("2026-03-01T17:30:00.5Z") == "2026-03-02T01:30:00.500000+08:00"
    assert china_text("2026-03-02") == "2026-03-02"
    assert (
        china_text("景区停车场 2026-03-02T02:00:00Z")
        == "景区停车场 2026-03-02T02:00:00Z"
    )
    assert (
        china_time(datetime(2026, 3, 2, 2, tzinfo=UTC)) == "2026-03-02T10:00:00+08:00"
    )
    nested = {"a": [{"recorded_at": "2026-03-02T02:00:00+00:00"}], "n": 3}
    assert in_china_time(nested) == {
        "a": [{"recorded_at": "2026-03-02T10:00:00+08:00"}],
        "n": 3,
    }


def test_codes_get_chinese_labels_and_tenants_their_names() -> None:
    row = {
        "tenant": "xinhe.ysfjq",
        "kind": "complaint",
        "channel": "mailbox",
        "state": "closed",
        "rating": "basically_satisfied",
        "event": "Replied",
        "category": "svc.x",
        "allowed_actions": ["reopen"],
    }
    out = labelled(
        row,
        names={"xinhe.ysfjq": "玉佛山风景名胜区管理处"},
        categories={"svc.x": "某事项"},
    )
    assert out["kind_label"] == "投诉"
    assert out["channel_label"] == "市长信箱"
    assert out["state_label"] == "已结案"
    assert out["rating_label"] == "基本满意"
    assert out["event_label"] == "回复"
    assert out["category_label"] == "某事项"
    assert out["tenant_name"] == "玉佛山风景名胜区管理处"
    assert out["allowed_action_labels"] == ["重新办理"]
    assert labelled({"channel": "notice_board"})["channel_label"] == "公开栏"


def test_export_cells_are_numbers_or_text_excel_reads() -> None:
    assert cell(True) == "是"
    assert cell(None) == ""
    assert cell(3) == 3
    assert cell(["公开栏", "网站"]) == "公开栏、网站"
    # People read China time to the minute; the JSON keeps RFC 3339 (china_json).
    assert cell("2026-03-02T02:00:00+00:00") == "2026-03-02 10:00"
    assert cell("2026-03-02") == "2026-03-02"


MOMENTS = st.builds(
    lambda d, micro, z: (d.replace(microsecond=micro)).isoformat() + z,
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9998, 12, 30)),
    st.sampled_from([0, 5, 123456]),
    st.sampled_from(["Z", "+00:00", "", "+08:00"]),
)
TEXTS = st.one_of(
    MOMENTS,
    st.text(),
    st.builds(lambda m, t: f'{t}"{m}"{t}', MOMENTS, st.text(max_size=3)),
)
JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**62), 2**62), TEXTS),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(TEXTS, inner, max_size=4),
    ),
    max_leaves=20,
)


@given(JSONISH)
def test_the_fast_json_says_what_the_walk_says(content: object) -> None:
    """Every UTC moment value (not key) in China time, everything else as it was."""
    assert json.loads(china_json(content)) == in_china_time(content)


def test_moment_objects_and_naive_ones_read_in_china_time() -> None:
    out = json.loads(china_json({"at": datetime(2026, 3, 2, 2), "n": (1, 2)}))
    assert out == {"at": "2026-03-02T10:00:00+08:00", "n": [1, 2]}
    assert json.loads(china_json("2026-03-02T02:00:00Z")) == "2026-03-02T10:00:00+08:00"
