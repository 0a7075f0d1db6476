"""Officers' views (placeholder, filled in by the admin work)."""

from surveyapp.admin import bp
from surveyapp.auth.access import officer_required


@bp.route("/")
@officer_required
def campaigns() -> str:
    return "campaigns"
