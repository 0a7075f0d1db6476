"""A bonus or penalty the set lets the units score themselves (``scoring: self_assessed``): the
unit scores it with evidence within its maximum, the appraisal appraises it like an item, and
the index adds (or takes) its appraised points instead of points typed by the officer."""

from __future__ import annotations

import io
import textwrap

import pytest
import yaml

from surveyapp.criteria.definition import CriteriaError, ScoringMethod, parse_criteria_set
from surveyapp.extensions import db
from surveyapp.models import Unit
from surveyapp.services.assessment_rounds import open_appraisal
from surveyapp.services.criteria_sets import sync_criteria_sets
from surveyapp.services.evidence import upload_evidence
from surveyapp.services.par_index import IndexSettingError, compute_round_index, enter_points
from surveyapp.services.self_assessments import submit_self_assessment
from surveyapp.services.unit_appraisals import (
    AppraisalDraft,
    AppraisalError,
    appraise_item,
    assign_appraiser,
    finish_appraisal,
)
from tests.conftest import FORMS_DIR
from tests.helpers import csrf_token_of
from tests.web.test_appraisal import appraiser_account
from tests.web.test_round_gaps import SMALL_SET, rows_of, score
from tests.web.test_self_assessment import PDF, open_round, the_assessment

SELF_ASSESSED_LABEL = "Tự đánh giá, có tài liệu kiểm chứng, được thẩm định"
ADJUSTMENTS = """\
adjustments:
  - {code: T1, title: Sáng kiến CCHC được công nhận, kind: bonus, max_points: 1, scoring: self_assessed}
  - {code: T2, title: Được khen thưởng về CCHC, kind: bonus, max_points: 1}
  - {code: D1, title: Để xảy ra sai phạm về CCHC, kind: penalty, max_points: 2, scoring: self_assessed}
"""


@pytest.fixture
def adjusted_round(tmp_path, ward, unit_account, officer):
    """The ward alone in a round of the small set with its bonus and penalty items."""
    (tmp_path / "THU.v1.yaml").write_text(textwrap.dedent(SMALL_SET) + ADJUSTMENTS, encoding="utf-8")
    (criteria_set,) = sync_criteria_sets(tmp_path, FORMS_DIR)
    city = Unit(code="522", name="Thành phố Quảng Ngãi", kind="thành phố")
    city.children.append(ward)
    db.session.add(city)
    db.session.commit()
    return open_round(criteria_set, city)


def save_item(client, assessment_round, code: str, **fields):
    url = f"/unit/rounds/{assessment_round.id}"
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    prefix = f"item-{code}-"
    data = {f"{prefix}csrf_token": token} | {f"{prefix}{name}": value for name, value in fields.items()}
    return client.post(f"{url}/items/{code}", data=data)


def test_the_set_says_which_bonus_or_penalty_the_units_score() -> None:
    data = yaml.safe_load(textwrap.dedent(SMALL_SET) + ADJUSTMENTS)
    criteria_set = parse_criteria_set(data, origin="X.yaml")
    assert [item.scoring for item in criteria_set.adjustments] == [
        ScoringMethod.SELF_ASSESSED,
        ScoringMethod.OTHER,  # the default: the officer enters it
        ScoringMethod.SELF_ASSESSED,
    ]
    assert [item.code for item in criteria_set.scored_by_units] == ["1.1.1", "1.1.2", "1.2", "T1", "D1"]
    data["adjustments"][1]["scoring"] = "sipas"
    with pytest.raises(CriteriaError, match="adjustment T2 scoring: a bonus or penalty is scored"):
        parse_criteria_set(data, origin="X.yaml")


