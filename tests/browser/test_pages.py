"""The pages in a real headless Chromium: walk, file, act, read the public board."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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

from tests.browser.conftest import Live
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
