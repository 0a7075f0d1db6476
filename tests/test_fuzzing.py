"""Property-based fuzzing of the public submission endpoint and of every importer.

Random and hostile input (random fields, huge strings, control characters, NUL bytes, repeated
fields, missing CSRF token or submission key; random bytes, random CSV, truncated or mangled
XLSX, wrong extensions) must give a clear answer, never a 500 or a traceback, and a refused
request must write nothing. The test application propagates exceptions, so a crash fails the
example that caused it.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import uuid
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from surveyapp.extensions import db
from surveyapp.models import (
    ANY_GROUP,
    AppraisedScore,
    FrameContact,
    FrameRecord,
    QuotaCell,
    QuotaPolicy,
    Response,
    SubmissionReceipt,
    Unit,
)
from surveyapp.services import frames
from surveyapp.services.appraisals import OTHER_POINTS, POINTS
from surveyapp.services.appraisals import UNIT as APPRAISAL_UNIT
from surveyapp.services.quotas import QuotaRule, plan_quotas, save_quotas
from surveyapp.services.results.raw_layout import HEAD_COLUMNS
from tests.helpers import csrf_token_of, filled_form, form_key_of

FUZZ = settings(
    max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ADDRESSES = (f"198.51.100.{n % 250}" for n in itertools.count())  # a fresh client per example: no rate limit

# Text a hostile client sends: control characters and NUL included, any script, sometimes huge.
hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),
    st.sampled_from(["\x00", "\x00" * 50, "5\x00", "'; DROP TABLE responses; --", '=HYPERLINK("x")', "Ｑ５", "５"]),
    st.sampled_from(["A" * 100_000, "Việt " * 30_000, "\u202e" * 5_000, "😀" * 20_000]),
)


def count(model) -> int:
    db.session.rollback()  # end the test's read transaction: see what the requests wrote
    return db.session.scalar(select(func.count()).select_from(model))


def quota_state() -> list[tuple]:
    db.session.rollback()
    return sorted(db.session.execute(select(QuotaCell.id, QuotaCell.filled, QuotaCell.refused)).all())


# (a) The public submission endpoint --------------------------------------------------------------


@pytest.fixture
def public_targets(app, make_campaign, ward):
    """An open PAR campaign: CX4 on the residential groups (one unit) and CH3 on two departments (matrix)."""
    district = Unit(code="D99", name="Huyện Thử", kind="huyện")
    for number in (1, 2):
        district.children.append(Unit(code=f"D99-P{number:02d}", name=f"Phòng {number}", kind="phòng chuyên môn"))
    db.session.add(district)
    campaign = make_campaign(["CX4", "CH3"], [*ward.children, *district.children])
    rules = [QuotaRule(q, ANY_GROUP, per_unit=100_000) for q in campaign.questionnaires]
    save_quotas(campaign, plan_quotas(campaign, rules), QuotaPolicy.CLOSE_WHEN_FULL)
    db.session.commit()
    cx4, ch3 = campaign.questionnaire_by_code("CX4"), campaign.questionnaire_by_code("CH3")
    return {
        f"/r/{campaign.id}/CX4/21172-T01": (filled_form(cx4.definition), 1),
        f"/r/{campaign.id}/CH3": (filled_form(ch3.definition, ["D99-P01", "D99-P02"]), 2),
    }


@st.composite
def hostile_forms(draw, valid: dict) -> tuple[MultiDict, str]:
    """A form built from a valid one: fields dropped, changed, repeated or added; its key varied."""
    form = MultiDict()
    for name, value in valid.items():
        action = draw(st.sampled_from(["keep"] * 6 + ["drop", "hostile", "repeat", "repeat-other"]))
        if action == "keep":
            form.add(name, value)
        elif action == "hostile":
            form.add(name, draw(hostile_text))
        elif action == "repeat":
            form.add(name, value)
            form.add(name, value)
        elif action == "repeat-other":
            form.add(name, value)
            form.add(name, draw(st.sampled_from(["1", "2", "3", "4", "5", "0", "99", ""])))
    for _ in range(draw(st.integers(0, 3))):
        form.add(draw(st.one_of(st.text(min_size=1, max_size=30), st.sampled_from(list(valid)))), draw(hostile_text))
    key = draw(st.sampled_from(["valid", "valid", "valid", "missing", "garbage", "invented", "huge"]))
    return form, key


@FUZZ
@given(data=st.data())
def test_hostile_submissions_never_crash_and_a_refused_one_writes_nothing(client, public_targets, data) -> None:
    url = data.draw(st.sampled_from(sorted(public_targets)))
    valid, units = public_targets[url]
    form, key = data.draw(hostile_forms(valid))
    browser = {"environ_base": {"REMOTE_ADDR": next(ADDRESSES)}}
    html = client.get(url, **browser).get_data(as_text=True)
    if key != "missing":
        form["form_key"] = {
            "valid": form_key_of(html),
            "garbage": data.draw(hostile_text),
            "invented": uuid.uuid4().hex,
            "huge": form_key_of(html) * 5_000,
        }[key]
    before = (count(Response), count(SubmissionReceipt), quota_state())

    response = client.post(url, data=form, **browser)

    after = (count(Response), count(SubmissionReceipt), quota_state())
    page = response.get_data(as_text=True)
    if response.status_code == 413:  # the request is larger than the service accepts: refused whole
        assert after == before and "quá lớn" in page
    elif response.status_code == 302:
        assert re.fullmatch(r"/r/\d+/thanks", response.headers["Location"])
        assert after[0] == before[0] + units, "a valid form stores exactly one response per assessed unit"
        assert after[1] == before[1] + 1
        assert sum(filled for _id, filled, _refused in after[2]) == sum(f for _id, f, _r in before[2]) + units
    else:
        assert response.status_code in (400, 422), response.status_code
        assert after == before, "a refused form wrote something"
        assert 'name="form_key"' in page  # the form comes back, ready to be sent again
        message = "không phải phiếu do hệ thống cấp" if response.status_code == 400 else "Vui lòng"
        assert message in page


def test_a_matrix_form_with_an_invented_key_comes_back_with_its_answers(client, public_targets) -> None:
    """Found by the fuzzer: the refused page of a matrix questionnaire (no unit in its address) crashed."""
    url = next(url for url in public_targets if url.endswith("/CH3"))
    valid, _units = public_targets[url]
    response = client.post(url, data=valid | {"form_key": uuid.uuid4().hex})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "không phải phiếu do hệ thống cấp nên chưa được lưu" in page
    per_unit = [value for name, value in valid.items() if "@" in name]  # one select per question and department
    assert page.count(f'<option value="{per_unit[0]}" selected>') == per_unit.count(per_unit[0]) > 1
    assert count(Response) == 0


# (b) The importers ---------------------------------------------------------------------------------


def _workbook(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


VALID_XLSX = _workbook([[*HEAD_COLUMNS, "A1"], ["CX4", 1, "21172-T01", "", "citizen", "paper", "", "01/01/2025", 1]])
FILE_NAMES = [
    "tep.csv",
    "tep.xlsx",
    "TEP.CSV",
    "tep.XLSX",
    "tep.txt",
    "tep",
    "tep.xls",
    "tep.csv.exe",
    ".csv",
    "tệp.xlsx",
]
cell_text = st.one_of(
    st.text(max_size=15),
    st.sampled_from(
        ["", "\x00", "01/01/2025", "31/02/2025", "1", "-1", "1e309", "nan", "inf", "100,5", "CX4", "21172-T01"]
    ),
)
LONG_CELL = "A" * 140_000  # longer than the csv module's field limit (131,072), well under the upload limit


def _mangled_xlsx(draw) -> bytes:
    """A real workbook with one of its parts replaced by random bytes or cut short."""
    source = zipfile.ZipFile(io.BytesIO(VALID_XLSX))
    names = source.namelist()
    victim = draw(st.sampled_from(names))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in names:
            content = source.read(name)
            if name == victim:
                content = draw(st.one_of(st.binary(max_size=200), st.just(content[: len(content) // 2])))
            target.writestr(name, content)
    return buffer.getvalue()


@st.composite
def hostile_tables(draw, known_columns: list[str]) -> tuple[str, bytes]:
    """A file name and content: random bytes, random CSV (known or random headers), broken XLSX."""
    kinds = ["bytes", "csv", "csv", "csv-known", "csv-known", "long-cell", "truncated", "mangled", "xlsx"]
    kind = draw(st.sampled_from(kinds))
    name = draw(st.sampled_from(FILE_NAMES))
    if kind == "bytes":
        return name, draw(st.binary(max_size=3000))
    if kind == "long-cell":
        header = ",".join(draw(st.permutations(known_columns)))
        return name.replace(".xlsx", ".csv"), f"{header}\n{draw(st.sampled_from(['', 'x,']))}{LONG_CELL}\n".encode()
    if kind in ("csv", "csv-known"):
        headers = st.sampled_from(known_columns) if kind == "csv-known" else st.text(max_size=12)
        header = draw(st.lists(headers, min_size=0, max_size=10))
        rows = draw(st.lists(st.lists(cell_text, max_size=12), max_size=6))
        stream = io.StringIO()
        writer = csv.writer(stream)
        for row in [header, *rows]:
            writer.writerow(row)
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]))
        return name.replace(".xlsx", ".csv"), stream.getvalue().encode(encoding, errors="replace")
    if kind == "truncated":
        return name.replace(".csv", ".xlsx"), VALID_XLSX[: draw(st.integers(0, len(VALID_XLSX) - 1))]
    if kind == "mangled":
        return name.replace(".csv", ".xlsx"), _mangled_xlsx(draw)
    rows = draw(st.lists(st.lists(cell_text | st.integers() | st.floats(allow_nan=False), max_size=8), max_size=5))
    try:
        return "tep.xlsx", _workbook([[draw(st.sampled_from(known_columns)) for _ in range(3)], *rows])
    except Exception:
        return "tep.csv", b"\x00"


@pytest.fixture
def officer_campaign(app, client, auth, officer, make_campaign, ward):
    """An open PAR campaign (CX4 on the residential groups) and a logged-in officer."""
    campaign = make_campaign(["CX4"], list(ward.children))
    rules = [QuotaRule(campaign.questionnaires[0], ANY_GROUP, per_unit=5)]
    save_quotas(campaign, plan_quotas(campaign, rules), QuotaPolicy.CLOSE_WHEN_FULL)
    db.session.commit()
    auth.login("canbo")
    return campaign


def post_file(client, page: str, to: str, field: str, name: str, content: bytes, **extra: str):
    token = csrf_token_of(client.get(page).get_data(as_text=True))
    prefix = field.split("-", 1)[0]
    fields = {"csrf_token": token, f"{prefix}-csrf_token": token, field: (io.BytesIO(content), name), **extra}
    return client.post(to, data=fields, content_type="multipart/form-data")


REFUSALS = ("Không nhập được tệp", "lỗi nên chưa nhập", "Chỉ nhận tệp .csv hoặc .xlsx.", "Hãy chọn tệp cần nhập.")


def assert_refused_clearly(response) -> None:
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    assert any(message in page for message in REFUSALS), "no message says why the file was refused"
    assert "Traceback" not in page


@FUZZ
@given(data=st.data())
def test_a_hostile_response_file_is_refused_clearly_and_stores_nothing(client, officer_campaign, data) -> None:
    questions = [q.code for q in officer_campaign.questionnaires[0].definition.questions]
    name, content = data.draw(hostile_tables([*HEAD_COLUMNS, *questions]))
    url = f"/admin/campaigns/{officer_campaign.id}/import"
    before = (count(Response), quota_state())
    response = post_file(client, url, url, "responses-responses_file", name, content)
    if response.status_code == 302:  # a file that happens to be valid is stored whole
        assert count(Response) > before[0]
        return
    assert_refused_clearly(response)
    assert (count(Response), quota_state()) == before


@FUZZ
@given(data=st.data())
def test_a_hostile_appraisal_file_is_refused_clearly_and_stores_nothing(client, officer_campaign, data) -> None:
    name, content = data.draw(hostile_tables([APPRAISAL_UNIT, POINTS, OTHER_POINTS]))
    campaign_url = f"/admin/campaigns/{officer_campaign.id}"
    before = count(AppraisedScore)
    response = post_file(
        client,
        f"{campaign_url}/results",
        f"{campaign_url}/results/appraisals",
        "appraisal-appraisal_file",
        name,
        content,
    )
    if response.status_code == 302:
        assert count(AppraisedScore) >= 1
        return
    assert_refused_clearly(response)
    assert count(AppraisedScore) == before


@FUZZ
@given(data=st.data(), skip=st.booleans())
def test_a_hostile_sampling_frame_is_refused_clearly_or_stored_as_reported(
    client, officer_campaign, data, skip
) -> None:
    name, content = data.draw(hostile_tables(list(frames.REQUIRED_COLUMNS)))
    url = f"/admin/campaigns/{officer_campaign.id}/sample"
    before = (count(FrameRecord), count(FrameContact))
    extra = {"frame-skip_bad_rows": "y"} if skip else {}
    response = post_file(client, url, url, "frame-frame_file", name, content, **extra)
    if response.status_code == 302:  # the good rows replace the frame, exactly as many as announced
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        stored = int(re.search(r"Đã nhập (\d+) hồ sơ", page).group(1))
        assert count(FrameRecord) == count(FrameContact) == stored
        return
    assert_refused_clearly(response)
    assert (count(FrameRecord), count(FrameContact)) == before


@FUZZ
@given(data=st.data())
def test_a_hostile_unit_file_is_refused_by_the_command_with_a_message(runner, tmp_path_factory, data) -> None:
    _name, content = data.draw(hostile_tables(["code", "name", "kind", "parent_code"]))
    path = tmp_path_factory.mktemp("units") / "units.csv"
    path.write_bytes(content)
    before = count(Unit)
    result = runner.invoke(args=["load-units", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert re.search(r"\d+ units added, \d+ changed, \d+ unchanged", result.output)
    else:
        assert result.exit_code == 1 and "nothing was stored" in result.output, result.output
        assert count(Unit) == before


def _xlsx_with(part: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(VALID_XLSX))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            target.writestr(name, content if name == part else source.read(name))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("tep.csv", f"Mẫu phiếu,Mã đơn vị\nCX4,{LONG_CELL}\n".encode(), "tệp CSV không đọc được ở dòng 2"),
        ("tep.csv", "Mẫu phiếu,Mã đơn vị\nCX4\x00,21172-T01\n".encode(), "tệp CSV chứa ký tự NUL"),
        ("tep.xlsx", _xlsx_with("docProps/core.xml", b""), "tệp không phải bảng tính XLSX đọc được"),
        ("tep.xlsx", _xlsx_with("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>"), "XLSX đọc được"),
    ],
    ids=["cell-over-the-csv-limit", "nul-byte", "empty-xml-part", "cut-sheet"],
)
def test_the_files_the_fuzzer_found_are_refused_with_a_message(
    client, officer_campaign, name, content, message
) -> None:
    """Found by the fuzzer: these crashed the importers (500) before."""
    url = f"/admin/campaigns/{officer_campaign.id}/import"
    response = post_file(client, url, url, "responses-responses_file", name, content)
    assert_refused_clearly(response)
    assert message in response.get_data(as_text=True)
    assert count(Response) == 0


@pytest.mark.parametrize(
    "content", [f"{LONG_CELL},name,kind,parent_code\n".encode(), b"code,name,kind,parent_code\nX\x00,A,xa,\n"]
)
def test_a_unit_file_the_fuzzer_found_is_refused_without_a_traceback(runner, tmp_path, content) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(content)
    result = runner.invoke(args=["load-units", str(path)])
    assert result.exit_code == 1 and "nothing was stored" in result.output
    assert count(Unit) == 0
