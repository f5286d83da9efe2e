"""What each error says to a person, in Chinese: one phrase per problem ``slug``.

Errors name a stable ``slug`` (``domain/errors.py``; a few services add their own)
and an English ``detail`` for integrators. A staffer reads these words instead: the
console puts the field's label before the phrase (``信息形成日期：须在 2000-01-01 之后，
且不晚于公开日期``; the labels are the forms', ``services/web/forms.py``), and the API
answers the slug's phrase as ``title_zh`` beside its English ``title``.

``FIELD_PHRASES`` says more where one slug covers several fields. A phrase may name
an attribute of the error in braces (``{line}``, ``{retry_after}``), filled in when
it is said. Data only: every slug raised anywhere has a phrase here (a unit test
walks the error classes).
"""

from __future__ import annotations

from collections.abc import Mapping

PHRASES: Mapping[str, str] = {
    # Roots
    "error": "请求无法办理",
    "invalid-input": "填写的内容不符合要求",
    "validation-error": "填写的内容不符合要求",
    "not-found": "不存在，或不在您的查看范围内",
    "conflict": "与当前状态冲突，请刷新页面后重试",
    "forbidden": "您无权进行此操作",
    # Tenancy
    "invalid-tenant-code": "只能由小写字母、数字和连字符组成，2 至 40 位",
    "invalid-nesting": "不符合上下级规则：县辖镇（乡），镇辖村，单位隶属县或镇",
    "tenant-exists": "该单位已登记",
    "tenant-not-found": "单位不存在，或不在您的查看范围内",
    "mirrored-read-only": "该单位的记录由镜像从其所在县的系统同步而来，在此只读",
    # Disclosure
    "unknown-category": "不是本县公开目录中的类别",
    "unknown-channel": "不是可选的公开载体",
    "reason-required": "请写明原因",
    "invalid-date": "日期不符合要求",
    "backdating-needs-reason": (
        "记录时间晚于发生时间，已超过补录期限，请写明逾期或补录原因"
    ),
    "questionnaire-code-unknown": "问卷码无效，请核对纸质问卷码",
    "questionnaire-code-spent": "此问卷码已使用过，每个问卷码只能提交一次",
    "questionnaire-not-open": "问卷不在征集期内，不能提交或修改",
    "already-withdrawn": "此事项已撤回，不能再更正或撤回",
    "disclosure-not-found": "公开事项不存在",
    "version-mismatch": "此记录已被他人修改，请刷新页面后重新提交",
    # Catalogue, calendar
    "invalid-catalogue": "目录文件第 {line} 行有误",
    "invalid-holiday-schedule": "节假日安排有误",
    # Ledger, notes, evidence
    "invalid-proof": "证明未通过核验",
    "invalid-note": "签名文本格式有误",
    "invalid-checkpoint": "检查点格式有误",
    "invalid-verifier-key": "验证公钥格式有误",
    "invalid-signature": "签名未通过核验",
    "unverified-note": "签名文本没有可信的签名",
    "invalid-evidence": "证据包未通过核验",
    "personal-data-erased": "个人信息已删除，无法再读取",
    # Cases
    "illegal-transition": "办件当前的状态不能办理此项操作，请刷新页面查看可办理的操作",
    "invalid-case-date": "日期不符合办理的先后顺序",
    "correction-already-requested": "已发出过补正通知，每件申请只能补正一次",
    "correction-window-passed": "补正通知须在收到申请后 7 个工作日内发出，已超过期限",
    "extension-limit": "延期次数已达上限",
    "deadline-passed": "办理期限已过，不能再延期",
    "unknown-service": "不是本单位的办事事项",
    "case-not-found": "办件不存在",
    # Staff and sign-in
    "invalid-staff-number": "编号只能由字母、数字和连字符组成，1 至 32 位",
    "staff-exists": "该编号已登记",
    "staff-not-found": "工作人员不存在",
    "staff-state": "该工作人员已是此状态",
    "client-state": "该对接系统已吊销",
    "client-not-found": "对接系统不存在",
    "invalid-client": "对接系统的编号或密钥不正确，或已更换、已吊销",
    "invalid-request": "请求缺少必填项",
    "unsupported-grant-type": "不支持此授权方式",
    "invalid-credentials": "用户名或密码不正确",
    "invalid-activation-code": "激活码不正确、已过期或已使用，请向管理员索取新的激活码",
    "account-inactive": "该账号已停用，请联系管理员",
    "weak-password": "密码须为 10 至 128 个字符，不能是常见密码，不能包含本人编号",
    "too-many-attempts": "失败的尝试过多，请 {retry_after} 秒后再试",
    "unauthenticated": "请先登录",
    "invalid-token": "登录凭据无效，请重新登录",
    "token-revoked": "登录已失效（已退出，或账号已停用、已重置），请重新登录",
    # Assessment, reporting, inspection
    "invalid-criteria": "考核指标设置有误",
    "campaign-not-found": "考核方案不存在",
    "campaign-stage": "考核当前所处的阶段不能办理此步骤",
    "violation-state": "违规记录当前的状态不能办理此项操作",
    # Documents (编号管理)
    "invalid-series-code": "机关代字须为 1 至 12 个汉字或字母，不含数字和括号",
    "unknown-document-kind": "不是可选的公文种类",
    "series-not-found": "该单位尚无此类公文的编号",
    "series-exists": "该类公文已设编号，机关代字不能另设",
    "already-numbered": "该公文已签发编号，不能重复编号",
    "number-not-issued": "该文号尚未签发",
    "already-voided": "该文号已作废",
    "issue-order": "签发日期早于上一份公文，编号须按时间顺序签发",
    # Fees (收费标准、征收通知书、集中会审)
    "invalid-fee-standard": "收费标准的项目有误：须有代码、名称、计量单位、费率和依据",
    "fee-standard-order": "新版收费标准的施行日期须晚于现行版本",
    "no-fee-standard": "该日期没有施行中的收费标准",
    "off-standard": "金额与施行中的收费标准不符；减免须经集中会审通过",
    "levy-state": "征收通知书当前的状态不能办理此项操作",
    "review-rule": "不符合集中会审规则：审核人须为不同岗位，且不得为减免提出人",
    "levy-not-found": "征收通知书不存在",
    "challenge-decided": "已作出决定，不能再次决定",
    "annual-report-too-early": "报告年度尚未结束，次年1月1日起方可发布年度报告",
    "annual-report-unbalanced": (
        "表三数据勾稽关系不成立（第一项加第二项之和应等于第三项加第四项之和），不能发布"
    ),
    "inspection-not-found": "核查档案不存在",
    "inspection-closed": "核查档案已结案，不能再修改",
    "already-linked": "已经关联，无需重复关联",
    "subject-not-found": "要关联的对象不存在",
    "witness-refused": "上级拒绝见证此检查点",
    "checkpoint-refused": "检查点未能签发",
    "font-missing": "服务器缺少生成 PDF 所需的中文字体，请联系管理员",
    # Power list (权责清单)
    "invalid-power-list": "权责清单文件第 {line} 行{where}有误：{reason}",
    "invalid-power": "权力事项、运行流程或廉政风险点填写有误",
    "unknown-power": "不是本单位权责清单中的权力事项",
    "unknown-fee-item": "收费项目不在本单位收费标准中",
    "power-list-not-found": "本单位尚未编制权责清单",
    "power-not-found": "权责清单中没有这项权力",
    "no-pending-power-list": "该版本不在待审核状态，请刷新页面查看当前版本",
    "unmitigated-high-risk": "有 {count} 个高等级廉政风险点没有防范措施，清单不能生效",
    "self-review": "清权确权须由起草人以外的人员审核",
    "review-categories-missing": "项目审查会须邀请项目所在地单位、人大代表、政协委员"
    "和居民代表，尚未邀请：{missing}",
    # The HTTP edge
    "invalid-cursor": "翻页位置无效，请从第一页重新查看",
    "invalid-if-match": "版本号格式有误",
    "invalid-parameter": "查询条件有误",
    "invalid-range": "查询范围有误",
    "unknown-parameter": "不认识的查询条件",
    "unknown-event-type": "不认识的事件类型",
    "duplicate-member": "提交的内容有重复的项目",
    "invalid-text": "提交的文字含有不允许的字符",
    "unsupported-media-type": "提交的内容格式不受支持",
    "request-too-large": "提交的内容过大",
    "store-unavailable": (
        "数据库暂时无法访问，请稍后重试（刚才的提交可能已记录，请刷新核对）"
    ),
    "internal-error": "服务器出错，请重试；仍出错请告知管理员",
    "inconsistent-input": "填写的几项内容相互矛盾，请核对后重新提交",
    "audit-view-behind": "审计视图尚未跟上日志，未签发检查点，请稍后重试",
    "views-stale": "查询视图未跟上日志，显示的数字可能不是最新的",
    "draining": "服务正在停止，请稍后重试",
    "invalid-email": "电子邮箱地址格式不正确，应为“名称@域名”的形式",
    "invalid-location": "地点不正确：纬度须在 -90 至 90、经度须在 -180 至 180 "
    "之间且须成对填写，地址不超过 200 个字",
    "invalid-attachment": "附件须为网页链接，每条不超过 500 个字符，最多 10 条",
}

