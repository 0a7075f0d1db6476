"""A surveyor prints a batch of paper forms on A4, then types one in by its serial."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.questionnaires.answers import PROCEDURE_FIELD_FIELD, field_name
from surveyapp.questionnaires.definition import QuestionType
from tests.browser.conftest import audit_accessibility, log_in, save_screenshot
from tests.web.test_paper_forms_print import wide_rules

PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?!s)")


@pytest.fixture
def ward_campaign(make_campaign, ward):
    """An open PAR campaign (CX4: businesses and citizens) over the ward and its residential groups."""
    return make_campaign(["CX4"], [ward, *ward.children])


def test_a_printed_batch_fills_whole_a4_pages_and_a_serial_types_in_once(
    live_server, phone, axe_js, surveyor, ward_campaign
) -> None:
    definition = ward_campaign.questionnaires[0].definition
    log_in(phone, live_server, "dtv1")
    phone.goto(f"{live_server}/field/enter/{ward_campaign.id}/CX4/21172-T01")
    phone.get_by_role("link", name="In lô phiếu giấy").click()
    audit_accessibility(phone, axe_js)
    assert phone.get_by_role("button", name="Tải PDF").is_visible()  # its answer is a download
    save_screenshot(phone, "paper-batch-form")
    phone.get_by_label("Số phiếu cần in").fill("3")
    phone.get_by_label("Nhóm người trả lời").select_option("citizen")
    phone.get_by_role("button", name="In lô phiếu").click()

    sheets = phone.locator("section.sheet")
    assert sheets.count() == 3
    assert sheets.first.locator(".qr svg").bounding_box()["width"] > 50
    save_screenshot(phone, "paper-forms-print")
    phone.emulate_media(media="print")
    assert phone.locator(".screen-only").is_hidden()
    pdf = phone.pdf(format="A4")
    pages = len(PAGE_OBJECT.findall(pdf))
    print(f"3 paper forms of CX4 print on {pages} A4 pages")
    assert pages % 3 == 0, "each form starts on a page of its own"
    reader = PdfReader(io.BytesIO(pdf))
    [gy_page] = [n for n, page in enumerate(reader.pages[: pages // 3]) if "CX4_GY" in page.extract_text()]
    assert wide_rules(reader, gy_page) == 5, "Chromium prints the text answer's lines too"
    serial = sheets.first.locator(".serial strong").inner_text()

    phone.emulate_media(media="screen")
    for attempt in range(2):
        phone.goto(f"{live_server}/field/enter/{ward_campaign.id}/CX4/21172-T01?serial={serial}")
        assert phone.get_by_label("Số sê-ri in trên phiếu (nếu có)").input_value() == serial
        phone.select_option(f'select[name="{PROCEDURE_FIELD_FIELD}"]', "Đất đai")
        for question in definition.questions:  # the group is printed on the form: not asked
            if question.type is not QuestionType.TEXT:
                phone.check(f'input[name="{field_name(question)}"][value="{question.options[0].key}"]')
        phone.get_by_role("button", name="Gửi phiếu").click()
        if attempt == 0:
            assert "Đã lưu phiếu" in phone.locator(".flash-success").inner_text()
    assert "đã được nhập trước đó" in phone.locator(".flash-warning").inner_text()
    [response] = db.session.scalars(select(Response))
    assert response.respondent_group == "citizen"
