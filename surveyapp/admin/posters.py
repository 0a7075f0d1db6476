"""Officers' QR codes and posters: one collection point's image or poster, and all of a campaign's at once."""

from __future__ import annotations

from flask import Response, abort, render_template

from surveyapp.admin import bp
from surveyapp.admin.downloads import attachment
from surveyapp.admin.loading import loads_campaign
from surveyapp.auth.access import officer_required
from surveyapp.models import Campaign
from surveyapp.services import posters
from surveyapp.services.collection import CollectionPoint, get_collection_point, list_qr_points, public_url
from surveyapp.services.responses import local_today


def _point_or_404(campaign: Campaign, questionnaire_code: str, unit_code: str | None) -> CollectionPoint:
    point = get_collection_point(campaign.id, questionnaire_code, unit_code)
    if point is None:
        abort(404)
    return point


@bp.route("/campaigns/<int:campaign_id>/qr/<questionnaire_code>.<any(png, svg):extension>")
@bp.route("/campaigns/<int:campaign_id>/qr/<questionnaire_code>/<unit_code>.<any(png, svg):extension>")
@officer_required
@loads_campaign
def qr(campaign: Campaign, questionnaire_code: str, extension: str, unit_code: str | None = None) -> Response:
    """One collection point's QR code: a PNG image, or an SVG one (for a print shop or an editor)."""
    url = public_url(_point_or_404(campaign, questionnaire_code, unit_code))
    if extension == "png":
        return Response(posters.qr_png(url), mimetype="image/png")
    return Response(posters.qr_svg(url), mimetype="image/svg+xml")


@bp.route("/campaigns/<int:campaign_id>/poster/<questionnaire_code>")
@bp.route("/campaigns/<int:campaign_id>/poster/<questionnaire_code>/<unit_code>")
@bp.route("/campaigns/<int:campaign_id>/poster/<questionnaire_code>.<any(svg):extension>")
@bp.route("/campaigns/<int:campaign_id>/poster/<questionnaire_code>/<unit_code>.<any(svg):extension>")
@officer_required
@loads_campaign
def poster(
    campaign: Campaign, questionnaire_code: str, unit_code: str | None = None, extension: str | None = None
) -> str | Response:
    """One collection point's poster: a page that prints on one A4 sheet, or (``.svg``) the file
    for a print shop or an editor."""
    point = _point_or_404(campaign, questionnaire_code, unit_code)
    _file_name, svg = posters.point_poster(point)
    if extension == "svg":
        return Response(svg, mimetype="image/svg+xml")
    return render_template("admin/posters_print.html", campaign=point.campaign, svgs=[svg])


@bp.route("/campaigns/<int:campaign_id>/posters")
@officer_required
@loads_campaign
def posters_print(campaign: Campaign) -> str:
    """Every poster of the campaign on one page, one per printed A4 sheet."""
    svgs = [posters.point_poster(point)[1] for point in list_qr_points(campaign)]
    return render_template("admin/posters_print.html", campaign=campaign, svgs=svgs)


@bp.route("/campaigns/<int:campaign_id>/posters.zip")
@officer_required
@loads_campaign
def posters_zip(campaign: Campaign) -> Response:
    archive = posters.posters_zip(posters.point_poster(point) for point in list_qr_points(campaign))
    return attachment(f"ap-phich-dot-{campaign.id}-{campaign.year}-{local_today():%Y%m%d}.zip", archive)
