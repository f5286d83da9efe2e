"""The pages in a real headless Chromium: walk, file, act, read the public board."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from domain.access import Role
from domain.cases.personal_data import Applicant
from domain.timeliness import local_date
from services.cases.receipts import receipt_number
from services.demo.fees import ITEMS as FEE_ITEMS
from services.demo.power_data import scenic_power_listing
from tests.browser.conftest import Live
from tests.conftest import principal
from tests.exports import split
from tests.web_seed import CLERK_USER, COUNTY_USER, TUANJIE

OFF_SITE = re.compile(r"Loading the \w+ 'https?://(?!127\.0\.0\.1[:/])")


@pytest.fixture(autouse=True)
def no_policy_violations(browser: webdriver.Chrome) -> Iterator[None]:
    """Every page's own scripts and styles run under its Content-Security-Policy:
    the console shows no refusal, in any test. (ReDoc's bundle asks for its maker's
    logo from cdn.redoc.ly; the policy keeping that out is the policy working.)"""
    browser.get_log("browser")  # what earlier tests left
    yield
    refused = [
        entry["message"]
        for entry in browser.get_log("browser")
        if "Content Security Policy" in entry["message"]
        and not OFF_SITE.search(entry["message"])
    ]
    assert refused == []


def shot(browser: webdriver.Chrome, live: Live, name: str) -> Path:
    """A full-page screenshot under the run's screenshot directory."""
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(max(int(height) + 140, 600), 4000))
    path = live.shots / f"{name}.png"
    browser.save_screenshot(str(path))
    browser.set_window_size(1280, 900)
    return path


def replaced(page: WebElement) -> Callable[[webdriver.Chrome], bool]:
    """Whether ``page`` has left the document. Like selenium's ``staleness_of``, but
    Chromium may also answer "Node with given id does not belong to the document"
    (a plain WebDriverException, seen in CI) while the next page takes over."""

    def gone(_: webdriver.Chrome) -> bool:
        try:
            page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as e:
            if "does not belong to the document" in str(e):
                return True
            raise
        return False

    return gone


def go(browser: webdriver.Chrome, element: WebElement) -> None:
    """Click a link or button and wait until the next page has replaced this one."""
    page = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, 10).until(replaced(page))
    # A POST answered by a redirect is still loading its next document here; the
    # next find_element must not catch a node of the one being replaced.
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return document.readyState") == "complete"
    )


def sign_in(browser: webdriver.Chrome, live: Live, user: tuple[str, str]) -> None:
    browser.delete_all_cookies()
    browser.get(f"{live.url}/console/")
    assert "/console/sign-in" in browser.current_url  # signed out → sign-in
    browser.find_element(By.ID, "f-username").send_keys(user[0])
    browser.find_element(By.ID, "f-password").send_keys(user[1])
    go(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]"))


def test_a_supervisor_walks_home_town_village_and_an_items_diff(
    browser: webdriver.Chrome, live: Live
) -> None:
    sign_in(browser, live, COUNTY_USER)
    assert browser.find_element(By.TAG_NAME, "h1").text.endswith("政务公开监督总览")
    assert browser.find_element(By.CSS_SELECTOR, ".who").text == "艾尔肯（XH-0001）"
    shot(browser, live, "console-home")
    go(browser, browser.find_element(By.LINK_TEXT, "JSON"))  # the page's twin
    assert '"rows"' in browser.find_element(By.TAG_NAME, "body").text  # not a 401
    browser.back()
    go(browser, browser.find_element(By.LINK_TEXT, "塔河镇"))
    assert "塔河镇" in browser.find_element(By.TAG_NAME, "h1").text
    go(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "团结村"))
    here = urlsplit(browser.current_url)
    assert here.path == f"/console/t/{TUANJIE}"
    assert "known_at=" in here.query  # 首页's moments go with every link
    shot(browser, live, "console-village")
    village = browser.current_url
    go(browser, browser.find_element(By.LINK_TEXT, "公开事项列表"))
    assert "共 1 项" in browser.find_element(By.TAG_NAME, "caption").text
    browser.find_element(By.CSS_SELECTOR, "input[name=status][value=withdrawn]").click()
    go(browser, browser.find_element(By.CSS_SELECTOR, ".filters button"))
    assert "误发的通知" in browser.page_source  # withdrawn, with its reason
    assert "known_at=" in browser.current_url  # the form keeps the page's moments
    shot(browser, live, "console-disclosures")
    browser.get(village)
    go(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "第一季度财务收支"))
    deleted = browser.find_element(By.CSS_SELECTOR, ".diff del").text
    inserted = browser.find_element(By.CSS_SELECTOR, ".diff ins").text
    assert (deleted, inserted) == ("8", "6")
    assert "更正支出金额笔误" in browser.page_source
    shot(browser, live, "console-item-diff")
    browser.get(f"{live.url}/console/t/wensu")  # a sibling county
    assert browser.find_element(By.TAG_NAME, "h1").text == "页面不存在"
    go(browser, browser.find_element(By.CSS_SELECTOR, ".masthead button.link"))
    browser.get(f"{live.url}/console/")  # signed out: back to the sign-in page
    assert "/console/sign-in" in browser.current_url


