"""Officers' results: the page, the targets, the exports and the response import, over HTTP."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from scoring import par_settings, sipas_settings
from surveyapp.extensions import db
from surveyapp.models import ANY_GROUP, QuotaCell, Response
from surveyapp.questionnaires.definition import load_questionnaire_file
from surveyapp.services.results.raw_layout import HEAD_COLUMNS
from surveyapp.services.results.settings_rows import PAR_KEYS, SIPAS_KEYS
from tests.helpers import csrf_token_of

SIPAS_ITEMS = [f"C{e}_{i}" for e, n in ((1, 4), (2, 5), (3, 6), (4, 3), (5, 4)) for i in range(1, n + 1)]
WORKED_EXAMPLE_C3_1 = [1] * 2 + [2] * 4 + [3] * 14 + [4] * 60 + [5] * 36 + [0] * 4  # 0 = "không biết"


def sipas_csv(rows: list[dict], unit: str = "21172") -> bytes:
    """A response file in the raw layout: every satisfaction item 5 unless a row says otherwise."""
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=[*HEAD_COLUMNS, *SIPAS_ITEMS, "D5"])
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {"Mẫu phiếu": "SIPAS-2017", "Mã đơn vị": unit, "Đối tượng": "citizen", "Lĩnh vực": "Hộ tịch"}
            | dict.fromkeys(SIPAS_ITEMS, 5)
            | row
        )
    return stream.getvalue().encode("utf-8")


def upload(client, url: str, field: str, name: str, data: bytes, *, to: str | None = None):
    """Open the page at ``url`` and send ``data`` as file ``name`` in its form ``field`` (posted to ``to``)."""
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    return client.post(
        to or url, data={"csrf_token": token, field: (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


@pytest.fixture
def sipas_campaign(make_campaign, ward):
    return make_campaign(["SIPAS-2017"], [ward])


@pytest.fixture
def logged_in(auth, officer):
    auth.login("canbo")


def add_ward_quota(campaign, ward, target: int) -> None:
    """A quota of ``target`` forms at the ward, all respondent groups together."""
    questionnaire_id = campaign.questionnaires[0].id
    db.session.add(
        QuotaCell(
            campaign_id=campaign.id,
            unit_id=ward.id,
            questionnaire_id=questionnaire_id,
            respondent_group=ANY_GROUP,
            target=target,
        )
    )
    db.session.commit()


def import_worked_example(client, campaign) -> None:
    rows = [{"C3_1": value} for value in WORKED_EXAMPLE_C3_1]
    response = upload(
        client, f"/admin/campaigns/{campaign.id}/import", "responses-responses_file", "phieu.csv", sipas_csv(rows)
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_an_officer_imports_forms_and_reads_the_worked_example_on_the_results_page(client, logged_in, sipas_campaign):
    import_worked_example(client, sipas_campaign)
    page = client.get(f"/admin/campaigns/{sipas_campaign.id}/results").get_data(as_text=True)
    assert "120 phiếu được tính" in page
    assert "82,76" in page  # item C3_1: 96 satisfied of 116 valid answers
    assert "97,13" in page  # element 3: (82.76 + 5 × 100) / 6
    assert "badge-met" in page and "badge-missed" not in page  # every figure reaches its 90% target
    assert db.session.scalar(select(func.count()).select_from(Response)) == 120


def test_the_indices_workbook_has_vietnamese_headers_formatted_percentages_and_the_figures(
    client, logged_in, sipas_campaign
):
    import_worked_example(client, sipas_campaign)
    response = client.get(f"/admin/campaigns/{sipas_campaign.id}/export/indices.xlsx")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "khao-sat-thu_tat-ca-don-vi_chi-so-sipas_" in disposition and disposition.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames[:5] == [
        "SIPAS",
        "Xếp hạng theo loại đơn vị",
        "Chỉ số thành phần",
        "Chỉ số yếu tố",
        "Chỉ số tiêu chí",
    ]
    items = workbook["Chỉ số tiêu chí"]
    header = [cell.value for cell in items[1]]
    assert header[:5] == ["Mẫu phiếu", "Lát cắt", "Giá trị", "Mã câu hỏi", "Nội dung"]
    index_column = header.index("Chỉ số (%)")
    row = next(r for r in items.iter_rows(min_row=2) if r[2].value == "Toàn bộ" and r[3].value == "C3_1")
    assert round(row[index_column].value * 100, 2) == 82.76
    assert row[index_column].number_format == "0.00%"
    assert row[header.index("Số câu trả lời hợp lệ")].value == 116
    settings = {r[0].value: r[1].value for r in workbook["Cách tính"].iter_rows(min_row=2)}
    assert settings["Mẫu phiếu"] == "SIPAS-2017, phiên bản 1"


PROGRAMME_TEXT = re.compile(r"[{}\[\]']|True|False|None|_[a-z]|\b(mean|answers|weighted|equal)\b")


def settings_of(workbook) -> dict[str, str]:
    """The settings sheet as {what: value}, after checking it is all words (no programme text)."""
    rows = list(workbook["Cách tính"].values)
    assert rows[0] == ("Mục", "Giá trị")
    for row in rows[1:]:
        assert all(isinstance(cell, str) for cell in row), row
        assert not PROGRAMME_TEXT.search(" ".join(row)), row
    return dict(rows[1:])


def test_the_settings_sheet_says_how_the_figures_were_computed_in_words(client, logged_in, sipas_campaign):
    import_worked_example(client, sipas_campaign)
    set_targets(client, sipas_campaign, sipas_target="95", criterion_target="92,5", field_target="80")
    workbook = load_workbook(io.BytesIO(client.get(f"/admin/campaigns/{sipas_campaign.id}/export/indices.xlsx").data))
    settings = settings_of(workbook)
    assert settings["Đợt điều tra"] == f"Khảo sát thử (#{sipas_campaign.id})"
    assert settings["Mục đích"] == "Đo lường sự hài lòng (SIPAS)"
    assert settings["Số phiếu"] == "120"
    assert settings["Chỉ tiêu SIPAS (toàn đợt, mỗi đơn vị, mỗi đơn vị cấp trên)"] == "95,00%"
    assert settings["Chỉ tiêu của mỗi yếu tố, tiêu chí"] == "92,50%"
    assert settings["Chỉ tiêu hài lòng với các lĩnh vực có chỉ tiêu riêng"] == "80,00%"
    assert settings["Lĩnh vực có chỉ tiêu riêng"] == "Không có"
    assert settings["Khi một nhóm đã đủ chỉ tiêu"] == "Vẫn nhận phiếu và đánh dấu phần vượt"
    assert settings["Mẫu phiếu"] == "SIPAS-2017, phiên bản 1"
    assert settings["Ngưỡng câu trả lời hợp lệ"].startswith("10 (")
    assert settings["Câu trả lời được tính là hài lòng"] == "4 (Hài lòng), 5 (Rất hài lòng)"
    assert settings["Trọng số các yếu tố trong thành phần"] == "bằng nhau"
    # The form names no rule: its parts weighted by their weights (1 each).
    assert settings["Phương pháp tính SIPAS"] == "trung bình có trọng số của chỉ số các thành phần"
    assert "Khoảng tin cậy 95%" in settings


@pytest.mark.parametrize("forms", [["SIPAS-2017"], ["SIPAS-2023"], ["CX4"], ["CH1", "CH2", "CH3", "CH4"]])
def test_the_settings_sheet_has_a_row_for_every_setting_the_scoring_records(forms):
    """A setting added to a result's record must be given words in ``settings_rows`` too."""
    definitions = [load_questionnaire_file(f"forms/{code}.v1.yaml") for code in forms]
    if definitions[0].purpose.value == "sipas":
        assert set(sipas_settings(definitions[0]).to_record()) == SIPAS_KEYS
    else:
        assert set(par_settings(definitions).to_record()) == PAR_KEYS


