"""The demo's PAR Index rounds: last year's (2025) carried to its end — appraised, an
explanation decided in appraisal 2, closed, its index published for everyone — and this year's
(2026) in self-assessment, whose index compares each commune with 2025."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveyapp.demo import (
    DEMO_COMMUNES,
    DEMO_PAST_ROUND_DECISION,
    DEMO_PAST_ROUND_NAME,
    DEMO_ROUND_NAME,
    LOWERED_REASON,
    WARD,
    load_demo,
)
from surveyapp.extensions import db
from surveyapp.models import AppraisalScore, AssessmentRound, Explanation, Reappraisal, RoundStage
from surveyapp.services.par_index import compute_round_index
from surveyapp.services.unit_appraisals import appraised_points


@pytest.fixture
def rounds(app, auth, officer) -> dict[str, AssessmentRound]:
    load_demo()
    db.session.commit()
    auth.login("canbo")
    return {assessment_round.name: assessment_round for assessment_round in db.session.scalars(select(AssessmentRound))}


def row_of(html: str, unit_code: str) -> list[str]:
    """The cells of the row of ``unit_code`` in a table of the page, as text."""
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*>{unit_code}<(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_last_years_round_is_closed_with_an_explanation_decided_and_its_index_published(app, rounds) -> None:
    past = rounds[DEMO_PAST_ROUND_NAME]
    assert (past.year, past.stage) == (2025, RoundStage.CLOSED)
    # The appraiser lowered two items of each commune, with a reason; the ward explained one of
    # its own and appraisal 2 gave it its points back.
    lowered = db.session.scalars(select(AppraisalScore).where(AppraisalScore.reason != "")).all()
    assert len(lowered) == 2 * len(DEMO_COMMUNES) and {score.reason for score in lowered} == {LOWERED_REASON}
    (explanation,) = db.session.scalars(select(Explanation)).all()
    assert explanation.assessment.unit.code == WARD and explanation.decision is Reappraisal.ACCEPTED
    assert explanation.decided_points == explanation.proposed_points
    ward = explanation.assessment
    assert appraised_points(ward)[explanation.code] == explanation.proposed_points
    final = compute_round_index(past)
    assert final.is_final and len(final.rows) == len(DEMO_COMMUNES)
    ward_row = next(row.index for row in final.rows if row.unit.code == WARD)
    assert ward_row.points == sum(appraised_points(ward).values())

    # Everyone reads the published index, without logging in.
    with app.test_client() as anyone:
        listing = anyone.get("/cong-bo/").get_data(as_text=True)
        assert DEMO_PAST_ROUND_NAME in listing
        url = re.search(r'href="([^"]+)">' + re.escape(DEMO_PAST_ROUND_NAME), listing).group(1)
        page = anyone.get(url).get_data(as_text=True)
    assert DEMO_PAST_ROUND_DECISION in page and "Tạm tính" not in page
    percent = f"{ward_row.percent:.2f}".replace(".", ",")
    assert row_of(page, WARD)[1:3] == [WARD, "Phường Trương Quang Trọng"] and percent in row_of(page, WARD)


def test_this_years_index_shows_the_change_from_last_year(client, rounds) -> None:
    current, past = rounds[DEMO_ROUND_NAME], rounds[DEMO_PAST_ROUND_NAME]
    assert current.stage is RoundStage.SELF_ASSESSMENT
    last_year = {row.unit.code: row.index.percent for row in compute_round_index(past).rows}
    this_year = {row.unit.code: row.index for row in compute_round_index(current).rows}
    page = client.get(f"/admin/rounds/{current.id}/index").get_data(as_text=True)
    assert "Kết quả tạm tính:" in page
    # The five communes other than the ward have scored everything; the ward has not begun, and
    # its provisional 0 % is no fall from last year.
    assert this_year[WARD].change is None
    for code in DEMO_COMMUNES:
        index = this_year[code]
        if code != WARD:
            assert index.change == pytest.approx(index.percent - last_year[code])
            assert index.points > 0
            shown = f"{'+' if index.change > 0 else ''}{index.change:.3f}".replace(".", ",").rstrip("0").rstrip(",")
            assert shown in row_of(page, code)
