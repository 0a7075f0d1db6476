"""Debian's headless Chromium driven by Playwright, against the app served by gunicorn (``live_server``).

Every audience is tried at a phone viewport and a desktop viewport (the ``device`` fixture);
pages are screenshotted into ``screenshots/`` and audited with axe-core, which ``make install``
takes from the npm registry at the version pinned in ``package-lock.json``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from surveyapp.questionnaires.answers import PROCEDURE_FIELD_FIELD, RESPONDENT_GROUP_FIELD, field_name
from surveyapp.questionnaires.definition import QuestionType
from tests.helpers import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
DEVICES = {
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": DESKTOP},
}
# Impacts that fail the accessibility audit; "minor" and "moderate" ones are only printed.
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    """Headless Chromium from Debian. Missing Chromium skips, unless REQUIRE_BROWSER=1 (CI)."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _page_on(browser, device: str) -> Iterator[object]:
    context = browser.new_context(**DEVICES[device], locale="vi-VN")
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(chromium_browser) -> Iterator[object]:
    """A phone-sized page (360 × 740, touch) in Vietnamese."""
    yield from _page_on(chromium_browser, "phone")


@pytest.fixture(params=list(DEVICES))
def device(request: pytest.FixtureRequest) -> str:
    """Each test that asks for it runs once per viewport: ``phone`` and ``desktop``."""
    return request.param


@pytest.fixture
def screen(chromium_browser, device: str) -> Iterator[object]:
    """A page in Vietnamese at the viewport of ``device`` (a phone with touch, or 1280 × 800)."""
    yield from _page_on(chromium_browser, device)


@pytest.fixture(scope="session")
def axe_js() -> Path:
    """axe-core's script, installed by ``make install`` (``npm ci --prefix tests/browser``)."""
    if not AXE_JS.is_file():
        message = f"{AXE_JS} is missing: run `npm ci --prefix tests/browser` (make install does when npm exists)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS


def audit_accessibility(page, axe_js: Path) -> list[dict]:
    """Run axe-core on the page as it is now; fail on any serious or critical violation.

    The strict Content-Security-Policy refuses inline scripts, so the script is not added as
    text (``add_script_tag(path=...)`` would be blocked) but served from the page's own origin
    through a route: the page is audited under the very policy people get.
    """
    origin = "/".join(page.url.split("/")[:3])
    url = f"{origin}/__tests__/axe.min.js"
    page.wait_for_load_state("load")  # a script added while a navigation ends is dropped with the old page
    page.route(url, lambda route: route.fulfill(path=axe_js, content_type="text/javascript"))
    page.add_script_tag(url=url)
    results = page.evaluate(
        """async () => {
            const results = await axe.run(document);
            return {passed: results.passes.length, violations: results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))}))};
        }"""
    )
    violations = results["violations"]
    assert results["passed"] > 0, "axe-core checked nothing: was the page empty?"
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    report = json.dumps(violations, ensure_ascii=False, indent=1)
    assert not blocking, f"axe-core found serious or critical violations on {page.url}:\n{report}"
    if violations:
        print(f"axe-core, minor or moderate violations on {page.url}:\n{report}")
    return violations


def save_screenshot(page, name: str) -> Path:
    """Keep a full-page screenshot of what the person saw, for review."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, live_server: str, username: str, password: str = PASSWORD) -> None:
    """Log a staff member in through the real log-in page, as a person types it."""
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation():  # the page that answers has loaded when this returns
        page.get_by_role("button", name="Đăng nhập").click()


def answer_everything(page, definition, *, skip: str | None = None) -> None:
    """Tap an answer for every question as a person would, leaving out ``skip``."""
    if definition.asks_respondent_group:
        page.check(f'input[name="{RESPONDENT_GROUP_FIELD}"][value="{definition.respondent_groups[0].code}"]')
    if definition.asks_procedure_field:
        page.select_option(f'select[name="{PROCEDURE_FIELD_FIELD}"]', "Đất đai")
    for question in definition.questions:
        if question.code == skip or question.type is QuestionType.TEXT:
            continue
        page.check(f'input[name="{field_name(question)}"][value="{question.options[3 % len(question.options)].key}"]')