def test_swagger_ui_and_redoc_render_from_local_assets(
    browser: webdriver.Chrome, live: Live
) -> None:
    browser.get(f"{live.url}/docs")
    title = WebDriverWait(browser, 15).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".swagger-ui .info .title")
    )
    assert "Gongkai" in title[0].text
    browser.get(f"{live.url}/redoc")
    heading = WebDriverWait(browser, 15).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".api-info h1")
    )
    assert "Gongkai" in heading[0].text


def test_a_clerk_files_a_case_and_takes_two_actions(
    browser: webdriver.Chrome, live: Live
) -> None:
    sign_in(browser, live, CLERK_USER)
    browser.get(f"{live.url}/console/t/{TUANJIE}/cases/new")
    browser.execute_script(
        "document.querySelector('form.stack [name=csrf_token]').remove()"
    )
    go(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button"))
    assert "表单已失效" in browser.title  # refused without its CSRF token
    browser.get(f"{live.url}/console/t/{TUANJIE}/cases/new")
    browser.find_element(By.ID, "f-summary").send_keys("村口路灯损坏三个月未修")
    browser.find_element(By.ID, "f-signed").click()
    browser.find_element(By.ID, "f-applicant_name").send_keys("张三丰")
    browser.find_element(By.ID, "f-applicant_phone").send_keys("13812345678")
    go(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]"))
    assert "村口路灯损坏" in browser.find_element(By.TAG_NAME, "h1").text
    go(
        browser,
        browser.find_element(By.CSS_SELECTOR, "#act-accept button[type=submit]"),
    )
    assert "已受理" in browser.page_source or "accepted" in browser.page_source
    browser.find_element(By.CSS_SELECTOR, "#act-assign summary").click()
    form = browser.find_element(By.CSS_SELECTOR, "#act-assign form")
    form.find_element(By.NAME, "department").send_keys("村委会")
    form.find_element(By.NAME, "handler").send_keys("XH-0201")
    go(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "村委会" in browser.page_source
    assert "张三丰" in browser.page_source  # the handling clerk sees the applicant
    shot(browser, live, "console-case")


def test_the_public_board_marks_revisions_and_shows_no_personal_data(
    browser: webdriver.Chrome, live: Live
) -> None:
    browser.delete_all_cookies()
    browser.get(f"{live.url}/gongkai/{TUANJIE}")
    assert browser.find_element(By.TAG_NAME, "h1").text.endswith("政府信息公开专栏")
    tags = [t.text for t in browser.find_elements(By.CSS_SELECTOR, ".tag")]
    assert "更正" in tags
    assert "缺项" in tags
    html = browser.page_source
    for private in ("张三丰", "13812345678", "路灯"):
        assert private not in html
    shot(browser, live, "public-board")
    go(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "第一季度财务收支"))
    go(browser, browser.find_element(By.LINK_TEXT, "第 1 版"))
    assert "9.8万元" in browser.find_element(By.CSS_SELECTOR, ".body-text").text


def test_the_overview_downloads_as_xlsx_and_reads_back(
    browser: webdriver.Chrome, live: Live
) -> None:
    sign_in(browser, live, COUNTY_USER)
    browser.find_element(By.ID, "export-xlsx").click()
    folder: Path = browser.downloads  # type: ignore[attr-defined]
    WebDriverWait(browser, 15).until(
        lambda _: [p for p in folder.glob("*.xlsx") if p.stat().st_size > 0]
    )
    book = openpyxl.load_workbook(next(folder.glob("*.xlsx")), read_only=True)
    heading, rows = split([list(r) for r in book.active.iter_rows(values_only=True)])
    assert heading["导出时间"][0]  # when it was taken, in its first rows
    assert tuple(rows[0][:2]) == ("单位", "层级")
    names = [r[0] for r in rows[1:]]
    assert "新和县" in names
    assert "团结村" in names
    assert "温宿县" not in names  # a sibling county is not in the subtree


PHONE = 390  # CSS px: a common phone's width

# Whatever sticks out past the right edge of the viewport: the page itself, or any
# element (tables included) not clipped by a box that scrolls or hides overflow.
OVERFLOWING = """
const width = window.innerWidth, out = [];
const root = document.documentElement;
if (root.scrollWidth > width) out.push('page scrollWidth ' + root.scrollWidth);
const clips = el => {
  for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
    if (getComputedStyle(up).overflowX !== 'visible') return true;
  }
  return false;
};
for (const el of document.body.querySelectorAll('*')) {
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0 || box.right <= 0) continue;
  if ((box.right > width + 0.5 || box.width > width) && !clips(el)) {
    const name = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
    out.push(name + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
  }
}
return out;
"""
# Table cells squeezed below two characters of their own text: a table that keeps
# its columns at phone width wraps its headers one character a line.
SQUEEZED = """
const out = [];
for (const cell of document.querySelectorAll('main th, main td')) {
  const text = cell.textContent.trim(), box = cell.getBoundingClientRect();
  const em = parseFloat(getComputedStyle(cell).fontSize);
  if (text.length >= 2 && box.width > 0 && box.width < 2 * em) {
    out.push(text.slice(0, 12) + ' ' + Math.round(box.width) + 'px');
  }
}
return out;
"""


def phone_shot(browser: webdriver.Chrome, live: Live, name: str) -> Path:
    """A full-page screenshot at phone width, after checking nothing overflows."""
    assert browser.execute_script("return window.innerWidth") == PHONE
    assert browser.execute_script(OVERFLOWING) == [], name
    assert browser.execute_script(SQUEEZED) == [], name
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(PHONE, min(max(int(height), 600), 6000))
    path = live.shots / f"phone-{name}.png"
    browser.save_screenshot(str(path))
    browser.set_window_size(PHONE, 844)
    return path


def filed_receipt(live: Live) -> str:
    """A case filed at 团结村 by a villager whose phone ends in 6789: its receipt."""
    cases = live.platform.cases
    filed = cases.file(
        principal(TUANJIE, Role.CLERK),
        TUANJIE,
        kind="complaint",
        channel="visit",
        summary="村务公开栏玻璃破损",
        signed=True,
        applicant=Applicant(name="李四", phone="13900006789"),
    )
    receipt = receipt_number(filed.id, local_date(cases.now()))
    assert receipt is not None
    return receipt


def test_public_pages_and_the_console_reflow_at_phone_width(
    browser: webdriver.Chrome, live: Live
) -> None:
    browser.delete_all_cookies()
    browser.set_window_size(PHONE, 844)
    try:
        browser.get(f"{live.url}/gongkai/")
        phone_shot(browser, live, "public-index")
        browser.get(f"{live.url}/gongkai/{TUANJIE}")
        phone_shot(browser, live, "public-board")
        browser.get(f"{live.url}/gongkai/{TUANJIE}/items/{live.ids['item']}")
        phone_shot(browser, live, "public-item")
        browser.get(f"{live.url}/gongkai/{TUANJIE}/items/{live.ids['withdrawn']}")
        phone_shot(browser, live, "public-withdrawn")
        browser.get(f"{live.url}/gongkai/_receipt")
        browser.find_element(By.ID, "f-receipt").send_keys(filed_receipt(live))
        browser.find_element(By.ID, "f-phone_last4").send_keys("6789")
        go(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button"))
        assert "受理单位" in browser.find_element(By.TAG_NAME, "table").text
        phone_shot(browser, live, "receipt")
        sign_in(browser, live, COUNTY_USER)
        assert browser.find_element(By.TAG_NAME, "h1").text.endswith("政务公开监督总览")
        phone_shot(browser, live, "console-home")
        for page, name in (
            (f"/console/t/{TUANJIE}", "console-village"),
            (f"/console/t/{TUANJIE}/items/{live.ids['item']}", "console-item"),
            (f"/console/t/{TUANJIE}/cases", "console-cases"),
            (f"/console/t/{TUANJIE}/audit", "console-audit"),
            ("/console/t/xinhe/assessment", "console-assessment"),
            ("/console/t/xinhe/rankings", "console-rankings"),
        ):
            browser.get(f"{live.url}{page}")
            phone_shot(browser, live, name)
    finally:
        browser.set_window_size(1280, 900)


def test_a_power_list_shows_its_flowcharts_on_the_board_and_in_the_console(
    browser: webdriver.Chrome, live: Live
) -> None:
    """The branching process of a licence as SVG, with its steps as a list; the
    county's console counts the unit's risks; both reflow at phone width."""
    unit = "xinhe.tahe.school-1"
    powers = live.platform.powers
    clerk = principal(unit, Role.CLERK)
    start = date(2026, 1, 1)
    live.platform.levies.publish_standard(clerk, unit, start, FEE_ITEMS)
    drafted = powers.draft(
        principal(unit, Role.CLERK), unit, **scenic_power_listing().to_dict()
    )
    last = powers.approve(principal("xinhe", Role.SUPERVISOR), unit, drafted.version)
    live.platform.wait("power_list_versions", last)
    browser.delete_all_cookies()
    browser.get(f"{live.url}/gongkai/{unit}/powers")
    assert browser.find_element(By.TAG_NAME, "h1").text.endswith("权责清单")
    assert "45 个" in browser.find_element(By.CSS_SELECTOR, "dl.summary").text
    go(
        browser,
        browser.find_element(By.LINK_TEXT, "风景名胜区内设置、张贴商业广告审批"),
    )
    svg = browser.find_element(By.CSS_SELECTOR, "figure.flowchart svg")
    assert svg.get_attribute("role") == "img"
    assert svg.size["width"] > 300
    exits = browser.find_elements(By.CSS_SELECTOR, "svg rect.fc-branch")
    assert len(exits) == 2  # 不予受理, 不予许可
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg path.fc-loop")) == 1
    steps = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "ol.steps li")]
    assert steps[0].startswith("受理：窗口受理岗，1 个工作日；补正，退回“受理”")
    assert len(steps) == 4
    shot(browser, live, "public-power")
    browser.get(f"{live.url}/gongkai/{unit}/powers/XK-005")  # names a fee item
    fee = browser.find_element(By.XPATH, "//dt[.='收费']/following-sibling::dd[1]")
    assert "12.5 元/平方米·月" in fee.text
    go(browser, fee.find_element(By.LINK_TEXT, "景区经营场地占用费"))
    assert urlsplit(browser.current_url).fragment == "fee-site"
    assert "景区经营场地占用费" in browser.find_element(By.ID, "fee-site").text
    browser.set_window_size(PHONE, 844)
    try:
        phone_shot(browser, live, "public-power")
        sign_in(browser, live, COUNTY_USER)
        browser.get(f"{live.url}/console/t/xinhe/powers")
        units = browser.find_element(By.CSS_SELECTOR, "#units + table").text
        assert "塔河镇中心小学" in units
        assert "45（10/20/15）" in units
        phone_shot(browser, live, "console-powers")
    finally:
        browser.set_window_size(1280, 900)
    browser.get(f"{live.url}/console/t/xinhe/powers")
    shot(browser, live, "console-powers")


