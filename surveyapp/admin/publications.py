"""Officers publish a campaign's decided results or a round's decided PAR Index: the form, with
what will be published beside it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.forms import PublishForm
from surveyapp.admin.loading import loads_campaign, loads_round
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import AssessmentRound, Campaign, Publication
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


def _publish_page(
    publish: Callable[[Decision], Publication],
    *,
    subject_name: str,
    back_url: str,
    published: list[Publication],
    preview: Callable[[], dict],
) -> str | WerkzeugResponse:
    """The publishing form of one subject: on a valid post, ``publish`` the decision and go to
    the public page; else the form, the versions already published and the ``preview``."""
    form = PublishForm()
    if form.validate_on_submit():
        decision = Decision(form.decision.data or "", form.decided_on.data, form.change_note.data or "")
        try:
            publication = publish(decision)
        except PublicationError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Đã công bố kết quả (phiên bản %(version)s).", version=publication.version), "success")
            return redirect(url_for("public.publication", slug_text=publication.slug))
    return render_template(
        "admin/publish.html",
        subject_name=subject_name,
        back_url=back_url,
        form=form,
        published=published,
        snapshot=preview(),
    )


@bp.route("/campaigns/<int:campaign_id>/publish", methods=["GET", "POST"])
@officer_required
@loads_campaign
def publish(campaign: Campaign) -> str | WerkzeugResponse:
    """Show the figures as they would be published, and publish them with their decision."""
    return _publish_page(
        partial(publish_results, campaign),
        subject_name=campaign.name,
        back_url=url_for("admin.results", campaign_id=campaign.id),
        published=get_campaign_publications(campaign),
        preview=lambda: results_snapshot(compute_results(campaign)),
    )


@bp.route("/rounds/<int:round_id>/publish", methods=["GET", "POST"])
@officer_required
@loads_round
def publish_round(assessment_round: AssessmentRound) -> str | WerkzeugResponse:
    """Show the round's PAR Index as it would be published, and publish it with its decision."""
    return _publish_page(
        partial(publish_round_index, assessment_round),
        subject_name=assessment_round.name,
        back_url=url_for("admin.round_index", round_id=assessment_round.id),
        published=get_round_publications(assessment_round),
        preview=lambda: round_index_snapshot(compute_round_index(assessment_round)),
    )
