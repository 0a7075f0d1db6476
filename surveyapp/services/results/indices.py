"""A campaign's results: its stored responses read into the aggregator's layout, then scored.

The arithmetic lives in the pure ``scoring`` package; this module only reads the database
(responses, units, appraised points) and chooses the slices officers report.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import String, cast, func, select, type_coerce

from scoring import (
    ParResult,
    SipasResult,
    compute_par,
    compute_sipas,
    par_settings,
    rank_units,
    rank_within_groups,
    sipas_settings,
)
from surveyapp.extensions import db
from surveyapp.models import AppraisedScore, Campaign, CampaignPurpose, Questionnaire, Response, Unit
from surveyapp.questionnaires.answers import ANSWER_CODE_FIRST, encode_answer_codes, scored_questions
from surveyapp.questionnaires.definition import Text
from surveyapp.services.results.columns import read_columns
from surveyapp.services.units import get_reporting_units

# Slices of a SIPAS report, in the order the page and the workbook show them ("" = overall).
SIPAS_SLICES = ("", "unit", "parent_unit", "procedure_field", "respondent_group", "mode", "period")
# Joins the slice values of a response into one key (see ``columns.SEPARATOR``).
KEY_SEPARATOR = "\x1e"
META_COLUMNS = ("questionnaire", "unit", "parent_unit", "respondent_group", "mode", "procedure_field", "period")


@dataclass(frozen=True)
class SipasReport:
    """SIPAS of one questionnaire, for the slices of ``SIPAS_SLICES`` asked, and the units' standing.

    ``standings`` ranks each unit's SIPAS among the units of its kind (``rank_by_kind``).
    """

    questionnaire: Questionnaire
    slices: dict[str, SipasResult]
    responses: int
    standings: pd.DataFrame

    @property
    def unsliced(self) -> SipasResult:
        """The figures over every response of the report, not sliced (its ``""`` slice)."""
        return self.slices[""]


@dataclass(frozen=True)
class ParReport:
    """PAR survey points of questionnaires that assess the same kind of unit, and the units' standing.

    A campaign may run one family for departments (CH forms) and one for communes (CX forms):
    each has its own sub-criteria and maxima, and units are ranked within their family.
    """

    questionnaires: list[Questionnaire]
    result: ParResult
    standings: pd.DataFrame
    responses: int
    # Responses per unit, questionnaire and respondent group: how each group filled a quota
    # shared by several (citizens standing in for missing businesses in CX4, for example).
    group_counts: pd.DataFrame

    @property
    def name(self) -> str:
        """The family's questionnaire codes, such as ``CX1 + CX4``."""
        return " + ".join(q.code for q in self.questionnaires)

    def group_label(self, questionnaire_code: str, group_code: str) -> Text:
        """The label of a respondent group of one of the family's questionnaires (else its code)."""
        groups = (
            group
            for questionnaire in self.questionnaires
            if questionnaire.code == questionnaire_code
            for group in questionnaire.definition.respondent_groups
        )
        return next((group.label for group in groups if group.code == group_code), Text(group_code))


@dataclass(frozen=True)
class CampaignResults:
    """Everything the results page and the exports show for a campaign, or a part of its tree."""

    campaign: Campaign
    within: Unit | None
    unit_names: dict[str, str]
    sipas: list[SipasReport] = field(default_factory=list)
    par: list[ParReport] = field(default_factory=list)
    computed_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def responses(self) -> int:
        """How many responses the figures rest on."""
        return sum(report.responses for report in (*self.sipas, *self.par))


def sipas_target(campaign: Campaign, slice_name: str, value: object = None) -> float | None:
    """The target a SIPAS index of one slice value is held against; ``None`` when it has none.

    The one rule of the page, the workbook, its CSV files and the command line: the whole
    campaign, a unit and a parent unit are held against the SIPAS target; a field of
    procedures the officer named among the target fields, against the field target; other
    slices (another field, a respondent group, a mode, a month) against none. Elements are
    held against the criterion target (``Campaign.criterion_target``).
    """
    if slice_name in ("", "unit", "parent_unit"):
        return campaign.sipas_target
    if slice_name == "procedure_field" and value in campaign.target_fields:
        return campaign.field_target
    return None


