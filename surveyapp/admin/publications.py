"""Officers publish a campaign's decided results: the form, with what will be published beside it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.forms import PublishForm
from surveyapp.admin.loading import loads_campaign
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.services.publications import Decision, PublicationError, get_campaign_publications, publish_results
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
        campaign=campaign,
        form=form,
        published=get_campaign_publications(campaign),
        snapshot=results_snapshot(compute_results(campaign)),
    )
