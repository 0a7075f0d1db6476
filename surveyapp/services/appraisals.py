"""The appraised self-assessment points of a PAR campaign's units, imported from a table.

Columns: ``Mã đơn vị`` (unit code), ``Điểm thẩm định`` (appraised points), and optionally
``Điểm khác`` (points of criteria scored elsewhere, such as SIPAS). Decimal commas are
accepted. A file with any bad row stores nothing; a good file replaces the earlier points.
"""

from __future__ import annotations

from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import delete

from surveyapp.extensions import db
from surveyapp.models import AppraisedScore, AuditAction, Campaign
from surveyapp.services.audit import record_action
from surveyapp.services.units import is_unit_code, normalise_unit_code
from surveyapp.tables.reading import ProblemList, RowProblem, RowsRejected, read_table

UNIT, POINTS, OTHER_POINTS = "Mã đơn vị", "Điểm thẩm định", "Điểm khác"


def _points(text: str, line: int, column: str, maximum: float, problems: ProblemList) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        problems.add(RowProblem(line, column, text, _("không phải số")))
        return 0.0
    if not 0 <= value <= maximum:
        problems.add(RowProblem(line, column, text, _("phải từ 0 đến %(maximum)s", maximum=f"{maximum:g}")))
    return value


def import_appraised_scores(campaign: Campaign, file_name: str, source: bytes | BinaryIO) -> int:
    """Replace the campaign's appraised points with those of an uploaded file; returns how many.

    A file without a single row is refused rather than taken as "no points any more"."""
    table = read_table(file_name, source)
    missing = [column for column in (UNIT, POINTS) if column not in table.header]
    if missing:
        raise RowsRejected([RowProblem(1, column, "", _("thiếu cột này ở dòng tiêu đề")) for column in missing])
    units = {unit.code: unit for unit in campaign.units}
    problems = ProblemList()
    seen: dict[str, int] = {}
    scores = []
    for line, row in table:
        code = normalise_unit_code(row.get(UNIT, ""))
        if not is_unit_code(code):
            problems.add(RowProblem(line, UNIT, code, _("mã đơn vị chỉ gồm chữ cái A–Z, chữ số và các dấu - _ .")))
        elif code not in units:
            problems.add(RowProblem(line, UNIT, code, _("không phải đơn vị của đợt điều tra")))
        elif code in seen:
            problems.add(RowProblem(line, UNIT, code, _("trùng với dòng %(line)d", line=seen[code])))
        seen.setdefault(code, line)
        points = _points(row.get(POINTS, ""), line, POINTS, campaign.par_max_points, problems)
        other = _points(row.get(OTHER_POINTS) or "0", line, OTHER_POINTS, campaign.par_max_points, problems)
        if code in units:
            scores.append(
                AppraisedScore(campaign_id=campaign.id, unit_id=units[code].id, points=points, other_points=other)
            )
    if not seen:
        # An empty file would replace every appraised score with nothing.
        problems.add(RowProblem(2, UNIT, "", _("tệp không có dòng điểm thẩm định nào")))
    if problems:
        raise RowsRejected(problems)
    if not scores:  # an empty file would silently wipe every unit's points
        raise RowsRejected([RowProblem(2, UNIT, "", _("tệp không có dòng điểm nào"))])
    db.session.execute(delete(AppraisedScore).where(AppraisedScore.campaign_id == campaign.id))
    db.session.add_all(scores)
    record_action(AuditAction.APPRAISALS_IMPORTED, campaign, file=file_name, units=len(scores))
    db.session.flush()
    return len(scores)
