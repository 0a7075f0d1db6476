"""Officers' page of the printed paper forms: batches, forms printed and typed in per unit, and
where to print a batch for each unit."""

from __future__ import annotations

from flask import render_template

from surveyapp.admin import bp
from surveyapp.admin.loading import loads_campaign
from surveyapp.auth.access import officer_required
from surveyapp.models import Campaign
from surveyapp.services.collection import list_collection_points
from surveyapp.services.paper_forms import count_paper_forms


@bp.route("/campaigns/<int:campaign_id>/paper-forms")
@officer_required
@loads_campaign
def paper_forms(campaign: Campaign) -> str:
    """Printed batches per unit (forms printed, paper forms typed in), and a print link per unit."""
    points = [point for point in list_collection_points(campaign) if point.unit is not None]
    return render_template(
        "admin/paper_forms.html", campaign=campaign, counts=count_paper_forms(campaign), points=points
    )