FIELD_PHRASES: Mapping[tuple[str, str], str] = {
    ("invalid-date", "formed_on"): "须在 2000-01-01 之后，且不晚于公开日期",
    ("invalid-date", "effective_at"): "不能早于事项公开之日，也不能晚于现在",
    ("invalid-date", "published_on"): "不能晚于今天",
    ("invalid-date", "late_reason"): "不能超过 2000 个字",
    ("invalid-case-date", "received_on"): "须在 2000-01-01 至登记当日之间",
    ("invalid-case-date", "effective_at"): "不能早于办件上一步办理的日期，须带时区",
    ("invalid-case-date", "due_on"): "不能早于督办当日",
    ("invalid-case-date", "filed_on"): "不能早于被申请复议或起诉的决定日期",
    ("invalid-case-date", "decided_on"): "不能早于提出复议或起诉的日期",
    ("reason-required", "late_reason"): "超过补录期限，请写明逾期或补录原因",
}


def phrase(slug: str, field: str | None = None, /, **facts: object) -> str:
    """The words for ``slug`` (more precise for ``field`` where there are some),
    with the ``facts`` they name filled in; the root's words for a slug not
    listed or whose words name a fact not given."""
    words = PHRASES.get(slug, PHRASES["error"])
    if field is not None:
        words = FIELD_PHRASES.get((slug, field), words)
    try:
        return words.format(**facts)
    except (KeyError, IndexError, ValueError):
        return PHRASES["error"]


def facts_of(error: object) -> dict[str, object]:
    """What an error's phrase may name: its public attributes (``line``,
    ``retry_after``, ``state`` …)."""
    return {k: v for k, v in vars(error).items() if not k.startswith("_")}
