"""An officer reads a round's PAR Index, types a unit's bonus points and sees the ranking change,
on a phone and a desktop; the page passes axe."""

from __future__ import annotations

import datetime as dt

from tests.browser.conftest import audit_accessibility, log_in, save_screenshot
from tests.web.test_round_index import make_groups, scored_round, store_small_set


def test_an_officer_types_bonus_points_and_the_ranking_follows(live_server, screen, device, axe_js, officer) -> None:
    first, second = make_groups()
    own = {first.code: {"1.1": "3", "2.2": "4"}, second.code: {"1.1": "3.5", "2.2": "4"}}
    assessment_round = scored_round(store_small_set(), first.parent, dt.date.today().year, own)

    log_in(screen, live_server, "canbo")
    screen.goto(f"{live_server}/admin/rounds/{assessment_round.id}")
    screen.get_by_role("link", name="Chỉ số CCHC của các đơn vị").click()
    ranking = screen.locator("table.index-ranking")
    assert "Kết quả tạm tính:" in screen.locator("main").inner_text()
    assert ranking.locator("tbody tr").first.get_attribute("id") == f"unit-{second.code}"  # 7.5 of 9 before 7
    audit_accessibility(screen, axe_js)

    form = screen.locator("form", has=screen.get_by_role("button", name="Lưu điểm"))
    form.get_by_label("Đơn vị").select_option(label=f"{first.code} — {first.name}")
    form.get_by_label("Tiêu chí").select_option(label="T1 — Sáng kiến")
    form.get_by_label("Điểm (để trống để xóa)").fill("1")
    form.get_by_role("button", name="Lưu điểm").click()
    assert "Đã lưu điểm tiêu chí T1 của Tổ dân phố An." in screen.locator(".flash-success").inner_text()
    ranking = screen.locator("table.index-ranking")
    first_row = ranking.locator("tbody tr").first
    assert first_row.get_attribute("id") == f"unit-{first.code}"  # 3 + 4 + 1 = 8 of 9
    assert "88,89" in first_row.inner_text() or "88,889" in first_row.inner_text()
    save_screenshot(screen, f"round-index-{device}")
    audit_accessibility(screen, axe_js)