def meets_target(index: float, target: float | None) -> bool | None:
    """Whether ``index`` reaches ``target``; ``None`` without a target or without an index
    (either missing or NaN, as pandas gives them)."""
    if target is None or math.isnan(target) or math.isnan(index):
        return None
    return bool(index >= target)


def all_units() -> dict[int, Unit]:
    """Every unit by id: results name units and their parents by code."""
    return {unit.id: unit for unit in db.session.scalars(select(Unit))}


def subtree_unit_ids(unit: Unit) -> set[int]:
    """The ids of ``unit`` and of every unit below it."""
    return {below.id for below in unit.subtree()}


def load_responses(
    campaign: Campaign,
    questionnaires: Iterable[Questionnaire],
    within: Unit | None = None,
    units: Mapping[int, Unit] | None = None,
) -> pd.DataFrame:
    """The campaign's responses to ``questionnaires`` in the layout of ``scoring.schema``.

    One row per response: the slice columns (``unit`` and ``parent_unit`` as unit codes,
    ``period`` as ``YYYY-MM``), ``questionnaire``, then one categorical column per scored
    question (scale or choice). ``within`` keeps the responses about that unit and the units
    below it. The answers are read from their one-character codes, column by column, so a
    million responses load in seconds. ``units`` (every unit by id) spares reading them again.
    """
    units = units if units is not None else all_units()
    frames = [_load_answers_to(campaign, questionnaire, within, units) for questionnaire in questionnaires]
    if not frames:
        return pd.DataFrame(columns=list(META_COLUMNS))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _load_answers_to(
    campaign: Campaign, questionnaire: Questionnaire, within: Unit | None, units: Mapping[int, Unit]
) -> pd.DataFrame:
    columns = Response.__table__.c
    criteria = [columns.campaign_id == campaign.id, columns.questionnaire_id == questionnaire.id]
    if within is not None:
        criteria.append(columns.unit_id.in_(subtree_unit_ids(within)))
    # The unit, then the other slice values run together into one key: a million keys take a
    # few hundred values, each split into its parts once.
    key = type_coerce(columns.respondent_group, String)
    for part in (
        type_coerce(columns.mode, String),  # the stored value, without building enum members
        func.coalesce(columns.procedure_field, ""),
        func.substr(cast(columns.submitted_on, String), 1, 7),  # the month, YYYY-MM
    ):
        key = key + KEY_SEPARATOR + part
    slice_columns = [columns.unit_id, key]
    count, (unit_ids, keys), codes, uncoded = read_columns(slice_columns, columns.answer_codes, criteria)
    if uncoded:  # responses stored before answer codes existed: encoded here, a row at a time
        encoded = [codes]
        for unit_id, uncoded_key, answers in db.session.execute(
            select(*slice_columns, columns.answers).where(*criteria, columns.answer_codes.is_(None))
        ):
            unit_ids.append(str(unit_id))
            keys.append(uncoded_key)
            encoded.append(encode_answer_codes(questionnaire.definition, answers))
        codes, count = "".join(encoded), count + uncoded
    unit_numbers, unit_texts = pd.factorize(np.asarray(unit_ids, dtype=object))
    slice_units = [units[int(text)] for text in unit_texts]
    key_numbers, key_texts = pd.factorize(np.asarray(keys, dtype=object))
    parts = np.array([text.split(KEY_SEPARATOR) for text in key_texts], dtype=object).reshape(len(key_texts), 4)
    frame = pd.DataFrame(
        {
            "questionnaire": pd.Categorical.from_codes(np.zeros(count, dtype=np.int8), [questionnaire.code]),
            "unit": _categories(unit_numbers, [unit.code for unit in slice_units]),
            "parent_unit": _categories(unit_numbers, [_parent_code(unit) for unit in slice_units]),
            "respondent_group": _categories(key_numbers, parts[:, 0]),
            "mode": _categories(key_numbers, parts[:, 1]),
            "procedure_field": _categories(key_numbers, parts[:, 2]),
            "period": _categories(key_numbers, parts[:, 3]),
        }
    )
    return pd.concat([frame, pd.DataFrame(decode_answers(questionnaire, codes, count))], axis=1)


