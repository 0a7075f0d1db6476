"""The citizen flow: QR link → questionnaire → thank-you page."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.answering import (
    accept_anonymous_forms,
    keep_answers_when_not_stored,
    receive_submission,
    refused_form,
    render_questionnaire,
)
from surveyapp.compression import compress_pages_of
from surveyapp.extensions import db
from surveyapp.i18n import is_language_switch
from surveyapp.inline_style import inline_stylesheet_in
from surveyapp.kept_pages import kept_page
from surveyapp.models import Campaign, Questionnaire, ResponseMode, SampleEntry
from surveyapp.respond import bp
from surveyapp.services.campaigns import campaign_exists
from surveyapp.services.collection import CollectionPoint, get_collection_point, get_public_point, is_closed_to_qr
from surveyapp.services.responses import CampaignNotCollecting, local_today
from surveyapp.services.samples import LinkSpent, get_entry_by_link, mark_answered, spend_link

TEMPLATE = "respond/questionnaire.html"
THANKS_TEMPLATE = "respond/thanks.html"
# Thank-you pages kept per worker, one per (campaign, language): about 8 KB each.
MOST_KEPT_THANKS_PAGES = 1024


def _point_or_404(campaign_id: int, questionnaire_code: str, unit_code: str | None = None) -> CollectionPoint:
    # A matrix questionnaire's address has no unit part.
    point = get_collection_point(campaign_id, questionnaire_code, unit_code)
    if point is None:
        abort(404)
    return point


def _public_point_or_404(campaign_id: int, questionnaire_code: str, unit_code: str | None = None) -> CollectionPoint:
    """The point a QR code opens: the hottest path of the service, kept between requests."""
    point = get_public_point(campaign_id, questionnaire_code, unit_code)
    if point is None:
        abort(404)
    return point


def _point_of_entry(entry: SampleEntry) -> CollectionPoint:
    """The questionnaire and unit a sampled person's link opens."""
    return _point_or_404(entry.campaign_id, db.get_or_404(Questionnaire, entry.questionnaire_id).code, entry.unit.code)


def _point_of_link(token: str) -> CollectionPoint:
    entry = get_entry_by_link(token)
    if entry is None:
        abort(404)
    return _point_of_entry(entry)


@bp.before_request
def _read_outside_a_transaction() -> None:
    """A public page that is only read (GET) queries outside a transaction on PostgreSQL.

    Nothing is written then, and each query sees what is committed, as it would in a
    transaction of READ COMMITTED; it saves the BEGIN and ROLLBACK around them, two round
    trips of three on opening the questionnaire (bench/README.md). SQLite reads outside a
    transaction already. (A session already in a transaction, as in tests, is left alone.)
    """
    if request.method == "GET" and not db.session().in_transaction() and db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def not_collecting_page(campaign: Campaign) -> tuple[str, int]:
    """The page a form of ``campaign`` gets when the campaign takes no answers today."""
    return render_template("respond/not_collecting.html", campaign=campaign, today=local_today()), 200


@bp.route("/<int:campaign_id>/<questionnaire_code>", methods=["GET", "POST"])
@bp.route("/<int:campaign_id>/<questionnaire_code>/<unit_code>", methods=["GET", "POST"])
def questionnaire(
    campaign_id: int, questionnaire_code: str, unit_code: str | None = None
) -> tuple[str, int] | WerkzeugResponse:
    """The questionnaire a QR code opens, already tagged with its campaign and unit.

    A form posted by a language button comes back in that language with its answers, unstored.
    """
    point = _public_point_or_404(campaign_id, questionnaire_code, unit_code)
    return answer_as_qr_form(point, url_for(".thanks", campaign_id=campaign_id))


def answer_as_qr_form(point: CollectionPoint, thanks_url: str, **page: object) -> tuple[str, int] | WerkzeugResponse:
    """Show or take the questionnaire of ``point`` as a QR form (a poster's or a kiosk's): refused
    when the campaign takes no QR forms today, stored then sent to ``thanks_url``; ``page`` is
    what the questionnaire's template needs besides (a kiosk's)."""
    if not point.campaign.accepts(ResponseMode.DESK_QR, local_today()):
        return not_collecting_page(point.campaign)
    if is_closed_to_qr(point):
        return render_template("respond/qr_closed.html", campaign=point.campaign), 200
    if request.method == "POST" and not is_language_switch():
        try:
            outcome = receive_submission(point, ResponseMode.DESK_QR)
        except CampaignNotCollecting:
            return not_collecting_page(point.campaign)
        if outcome.is_stored:
            return redirect(thanks_url)
        if outcome.is_quota_full:
            return render_template("respond/quota_full.html", campaign=point.campaign), 200
        return refused_form(TEMPLATE, point, outcome, is_open_qr=True, **page)
    return render_questionnaire(TEMPLATE, point, is_open_qr=True, **page)


@bp.route("/<int:campaign_id>/thanks")
def thanks(campaign_id: int) -> str:
    """The end of the flow (for a campaign that exists: the page shows nothing of it).

    It ends every answered form and depends only on its address (its language links) and
    language: each is rendered once per worker and kept (``surveyapp.kept_pages``). The
    campaign is looked up only then: campaigns are never deleted, so a kept page stays true.
    """

    def render() -> str:
        if not campaign_exists(campaign_id):
            abort(404)
        return render_template(THANKS_TEMPLATE)

    return kept_page("thanks", MOST_KEPT_THANKS_PAGES, None, render)


@bp.route("/link/<token>", methods=["GET", "POST"])
def personal_link(token: str) -> tuple[str, int] | WerkzeugResponse:
    """A sampled person's single-use link: the questionnaire of their unit, answered once
    (a form posted by a language button comes back in that language with its answers, unstored)."""
    entry = get_entry_by_link(token)
    if entry is None:
        return render_template("respond/link_used.html"), 200
    point = _point_of_entry(entry)
    if not point.campaign.accepts(ResponseMode.ONLINE_LINK, local_today()):
        return not_collecting_page(point.campaign)
    if request.method == "POST" and not is_language_switch():
        try:
            outcome = receive_submission(point, ResponseMode.ONLINE_LINK, before_commit=lambda: spend_link(token))
        except CampaignNotCollecting:
            return not_collecting_page(point.campaign)
        except LinkSpent:
            db.session.rollback()
            return render_template("respond/link_used.html"), 200
        if outcome.is_stored:
            # The person's status changes later, in a batch and a transaction of its own.
            if mark_answered(entry):
                db.session.commit()
            return redirect(url_for(".thanks", campaign_id=point.campaign.id))
        if outcome.is_quota_full:
            return render_template("respond/quota_full.html", campaign=point.campaign), 200
        return refused_form(TEMPLATE, point, outcome)
    return render_questionnaire(TEMPLATE, point)


accept_anonymous_forms(bp)
compress_pages_of(bp)
inline_stylesheet_in(bp)
keep_answers_when_not_stored(bp, "respond.questionnaire", TEMPLATE, _public_point_or_404, is_open_qr=True)
keep_answers_when_not_stored(bp, "respond.personal_link", TEMPLATE, _point_of_link)