def test_the_participation_pages_reflow_at_phone_width(
    browser: webdriver.Chrome, live: Live
) -> None:
    """公众参与: a village's supervisors and 建议提案 figures on the public board and
    in the console, at phone width; the board names supervisors, never proposers."""
    clerk = principal(TUANJIE, Role.CLERK, Role.HANDLER)
    today = local_date(live.platform.cases.now())
    live.platform.supervisors.appoint(
        clerk,
        TUANJIE,
        number="TJ-001",
        name="孙建华",
        category="居民代表",
        term_from=today,
        term_to=today.replace(year=today.year + 2),
    )
    filed = live.platform.cases.file(
        clerk,
        TUANJIE,
        kind="deputy_suggestion",
        channel="letter",
        summary="建议在村委会门口增设公开栏照明",
        signed=True,
        applicant=Applicant(name="王建国"),
    )
    live.platform.cases.accept(clerk, TUANJIE, filed.id)
    live.platform.cases.meet(clerk, TUANJIE, filed.id, note="入户沟通")
    browser.delete_all_cookies()
    browser.set_window_size(PHONE, 844)
    try:
        board = f"{live.url}/gongkai/{TUANJIE}/participation"

        def shows_the_meeting(b: webdriver.Chrome) -> bool:
            b.get(board)  # the case view follows the log: read until it caught up
            return "（1/1）" in b.find_element(By.TAG_NAME, "main").text

        WebDriverWait(browser, 10).until(shows_the_meeting)
        text = browser.find_element(By.TAG_NAME, "main").text
        assert "孙建华" in text
        assert "王建国" not in text
        phone_shot(browser, live, "public-participation")
        sign_in(browser, live, COUNTY_USER)
        for page, name in (
            (f"/console/t/{TUANJIE}/suggestions", "console-suggestions"),
            (f"/console/t/{TUANJIE}/supervisors", "console-supervisors"),
        ):
            browser.get(f"{live.url}{page}")
            phone_shot(browser, live, name)
    finally:
        browser.set_window_size(1280, 900)


