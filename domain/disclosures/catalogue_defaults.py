"""The default disclosure catalogue: the seed plan's rows as Python literals.

What each kind of tenant must make public (seed 三(二)1–5, 三(三), and the annual
report of 条例第四十九、五十条), before a county's own catalogue is laid over it by
code (``catalogue.merge_catalogues``). Data, apart from the queries in ``catalogue``:
it is long and changes only when the seed is reread; docs/catalogue.md says where
each row comes from.
"""

from __future__ import annotations

from domain.disclosures.catalogue_entry import (
    TENANT_KINDS,
    Audience,
    CatalogueEntry,
    Channel,
    ChannelRequirement,
    DisclosureMode,
    Period,
    PublicLevel,
)

_OGI = "《中华人民共和国政府信息公开条例》"
_VCO = "《中华人民共和国村民委员会组织法》"
_ON_CHANGE = "信息形成或变更之日起20个工作日内公开"

_BOARD = ChannelRequirement(Channel.NOTICE_BOARD, required=True)
_WEB = ChannelRequirement(Channel.WEBSITE, required=False)
_MEETING = ChannelRequirement(Channel.MEETING, required=False)
_SCREEN = ChannelRequirement(Channel.SCREEN, required=False)
_HANDBOOK = ChannelRequirement(Channel.HANDBOOK, required=False)
_PRESS = ChannelRequirement(Channel.PRESS_CONFERENCE, required=False)
_STAFF_MEETING = ChannelRequirement(Channel.MEETING, required=True)  # 干部职工大会
_INNER_BOARD = ChannelRequirement(Channel.NOTICE_BOARD, required=False)  # 内部公开栏

_ALL = TENANT_KINDS
_TOWN_LEVEL = ("county", "town")
_UNITS = ("department", "station")
_STAFF = ("county", "town", "department", "school")


def _entry(
    code: str,
    level1: str,
    level2: str,
    content: str,
    basis: str,
    time_limit: str,
    period: Period,
    subject: str,
    channels: tuple[ChannelRequirement, ...],
    applies_to: tuple[str, ...],
    *,
    audience: Audience = Audience.PUBLIC,
    level: PublicLevel = PublicLevel.TOWN,
    required: bool = True,
    annual_item: str | None = None,
) -> CatalogueEntry:
    """A proactive default entry; the seed names no on-request category."""
    return CatalogueEntry(
        code=code,
        level1=level1,
        level2=level2,
        content=content,
        basis=basis,
        time_limit=time_limit,
        period=period,
        subject=subject,
        channels=channels,
        audience=audience,
        mode=DisclosureMode.PROACTIVE,
        level=level,
        applies_to=applies_to,
        required=required,
        annual_item=annual_item,
    )