def decode_answers(questionnaire: Questionnaire, codes: str, count: int) -> dict[str, pd.Categorical]:
    """The scored questions' answers of ``count`` responses from their answer codes run
    together (``encode_answer_codes``): one column each.

    A column holds the chosen options' values; an unanswered question is missing (NaN).
    """
    questions = scored_questions(questionnaire.definition)
    matrix = np.frombuffer(codes.encode("ascii"), dtype=np.int8).reshape(count, len(questions))
    positions = np.ascontiguousarray((matrix - ANSWER_CODE_FIRST).T)  # one row per question
    positions[positions < 0] = -1  # "." (not answered)
    return {
        question.code: pd.Categorical.from_codes(
            positions[n], categories=[o.value for o in question.choices], validate=False
        )
        for n, question in enumerate(questions)
    }


def _categories(numbers: np.ndarray, labels: Sequence[str] | np.ndarray) -> pd.Categorical:
    """A categorical column: response ``n`` has ``labels[numbers[n]]`` (labels may repeat)."""
    label_numbers, unique_labels = pd.factorize(np.asarray(labels, dtype=object))
    return pd.Categorical.from_codes(label_numbers[numbers], unique_labels)


def compute_results(
    campaign: Campaign, within: Unit | None = None, *, sipas_slices: Sequence[str] = SIPAS_SLICES
) -> CampaignResults:
    """Score the campaign's responses (all of them, or those within a unit's subtree); a SIPAS
    campaign's reports hold the ``sipas_slices`` asked (the standings need none)."""
    units = all_units()
    # Names and parents as the campaign knew them: a code may name another unit since.
    reporting = {unit.code: unit for unit in get_reporting_units(campaign)}
    results = CampaignResults(
        campaign=campaign, within=within, unit_names={code: unit.name for code, unit in reporting.items()}
    )
    if campaign.purpose is CampaignPurpose.SIPAS:
        scope = subtree_unit_ids(within) if within is not None else set()
        for questionnaire in campaign.questionnaires:
            responses = load_responses(campaign, [questionnaire], within, units)
            settings = sipas_settings(questionnaire.definition)
            wanted = [by for by in SIPAS_SLICES if by in sipas_slices or by == "unit"]
            slices = {by: compute_sipas(responses, settings, [by] if by else []) for by in wanted}
            assessed = [unit.code for unit in campaign.units_for(questionnaire) if within is None or unit.id in scope]
            standings = rank_by_kind(slices["unit"], responses, assessed, reporting, campaign.rank_min_forms)
            results.sipas.append(SipasReport(questionnaire, slices, len(responses), standings))
    else:
        appraised = get_appraised_scores(campaign)
        for family in par_families(campaign.questionnaires):
            responses = load_responses(campaign, family, within, units)
            responses["unit"] = responses["unit"].map(scored_unit_codes(family, reporting))
            result = compute_par(responses, par_settings(q.definition for q in family), ["unit"])
            survey_points = dict(zip(result.totals["unit"], result.totals["survey_points"], strict=True))
            family_units = {unit.code for q in family for unit in campaign.units_for(q)}
            scores = {code: score for code, score in appraised.items() if code in family_units}
            standings = rank_units(
                survey_points,
                {code: score.points for code, score in scores.items()},
                max_points=campaign.par_max_points,
                other_points={code: score.other_points for code, score in scores.items()},
            )
            results.par.append(ParReport(family, result, standings, len(responses), responses_by_group(responses)))
    return results


