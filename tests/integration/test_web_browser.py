"""The web view in a real headless Chromium (Debian's package), served by a real `jikenbo web` process.

The archive is the demo corpus parsed offline, plus alerts and a hostile post.
The browser loads the overview, follows chart links to filtered lists, opens an
incident and checks what is drawn; a new incident committed while the list is
open appears without a reload. Screenshots go to tests/output/web/ (ignored by
git) and their paths are printed. `make test` installs chromium when missing.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest

from services.archive.store import ArchiveStore
from tests.processes import REPO, service_env, start, stop, wait_until
from tests.web_support import HOSTILE_ID, fill_archive

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "tests" / "output" / "web"
LAUNCH_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]



@pytest.fixture(scope="module", autouse=True)
def chromium_present() -> None:
    """Skipped where chromium is missing on a developer's machine; in CI (`make test` installs it) that is a failure."""
    if not CHROMIUM.exists():
        message = "needs Debian's chromium at /usr/bin/chromium: `make browser` (part of `make test`) installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A `jikenbo web` process on a free port over a filled archive."""
    state = tmp_path_factory.mktemp("web-state")
    incidents = fill_archive(state / "archive.sqlite3", with_hostile=True)
    log = state / "web.log"
    process = start(["web", "--port", "0"], service_env(None, state, "web"), log)
    found: list[str] = []

    def announced() -> bool:
        found[:] = re.findall(r"serving (http://\S+/)", log.read_text(errors="replace"))
        return bool(found) or process.poll() is not None

    try:
        assert wait_until(announced, 30) and found, log.read_text(errors="replace")
        yield {"url": found[0], "incidents": incidents, "archive": state / "archive.sqlite3"}
    finally:
        stop(process)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), args=LAUNCH_FLAGS,
            headless=True, viewport={"width": 1280, "height": 900})
        yield context
        context.close()


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def month_of(incident: dict[str, Any]) -> str:
    # The archive sorts an incident without a disclosure or publication date under the day it was archived.
    return (incident["disclosed_on"] or (incident["source"].get("published") or "")[:10] or date.today().isoformat())[:7]


def test_overview_chart_list_incident_and_live_update(site: dict[str, Any], browser: Any) -> None:
    incidents = site["incidents"]
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(site["url"])
    assert page.locator("#total-incidents").inner_text() == str(len(incidents))
    cells = {(month_of(i), i["sector"]) for i in incidents}
    assert page.locator("#months svg rect.bar").count() == len(cells)
    types = Counter(t for i in incidents for t in i["incident_types"])
    assert page.locator("#types svg rect.bar").count() == len(types)
    shoot(page, "overview")

    # The longest type bar is the most frequent type; its link is that type's list.
    top_type, top_count = types.most_common(1)[0]
    page.locator("#types svg a:has(rect.bar)").first.click()
    page.wait_for_url(re.compile(rf"/incidents\?type={top_type}$"))
    assert page.locator("#match-count").inner_text() == str(top_count)
    assert page.locator("#rows tr[data-id]").count() == top_count
    shoot(page, "list-by-type")

    # A month segment narrows both the sector and the month.
    page.goto(site["url"])
    healthcare = [i for i in incidents if i["sector"] == "healthcare"]
    month = month_of(healthcare[0])
    in_cell = [i for i in healthcare if month_of(i) == month]
    page.locator(f'#months svg a[href*="sector=healthcare"][href*="since={month}-01"]').click()
    page.wait_for_url(re.compile(r"/incidents\?sector=healthcare&since="))
    assert page.locator("#match-count").inner_text() == str(len(in_cell))

    # The incident page: every field, the evidence highlighted in the body, the alert and its subscription.
    target = in_cell[0]
    page.locator(f'#rows tr[data-id="{target["incident_id"]}"] a').click()
    page.wait_for_url(re.compile(r"/incidents/inc-"))
    assert page.locator("h1").inner_text() == target["organization"]
    marked = page.locator('#body mark.ev[data-fields~="organization"]')
    assert marked.count() >= 1
    assert target["organization"] in "".join(marked.all_inner_texts())  # the quote the organisation was read from
    assert page.locator("#body mark.ev").count() >= 3
    assert "hospitals" in page.locator("#alerts").inner_text()
    shoot(page, "incident")

    # A post holding a script shows it as text and runs nothing.
    page.goto(f"{site['url']}incidents/{HOSTILE_ID}")
    assert "<script>" in page.locator("h1").inner_text()
    assert page.title() != "pwned" and not dialogs
    assert page.locator("#source-link").count() == 0

    # Live: an incident archived while the list is open appears on it without a reload.
    page.goto(f"{site['url']}incidents")
    page.wait_for_timeout(1500)  # the event stream is connected
    fresh = incidents[1] | {"incident_id": "inc-live-0001", "organization": "株式会社ライブ更新", "disclosed_on": "2030-01-01"}
    with ArchiveStore(site["archive"]) as store:
        store.commit([fresh])
    page.locator('#rows tr[data-id="inc-live-0001"]').wait_for(timeout=10_000)
    assert page.locator("#match-count").inner_text() == str(len(incidents) + 1)
    shoot(page, "list-live-update")

    # A phone's width: the overview still reads (no horizontal scrolling of the page).
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site["url"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "overview-phone")

