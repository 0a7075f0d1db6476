"""The appraised self-assessment points of a PAR campaign's units, imported from a table.

Columns: ``Mã đơn vị`` (unit code), ``Điểm thẩm định`` (appraised points), and optionally
``Điểm khác`` (points of criteria scored elsewhere, such as SIPAS). Decimal commas are
accepted. A file with any bad row stores nothing; a good file replaces the earlier points.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete

from surveyapp.extensions import db
from surveyapp.models import AppraisedScore, Campaign
from surveyapp.services.tabular import RowProblem, RowsRejected, read_table

UNIT, POINTS, OTHER_POINTS = "Mã đơn vị", "Điểm thẩm định", "Điểm khác"


def _points(text: str, line: int, column: str, maximum: float, problems: list[RowProblem]) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        problems.append(RowProblem(line, column, text, _("không phải số")))
        return 0.0
    if not 0 <= value <= maximum:
        problems.append(RowProblem(line, column, text, _("phải từ 0 đến %(maximum)s", maximum=f"{maximum:g}")))
    return value


def import_appraised_scores(campaign: Campaign, file_name: str, data: bytes) -> int:
    """Replace the campaign's appraised points with those of an uploaded file; returns how many."""
    rows = read_table(file_name, data)
    header = set(rows[0][1]) if rows else set()
    missing = [column for column in (UNIT, POINTS) if column not in header]
    if missing:
        raise RowsRejected([RowProblem(1, column, "", _("thiếu cột này ở dòng tiêu đề")) for column in missing])
    units = {unit.code: unit for unit in campaign.units}
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    scores = []
    for line, row in rows:
        code = row.get(UNIT, "")
        if code not in units:
            problems.append(RowProblem(line, UNIT, code, _("không phải đơn vị của đợt điều tra")))
        elif code in seen:
            problems.append(RowProblem(line, UNIT, code, _("trùng với dòng %(line)d", line=seen[code])))
        seen.setdefault(code, line)
        points = _points(row.get(POINTS, ""), line, POINTS, campaign.par_max_points, problems)
        other = _points(row.get(OTHER_POINTS) or "0", line, OTHER_POINTS, campaign.par_max_points, problems)
        if code in units:
            scores.append(
                AppraisedScore(campaign_id=campaign.id, unit_id=units[code].id, points=points, other_points=other)
            )
    if problems:
        raise RowsRejected(problems)
    db.session.execute(delete(AppraisedScore).where(AppraisedScore.campaign_id == campaign.id))
    db.session.add_all(scores)
    db.session.flush()
    return len(scores)
