"""Where answers are collected: a campaign's questionnaire toward one or several units (a collection point)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from surveyapp.driver_statements import DriverStatement
from surveyapp.extensions import db
from surveyapp.models import Campaign, Questionnaire, Unit
from surveyapp.models.campaigns import campaign_questionnaires, campaign_units
from surveyapp.questionnaires.definition import QuestionnaireDefinition


@dataclass(frozen=True)
class CollectionPoint:
    """A campaign × questionnaire × assessed unit(s): what one QR code or entry page opens.

    A single-layout questionnaire collects about one unit; a matrix questionnaire about every unit
    of the campaign it applies to, and one submission stores one response per unit.
    """

    campaign: Campaign
    questionnaire: Questionnaire
    units: tuple[Unit, ...]

    @property
    def definition(self) -> QuestionnaireDefinition:
        return self.questionnaire.definition

    @property
    def unit(self) -> Unit | None:
        """The assessed unit of a single-layout point."""
        return None if self.definition.is_matrix else self.units[0]

    @property
    def unit_keys(self) -> list[str]:
        """Unit codes naming the answer columns of a matrix form."""
        return [unit.code for unit in self.units] if self.definition.is_matrix else []

    @property
    def unit_code(self) -> str | None:
        """The unit part of the point's address (``None`` for a matrix)."""
        return self.unit.code if self.unit else None


# The campaign, its questionnaire of that code and its unit of that code (none for a matrix
# address, whose unit code is NULL) in one statement, not the campaign's thousands of units:
# this runs on every public page and post. The unit is found by its unique code and then
# checked against the campaign by primary key; joining a (campaign_units JOIN units) group
# instead made SQLite scan every campaign's unit links on each request.
_IN_CAMPAIGN = (
    select(campaign_units.c.unit_id)
    .where(campaign_units.c.campaign_id == Campaign.id, campaign_units.c.unit_id == Unit.id)
    .exists()
)
_POINT_STATEMENT = (
    select(Campaign, Questionnaire, Unit)
    .join(campaign_questionnaires, campaign_questionnaires.c.campaign_id == Campaign.id)
    .join(Questionnaire, Questionnaire.id == campaign_questionnaires.c.questionnaire_id)
    .outerjoin(Unit, and_(Unit.code == bindparam("unit_code"), _IN_CAMPAIGN))
    .where(Campaign.id == bindparam("campaign_id"), Questionnaire.code == bindparam("questionnaire_code"))
)


def get_collection_point(campaign_id: int, questionnaire_code: str, unit_code: str | None) -> CollectionPoint | None:
    """The collection point these address parts name, or ``None`` when they name nothing valid.

    A single-layout questionnaire needs a unit of the campaign it applies to; a matrix one is
    addressed without a unit.
    """
    return _find_point(db.session, campaign_id, questionnaire_code, unit_code)


def _find_point(
    session: Session, campaign_id: int, questionnaire_code: str, unit_code: str | None
) -> CollectionPoint | None:
    row = session.execute(
        _POINT_STATEMENT,
        {"campaign_id": campaign_id, "questionnaire_code": questionnaire_code, "unit_code": unit_code},
    ).first()
    if row is None:
        return None
    campaign, questionnaire, unit = row
    if questionnaire.definition.is_matrix:
        applicable = campaign.units_for(questionnaire)
        if unit_code is not None or not applicable:
            return None
        return CollectionPoint(campaign, questionnaire, tuple(applicable))
    kinds = questionnaire.definition.assessed_unit_kinds
    if unit is None or (kinds and unit.kind not in kinds):
        return None
    return CollectionPoint(campaign, questionnaire, (unit,))


# What a public page's point depends on, read on every public request: every column of the
# campaign and the unit (their links included, by the same joins), and the questionnaire
# version the campaign runs. Plain columns as the driver gives them (compared, never used): a
# fraction of loading three entities through the ORM, which was the largest step of a
# submission after storing it.
_POINT_STATE = DriverStatement(
    select(*Campaign.__table__.c, Questionnaire.id, Questionnaire.content_digest, *Unit.__table__.c)
    .join(campaign_questionnaires, campaign_questionnaires.c.campaign_id == Campaign.id)
    .join(Questionnaire, Questionnaire.id == campaign_questionnaires.c.questionnaire_id)
    .join(Unit, and_(Unit.code == bindparam("unit_code"), _IN_CAMPAIGN))
    .where(Campaign.id == bindparam("campaign_id"), Questionnaire.code == bindparam("questionnaire_code"))
)
# Public points kept by this process: address parts -> (the state they were built from, point).
_KEPT_POINTS: dict[tuple[int, str, str], tuple[tuple[object, ...], CollectionPoint]] = {}
_MOST_KEPT_POINTS = 20_000


def get_public_point(campaign_id: int, questionnaire_code: str, unit_code: str | None) -> CollectionPoint | None:
    """``get_collection_point`` for the public QR pages, kept by the process between requests.

    A kept point is used only while the database still holds exactly what it was built from
    (``_POINT_STATE``, read on every request): a campaign closed, renamed or closed to QR by
    an officer, through any worker, takes effect on the next request everywhere. Its
    campaign, questionnaire and unit are detached from every session: read-only (their
    columns only). Matrix points are not kept.
    """
    if unit_code is None:
        return get_collection_point(campaign_id, questionnaire_code, unit_code)
    parameters = {"campaign_id": campaign_id, "questionnaire_code": questionnaire_code, "unit_code": unit_code}
    row = _POINT_STATE.execute(db.session.connection(), parameters).fetchone()
    if row is None:
        return None
    key, state = (campaign_id, questionnaire_code, unit_code), tuple(row)
    kept = _KEPT_POINTS.get(key)
    if kept is not None and kept[0] == state:
        return kept[1]
    # Loaded in a session of its own, closed at once (finding it parsed the questionnaire
    # version): kept objects belong to no request's session.
    with Session(db.engine) as session:
        point = _find_point(session, campaign_id, questionnaire_code, unit_code)
    if point is not None:
        if len(_KEPT_POINTS) >= _MOST_KEPT_POINTS:
            _KEPT_POINTS.clear()
        _KEPT_POINTS[key] = (state, point)
    return point


def list_collection_points(campaign: Campaign) -> list[CollectionPoint]:
    """Every point of ``campaign``: its questionnaires by code, then units by code."""
    points = []
    for questionnaire in campaign.questionnaires:
        applicable = campaign.units_for(questionnaire)
        if questionnaire.definition.is_matrix:
            if applicable:
                points.append(CollectionPoint(campaign, questionnaire, tuple(applicable)))
        else:
            points.extend(CollectionPoint(campaign, questionnaire, (unit,)) for unit in applicable)
    return points


def list_qr_points(campaign: Campaign) -> list[CollectionPoint]:
    """The points a QR code (poster, public link) opens: none when the campaign is closed to QR."""
    return [] if campaign.is_qr_closed else list_collection_points(campaign)


def is_closed_to_qr(point: CollectionPoint) -> bool:
    """Whether the open QR form of ``point`` takes no group at all (see the campaign's channels)."""
    return not any(point.campaign.is_qr_open_to(group.code) for group in point.definition.respondent_groups)


def public_url(point: CollectionPoint) -> str:
    """The address a QR code of ``point`` opens."""
    return absolute_url(
        "respond.questionnaire",
        campaign_id=point.campaign.id,
        questionnaire_code=point.questionnaire.code,
        unit_code=point.unit_code,
    )


def absolute_url(endpoint: str, **values: object) -> str:
    """A public address of the service: under ``PUBLIC_BASE_URL`` when set, else this host."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
