"""Retakes the README's screenshots from the demo, at desktop and phone width.

    .venv/bin/python docs/gen_screenshots.py

loads the demo (新和县, a simulated year to Friday 20 November 2026, 10:00 China time)
into a throw-away SQLite store, serves it on 127.0.0.1 and, in headless Chromium
(/usr/bin/chromium, as the browser tests), writes into docs/: 首页 signed in as the
county supervisor (``console-home.png``, ``console-home-phone.png``) and 团结村's
public board (``public-board.png``, ``public-board-phone.png``). Look at them before
committing.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from infra.settings import Settings
from services.demo.builder import SimClock, load_demo
from services.platform.runtime import Platform
from services.server import create_app
from tests.live_server import live_server

DOCS = Path(__file__).parent
END = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in China
BOARD = "/gongkai/xinhe.xinhe-zhen.tuanjie"
# Width and height of each picture in CSS px (None: the whole page, at most 1800).
SIZES: dict[str, tuple[int, int | None]] = {"": (1280, None), "-phone": (390, 1500)}
PAGES = (("console-home", "/console/"), ("public-board", BOARD))


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--lang=zh-CN",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(
        service=Service(executable_path="/usr/bin/chromedriver"), options=options
    )


def sign_in(driver: webdriver.Chrome, url: str) -> None:
    driver.get(f"{url}/console/sign-in")
    driver.find_element(By.ID, "f-username").send_keys("XH-0001@xinhe")
    driver.find_element(By.ID, "f-password").send_keys("demo-county-2026")
    driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    WebDriverWait(driver, 20).until(lambda d: "/console/sign-in" not in d.current_url)


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="gongkai-shots-"))
    settings = Settings(
        home=home,
        database_url=f"sqlite:///{home / 'gongkai.db'}",
        token_secret=secrets.token_urlsafe(32),
        read_wait_seconds=5.0,
    )
    clock = SimClock(NOW)
    platform = Platform(settings, clock=clock)
    driver = browser()
    try:
        load_demo(platform, clock, end=END)
        platform.rebuild()
        clock.moment = NOW
        with live_server(create_app(settings, platform=platform), settings) as url:
            sign_in(driver, url)
            for suffix, (width, height) in SIZES.items():
                for name, page in PAGES:
                    driver.set_window_size(width, 900)
                    driver.get(url + page)
                    frame, whole = driver.execute_script(
                        "return [window.outerHeight - window.innerHeight,"
                        " document.documentElement.scrollHeight]"
                    )
                    tall = height or min(int(whole), 1800)
                    driver.set_window_size(width, tall + int(frame))
                    target = DOCS / f"{name}{suffix}.png"
                    driver.save_screenshot(str(target))
                    print(target)
    finally:
        driver.quit()
        platform.close()


if __name__ == "__main__":
    main()