def test_the_indices_as_csv_are_a_zip_of_one_file_per_table(client, logged_in, sipas_campaign):
    import_worked_example(client, sipas_campaign)
    response = client.get(f"/admin/campaigns/{sipas_campaign.id}/export/indices.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert any(name.endswith("_elements.csv") for name in names) and len(names) == 8
    assert any(name.endswith("_standings.csv") for name in names)
    elements = next(name for name in names if name.endswith("_elements.csv"))
    text = archive.read(elements).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    overall_3 = next(r for r in rows if r["Lát cắt"] == "Toàn bộ" and r["Mã yếu tố"] == "3")
    # Element 3: C3_1 at 82.76 and five items at 100 → (82.76 + 5 × 100) / 6.
    assert overall_3["Chỉ số (%)"] == "97.13"
    assert overall_3["Đạt chỉ tiêu"] == "Có"


def test_the_raw_export_neutralises_formulas_and_imports_again_unchanged(
    client, logged_in, make_campaign, ward, sipas_campaign
):
    rows = [{"D5": '=HYPERLINK("http://x")', "C1_1": 2}] + [{"D5": "Tốt"}] * 2
    upload(client, f"/admin/campaigns/{sipas_campaign.id}/import", "responses-responses_file", "a.csv", sipas_csv(rows))
    export = client.get(f"/admin/campaigns/{sipas_campaign.id}/export/responses/SIPAS-2017.csv")
    assert "_tat-ca-don-vi_phieu-sipas-2017_" in export.headers["Content-Disposition"]
    text = export.data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    exported = list(csv.DictReader(io.StringIO(text)))
    assert [row["Mã đơn vị"] for row in exported] == ["21172"] * 3

    other = make_campaign(["SIPAS-2017"], [ward])
    again = upload(client, f"/admin/campaigns/{other.id}/import", "responses-responses_file", "lai.csv", export.data)
    assert again.status_code == 302
    copied = db.session.scalars(select(Response).where(Response.campaign_id == other.id).order_by(Response.id)).all()
    original = db.session.scalars(
        select(Response).where(Response.campaign_id == sipas_campaign.id).order_by(Response.id)
    ).all()
    assert sorted(str(r.answers) for r in copied) == sorted(str(r.answers) for r in original)
    assert {r.answers["D5"] for r in copied} == {'=HYPERLINK("http://x")', "Tốt"}


def test_the_raw_export_and_the_import_template_name_the_questionnaire_column_mau_phieu(
    client, logged_in, sipas_campaign
):
    """«Mã phiếu» read as the form's own number; the column holds the questionnaire's code."""
    import_worked_example(client, sipas_campaign)
    campaign = f"/admin/campaigns/{sipas_campaign.id}"
    for url in (f"{campaign}/export/responses/SIPAS-2017.csv", f"{campaign}/import/template/SIPAS-2017.csv"):
        header = next(csv.reader(io.StringIO(client.get(url).data.decode("utf-8-sig"))))
        assert header[:3] == ["Mẫu phiếu", "Phiên bản", "Mã đơn vị"], url
    workbook = load_workbook(io.BytesIO(client.get(f"{campaign}/export/responses/SIPAS-2017.xlsx").data))
    assert next(workbook.active.values)[:2] == ("Mẫu phiếu", "Phiên bản")


def old_header(data: bytes) -> bytes:
    """A response file as versions before the rename wrote it: «Mã phiếu» for «Mẫu phiếu»."""
    header, rest = data.split(b"\r\n", 1)
    assert header.startswith("Mẫu phiếu,".encode())
    return header.replace("Mẫu phiếu".encode(), "Mã phiếu".encode(), 1) + b"\r\n" + rest


def test_a_file_exported_before_the_rename_still_imports(client, logged_in, sipas_campaign):
    url = f"/admin/campaigns/{sipas_campaign.id}/import"
    response = upload(client, url, "responses-responses_file", "cu.csv", old_header(sipas_csv([{}] * 3)))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 3

    # A problem in that column is named as the file names it.
    wrong = old_header(sipas_csv([{"Mẫu phiếu": "CX4"}]))
    page = upload(client, url, "responses-responses_file", "cu.csv", wrong).get_data(as_text=True)
    assert "Dòng 2, cột «Mã phiếu» (CX4)" in page
    assert db.session.scalar(select(func.count()).select_from(Response)) == 3


def test_an_import_with_bad_rows_names_them_and_stores_nothing(client, logged_in, sipas_campaign, ward):
    add_ward_quota(sipas_campaign, ward, 50)
    rows = [{}, {"C2_3": 7}, {"Ngày": "31/02/2026"}, {"Mã đơn vị": "X999"}, {"Đối tượng": "tourist"}]
    response = upload(
        client, f"/admin/campaigns/{sipas_campaign.id}/import", "responses-responses_file", "loi.csv", sipas_csv(rows)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tệp có 4 lỗi nên chưa nhập phiếu nào" in page
    assert "Dòng 3, cột «C2_3» (7)" in page and "giá trị hợp lệ: 1, 2, 3, 4, 5, 0" in page
    assert "Dòng 4, cột «Ngày» (31/02/2026)" in page
    assert "Dòng 5, cột «Mã đơn vị» (X999)" in page
    assert "Dòng 6, cột «Đối tượng» (tourist)" in page
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert db.session.scalar(select(QuotaCell.filled)) == 0


def test_imported_forms_count_toward_the_quota(client, logged_in, sipas_campaign, ward):
    add_ward_quota(sipas_campaign, ward, 2)
    upload(
        client, f"/admin/campaigns/{sipas_campaign.id}/import", "responses-responses_file", "a.csv", sipas_csv([{}] * 3)
    )
    assert db.session.scalar(select(QuotaCell.filled)) == 3  # collected already: the excess is shown, not lost


def test_the_targets_are_settings_of_the_campaign(client, logged_in, sipas_campaign):
    import_worked_example(client, sipas_campaign)
    url = f"/admin/campaigns/{sipas_campaign.id}/results"
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    form = {
        "csrf_token": token,
        "targets-sipas_target": "95",
        "targets-criterion_target": "97,5",
        "targets-field_target": "80",
        "targets-target_fields": ["Đất đai"],
        "targets-rank_min_forms": "30",
        "targets-par_max_points": "100",
    }
    assert client.post(f"{url}/targets", data=form).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Chỉ tiêu 95,00%" in page
    assert "Chưa đạt" in page  # element 3 (97.13%) now misses its 97.5% target
    db.session.refresh(sipas_campaign)
    assert (sipas_campaign.criterion_target, sipas_campaign.field_target) == (97.5, 80)
    assert sipas_campaign.target_fields == ["Đất đai"]
    bad = client.post(f"{url}/targets", data=form | {"targets-sipas_target": "150"})
    assert "Từ 0 đến 100." in bad.get_data(as_text=True)


def set_targets(client, campaign, **targets: str | list[str]) -> None:
    url = f"/admin/campaigns/{campaign.id}/results"
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    form = {"csrf_token": token, "targets-rank_min_forms": "30", "targets-par_max_points": "100"}
    form |= {f"targets-{name}": value for name, value in targets.items()}
    assert client.post(f"{url}/targets", data=form).status_code == 302


def import_two_fields(client, campaign) -> None:
    """Land (Đất đai) at 85% satisfied on every item, civil status (Hộ tịch) at 100%."""
    land = [{"Lĩnh vực": "Đất đai"}] * 17 + [{"Lĩnh vực": "Đất đai"} | dict.fromkeys(SIPAS_ITEMS, 2)] * 3
    response = upload(
        client,
        f"/admin/campaigns/{campaign.id}/import",
        "responses-responses_file",
        "phieu.csv",
        sipas_csv([*land, *[{}] * 20]),
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def table_row(page: str, first_cell: str) -> str:
    """The HTML of the table row whose first cell reads ``first_cell``."""
    return page.split(f"<tr><td>{first_cell}</td>", 1)[1].split("</tr>", 1)[0]


def test_a_target_field_is_held_against_its_own_target_on_the_page(client, logged_in, sipas_campaign):
    """Land at 85% misses the 95% SIPAS target but meets the 80% target set for land."""
    import_two_fields(client, sipas_campaign)
    url = f"/admin/campaigns/{sipas_campaign.id}/results"
    targets = {"sipas_target": "95", "criterion_target": "90", "field_target": "80"}
    set_targets(client, sipas_campaign, **targets)
    assert "≥" not in table_row(client.get(url).get_data(as_text=True), "Đất đai")  # not a target field yet

    set_targets(client, sipas_campaign, **targets, target_fields=["Đất đai"])
    page = client.get(url).get_data(as_text=True)

    land = table_row(page, "Đất đai")
    assert "<strong>85,00</strong>" in land
    assert 'badge-met">Đạt<' in land and "Chưa đạt" not in land
    assert "≥ 80,00" in land
    civil_status = table_row(page, "Hộ tịch")  # not a target field: no target, no verdict
    assert "<strong>100,00</strong>" in civil_status
    assert "Đạt" not in civil_status and "≥" not in civil_status


def field_verdicts(rows: list[list]) -> dict[str, tuple]:
    """(target, met) of each field row of the indices' SIPAS table, by field."""
    header = rows[0]
    slice_, value = header.index("Lát cắt"), header.index("Giá trị")
    target, met = header.index("Chỉ tiêu (%)"), header.index("Đạt chỉ tiêu")
    return {row[value]: (row[target], row[met]) for row in rows[1:] if row[slice_] == "Lĩnh vực"}


def test_the_workbook_and_its_csv_files_hold_a_target_field_against_its_own_target(client, logged_in, sipas_campaign):
    """The page's rule (``services.results.sipas_target``), in both downloads of the indices."""
    import_two_fields(client, sipas_campaign)
    targets = {"sipas_target": "95", "criterion_target": "90", "field_target": "80"}
    set_targets(client, sipas_campaign, **targets, target_fields=["Đất đai"])
    url = f"/admin/campaigns/{sipas_campaign.id}/export/indices"

    sheet = load_workbook(io.BytesIO(client.get(f"{url}.xlsx").data))["SIPAS"]
    assert field_verdicts([list(row) for row in sheet.iter_rows(values_only=True)]) == {
        "Đất đai": (0.8, "Có"),
        "Hộ tịch": (None, None),  # not a target field: no target, no verdict
    }
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{url}.zip").data))
    (name,) = [name for name in archive.namelist() if name.endswith("_sipas.csv")]
    table = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert field_verdicts(table) == {"Đất đai": ("80.00", "Có"), "Hộ tịch": ("", "")}


def test_targets_are_percentages_written_as_the_indices_are(client, logged_in, sipas_campaign):
    """A target of 90 is 90%: a fraction in the percent format beside the index in the workbook,
    the percent with two decimals beside the index in the CSV files."""
    import_worked_example(client, sipas_campaign)
    set_targets(client, sipas_campaign, sipas_target="95", criterion_target="92,5", field_target="80")
    url = f"/admin/campaigns/{sipas_campaign.id}/export/indices"

    workbook = load_workbook(io.BytesIO(client.get(f"{url}.xlsx").data))
    for title, target in (("SIPAS", 0.95), ("Chỉ số yếu tố", 0.925)):
        rows = workbook[title].iter_rows()
        header = [cell.value for cell in next(rows)]
        first = next(rows)
        target_cell, index_cell = first[header.index("Chỉ tiêu (%)")], first[header.index("Chỉ số (%)")]
        assert target_cell.value == target, title
        assert target_cell.number_format == index_cell.number_format == "0.00%", title
        assert 0 < index_cell.value <= 1, title

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{url}.zip").data))
    for key, target in (("sipas", "95.00"), ("elements", "92.50")):
        (name,) = [name for name in archive.namelist() if name.endswith(f"_{key}.csv")]
        first = next(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        assert first["Chỉ tiêu (%)"] == target, key
        assert re.fullmatch(r"\d{1,3}\.\d\d", first["Chỉ số (%)"]), key


def test_the_page_shows_one_unit_and_the_units_below_it(client, logged_in, make_campaign, ward):
    groups = ward.children
    campaign = make_campaign(["SIPAS-2017"], [groups[0], groups[1]])
    data = sipas_csv([{"C1_1": 1}] * 3, unit=groups[0].code) + b"\n".join(
        sipas_csv([{}] * 2, unit=groups[1].code).splitlines()[1:]
    )
    assert (
        upload(client, f"/admin/campaigns/{campaign.id}/import", "responses-responses_file", "a.csv", data).status_code
        == 302
    )
    assert "5 phiếu được tính" in client.get(f"/admin/campaigns/{campaign.id}/results?unit=21172").get_data(
        as_text=True
    )
    one = client.get(f"/admin/campaigns/{campaign.id}/results?unit={groups[1].code}").get_data(as_text=True)
    assert "2 phiếu được tính" in one
    assert client.get(f"/admin/campaigns/{campaign.id}/results?unit=NOPE").status_code == 404
    workbook = client.get(f"/admin/campaigns/{campaign.id}/export/indices.xlsx?unit={groups[1].code}")
    assert f"_{groups[1].code}-to-dan-pho-2_chi-so-sipas_" in workbook.headers["Content-Disposition"]


def test_results_are_for_officers_only(client, auth, surveyor, sipas_campaign):
    assert client.get(f"/admin/campaigns/{sipas_campaign.id}/results").status_code == 302  # to the log-in page
    auth.login("dtv1")
    assert client.get(f"/admin/campaigns/{sipas_campaign.id}/results").status_code == 403
    assert client.get(f"/admin/campaigns/{sipas_campaign.id}/export/indices.xlsx").status_code == 403


def test_responses_stored_before_answer_codes_existed_are_scored_from_their_answers(client, logged_in, sipas_campaign):
    import_worked_example(client, sipas_campaign)
    db.session.execute(Response.__table__.update().values(answer_codes=None))
    db.session.commit()
    page = client.get(f"/admin/campaigns/{sipas_campaign.id}/results").get_data(as_text=True)
    assert "120 phiếu được tính" in page and "82,76" in page
