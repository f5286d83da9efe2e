"""The Disclosure aggregate: publish, revise and withdraw, and the events they emit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.disclosures.disclosure import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    MAX_BODY_LENGTH,
    MAX_TITLE_LENGTH,
    Attachment,
    Disclosure,
)
from domain.errors import (
    AlreadyWithdrawnError,
    InvalidDateError,
    InvalidInputError,
    ReasonRequiredError,
    UnknownChannelError,
)
from domain.timeliness import Backdating, disclosure_timeliness
from domain.workdays import WorkingDayCalendar

TENANT = "xinhe.tahe"
ACTOR = {"id": "clerk-1", "tenant": TENANT, "roles": "clerk"}
WHEN = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
FORMED = date(2026, 2, 10)
PUBLISHED = date(2026, 3, 2)
ON_TIME = Backdating(working_days=0, reason=None)
DIGEST = "ab" * 32


def payload(event: object) -> dict[str, Any]:
    """The fields an event carries."""
    return dict(vars(event))


def names(events: Sequence[object]) -> list[str]:
    return [type(e).__name__ for e in events]


def publish(**overrides: Any) -> Disclosure:
    fields: dict[str, Any] = {
        "tenant": TENANT,
        "category": "common.finance",
        "title": "2026年一季度财务收支",
        "body": "收入……支出……",
        "channels": ["notice_board"],
        "formed_on": FORMED,
        "published_on": PUBLISHED,
        "attachments": (),
        "backdating": ON_TIME,
        "actor": ACTOR,
        "effective_at": WHEN,
    }
    fields.update(overrides)
    fields.setdefault(
        "timeliness",
        disclosure_timeliness(
            fields["formed_on"], fields["published_on"], WorkingDayCalendar()
        ),
    )
    return Disclosure.publish(**fields)


def revise(disclosure: Disclosure, reason: str = "数字有误", **changes: Any) -> None:
    fields: dict[str, Any] = {
        "title": None,
        "body": None,
        "channels": None,
        "category": None,
        "attachments": None,
    }
    fields.update(changes)
    disclosure.revise(
        reason=reason,
        backdating=ON_TIME,
        actor=ACTOR,
        effective_at=LATER,
        **fields,
    )


def withdraw(disclosure: Disclosure, reason: str = "信息有误") -> None:
    disclosure.withdraw(
        reason=reason, backdating=ON_TIME, actor=ACTOR, effective_at=LATER
    )


@pytest.fixture
def published() -> Disclosure:
    """A published item whose Published event was already saved."""
    disclosure = publish()
    disclosure.collect_events()
    return disclosure


# publish: validation ----------------------------------------------------------------


@pytest.mark.parametrize("title", ["", "   ", "题" * (MAX_TITLE_LENGTH + 1)])
def test_empty_or_overlong_title_is_rejected_on_field_title(title: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        publish(title=title)
    assert caught.value.field == "title"


def test_title_of_the_maximum_length_is_accepted_and_trimmed() -> None:
    title = "题" * MAX_TITLE_LENGTH
    assert publish(title=f"  {title} ").title == title


@pytest.mark.parametrize("body", ["", " \n\t ", "文" * (MAX_BODY_LENGTH + 1)])
def test_empty_or_overlong_body_is_rejected_on_field_body(body: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        publish(body=body)
    assert caught.value.field == "body"


def test_body_of_the_maximum_length_is_accepted() -> None:
    assert len(publish(body="文" * MAX_BODY_LENGTH).body) == MAX_BODY_LENGTH


def test_no_channels_is_rejected_on_field_channels() -> None:
    with pytest.raises(InvalidInputError) as caught:
        publish(channels=[])
    assert caught.value.field == "channels"


@pytest.mark.parametrize("channel", ["radio", "广播", "", "Notice_Board"])
def test_unknown_channel_is_rejected(channel: str) -> None:
    with pytest.raises(UnknownChannelError):
        publish(channels=["notice_board", channel])


def test_chinese_channel_labels_are_stored_as_codes() -> None:
    disclosure = publish(channels=["公开栏", " 网站 ", "电子显示屏", "新闻发布会"])
    assert disclosure.channels == [
        "notice_board",
        "website",
        "screen",
        "press_conference",
    ]


def test_duplicate_channels_collapse_keeping_first_order() -> None:
    disclosure = publish(channels=["网站", "notice_board", "website", "公开栏"])
    assert disclosure.channels == ["website", "notice_board"]


def test_formed_after_published_is_rejected_on_field_formed_on() -> None:
    with pytest.raises(InvalidDateError) as caught:
        publish(formed_on=date(2026, 3, 3), published_on=date(2026, 3, 2))
    assert caught.value.field == "formed_on"


def test_formed_and_published_on_the_same_day_is_accepted() -> None:
    assert publish(formed_on=PUBLISHED).formed_on == PUBLISHED


@pytest.mark.parametrize(
    "sha256",
    ["AB" * 32, "ab" * 31, "ab" * 33, "g" * 64, "", f" {'ab' * 32}"],
)
def test_attachment_with_a_bad_sha256_is_rejected_on_its_field(sha256: str) -> None:
    attachments = [Attachment(DIGEST, "a.pdf", 1), Attachment(sha256, "b.pdf", 1)]
    with pytest.raises(InvalidInputError) as caught:
        publish(attachments=attachments)
    assert caught.value.field == "attachments[1].sha256"


@pytest.mark.parametrize("size", [-1, MAX_ATTACHMENT_BYTES + 1])
def test_attachment_with_a_size_out_of_range_is_rejected_on_its_field(
    size: int,
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        publish(attachments=[Attachment(DIGEST, "a.pdf", size)])
    assert caught.value.field == "attachments[0].size"


@pytest.mark.parametrize("size", [0, MAX_ATTACHMENT_BYTES])
def test_attachment_sizes_at_the_bounds_are_accepted(size: int) -> None:
    disclosure = publish(attachments=[Attachment(DIGEST, "a.pdf", size)])
    assert disclosure.attachments[0]["size"] == size


@pytest.mark.parametrize("name", ["", "  ", "n" * 256])
def test_attachment_with_a_bad_name_is_rejected(name: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        publish(attachments=[Attachment(DIGEST, name, 1)])
    assert caught.value.field == "attachments[0]"


def test_too_many_attachments_are_rejected() -> None:
    many = [Attachment(DIGEST, f"{i}.pdf", 1) for i in range(MAX_ATTACHMENTS + 1)]
    with pytest.raises(InvalidInputError) as caught:
        publish(attachments=many)
    assert caught.value.field == "attachments"


# publish: the event -----------------------------------------------------------------


def test_publish_emits_published_with_every_field() -> None:
    attachment = Attachment(DIGEST, "预算表.pdf", 2048)
    disclosure = publish(
        title="  2026年一季度财务收支 ",
        channels=["公开栏", "website"],
        attachments=[attachment],
        backdating=Backdating(working_days=4, reason="系统停机补录"),
    )
    events = disclosure.collect_events()
    assert names(events) == ["Published"]
    fields = payload(events[0])
    assert fields["originator_id"] == disclosure.id
    assert fields["originator_version"] == 1
    assert fields["tenant"] == TENANT
    assert fields["category"] == "common.finance"
    assert fields["title"] == "2026年一季度财务收支"
    assert fields["body"] == "收入……支出……"
    assert fields["channels"] == ["notice_board", "website"]
    assert fields["formed_on"] == FORMED
    assert fields["published_on"] == PUBLISHED
    assert fields["due_on"] == date(2026, 3, 16)
    assert fields["working_days_late"] == 0
    assert fields["attachments"] == [
        {"sha256": DIGEST, "name": "预算表.pdf", "size": 2048}
    ]
    assert fields["actor"] == ACTOR
    assert fields["effective_at"] == WHEN
    assert fields["backdated_working_days"] == 4
    assert fields["backdating_reason"] == "系统停机补录"


def test_published_item_is_not_withdrawn(published: Disclosure) -> None:
    assert not published.withdrawn
    assert published.version == 1


def test_published_records_working_days_late_from_the_timeliness() -> None:
    disclosure = publish(formed_on=date(2025, 9, 26), published_on=date(2025, 11, 4))
    assert disclosure.due_on == date(2025, 10, 30)
    assert disclosure.working_days_late == 3


def test_each_publish_gets_a_fresh_id() -> None:
    assert publish().id != publish().id


# revise -----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_revise_requires_a_reason(published: Disclosure, reason: str) -> None:
    with pytest.raises(ReasonRequiredError) as caught:
        revise(published, reason, title="新标题")
    assert caught.value.field == "reason"


def test_revise_records_only_the_changed_fields(published: Disclosure) -> None:
    revise(
        published,
        " 标题有误 ",
        title="2026年第一季度财务收支",
        body=published.body,
        channels=["公开栏"],
    )
    events = published.collect_events()
    assert names(events) == ["Revised"]
    fields = payload(events[0])
    assert fields["title"] == "2026年第一季度财务收支"
    assert fields["body"] is None
    assert fields["channels"] is None
    assert fields["category"] is None
    assert fields["attachments"] is None
    assert fields["reason"] == "标题有误"
    assert fields["tenant"] == TENANT
    assert fields["effective_at"] == LATER
    assert published.title == "2026年第一季度财务收支"
    assert published.version == 2


def test_revised_channels_are_normalised_and_stored(published: Disclosure) -> None:
    revise(published, channels=["网站", "公开栏", "website"])
    (event,) = published.collect_events()
    assert payload(event)["channels"] == ["website", "notice_board"]
    assert published.channels == ["website", "notice_board"]


def test_revise_can_replace_attachments(published: Disclosure) -> None:
    revise(published, attachments=[Attachment(DIGEST, "更正.pdf", 10)])
    assert published.attachments == [{"sha256": DIGEST, "name": "更正.pdf", "size": 10}]


def test_a_revision_that_changes_nothing_is_rejected(published: Disclosure) -> None:
    with pytest.raises(InvalidInputError):
        revise(
            published,
            title=f" {published.title} ",
            body=published.body,
            channels=["公开栏"],  # the label of the stored "notice_board"
            category=published.category,
            attachments=[],
        )
    assert published.collect_events() == []


def test_a_revision_naming_no_field_is_rejected(published: Disclosure) -> None:
    with pytest.raises(InvalidInputError):
        revise(published)


def test_a_revision_with_an_invalid_title_is_rejected(published: Disclosure) -> None:
    with pytest.raises(InvalidInputError) as caught:
        revise(published, title="  ", body="新正文")
    assert caught.value.field == "title"
    assert published.body == "收入……支出……"


def test_revising_a_withdrawn_item_is_rejected(published: Disclosure) -> None:
    withdraw(published)
    published.collect_events()
    with pytest.raises(AlreadyWithdrawnError):
        revise(published, title="新标题")
    assert published.collect_events() == []


# withdraw ---------------------------------------------------------------------------


def test_withdraw_emits_withdrawn_with_the_reason(published: Disclosure) -> None:
    withdraw(published, " 信息有误 ")
    events = published.collect_events()
    assert names(events) == ["Withdrawn"]
    fields = payload(events[0])
    assert fields["reason"] == "信息有误"
    assert fields["tenant"] == TENANT
    assert fields["actor"] == ACTOR
    assert fields["effective_at"] == LATER
    assert fields["personal_data"] is False
    assert published.withdrawn
    assert not published.withdrawn_for_personal_data


def test_a_withdrawal_for_personal_data_says_so_in_its_event(
    published: Disclosure,
) -> None:
    published.withdraw(
        reason="误发：该事项涉及个人隐私",
        personal_data=True,
        backdating=ON_TIME,
        actor=ACTOR,
        effective_at=LATER,
    )
    events = published.collect_events()
    assert payload(events[0])["personal_data"] is True
    assert type(events[0]).class_version == 2
    assert published.withdrawn_for_personal_data
    assert published.body == "收入……支出……"  # the record keeps the content


def test_a_withdrawal_stored_before_the_grounds_reads_as_not_personal_data() -> None:
    state = {"reason": "信息有误", "backdated_working_days": 0}
    Disclosure.Withdrawn.upcast_v1_v2(state)  # type: ignore[attr-defined]
    assert state["personal_data"] is False


@pytest.mark.parametrize("reason", ["", "  \n"])
def test_withdraw_requires_a_reason(published: Disclosure, reason: str) -> None:
    with pytest.raises(ReasonRequiredError):
        withdraw(published, reason)
    assert not published.withdrawn


def test_withdrawing_twice_is_rejected(published: Disclosure) -> None:
    withdraw(published)
    published.collect_events()
    with pytest.raises(AlreadyWithdrawnError):
        withdraw(published, "再次撤回")
    assert published.collect_events() == []


# A broken rule emits nothing --------------------------------------------------------


@pytest.mark.parametrize(
    "broken",
    [
        {"title": ""},
        {"body": "文" * (MAX_BODY_LENGTH + 1)},
        {"channels": []},
        {"channels": ["广播"]},
        {"attachments": [Attachment("bad", "a.pdf", 1)]},
        {"reason": "", "title": "新标题"},
    ],
    ids=["title", "body", "no-channels", "unknown-channel", "attachment", "reason"],
)
def test_a_failed_revision_emits_no_event_and_keeps_the_version(
    published: Disclosure, broken: dict[str, Any]
) -> None:
    reason = broken.pop("reason", "更正")
    with pytest.raises(InvalidInputError):
        revise(published, reason, **broken)
    assert published.collect_events() == []
    assert published.version == 1


def test_a_failed_withdrawal_emits_no_event(published: Disclosure) -> None:
    with pytest.raises(ReasonRequiredError):
        withdraw(published, "")
    assert published.collect_events() == []
    assert published.version == 1