def test_a_unit_scores_its_bonus_with_evidence_the_appraisal_decides_it_and_the_index_counts_it(
    client, auth, ward, unit_account, adjusted_round
) -> None:
    plan = upload_evidence(ward, "Quyết định công nhận sáng kiến", "qd.pdf", io.BytesIO(PDF), by=unit_account)
    db.session.commit()
    auth.login("phuong")
    page = client.get(f"/unit/rounds/{adjusted_round.id}").get_data(as_text=True)
    assert "Điểm thưởng, điểm trừ đơn vị tự chấm" in page
    assert 'name="item-T1-points"' in page and 'name="item-D1-points"' in page
    assert 'name="item-T2-points"' not in page  # the officer enters it

    refused = save_item(client, adjusted_round, "T1", points="1").get_data(as_text=True)
    assert "Điểm thưởng, điểm trừ T1 cần tài liệu kiểm chứng hoặc lý do không có." in refused
    refused = save_item(client, adjusted_round, "T1", points="1,5", add_evidence_id=plan.id).get_data(as_text=True)
    assert "Điểm của tiêu chí T1 (1,5) vượt điểm tối đa 1." in refused
    assert save_item(client, adjusted_round, "T1", points="1", add_evidence_id=plan.id).status_code == 302
    assert save_item(client, adjusted_round, "D1", points="0").status_code == 302  # no penalty: nothing to prove

    assessment = the_assessment(adjusted_round, ward)
    for code in ("1.1.1", "1.1.2", "1.2"):
        score(assessment, code, "2", reason="Đạt")
    submit_self_assessment(assessment)  # the bonus and penalty are not needed to submit
    open_appraisal(adjusted_round)
    db.session.commit()

    # The officer no longer types in a self-assessed bonus; the other one still.
    with pytest.raises(IndexSettingError):
        enter_points(adjusted_round, ward, "T1", "1", "", None)
    enter_points(adjusted_round, ward, "T2", "0,5", "Bằng khen", None)
    db.session.commit()
    (row,) = compute_round_index(adjusted_round).rows
    assert row.index.bonus == 1.5 and row.index.penalty == 0  # the unit's own, provisional
    assert {"T1", "D1"} <= set(row.unappraised)

    # Appraised like an item: by an appraiser assigned to all the unit's areas, before finishing.
    by_area = appraiser_account("tdv1", "Thẩm định viên Một")
    everything = appraiser_account("tdv2", "Thẩm định viên Hai")
    assign_appraiser(adjusted_round, by_area, ward, "1")
    assign_appraiser(adjusted_round, everything, ward, None)
    db.session.commit()
    assessment = the_assessment(adjusted_round, ward)
    with pytest.raises(AppraisalError, match="không được phân công"):
        appraise_item(assessment, "T1", by_area, AppraisalDraft(is_accepted=True, points="", reason=""))
    for code in ("1.1.1", "1.1.2", "1.2", "D1"):
        appraise_item(assessment, code, everything, AppraisalDraft(is_accepted=True, points="", reason=""))
    db.session.commit()
    with pytest.raises(AppraisalError, match="T1"):
        finish_appraisal(assessment, everything)
    db.session.rollback()
    auth.login("tdv2")
    appraiser_page = client.get(f"/appraise/rounds/{adjusted_round.id}/units/{ward.id}").get_data(as_text=True)
    assert 'name="item-T1-points"' in appraiser_page and "Quyết định công nhận sáng kiến" in appraiser_page
    assessment = the_assessment(adjusted_round, ward)
    appraise_item(
        assessment, "T1", everything, AppraisalDraft(is_accepted=False, points="0,5", reason="Chưa được nhân rộng")
    )
    finish_appraisal(assessment, everything)
    db.session.commit()

    (row,) = compute_round_index(adjusted_round).rows
    assert row.index.bonus == 1.0 and row.unappraised == ()  # appraised 0,5 + the officer's 0,5
    assert row.index.points == 6 + 1.0  # the three items' 6 points, plus the bonus

    # The scoring table sent upward lists the bonus and penalty items after the total.
    auth.login("canbo")
    _header, *rows = rows_of(client.get(f"/admin/rounds/{adjusted_round.id}/units/{ward.id}/scoring.xlsx").get_data())
    total = next(n for n, row in enumerate(rows) if row[1] == "Tổng cộng")
    assert [row[:6] for row in rows[total + 1 :]] == [
        ("T1", "Điểm thưởng: Sáng kiến CCHC được công nhận", 1, SELF_ASSESSED_LABEL, 1, 0.5),
        ("T2", "Điểm thưởng: Được khen thưởng về CCHC", 1, "Nguồn khác, cán bộ nhập", None, None),
        ("D1", "Điểm trừ: Để xảy ra sai phạm về CCHC", 2, SELF_ASSESSED_LABEL, 0, 0),
    ]
    assert rows[total + 1][6] == "Quyết định công nhận sáng kiến"
    assert rows[total][2] == 10  # the set's total, bonus and penalty outside it
