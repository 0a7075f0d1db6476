"""What a printed paper form and the officer's pages show people: ruled lines to write a text
answer on, and respondent groups by their labels, never their codes."""

from __future__ import annotations

import io
import itertools
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from tests.test_pdf import read_pdf
from tests.web.test_paper_forms import batch_form_fields

GROUP_CODES = ("business", "citizen", "council_delegate", "commune_leader")


@pytest.fixture
def ward_campaign(make_campaign, ward):
    """An open PAR campaign over the ward and its residential groups (CX4: businesses, citizens)."""
    return make_campaign(["CX4"], [ward, *ward.children])


def print_batch_page(client, campaign, **form: str):
    url = f"/field/paper/{campaign.id}/CX4/21172-T01"
    return client.post(url, data=batch_form_fields(client.get(url).get_data(as_text=True)) | {"forms": "1", **form})


def visible_text(html: str) -> str:
    """What a reader sees of a page: its text without markup, QR codes or hidden form values."""
    html = re.sub(r"<(svg|title|script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def question_block(html: str, code: str) -> str:
    """The markup of one question of the printed form, from its code to the next question."""
    return html.split(f'<span class="code">{code}</span>', 1)[1].split('<div class="question">', 1)[0]


def wide_rules(reader: PdfReader, page_number: int) -> int:
    """Horizontal lines across most of the text width drawn on a page. WeasyPrint draws (or
    clips) a border as one path from end to end, Chromium a dotted one as a row of squares of
    a unit or two: a row of those counts by the extent of its squares."""
    page = reader.pages[page_number]
    half_width = float(page.mediabox.width) / 2  # user units are points or smaller
    rules = 0
    dots: dict[float, list[float]] = {}
    operations = ContentStream(page.get_contents(), reader).operations
    for (start, operator), (end, next_operator) in itertools.pairwise(operations):
        if operator == b"m" and next_operator == b"l" and start[1] == end[1]:
            rules += abs(float(start[0]) - float(end[0])) > half_width
        elif operator == b"re" and float(start[2]) <= 2 and float(start[3]) <= 2:
            dots.setdefault(float(start[1]), []).append(float(start[0]))
    return rules + sum(max(row) - min(row) > half_width for row in dots.values())


def test_a_text_answer_gets_ruled_lines_to_write_on_in_print_and_in_the_pdf(
    client, auth, surveyor, ward_campaign
) -> None:
    auth.login("dtv1")
    html = print_batch_page(client, ward_campaign).get_data(as_text=True)
    assert question_block(html, "CX4_GY").count('<span class="line"></span>') == 5
    assert question_block(html, "CX4_11").count('class="line"') == 0, "a question with boxes has no lines"

    pdf = print_batch_page(client, ward_campaign, format="pdf").get_data()
    reader = PdfReader(io.BytesIO(pdf))
    [page_number] = [n for n, page in enumerate(reader.pages) if "CX4_GY" in page.extract_text()]
    assert wide_rules(reader, page_number) == 5  # the borders print, unlike a background


def test_the_printed_form_names_groups_by_their_labels_once(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    chosen = visible_text(print_batch_page(client, ward_campaign, respondent_group="citizen").get_data(as_text=True))
    assert "Nhóm người trả lời: Người dân có giao dịch với UBND cấp xã" in chosen

    either = visible_text(print_batch_page(client, ward_campaign).get_data(as_text=True))
    assert "Đối tượng Doanh nghiệp, cơ sở sản xuất kinh doanh Người dân có giao dịch với UBND cấp xã" in either
    assert "Lĩnh vực Hộ tịch" in either  # the import column's name, then the boxes: one label each
    _sizes, pdf_text = read_pdf(print_batch_page(client, ward_campaign, format="pdf").get_data())
    for text in (chosen, either, pdf_text):
        assert not any(code in text for code in GROUP_CODES)
        assert "Đối tượng Nhóm người trả lời" not in text and "Lĩnh vực thủ tục hành chính" not in text
    assert "Đối tượng" in pdf_text and "Nhóm người trả lời" not in pdf_text


def test_the_campaign_channels_list_groups_by_their_labels(client, auth, officer, make_campaign, ward) -> None:
    campaign = make_campaign(["CX1", "CX4"], [ward, *ward.children])
    auth.login("canbo")
    html = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    channels = visible_text(html.split('id="channels"', 1)[1].split("</form>", 1)[0])
    assert "Đại biểu HĐND cấp xã (kể cả Thường trực HĐND)" in channels and "Lãnh đạo UBND cấp xã" in channels
    assert not any(code in channels for code in GROUP_CODES)
    assert 'value="council_delegate"' in html  # the form still sends the code


def test_the_import_page_says_which_code_to_type_for_each_group(client, auth, officer, ward_campaign) -> None:
    """The printed form names groups only: whoever types paper forms into an import file finds the codes here."""
    auth.login("canbo")
    page = visible_text(client.get(f"/admin/campaigns/{ward_campaign.id}/import").get_data(as_text=True))
    assert "gõ mã như dưới đây, không gõ tên nhóm" in page
    assert "CX4: mã business cho «Doanh nghiệp, cơ sở sản xuất kinh doanh»; mã citizen cho «Người dân" in page
