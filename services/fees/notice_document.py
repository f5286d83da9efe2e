"""The 征收通知书 as a 公文 (GB/T 9704-2012): payer as 主送, the lines and the
amount in the text, the items table as 附件, the 文号 its issue took."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.documents.numbering import date_text
from domain.documents.official import Attachment, OfficialDocument
from domain.fees.levy import LevyNotice, yuan
from domain.fees.standard import FeeStandard, standard_id
from services.documents.series import number_of

HEADERS = ["收费项目", "计量单位", "费率（元）", "数量", "金额（元）", "收费依据"]


def levy_document(platform: Any, notice: LevyNotice) -> OfficialDocument:
    app = platform.levies
    unit = (platform.directory.get(notice.tenant) or {}).get("name", notice.tenant)
    number = number_of(app, notice.tenant, "levy", {"levy": str(notice.id)})
    final = (
        notice.issued["final_amount"]
        if notice.issued
        else yuan(notice.final_amount(app.required_reviewers))
    )
    standard = app._get(standard_id(notice.tenant), FeeStandard)
    since = standard.versions[notice.standard_version - 1]["effective_from"]
    body = [
        f"根据本单位收费标准（第{notice.standard_version}版，"
        f"{date_text(since)}起施行），你单位（人）应缴纳下列费用，"
        f"按标准计算共计人民币{notice.amount}元（明细见附件）。"
    ]
    r = notice.reduction
    if r and notice.issued and notice.issued["reduction_approved"]:
        off = yuan(Decimal(notice.amount) - Decimal(final))
        posts = "、".join(v["post"] for v in r["reviews"] if v["approved"])
        body.append(
            f"经集中会审（{posts}），同意减免{off}元（理由：{r['reason']}），"
            f"实际应缴纳人民币{final}元。"
        )
    body.append(
        f"请于接到本通知书之日起7日内缴纳人民币{final}元。"
        "对本通知书有异议的，可依法申请行政复议或者提起行政诉讼。"
    )
    rows = [
        [
            line["name"],
            line["unit"],
            line["rate"],
            line["quantity"],
            line["amount"],
            line["basis"],
        ]
        for line in notice.lines
    ]
    rows.append(["合计", "", "", "", notice.amount, ""])
    voided = number["voided"]["reason"] if number and number["voided"] else None
    return OfficialDocument(
        issuer=unit,
        wenhao=number["wenhao"] if number else None,
        title="征收通知书",
        addressees=[app.payer(notice)["name"]],
        body=body,
        dated=number["issued_on"] if number else notice.dated,
        attachments=[Attachment("收费明细", HEADERS, rows)],
        printed_by=unit,
        voided=voided,
    )