def rank_by_kind(
    by_unit: SipasResult,
    responses: pd.DataFrame,
    assessed: Iterable[str],
    units: Mapping[str, Unit],
    min_forms: int,
) -> pd.DataFrame:
    """Each unit's SIPAS, ranked among the units of its kind when it has ``min_forms`` forms.

    The units are those ``assessed`` (codes) and any other with responses; a unit's kind is
    the one in ``units`` (by code, as the campaign knew them). The columns: ``group`` (the
    kind), ``unit``, ``index`` (NaN without answers), ``forms``, ``rank`` and ``unranked``
    (see ``scoring.rank_within_groups``), one group after another.
    """
    indices = dict(zip(by_unit.overall["unit"], by_unit.overall["index"], strict=True))
    forms = responses["unit"].value_counts()
    codes = list(dict.fromkeys([*assessed, *indices, *forms.index]))
    table = pd.DataFrame(
        {
            "unit": codes,
            "group": [units[code].kind if code in units else "" for code in codes],
            "index": [indices.get(code, math.nan) for code in codes],
            "forms": [int(forms.get(code, 0)) for code in codes],
        },
        columns=["unit", "group", "index", "forms"],
    )
    return rank_within_groups(table, min_forms)[["group", "unit", "index", "forms", "rank", "unranked"]]


def responses_by_group(responses: pd.DataFrame) -> pd.DataFrame:
    """How many responses each unit has per questionnaire and respondent group (none left out)."""
    keys = ["unit", "questionnaire", "respondent_group"]
    counts = responses.groupby(keys, observed=True, sort=True).size()
    return counts.rename("responses").reset_index().astype({key: object for key in keys})


def scored_unit_codes(family: list[Questionnaire], units: dict[str, Unit]) -> dict[str, str]:
    """Unit code → the code of the unit its PAR answers score.

    The units scored are those of the kinds every questionnaire of the family assesses (for
    CX1–CX4: xã, phường, thị trấn); answers collected in a unit of another kind (CX4 in a
    tổ dân phố) score its nearest ancestor of a scored kind, or itself when it has none.
    """
    kind_sets = [set(q.definition.assessed_unit_kinds) for q in family if q.definition.assessed_unit_kinds]
    scored = set.intersection(*kind_sets) if kind_sets else set()
    if not scored:
        return {code: code for code in units}
    return {
        code: next((above for above in unit.lineage() if above.kind in scored), unit).code
        for code, unit in units.items()
    }


def par_families(questionnaires: Iterable[Questionnaire]) -> list[list[Questionnaire]]:
    """PAR questionnaires grouped by the kinds of unit they assess (overlapping kinds join a group).

    >>> from types import SimpleNamespace as N
    >>> def q(code, *kinds):
    ...     return N(code=code, definition=N(assessed_unit_kinds=kinds))
    >>> forms = [q("CH1", "phòng"), q("CX1", "xã", "phường"), q("CX4", "xã", "tổ dân phố"), q("CH2", "phòng")]
    >>> [[form.code for form in family] for family in par_families(forms)]
    [['CH1', 'CH2'], ['CX1', 'CX4']]
    """
    families: list[tuple[set[str], list[Questionnaire]]] = []
    for questionnaire in questionnaires:
        kinds = set(questionnaire.definition.assessed_unit_kinds) or {"*"}
        joined = [family for family in families if family[0] & kinds or "*" in family[0] | kinds]
        merged = (kinds.union(*(f[0] for f in joined)), [m for f in joined for m in f[1]] + [questionnaire])
        families = [family for family in families if family not in joined] + [merged]
    return sorted((members for _kinds, members in families), key=lambda members: members[0].code)


def get_appraised_scores(campaign: Campaign) -> dict[str, AppraisedScore]:
    """The appraised points of the campaign's units, by unit code."""
    scores = db.session.scalars(select(AppraisedScore).where(AppraisedScore.campaign_id == campaign.id))
    return {score.unit.code: score for score in scores}


def daily_counts(campaign: Campaign) -> list[tuple[dt.date, int]]:
    """Responses stored per day of submission, in date order (for the progress chart)."""
    rows = db.session.execute(
        select(Response.submitted_on, func.count())
        .where(Response.campaign_id == campaign.id)
        .group_by(Response.submitted_on)
        .order_by(Response.submitted_on)
    )
    return [(day, count) for day, count in rows]


def _parent_code(unit: Unit) -> str:
    return unit.parent.code if unit.parent is not None else ""
