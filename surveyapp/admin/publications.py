"""Officers publish a campaign's decided results or a round's decided PAR Index: the form, with
what will be published beside it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.forms import PublishForm
from surveyapp.admin.loading import loads_campaign, loads_round
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import AssessmentRound, Campaign
from surveyapp.services.par_index import compute_round_index
from surveyapp.services.par_index_snapshot import round_index_snapshot
from surveyapp.services.publications import (
    Decision,
    PublicationError,
    get_campaign_publications,
    get_round_publications,
    publish_results,
    publish_round_index,
)
from surveyapp.services.results.indices import compute_results
from surveyapp.services.results.snapshots import results_snapshot


@bp.route("/campaigns/<int:campaign_id>/publish", methods=["GET", "POST"])
@officer_required
@loads_campaign
def publish(campaign: Campaign) -> str | WerkzeugResponse:
    """Show the figures as they would be published, and publish them with their decision."""
    form = PublishForm()
    if form.validate_on_submit():
        decision = Decision(form.decision.data or "", form.decided_on.data, form.change_note.data or "")
        try:
            publication = publish_results(campaign, decision)
        except PublicationError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Đã công bố kết quả (phiên bản %(version)s).", version=publication.version), "success")
            return redirect(url_for("public.publication", slug_text=publication.slug))
    return render_template(
        "admin/publish.html",
        subject_name=campaign.name,
        back_url=url_for("admin.results", campaign_id=campaign.id),
        form=form,
        published=get_campaign_publications(campaign),
        snapshot=results_snapshot(compute_results(campaign)),
    )


@bp.route("/rounds/<int:round_id>/publish", methods=["GET", "POST"])
@officer_required
@loads_round
def publish_round(assessment_round: AssessmentRound) -> str | WerkzeugResponse:
    """Show the round's PAR Index as it would be published, and publish it with its decision."""
    form = PublishForm()
    if form.validate_on_submit():
        decision = Decision(form.decision.data or "", form.decided_on.data, form.change_note.data or "")
        try:
            publication = publish_round_index(assessment_round, decision)
        except PublicationError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Đã công bố Chỉ số CCHC (phiên bản %(version)s).", version=publication.version), "success")
            return redirect(url_for("public.publication", slug_text=publication.slug))
    return render_template(
        "admin/publish.html",
        subject_name=assessment_round.name,
        back_url=url_for("admin.round_index", round_id=assessment_round.id),
        form=form,
        published=get_round_publications(assessment_round),
        snapshot=round_index_snapshot(compute_round_index(assessment_round)),
    )
