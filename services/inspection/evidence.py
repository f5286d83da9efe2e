"""An inspection file's evidence: one bundle per subject, and a printable report.

The evidence set (``gongkai-evidence-set/v1``) holds an ordinary ``gongkai-evidence/v1``
bundle (services/audit/evidence.py) for the file itself and for every linked subject
that has events in the audit log, so ``gongkai verify`` checks each one offline
exactly as it checks a single bundle. The file's own bundle proves which subjects
were linked and when; the set lists them and the verifier requires a bundle for
each listed subject that has events.

The report is the same timeline as HTML (Chinese), quoting for each event its id and
its leaf (tenant log and index), so a reader can check it against the bundles.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from typing import Any

from domain.access import Principal
from domain.inspection.inspection_file import Inspection
from domain.timeliness import china_time, in_china_time
from projections.audit import AuditView
from projections.sql import iso_moment
from services.audit.evidence import build_bundle, catch_up
from services.audit.evidence_set import SET_FORMAT
from services.core.ports import Running
from services.core.views import AUDIT_NAME
from services.inspection.timeline import (
    Filters,
    subjects_of,
    tenant_log_of,
    timeline_page,
)
from services.people.names import actor_text, name_timeline

REPORT_MAX_EVENTS = 10_000


def build_evidence_set(
    platform: Running, inspection: Inspection, exported_by: Principal | None = None
) -> dict[str, Any]:
    """Bundles of the file and of each linked subject, as the audit log holds them,
    each with ``exported_by`` (the caller) in its signed export statement."""
    view: AuditView = platform.views[AUDIT_NAME]  # type: ignore[assignment]
    catch_up(platform)
    subjects, bundles = [], []
    for subject in subjects_of(inspection):
        entry: dict[str, Any] = {**subject.public(), "bundles": []}
        if subject.originator is not None:
            rows = view.leaves_of_aggregate(str(subject.originator))
            for tenant in sorted({r["tenant"] for r in rows}):
                entry["bundles"].append(len(bundles))
                bundles.append(
                    build_bundle(
                        platform, tenant, subject.originator, subject.kind, exported_by
                    )
                )
        subjects.append(entry)
    return {
        "format": SET_FORMAT,
        "installation": platform.settings.installation,
        "exported_at": iso_moment(platform.auditor.now()).replace("+00:00", "Z"),
        "inspection": {"id": str(inspection.id), "tenant": inspection.tenant},
        "subjects": subjects,
        "bundles": bundles,
    }


# The report ---------------------------------------------------------------------------


def report_events(
    platform: Running, inspection: Inspection
) -> tuple[list[dict[str, Any]], bool]:
    """The whole timeline (up to REPORT_MAX_EVENTS), each event with ``leaf``
    (``<tenant> #<index>``) and its moments in China time, for printing; and
    whether it was cut short."""
    view: AuditView = platform.views[AUDIT_NAME]  # type: ignore[assignment]
    catch_up(platform)
    app = platform.inspections
    events: list[dict[str, Any]] = []
    cursor = None
    while len(events) < REPORT_MAX_EVENTS:
        page = timeline_page(
            app,
            inspection,
            filters=Filters(),
            cursor=cursor,
            limit=500,
            tenant_log=tenant_log_of(view),
        )
        events += page["events"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    name_timeline(platform, events)
    for ev in events:
        leaf = view.leaf_for_event(ev["event_id"])
        ev["leaf"] = (
            f"{leaf['tenant']} #{leaf['leaf_index']}" if leaf else "（尚未入账）"
        )
        for moment in ("recorded_at", "effective_at"):  # printed as the API shows
            ev[moment] = china_time(datetime.fromisoformat(ev[moment]))
        ev["state"] = in_china_time(ev["state"])
    return events, cursor is not None


def report_html(platform: Running, inspection: Inspection) -> str:
    """The whole timeline (up to REPORT_MAX_EVENTS) as a printable Chinese page."""
    events, cut = report_events(platform, inspection)
    e = html.escape
    rows = []
    for ev in events:
        where = ev["leaf"]
        mark = "<strong>补录</strong>" if ev["backdated"] else ""
        state = json.dumps(ev["state"], ensure_ascii=False) if ev["state"] else ""
        rows.append(
            "<tr>"
            f"<td>{ev['position']}</td>"
            f"<td>{e(ev['type'])}</td>"
            f"<td>{e(ev['subject']['kind'])} {e(ev['subject']['id'])}</td>"
            f"<td>{e(ev['recorded_at'])}</td>"
            f"<td>{e(ev['effective_at'])} {mark}</td>"
            f"<td>{e(actor_text(ev['actor']))}</td>"
            f"<td><code>{e(ev['event_id'])}</code><br>{e(where)}</td>"
            f"<td><small>{e(state)}</small></td>"
            "</tr>"
        )
    links = "".join(
        f"<li>{e(ln['kind'])} {e(ln['id'])}（{e(ln['tenant'])}）</li>"
        for ln in inspection.links
    )
    findings = "".join(f"<li>{e(f['text'])}</li>" for f in inspection.findings)
    truncated = f"<p>仅列出前 {REPORT_MAX_EVENTS} 条事件。</p>" if cut else ""
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>核查档案 {e(str(inspection.id))}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei",
  "PingFang SC", sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.9em; }}
th, td {{ border: 1px solid #888; padding: 0.3em; vertical-align: top; }}
caption {{ text-align: left; font-weight: bold; margin: 0.5em 0; }}
</style></head><body>
<h1>核查档案时间线</h1>
<dl>
<dt>档案编号</dt><dd><code>{e(str(inspection.id))}</code>（{e(inspection.tenant)}）</dd>
<dt>核查依据</dt><dd>{e(inspection.basis)}</dd>
<dt>状态</dt><dd>{"已结案" if inspection.closed else "办理中"}</dd>
<dt>核查结论</dt><dd>{e(inspection.conclusion or "—")}</dd>
</dl>
<h2>关联对象</h2><ul>{links}</ul>
<h2>查明的问题</h2><ul>{findings or "<li>—</li>"}</ul>
<table>
<caption>全部事件（按日志顺序）；每条事件的编号与叶子位置可与证据包核对</caption>
<thead><tr><th scope="col">序号</th><th scope="col">事件</th><th scope="col">对象</th>
<th scope="col">记录时间</th><th scope="col">生效时间</th><th scope="col">操作人</th>
<th scope="col">事件编号 / 叶子</th><th scope="col">事后状态</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
{truncated}
<p>证据集：GET …/inspections/{e(str(inspection.id))}/evidence，
用 gongkai verify 离线验证。</p>
</body></html>
"""
