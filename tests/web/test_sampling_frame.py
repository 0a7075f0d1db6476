"""The sampling frame: import with row-level validation, the draw, and following people up."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from surveyapp.demo import UNITS_CSV
from surveyapp.extensions import db
from surveyapp.models import ANY_GROUP, FrameContact, FrameRecord, QuotaPolicy, Replacement, SampleEntry, SampleStatus
from surveyapp.services.quotas import QuotaRule, plan_quotas, save_quotas
from surveyapp.services.units import import_units_csv
from tests.helpers import csrf_token_of

FRAME = Path(__file__).resolve().parent.parent / "data" / "frame-example.csv"
FAULTY_LINES = [12, 22, 32, 42, 52, 57]  # data rows 11, 21, 31, 41, 51, 56 (see shared/data/README.md)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def ward_campaign(app, make_campaign):
    """Seed 000: the ward's residential groups, collecting CX4 from citizens."""
    import_units_csv(UNITS_CSV)
    db.session.commit()
    from surveyapp.models import Unit

    ward = db.session.scalar(select(Unit).filter_by(code="21172"))
    return make_campaign(["CX4"], list(ward.children))


@pytest.fixture
def officer_page(client, auth, officer, ward_campaign):
    auth.login("canbo")
    url = f"/admin/campaigns/{ward_campaign.id}/sample"

    def upload(data: bytes, name: str = "khung.csv", skip: bool = False):
        token = csrf_token_of(client.get(url).get_data(as_text=True))
        fields = {"frame-csrf_token": token, "frame-frame_file": (io.BytesIO(data), name)}
        if skip:
            fields["frame-skip_bad_rows"] = "y"
        return client.post(url, data=fields, content_type="multipart/form-data", follow_redirects=True)

    return url, upload


def test_a_frame_with_bad_rows_reports_every_one_and_stores_nothing(officer_page) -> None:
    _url, upload = officer_page
    html = upload(FRAME.read_bytes()).get_data(as_text=True)
    assert "Tệp có 6 lỗi nên chưa nhập dòng nào." in html
    for line in FAULTY_LINES:
        assert f'<td class="num">{line}</td>' in html
    assert "31/02/2022" in html and "trùng với dòng 31" in html and "99999-T01" in html
    assert "hồ sơ chưa trả kết quả" in html and "trước ngày tiếp nhận" in html
    assert count(FrameRecord) == 0


def test_the_officer_may_skip_the_bad_rows(officer_page) -> None:
    _url, upload = officer_page
    html = upload(FRAME.read_bytes(), skip=True).get_data(as_text=True)
    assert "Đã nhập 54 hồ sơ; bỏ qua 6 dòng lỗi." in html
    assert count(FrameRecord) == count(FrameContact) == 54


def test_an_xlsx_frame_is_read_like_a_csv(officer_page) -> None:
    _url, upload = officer_page
    workbook = Workbook()
    sheet = workbook.active
    for line in FRAME.read_text(encoding="utf-8").splitlines()[:6]:
        import csv

        sheet.append(next(csv.reader([line])))
    buffer = io.BytesIO()
    workbook.save(buffer)
    html = upload(buffer.getvalue(), name="khung.xlsx").get_data(as_text=True)
    assert "Đã nhập 5 hồ sơ" in html


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("khung.pdf", b"%PDF", "Chỉ nhận tệp .csv hoặc .xlsx."),
        ("khung.xlsx", b"not a workbook", "Không nhập được tệp"),
        ("khung.csv", "Mã hồ sơ,Lĩnh vực\n1,Hộ tịch\n".encode(), "thiếu cột này ở dòng tiêu đề"),
    ],
)
def test_files_that_are_not_frames_are_refused_clearly(officer_page, name, data, message) -> None:
    _url, upload = officer_page
    assert message in upload(data, name=name).get_data(as_text=True)
    assert count(FrameRecord) == 0


