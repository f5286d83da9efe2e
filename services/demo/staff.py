"""The demo's staff, with known passwords (demo only: never in production)."""

from __future__ import annotations

from typing import NamedTuple

from domain.access import Principal
from services.platform.runtime import Platform


class DemoStaffer(NamedTuple):
    tenant: str
    number: str
    name: str
    post: str
    roles: tuple[str, ...]
    password: str


DEMO_STAFF = (
    DemoStaffer(
        "xinhe", "XH-0001", "艾尔肯", "县政务公开办", ("supervisor", "admin"),
        "demo-county-2026",
    ),
    DemoStaffer(
        "xinhe.xinhe-zhen", "XH-0101", "王芳", "镇党政办", ("supervisor",),
        "demo-town-2026",
    ),
    DemoStaffer(
        "xinhe.xinhe-zhen.tuanjie", "XH-0201", "古丽娜", "村文书", ("clerk", "handler"),
        "demo-clerk-2026",
    ),
    DemoStaffer(
        "xinhe.ysfjq", "XH-0301", "李明", "综合科 全程承办人", ("clerk", "handler"),
        "demo-handler-2026",
    ),
)  # fmt: skip

# The scenic area's 集中会审 panel (services/demo/fees.py): staff records, so the
# reduction's approvers read by name and badge number (``马丽（XH-0302）``) on the
# notice, the board and the supervisor's view. They never sign in to the demo, so
# they get no password (and cost no password hashing at load).
DEMO_REVIEWERS = (
    DemoStaffer("xinhe.ysfjq", "XH-0302", "马丽", "法制审核岗", ("supervisor",), ""),
    DemoStaffer("xinhe.ysfjq", "XH-0303", "买买提江", "财务岗", ("supervisor",), ""),
    DemoStaffer("xinhe.ysfjq", "XH-0304", "张建国", "分管领导", ("supervisor",), ""),
)  # fmt: skip


def reviewer_username(number: str) -> str:
    """A demo reviewer's username (the id its principal acts under)."""
    return f"{number}@xinhe"


def demo_username(path: str) -> str | None:
    """The username of the demo staffer who works at ``path``, if one does: the
    demo acts as them there, so timelines name a person (``李明（XH-0301）``)."""
    for s in DEMO_STAFF:
        if s.tenant == path:
            return f"{s.number}@xinhe"
    return None


def staff_handler(path: str, name: str) -> str:
    """The scenic area's cases go to its registered handler, by badge number."""
    return "XH-0301" if path == "xinhe.ysfjq" else name


def register_demo_staff(platform: Platform, admin: Principal) -> int:
    """Register and activate the demo staff; returns how many."""
    for s in DEMO_STAFF:
        staffer, code, _ = platform.staff.register(
            admin,
            s.tenant,
            number=s.number,
            name=s.name,
            post=s.post,
            roles=list(s.roles),
        )
        platform.sign_ins.activate(staffer.username, code, s.password, "demo")
    for s in DEMO_REVIEWERS:
        platform.staff.register(
            admin, s.tenant, number=s.number, name=s.name, post=s.post,
            roles=list(s.roles),
        )  # fmt: skip
    return len(DEMO_STAFF) + len(DEMO_REVIEWERS)


def demo_sign_ins() -> list[str]:
    """One line per demo staffer: username, password, who they are."""
    return [
        f"  {s.number}@xinhe  {s.password:<18} {s.name} ({s.post}, {s.tenant})"
        for s in DEMO_STAFF
    ]