DEFAULT_CATALOGUE: tuple[CatalogueEntry, ...] = (
    # 三(二)1 各单位重点公开的内容 -----------------------------------------------------
    _entry(
        "common.decisions",
        "综合政务",
        "相关文件、重大决定和目标任务",
        "本单位制发或转发的适于公开的文件；涉及群众切身利益的重大决定及其实施情况；"
        "年度工作目标任务及分解落实情况。村（社区）公开村（居）民会议、"
        "村（居）民代表会议讨论决定的事项及其实施情况。",
        f"{_OGI}第十九条、第二十条第（一）项；{_VCO}第三十条第一款第（一）项（村）",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "各单位（文件制发或决定作出单位）",
        (_BOARD, _WEB, _MEETING),
        _ALL,
    ),
    _entry(
        "common.planning",
        "综合政务",
        "发展规划",
        "经济社会发展规划、专项规划和年度计划及其调整情况；村庄规划、"
        "学校发展规划等本单位发展规划及执行情况。",
        f"{_OGI}第二十条第（三）项",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "各单位（规划编制单位）",
        (_BOARD, _WEB, _MEETING),
        ("county", "town", "village", "school", "department", "community"),
    ),
    _entry(
        "common.finance",
        "财务管理",
        "财务收支",
        "年度预算、决算；财务收支明细；“三公”经费使用情况；"
        "村（社区）集体财务收支和集体资产、资源的经营管理情况。",
        f"《中华人民共和国预算法》第十四条；{_OGI}第二十条第（七）项；{_VCO}第三十条",
        "预算、决算批准后20日内公开；财务收支每季度结束后15日内公开；"
        "村级集体财务往来较多的，每月公布一次",
        Period.QUARTERLY,
        "各单位财务部门；村（社区）经村（居）务监督委员会审核后公布",
        (_BOARD, _WEB),
        _ALL,
    ),
    _entry(
        "common.organisation",
        "机构职能",
        "机构设置、职能及调整变动",
        "机构设置、内设机构及职能；领导班子成员及分工；办公地址、办公时间、"
        "联系方式；机构、职能和人员分工的调整变动情况。",
        f"{_OGI}第二十条第（二）项",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "各单位办公室",
        (_BOARD, _WEB),
        _ALL,
    ),
    _entry(
        "common.commitments",
        "服务承诺",
        "承诺办理事项及完成情况",
        "年初向社会承诺办理的事项、完成时限和责任人；承诺事项的办理进度和完成情况。",
        f"{_OGI}第十九条",
        "承诺事项确定之日起20个工作日内公开；办理进度和完成情况每半年公开一次",
        Period.HALF_YEARLY,
        "各单位",
        (_BOARD, _WEB, _MEETING),
        _ALL,
    ),
    _entry(
        "common.funds-projects",
        "资金项目",
        "专项资金、财政转移支付资金和重大项目",
        "各类专项资金、财政转移支付资金的来源、分配、拨付和使用情况；"
        "重大项目的审批、招投标、建设进度、资金使用和竣工验收情况。",
        f"{_OGI}第二十条第（七）项、第（十）项；{_VCO}第三十条第一款第（三）项（村）",
        "项目审批、招投标结果形成之日起20个工作日内公开；资金使用情况每季度公开一次",
        Period.QUARTERLY,
        "资金使用单位、项目实施单位",
        (_BOARD, _WEB),
        _ALL,
    ),
    _entry(
        "common.quake-housing",
        "民生工程",
        "抗震安居工程建设",
        "年度抗震安居工程建设任务；补助对象的条件、评定程序和名单；"
        "补助标准和资金拨付情况；工程建设进度和竣工验收情况。",
        f"{_OGI}第二十条第（十）项、第（十一）项，第二十一条",
        "补助对象名单确定后即行公示；建设进度和资金拨付情况每季度公开一次",
        Period.QUARTERLY,
        "县住房和城乡建设部门、镇人民政府、村民委员会",
        (_BOARD, _WEB, _MEETING),
        ("county", "town", "village"),
    ),
    _entry(
        "common.subsistence",
        "社会救助",
        "低保金发放",
        "最低生活保障标准、申请条件和审批程序；保障对象名单（户主姓名、保障人数、"
        "保障金额，不公开身份证号码等个人隐私）；低保金按月发放情况。",
        f"《社会救助暂行办法》第十一条；{_OGI}第二十条第（十一）项",
        "审批结果在申请人所在村、社区公布；发放情况每月公开一次",
        Period.MONTHLY,
        "县民政部门、镇人民政府，村民委员会、社区居民委员会",
        (_BOARD, _WEB),
        ("county", "town", "village", "community"),
    ),
    _entry(
        "common.land",
        "土地征收",
        "征地拆迁和经营性土地使用权出让",
        "土地征收、房屋征收的批准文件、范围、补偿标准、安置方式和补偿款发放情况；"
        "经营性土地使用权出让的地块、方式、条件、公告和结果。",
        "《中华人民共和国土地管理法》第四十七条；《国有土地上房屋征收与补偿条例》"
        f"第十三条；{_OGI}第二十一条",
        "拟征收土地公告不少于30日；其他信息形成或变更之日起20个工作日内公开",
        Period.ON_CHANGE,
        "县人民政府及自然资源部门、镇人民政府，村民委员会、社区居民委员会",
        (_BOARD, _WEB, _MEETING),
        ("county", "town", "village", "community"),
        level=PublicLevel.COUNTY,
    ),
    _entry(
        "common.tax-fees",
        "税费管理",
        "税费征收和减免政策执行",
        "税费征收项目、依据和标准；减免政策的条件和程序；减免对象和金额等执行情况；"
        "村级一事一议筹资筹劳情况。",
        f"{_OGI}第二十条第（八）项、第二十一条",
        "政策形成或变更之日起20个工作日内公开；执行情况每半年公开一次",
        Period.HALF_YEARLY,
        "税费征收单位；村民委员会",
        (_BOARD, _WEB),
        ("county", "town", "village", "department", "station"),
        level=PublicLevel.COUNTY,
    ),
    _entry(
        "common.cadres",
        "干部人事",
        "干部选拔任用",
        "干部选拔任用的职位、条件和程序；拟任人选任前公示；任用结果；"
        "公开招考、招聘的职位、名额、条件和录用结果。",
        f"《党政领导干部选拔任用工作条例》；{_OGI}第二十条第（十四）项",
        "任前公示期不少于5个工作日；任用、录用结果形成之日起20个工作日内公开",
        Period.ON_CHANGE,
        "县委组织部门、各单位人事部门",
        (_BOARD, _WEB),
        ("county", "town", "school", "department", "station"),
        level=PublicLevel.COUNTY,
    ),
    _entry(
        "common.emergencies",
        "应急管理",
        "突发公共事件预报、发生和处置",
        "突发公共事件应急预案；预警信息；突发公共事件的发生、处置和善后情况。",
        f"{_OGI}第二十条第（十二）项；《中华人民共和国突发事件应对法》",
        "预警信息即时发布；处置情况形成之日起20个工作日内公开",
        Period.ON_CHANGE,
        "各单位；重大事件由县、镇人民政府统一发布",
        (_BOARD, _WEB, _SCREEN, _PRESS),
        _ALL,
    ),
    _entry(
        "common.public-affairs",
        "公共事务",
        "与公众切身利益密切相关的公共事务管理",
        "公共服务、公益事业、治安管理、环境卫生等与公众切身利益密切相关的"
        "公共事务管理情况。",
        f"{_OGI}第十九条、第二十一条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "各单位",
        (_BOARD, _WEB, _MEETING),
        _ALL,
    ),
    # 三(二)2 镇政府各部门应当公开的内容 -----------------------------------------------
    _entry(
        "department.policies",
        "部门政策",
        "政策、规定和文件",
        "部门制定实施的政策、规定和适于公开的文件及其解读。",
        f"{_OGI}第二十条第（一）项",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "镇政府各部门（科室、站所）",
        (_BOARD, _WEB),
        _UNITS,
        annual_item="normative",
    ),
    _entry(
        "department.legal-basis",
        "办事依据",
        "法律、法规和规章制度",
        "部门办事依据的法律、法规、规章和规章制度的目录及文本。",
        f"{_OGI}第二十条第（五）项",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "镇政府各部门（科室、站所）",
        (_BOARD, _WEB, _HANDBOOK),
        _UNITS,
    ),
    _entry(
        "department.service-guide",
        "办事服务",
        "办事条件、标准、时限和程序",
        "办事的条件、标准和要求；所需材料；办事时限、办事程序（流程图）；办事纪律。",
        f"{_OGI}第二十条第（五）项",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "镇政府各部门（科室、站所）",
        (_BOARD, _WEB, _SCREEN, _HANDBOOK),
        _UNITS,
    ),
    _entry(
        "department.integrity",
        "作风建设",
        "廉政勤政制度和便民措施",
        "廉政勤政制度；首问负责、限时办结等工作制度；便民措施；监督举报电话。",
        f"{_OGI}第十九条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "镇政府各部门（科室、站所）",
        (_BOARD, _WEB, _HANDBOOK),
        _UNITS,
    ),
    # 三(二)3 学校重点公开的内容 -------------------------------------------------------
    _entry(
        "school.decisions",
        "学校管理",
        "涉及群众利益的决策和重要信息",
        "招生范围、招生计划和录取办法；学生资助、营养改善计划等涉及群众利益的决策；"
        "与学生和家长密切相关的其他重要信息。",
        f"{_OGI}第五十五条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "学校",
        (_BOARD, _WEB, _MEETING),
        ("school",),
    ),
    _entry(
        "school.duties",
        "学校管理",
        "职责权限和服务内容",
        "学校职责权限、内设机构和服务内容；办学规模、师资等基本情况。",
        f"{_OGI}第五十五条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "学校",
        (_BOARD, _WEB),
        ("school",),
    ),
    _entry(
        "school.service-process",
        "办事服务",
        "办事依据、时限、流程和结果",
        "学籍、转学、资助申请等事项的办事依据、时限、流程和结果；办事纪律；服务承诺。",
        f"{_OGI}第五十五条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "学校",
        (_BOARD, _WEB, _HANDBOOK),
        ("school",),
    ),
    _entry(
        "school.fees",
        "收费管理",
        "收费项目和标准",
        "收费项目、收费标准、收费依据、收费范围和批准文号；服务性收费和代收费项目"
        "及标准；收费投诉电话。",
        f"《教育收费公示制度》；{_OGI}第二十条第（八）项、第五十五条",
        "每学期开学前公示；收费项目或标准变更之日起20个工作日内公开",
        Period.HALF_YEARLY,
        "学校",
        (_BOARD, _WEB, _MEETING),
        ("school",),
    ),
    _entry(
        "school.fines",
        "收费管理",
        "罚款标准和收缴情况",
        "罚款（违约金）的标准、依据和收缴情况。",
        f"{_OGI}第五十五条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "学校",
        (_BOARD,),
        ("school",),
        required=False,
    ),
    # 三(二)4 镇级政府应重点公开的内容 (县在本级同样适用) ------------------------------
    _entry(
        "town.rural-policy",
        "农村政策",
        "贯彻落实上级农村政策的措施",
        "贯彻落实上级强农惠农富农政策的具体措施；农业补贴的对象、标准和发放情况。",
        f"{_OGI}第二十一条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "镇（县）人民政府",
        (_BOARD, _WEB, _MEETING),
        _TOWN_LEVEL,
    ),
    _entry(
        "town.fiscal",
        "财政管理",
        "财政收支和专项资金",
        "本级财政预算、决算和预算执行情况；财政、财务收支情况；"
        "各类专项资金、财政转移支付资金的分配和使用情况。",
        f"《中华人民共和国预算法》第十四条；{_OGI}第二十条第（七）项",
        "预算、决算批准后20日内公开；收支和资金使用情况每季度结束后15日内公开",
        Period.QUARTERLY,
        "镇（县）人民政府财政部门",
        (_BOARD, _WEB),
        _TOWN_LEVEL,
    ),
    _entry(
        "town.collective-debt",
        "财政管理",
        "集体债权债务",
        "镇（县）集体债权、债务的形成原因、金额、债权债务人和清收、偿还情况。",
        f"{_OGI}第十九条、第二十条第（七）项",
        "每年公开一次，次年第一季度内公开上年末债权债务情况",
        Period.YEARLY,
        "镇（县）人民政府财政部门",
        (_BOARD, _WEB),
        _TOWN_LEVEL,
    ),
    _entry(
        "town.other-matters",
        "公共事务",
        "与群众切身利益密切相关的其他事项",
        "农田水利工程建设运营、农村土地承包经营权流转、宅基地使用情况审核、"
        "筹资筹劳等与群众切身利益密切相关的其他事项。",
        f"{_OGI}第二十一条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "镇（县）人民政府",
        (_BOARD, _WEB, _MEETING),
        _TOWN_LEVEL,
    ),
    # 条例第四十九、五十条: the annual report (国办公开办函〔2021〕30号 format) ------
    _entry(
        "common.annual-report",
        "政府信息公开年报",
        "政府信息公开工作年度报告",
        "上一年度政府信息公开工作年度报告：主动公开、依申请公开、行政复议和"
        "行政诉讼情况及存在的主要问题和改进情况。",
        f"{_OGI}第四十九条、第五十条",
        "每年1月31日前公布（县级人民政府汇总报告3月31日前）",
        Period.YEARLY,
        "各行政机关",
        (_BOARD, _WEB),
        ("county", "town", "department", "station", "school"),
        level=PublicLevel.COUNTY,
        required=False,
    ),
    # 三(二)5 对本机关干部职工应当公开的内容 -------------------------------------------
    _entry(
        "staff.integrity",
        "内部事务",
        "领导干部廉洁自律",
        "领导干部述职述廉和执行廉洁自律规定的情况；公务接待、公务用车等情况。",
        "《中国共产党廉洁自律准则》；《中国共产党党内监督条例》",
        "每年至少公开一次，结合年度述职述廉进行",
        Period.YEARLY,
        "本单位领导班子",
        (_STAFF_MEETING, _INNER_BOARD),
        _STAFF,
        audience=Audience.SPECIFIC,
    ),
    _entry(
        "staff.assessment",
        "内部事务",
        "干部考核奖惩及职工关心的其他事项",
        "干部年度考核结果；奖励和惩处情况；职称评定、评先评优、"
        "福利待遇等干部职工关心的其他重要事项。",
        "《中华人民共和国公务员法》第五章、第八章",
        "年度考核结束后20个工作日内公开；其他事项形成之日起20个工作日内公开",
        Period.YEARLY,
        "本单位人事部门",
        (_STAFF_MEETING, _INNER_BOARD),
        _STAFF,
        audience=Audience.SPECIFIC,
    ),
)
