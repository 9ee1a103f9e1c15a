"""Debian's Chromium driven through its chromium-driver with Selenium, for
tests and the README's picture of the answer form. Nothing is downloaded: the
browser and driver are the system's (``apt-get install chromium
chromium-driver``); Selenium Manager is never asked, as both paths are given."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver", "chromium-driver")


def system_chromium() -> tuple[str, str] | None:
    """(browser, driver) paths, or None when either is missing."""
    browser = os.environ.get("STATUSBOT_CHROMIUM") or next(
        (p for p in map(shutil.which, BROWSERS) if p), None
    )
    driver = os.environ.get("STATUSBOT_CHROMEDRIVER") or next(
        (p for p in map(shutil.which, DRIVERS) if p), None
    )
    return (browser, driver) if browser and driver else None


@contextmanager
def chromium(
    *, width: int = 390, height: int = 844, mobile: bool = True, scale: float = 1
) -> Iterator[Any]:
    """A headless Chromium WebDriver (default: a phone's viewport), closed after."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = system_chromium()
    if found is None:
        raise RuntimeError("chromium and chromium-driver are not installed")
    browser, driver_path = found
    with tempfile.TemporaryDirectory(prefix="statusbot-selenium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
        ):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
        driver.implicitly_wait(10)  # a click's page load may still be under way
        try:
            if mobile:  # headless windows are at least 500 px wide: emulate the phone
                driver.execute_cdp_cmd(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": True},
                )
            yield driver
        finally:
            driver.quit()


def press(driver: Any, selector: str, *, timeout: float = 30) -> None:
    """Click the submit button at ``selector`` and wait until the next page has
    loaded. The old page is recognised by a mark left on its ``window`` (a new
    document gets a new one), not by an element going stale: during the
    navigation Chromium may answer a stale element's check with "Node with given
    id does not belong to the document" instead of the stale-element error that
    Selenium's ``staleness_of`` expects, so any driver error while the pages
    change over is read as "not yet"."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.__statusbotLeaving = true;")
    driver.find_element("css selector", selector).click()
    WebDriverWait(driver, timeout, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(
            "return window.__statusbotLeaving === undefined"
            " && document.readyState === 'complete';"
        )
    )
