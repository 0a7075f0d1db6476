"""An assessed unit's staff log in, upload an evidence file, see it listed, download it, delete
it; and fill an area of their self-assessment, citing that evidence, and see their progress."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import EvidenceFile, SelfScore
from surveyapp.services.evidence import upload_evidence
from tests.browser.conftest import audit_accessibility, log_in, save_screenshot
from tests.web.test_self_assessment import open_round

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_unit_uploads_its_evidence_and_a_renamed_web_page_is_refused(
    live_server, screen, device, axe_js, unit_account, tmp_path: Path
) -> None:
    log_in(screen, live_server, "phuong")
    assert screen.url == f"{live_server}/unit/"
    assert "Phường Trương Quang Trọng" in screen.locator("h1").inner_text()
    audit_accessibility(screen, axe_js)
    save_screenshot(screen, f"unit-{device}-home")

    screen.get_by_role("link", name="Xem và tải lên tài liệu").click()
    assert "Chưa có tài liệu kiểm chứng nào." in screen.inner_text("main")
    fake = tmp_path / "ke-hoach.pdf"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")
    screen.get_by_label("Tên tài liệu").fill("Kế hoạch CCHC năm 2025")
    screen.get_by_label("Tệp tài liệu").set_input_files(str(fake))
    screen.get_by_role("button", name="Tải lên").click()
    assert "Nội dung tệp «ke-hoach.pdf» không phải là tệp .pdf" in screen.locator(".error").inner_text()
    audit_accessibility(screen, axe_js)
    save_screenshot(screen, f"unit-{device}-refused")

    real = tmp_path / "Kế hoạch 2025.pdf"
    real.write_bytes(PDF)
    screen.get_by_label("Tên tài liệu").fill("Kế hoạch CCHC năm 2025")
    screen.get_by_label("Tệp tài liệu").set_input_files(str(real))
    screen.get_by_role("button", name="Tải lên").click()
    assert "Đã lưu tài liệu «Kế hoạch CCHC năm 2025»" in screen.locator(".flash-success").inner_text()
    row = screen.locator("tbody tr").first
    assert "Kế hoạch 2025.pdf" in row.inner_text() and "1 KB" in row.inner_text()
    audit_accessibility(screen, axe_js)
    save_screenshot(screen, f"unit-{device}-listed")

    with screen.expect_download() as download:
        row.get_by_role("link", name="Tải về").click()
    assert download.value.suggested_filename == "Kế hoạch 2025.pdf"
    assert Path(download.value.path()).read_bytes() == PDF

    row.get_by_role("button", name="Xóa").click()
    assert "Đã xóa tài liệu «Kế hoạch CCHC năm 2025»." in screen.locator(".flash-success").inner_text()
    db.session.rollback()
    assert db.session.scalars(select(EvidenceFile)).all() == []


def test_a_unit_fills_an_area_citing_its_evidence_and_sees_its_progress(
    live_server, screen, device, axe_js, unit_account, ward, criteria_sets
) -> None:
    assessment_round = open_round(criteria_sets["CCHC-XA"], ward)
    plan = upload_evidence(ward, "Kế hoạch CCHC năm 2025", "ke-hoach.pdf", io.BytesIO(PDF), by=unit_account)
    db.session.commit()
    log_in(screen, live_server, "phuong")
    screen.get_by_role("link", name=assessment_round.name).click()
    assert "Đã hoàn thành 0/45 tiêu chí tự chấm." in screen.inner_text("main")
    audit_accessibility(screen, axe_js)

    area = screen.locator('[id="area-1"]')
    items = [node.code for node in criteria_sets["CCHC-XA"].definition.self_assessed if node.code.startswith("1.")]
    for number, code in enumerate(items):
        item = area.locator(f'[id="item-{code}"]')
        item.get_by_label("Điểm tự chấm").fill("1")
        item.get_by_label("Giải thích cách chấm").fill(f"Hoàn thành nhiệm vụ {code}")
        if number % 2 == 0:
            item.get_by_label("Trích dẫn thêm tài liệu").select_option(label=f"{plan.title} ({plan.file_name})")
        else:
            item.get_by_label("Lý do không có tài liệu kiểm chứng").fill("Văn bản lưu bản giấy tại Văn phòng")
        item.get_by_role("button", name=f"Lưu tiêu chí {code}").click()
        assert f"Đã lưu tiêu chí {code}." in screen.locator(".flash-success").inner_text()
    heading = screen.locator('[id="area-1"] .hint').first.inner_text()
    assert f"Hoàn thành {len(items)}/{len(items)} tiêu chí tự chấm" in heading
    assert f"Đã hoàn thành {len(items)}/45 tiêu chí tự chấm." in screen.inner_text("main")
    assert f'href="#item-{items[0]}"' not in screen.content()  # no longer listed as missing
    audit_accessibility(screen, axe_js)
    save_screenshot(screen, f"unit-{device}-self-assessment")
    db.session.rollback()
    cited = db.session.scalar(select(SelfScore).filter_by(code=items[0]))
    assert [file.id for file in cited.evidence] == [plan.id]