def test_a_questionnaire_is_answered_at_phone_width(
    browser: webdriver.Chrome, live: Live
) -> None:
    """问卷调查 on a phone: the public answers with a paper code, no account; the
    same code again is refused in Chinese; closed, the results are on the board."""
    clerk = principal(TUANJIE, Role.CLERK)
    forms = live.platform.questionnaires
    number = forms.design(
        clerk,
        TUANJIE,
        title="团结村村务公开满意度调查",
        purpose="听取村民对村务公开的意见",
        questions=[
            {
                "kind": "single",
                "text": "您是否看过村务公开栏？",
                "options": ["看过", "没看过"],
            },
            {
                "kind": "multiple",
                "text": "您从哪里了解村务？",
                "options": ["公开栏", "村民微信群", "村民大会"],
            },
            {"kind": "scale", "text": "您对村务公开工作的总体评价"},
            {"kind": "text", "text": "您的意见和建议"},
        ],
        minimum_sample=1,
    )
    (code,) = forms.issue_codes(clerk, TUANJIE, number, 1)
    today = local_date(live.platform.cases.now())
    forms.open(clerk, TUANJIE, number, opens_on=None, closes_on=today)
    browser.delete_all_cookies()
    browser.set_window_size(PHONE, 844)
    url = f"{live.url}/gongkai/{TUANJIE}/questionnaires/{number}"
    try:
        for attempt in ("first", "again"):
            browser.get(url)
            if attempt == "first":
                phone_shot(browser, live, "public-questionnaire")
            browser.find_element(By.ID, "f-code").send_keys(code.lower())
            main = browser.find_element(By.TAG_NAME, "main")
            for name, value in (("q0", "0"), ("q2", "5")):
                main.find_element(
                    By.CSS_SELECTOR, f"input[name={name}][value='{value}']"
                ).click()
            main.find_element(By.CSS_SELECTOR, "input[name=q1_2]").click()
            main.find_element(By.ID, "f-q3").send_keys("公开栏应加装照明")
            go(browser, main.find_element(By.CSS_SELECTOR, "button[type=submit]"))
            text = browser.find_element(By.TAG_NAME, "main").text
            if attempt == "first":
                assert "提交成功" in text
            else:
                assert "此问卷码已使用过" in text
                phone_shot(browser, live, "public-questionnaire-refused")
        forms.close(clerk, TUANJIE, number)
        browser.get(f"{live.url}/gongkai/{TUANJIE}/participation")
        text = browser.find_element(By.TAG_NAME, "main").text
        assert "团结村村务公开满意度调查" in text
        assert "100.0%" in text
        assert "公开栏应加装照明" not in text  # free text is for staff
        phone_shot(browser, live, "public-questionnaire-results")
        sign_in(browser, live, COUNTY_USER)
        browser.get(f"{live.url}/console/t/{TUANJIE}/questionnaires")
        assert "公开栏应加装照明" in browser.find_element(By.TAG_NAME, "main").text
        phone_shot(browser, live, "console-questionnaires")
    finally:
        browser.set_window_size(1280, 900)