def test_the_draw_follows_the_quotas_is_reproducible_and_logs_replacements(client, officer_page, ward_campaign):
    url, upload = officer_page
    upload(FRAME.read_bytes(), skip=True)
    questionnaire = ward_campaign.questionnaires[0]
    save_quotas(
        ward_campaign, plan_quotas(ward_campaign, [QuotaRule(questionnaire, ANY_GROUP, 2)]), QuotaPolicy.FLAG_EXCESS
    )
    db.session.commit()

    def draw(seed: str):
        token = csrf_token_of(client.get(url).get_data(as_text=True))
        fields = {
            "draw-csrf_token": token,
            "draw-questionnaire_id": questionnaire.id,
            "draw-seed": seed,
            "draw-reserve_per_unit": "2",
        }
        return client.post(f"{url}/draw", data=fields, follow_redirects=True).get_data(as_text=True)

    assert "Đã chọn mẫu" in draw("2022-08")
    chosen = sorted(db.session.scalars(select(SampleEntry.record_id).filter_by(status=SampleStatus.TO_CONTACT)))
    assert len(chosen) == 2 * 12 - 1  # Tổ dân phố 8 has one record in the frame: taken whole
    assert "Mẫu của đợt điều tra này đã được chọn." in draw("2022-08")

    entry = db.session.scalar(select(SampleEntry).filter_by(status=SampleStatus.TO_CONTACT).order_by(SampleEntry.id))
    page = f"/field/sample/{ward_campaign.id}/{entry.unit.code}"
    token = csrf_token_of(client.get(page).get_data(as_text=True))
    client.post("/field/sample/outcome", data={"csrf_token": token, "entry_id": entry.id, "action": "refused"})
    html = client.post(
        "/field/sample/outcome",
        data={"csrf_token": token, "entry_id": entry.id, "action": "replace"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Đã thay bằng người dự phòng số 1." in html
    [replacement] = db.session.scalars(select(Replacement))
    assert replacement.reason is SampleStatus.REFUSED
    db.session.expire_all()
    assert db.session.get(SampleEntry, entry.id).status is SampleStatus.REPLACED
    assert db.session.get(SampleEntry, replacement.replacement_id).status is SampleStatus.TO_CONTACT


def test_contacts_can_be_purged(client, officer_page) -> None:
    url, upload = officer_page
    upload(FRAME.read_bytes(), skip=True)
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    html = client.post(f"{url}/purge-contacts", data={"csrf_token": token}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Đã xóa thông tin liên hệ của 54 người." in html
    assert count(FrameContact) == 0 and count(FrameRecord) == 54


def test_a_surveyor_sees_only_their_units_sample(client, auth, surveyor, ward_campaign) -> None:
    auth.login("dtv1")
    other = next(u for u in ward_campaign.units if u.code == "21172-T05")
    assert client.get(f"/field/sample/{ward_campaign.id}/{other.code}").status_code == 403


@pytest.fixture
def single_use_link(client, officer_page, ward_campaign) -> tuple[SampleEntry, str]:
    """A sample drawn from the example frame with single-use links: the first person's entry and link."""
    url, upload = officer_page
    upload(FRAME.read_bytes(), skip=True)
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    client.post(
        f"{url}/draw",
        data={
            "draw-csrf_token": token,
            "draw-questionnaire_id": ward_campaign.questionnaires[0].id,
            "draw-seed": "s",
            "draw-reserve_per_unit": "0",
        },
    )
    sent = client.post(f"{url}/links", data={"csrf_token": token})
    assert sent.headers["Cache-Control"] == "no-store" and "attachment" in sent.headers["Content-Disposition"]
    header, *rows = list(csv.reader(io.StringIO(sent.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 54
    first = dict(zip(header, rows[0], strict=True))
    entry = db.session.scalar(
        select(SampleEntry).join(SampleEntry.record).where(FrameRecord.record_code == first["Mã hồ sơ"])
    )
    return entry, first["Đường dẫn trả lời"].removeprefix("https://khaosat.example.vn")


def test_a_single_use_link_answers_once_and_is_forgotten(client, single_use_link, ward_campaign) -> None:
    from surveyapp.models import Response, ResponseMode
    from tests.helpers import filled_form, form_fields_of

    entry, link = single_use_link
    questionnaire = ward_campaign.questionnaires[0]
    # The surveyor's list of people to contact never shows a working link.
    assert "/r/link/" not in client.get(f"/field/sample/{ward_campaign.id}/{entry.unit.code}").get_data(as_text=True)

    first_tab, second_tab = client.get(link).get_data(as_text=True), client.get(link).get_data(as_text=True)
    answers = filled_form(questionnaire.definition)
    sent = client.post(link, data={**form_fields_of(first_tab), **answers})
    again = client.post(link, data={**form_fields_of(second_tab), **answers})

    assert sent.status_code == 302
    assert "Đường dẫn này đã được sử dụng" in again.get_data(as_text=True)
    [response] = db.session.scalars(select(Response))
    assert response.mode is ResponseMode.ONLINE_LINK and response.unit_id == entry.unit_id
    db.session.expire_all()
    # Until the mix releases a batch the person still shows as to contact; the link is spent anyway.
    assert db.session.get(SampleEntry, entry.id).status is SampleStatus.TO_CONTACT
    assert "Đường dẫn này đã được sử dụng" in client.get(link).get_data(as_text=True)


def test_a_link_after_the_period_gets_the_polite_page_and_still_works_once_extended(
    client, single_use_link, ward_campaign
) -> None:
    from werkzeug.datastructures import MultiDict

    from surveyapp.models import Response, ResponseMode
    from surveyapp.questionnaires.answers import check_submission
    from surveyapp.services.responses import CampaignNotCollecting, submit_response
    from tests.helpers import filled_form, form_fields_of

    entry, link = single_use_link
    definition = ward_campaign.questionnaires[0].definition
    form = form_fields_of(client.get(link).get_data(as_text=True)) | filled_form(definition)
    ward_campaign.closes_on = dt.date.today() - dt.timedelta(days=1)  # the period ended while the page was open
    db.session.commit()

    sent = client.post(link, data=form)
    assert sent.status_code == 200 and "Đợt khảo sát này đã kết thúc" in sent.get_data(as_text=True)
    assert count(Response) == 0
    # The one rule holds whoever stores the form: no personal-link answer after the period.
    with pytest.raises(CampaignNotCollecting):
        submit_response(
            campaign=ward_campaign,
            questionnaire=ward_campaign.questionnaires[0],
            units=[entry.unit],
            submission=check_submission(definition, MultiDict(form), []).submission,
            mode=ResponseMode.ONLINE_LINK,
            key_digest="0" * 32,
        )
    db.session.rollback()

    ward_campaign.closes_on = dt.date.today() + dt.timedelta(days=7)  # the officer extends it
    db.session.commit()
    assert client.post(link, data=form).status_code == 302
    assert count(Response) == 1


def test_a_link_form_with_a_refused_key_comes_back_with_its_answers(client, single_use_link, ward_campaign) -> None:
    from surveyapp.models import Response
    from surveyapp.questionnaires.answers import field_name
    from surveyapp.questionnaires.definition import QuestionType
    from tests.helpers import filled_form, form_fields_of

    _entry, link = single_use_link
    definition = ward_campaign.questionnaires[0].definition
    answers = filled_form(definition, choice=1)
    question = next(q for q in definition.questions if q.type is QuestionType.SCALE)

    sent = client.post(link, data={"form_key": "0" * 32, **answers})
    page = sent.get_data(as_text=True)

    assert sent.status_code == 400
    assert "không phải phiếu do hệ thống cấp" in page
    assert f'name="{field_name(question)}" value="{answers[field_name(question)]}" checked' in page
    assert count(Response) == 0
    resent = client.post(link, data={**form_fields_of(page), **answers})
    assert resent.status_code == 302
    assert count(Response) == 1


def test_a_total_is_allocated_by_frame_size_with_a_minimum(client, officer_page, ward_campaign) -> None:
    from surveyapp.models import QuotaCell
    from surveyapp.services.frames import count_frame

    _url, upload = officer_page
    upload(FRAME.read_bytes(), skip=True)
    questionnaire = ward_campaign.questionnaires[0]
    page = f"/admin/campaigns/{ward_campaign.id}/quotas"
    token = csrf_token_of(client.get(page).get_data(as_text=True))
    fields = {
        "csrf_token": token,
        "policy": "flag",
        f"total-{questionnaire.id}-*": "30",
        f"minimum-{questionnaire.id}-*": "2",
    }

    preview = client.post(page, data={**fields, "action": "preview"}).get_data(as_text=True)
    assert "Xem trước: 30 phiếu" in preview and "Phân bổ theo khung chọn mẫu" in preview
    client.post(page, data={**fields, "action": "save"})

    frame = count_frame(ward_campaign)
    cells = list(db.session.scalars(select(QuotaCell)))
    assert sum(cell.target for cell in cells) == 30
    assert all(min(2, frame.get(cell.unit_id, 0)) <= cell.target <= frame.get(cell.unit_id, 0) for cell in cells)
    biggest = max(cells, key=lambda cell: frame.get(cell.unit_id, 0))
    assert biggest.target == max(cell.target for cell in cells)

    too_many = client.post(page, data={**fields, f"total-{questionnaire.id}-*": "500", "action": "preview"})
    assert "khung chọn mẫu chỉ có 54 người" in too_many.get_data(as_text=True)
    both = client.post(page, data={**fields, f"per_unit-{questionnaire.id}-*": "5", "action": "preview"})
    assert "Chọn một cách" in both.get_data(as_text=True)
