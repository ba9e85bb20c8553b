"""The claim page in a real headless browser (Debian's Chromium, driven by selenium), at a phone's
width: an alert's link opens it, the controls have accessible names, Claim shows the claimed state.
A screenshot is kept under tests/artifacts/ (git-ignored). `make browser` installs Chromium."""

import os
import re
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialcare_local.replay.scenario import Account
from socialcare_local.stack import local_stack

pytestmark = pytest.mark.e2e
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
BRAND = Account(type="account", channel="x", id="9001", handle="AcmeCare")
LINK = re.compile(r"Take it \(stops further alerts\): (\S+)")


@pytest.fixture
def browser():
    if not (os.access(CHROMIUM, os.X_OK) and os.access(DRIVER, os.X_OK)):
        pytest.skip(f"{CHROMIUM} or {DRIVER} is missing: `make browser` installs Debian's chromium")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (the dev extras) is not installed")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="claim-browser-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=360,740",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.set_window_size(360, 740)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_the_claim_page_on_a_phone_claims_the_ticket(browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    with local_stack([BRAND], T0) as stack:
        stack.mention(
            "1001", "42", "@AcmeCare my order never came, call +44 7700 900456", at=T0, handle="jane"
        )
        stack.run_until(T0 + timedelta(minutes=32))
        url = LINK.search(stack.emails()[0]["text"]).group(1)

        browser.get(url)
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert browser.title.startswith("Ticket ")
        assert "900456" not in browser.page_source  # redacted until the viewer asks
        # Nothing wider than the phone: no sideways scrolling at 360 px.
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
        claim = browser.find_element(By.TAG_NAME, "button")
        assert claim.accessible_name == "Claim this ticket"
        full = browser.find_element(By.LINK_TEXT, "Show the full text")
        assert full.accessible_name == "Show the full text"

        claim.click()
        # The click posts the form; the answer is a new page, which a busy machine serves later.
        status = WebDriverWait(browser, 30).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "[role=status]"))
        )
        assert "You have claimed this ticket" in status.text
        assert "claimed by" in browser.find_element(By.CSS_SELECTOR, "dd.state").text
        assert browser.find_elements(By.TAG_NAME, "button") == []  # nothing left to claim

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "claim_page_360.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 1000
        assert stack.ticket("1001")["claimed_by"]
    print(f"screenshot: {shot}")  # outside the stack, which sends the handlers' output elsewhere
