"""A live server on 127.0.0.1 and headless Chromium from the OS (Selenium).

The browser and its driver are Debian's (/usr/bin/chromium, /usr/bin/chromedriver,
installed by .ci/browser); the driver path is given explicitly, so Selenium never
looks for or downloads one. One server and one browser serve the whole module.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from infra.settings import Settings
from services.server import create_app
from tests.live_server import live_server
from tests.web_seed import seed

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


class Live:
    def __init__(self, url: str, platform: Any, ids: dict[str, str], shots: Path):
        self.url, self.platform, self.ids, self.shots = url, platform, ids, shots


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    from services.platform.runtime import Platform

    home = tmp_path_factory.mktemp("web-home")
    settings = Settings(
        home=home,
        database_url=f"sqlite:///{home / 'gongkai.db'}",
        token_secret=secrets.token_urlsafe(32),  # generated per run
        read_wait_seconds=5.0,
    )
    platform = Platform(settings)
    platform.start_projections()
    ids = seed(platform)
    shots = Path(
        os.environ.get("GONGKAI_SCREENSHOTS")
        or tempfile.mkdtemp(prefix="gongkai-shots-")
    )
    shots.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots in {shots}")
    try:
        with live_server(create_app(settings, platform=platform), settings) as url:
            yield Live(url, platform, ids, shots)
    finally:
        platform.close()


@pytest.fixture(scope="module")
def browser(
    live: Live, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[webdriver.Chrome]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail("chromium missing: run `make browser-deps` (bash .ci/browser)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
        "--lang=zh-CN",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
        },
    )
    driver = webdriver.Chrome(
        service=Service(executable_path=CHROMEDRIVER), options=options
    )
    driver.set_page_load_timeout(20)
    driver.downloads = downloads  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
