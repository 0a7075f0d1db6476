"""A dossier's receipt link: ``/r/m/<code>`` (printed as a link, a QR code and a short code to type at ``/r/m``)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.answering import keep_answers_when_not_stored, receive_submission, refused_form, render_questionnaire
from surveyapp.extensions import db
from surveyapp.models import ReceiptLink, ResponseMode
from surveyapp.questionnaires.answers import PROCEDURE_FIELD_FIELD
from surveyapp.respond import bp
from surveyapp.respond.views import not_collecting_page
from surveyapp.services.collection import CollectionPoint, get_collection_point
from surveyapp.services.receipt_links import get_receipt_link, normalize_code, spend_receipt_link
from surveyapp.services.responses import CampaignNotCollecting, local_today
from surveyapp.services.samples import LinkSpent

TEMPLATE = "respond/receipt.html"


def _point_of_receipt(receipt: ReceiptLink) -> CollectionPoint:
    point = get_collection_point(receipt.campaign_id, receipt.questionnaire.code, receipt.unit.code)
    if point is None:  # the unit left the campaign since
        abort(404)
    return point


def _point_of_code(code: str) -> CollectionPoint:
    receipt = get_receipt_link(code)
    if receipt is None:
        abort(404)
    return _point_of_receipt(receipt)


def _given(receipt: ReceiptLink) -> dict[str, str]:
    """What the page fills in for the respondent: the field of the dossier's procedure."""
    return {PROCEDURE_FIELD_FIELD: receipt.procedure_field} if receipt.procedure_field else {}


def _context_of_code(code: str) -> dict[str, object]:
    """The page context of a receipt link's questionnaire, shown again after a refusal."""
    receipt = get_receipt_link(code)
    return {"given": _given(receipt), "receipt": receipt} if receipt is not None else {}


@bp.get("/m")
def enter_code() -> str | WerkzeugResponse:
    """Where a person types the short code printed on the receipt."""
    typed = request.args.get("code", "")[:40]
    if not typed:
        return render_template("respond/enter_code.html", typed="", is_refused=False)
    code = normalize_code(typed)
    if code is None:
        return render_template("respond/enter_code.html", typed=typed, is_refused=True)
    return redirect(url_for(".receipt_link", code=code))


@bp.route("/m/<code>", methods=["GET", "POST"])
def receipt_link(code: str) -> tuple[str, int] | WerkzeugResponse:
    """A dossier's single-use link: the questionnaire of the unit that handled it, answered once."""
    receipt = get_receipt_link(code)
    if receipt is None:
        return render_template("respond/link_used.html"), 200
    point = _point_of_receipt(receipt)
    if not point.campaign.accepts(ResponseMode.RECEIPT_LINK, local_today()):
        return not_collecting_page(point.campaign)
    given = _given(receipt)
    if request.method == "POST":
        try:
            outcome = receive_submission(
                point, ResponseMode.RECEIPT_LINK, before_commit=lambda: spend_receipt_link(code), given=given
            )
        except CampaignNotCollecting:
            return not_collecting_page(point.campaign)
        except LinkSpent:
            db.session.rollback()
            return render_template("respond/link_used.html"), 200
        if outcome.is_stored:
            return redirect(url_for(".thanks", campaign_id=point.campaign.id))
        if outcome.is_quota_full:
            return render_template("respond/quota_full.html", campaign=point.campaign), 200
        return refused_form(TEMPLATE, point, outcome, given=given, receipt=receipt)
    return render_questionnaire(TEMPLATE, point, given=given, receipt=receipt)


keep_answers_when_not_stored(bp, "respond.receipt_link", TEMPLATE, _point_of_code, _context_of_code)
