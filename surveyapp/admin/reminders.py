"""Officers remind the units that have not submitted their self-assessment: the reminder list
(CSV) to send through their own channels, and recording which units were reminded."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.downloads import recorded_download
from surveyapp.admin.forms import RemindersForm
from surveyapp.admin.loading import loads_round
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import AssessmentRound
from surveyapp.services.reminders import ReminderError, get_missing_units, record_reminders, reminder_table
from surveyapp.services.responses import local_today
from surveyapp.tables.writing import csv_bytes


@bp.get("/rounds/<int:round_id>/reminders.csv")
@officer_required
@loads_round
def reminder_list(assessment_round: AssessmentRound) -> WerkzeugResponse:
    """The units not submitted yet, with their accounts and a reminder text each, as CSV."""
    data = csv_bytes(reminder_table(get_missing_units(assessment_round)))
    name = f"nhac-tu-danh-gia-ky-{assessment_round.id}-{local_today():%Y%m%d}.csv"
    return recorded_download(None, name, lambda: [data])


@bp.post("/rounds/<int:round_id>/reminders")
@officer_required
@loads_round
def record_round_reminders(assessment_round: AssessmentRound) -> WerkzeugResponse:
    """Record that the units ticked were reminded now."""
    form = RemindersForm()
    back = redirect(url_for(".assessment_round", round_id=assessment_round.id, _anchor="missing"))
    if not form.validate_on_submit():
        for error in form.assessment_ids.errors:
            flash(str(error), "error")
        return back
    try:
        reminded = record_reminders(assessment_round, list(form.assessment_ids.data or ()))
    except ReminderError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã ghi nhận nhắc %(count)d đơn vị.", count=len(reminded)), "success")
    return back
