"""Officers' quotas: per unit × questionnaire × respondent group, typed as rules, previewed, saved."""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from sampling import AllocationMethod
from surveyapp.admin import bp
from surveyapp.admin.forms import SHARING_LABELS, QuotasForm, quota_field_name, read_quota_rules
from surveyapp.admin.loading import loads_campaign
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.i18n import localized
from surveyapp.models import ANY_GROUP, Campaign, Questionnaire, QuotaPolicy
from surveyapp.services.frames import count_frame
from surveyapp.services.quotas import QuotaError, get_uniform_targets, plan_quotas, save_quotas


def _quota_rows(campaign: Campaign) -> list[tuple[Questionnaire, str, str]]:
    """Each questionnaire's rows: all groups together, then each group when it has several."""
    rows = []
    for questionnaire in campaign.questionnaires:
        rows.append((questionnaire, ANY_GROUP, _("Tất cả nhóm")))
        groups = questionnaire.definition.respondent_groups
        if len(groups) > 1:
            rows += [(questionnaire, group.code, localized(group.label)) for group in groups]
    return rows


QUOTA_KINDS = ("per_unit", "total", "minimum")


def _current_per_unit(campaign: Campaign) -> dict[str, int]:
    """The per-unit number of each (questionnaire, group) whose cells all share one target."""
    return {
        quota_field_name(questionnaire_id, group): target
        for (questionnaire_id, group), target in get_uniform_targets(campaign).items()
    }


@bp.route("/campaigns/<int:campaign_id>/quotas", methods=["GET", "POST"])
@officer_required
@loads_campaign
def quotas(campaign: Campaign) -> str | WerkzeugResponse:
    """Quotas per unit × questionnaire × group: typed as rules, previewed, then saved."""
    rows = _quota_rows(campaign)
    form = QuotasForm(data={"policy": campaign.quota_policy.value})
    values: Mapping[str, object] = _current_per_unit(campaign)
    plan, problems = None, {}
    if form.validate_on_submit():
        values = request.form
        pairs = [(q, group) for q, group, _label in rows]
        rules, problems = read_quota_rules(request.form, pairs, AllocationMethod(form.sharing.data))
        if not problems:
            try:
                plan = plan_quotas(campaign, rules, count_frame(campaign))
            except QuotaError as error:
                flash(str(error), "error")
            else:
                if request.form.get("action") == "save":
                    save_quotas(campaign, plan, QuotaPolicy(form.policy.data))
                    db.session.commit()
                    flash(_("Đã lưu chỉ tiêu: %(total)s phiếu.", total=format_decimal(plan.total)), "success")
                    return redirect(url_for(".campaign", campaign_id=campaign.id))
    return render_template(
        "admin/quotas.html",
        campaign=campaign,
        form=form,
        rows=[
            (q, group, label, {kind: quota_field_name(q.id, group, kind) for kind in QUOTA_KINDS})
            for q, group, label in rows
        ],
        frame_sizes=count_frame(campaign),
        values=values,
        problems=problems,
        plan=plan,
        sharing_labels=SHARING_LABELS,
    )
