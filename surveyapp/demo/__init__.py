"""Demo data from the seed plans, and a province of today: what ``make run`` serves.

Before the reform of 1 July 2025 (past campaigns, on the units of their time):

- Seed 000: ward Trương Quang Trọng (Quảng Ngãi), 2022: its People's Council standing
  committee, 3 people (form CX1), and citizens with transactions, 30 per residential group
  (form CX4).
- A SIPAS desk survey at the same ward's one-stop desk (form SIPAS-2017).
- Seed 001: district Bố Trạch (Quảng Bình), 2020: its 13 departments (CH1–CH4) and its
  communes (CX1–CX4), with the seed's numbers of forms per unit as quotas.

Today (two-level local government): today's province of Quảng Ngãi (code 51, merged with Kon
Tum) is loaded from the official 2025 list (``official_units``), effective 1 July 2025, so
the ward and the city of the past campaigns are kept as they were. Under it come the units of
``units-2025.csv``: six provincial departments (*sở*), the province's Public Administration
Service Centre, three vertical agencies that work inside the centres (police, tax, social
insurance) and the service centres of six communes. Then:

- A 2026 SIPAS survey on the national form (SIPAS-2023 v2) at the centres and agencies: each
  answer records the centre or agency that handled the dossier. One commune centre has fewer
  forms than the results' minimum, so that the ranking by kind of unit leaves it unranked.
- A 2026 PAR survey of the six communes on today's forms (XA1–XA4), with quotas.
- A 2025 PAR Index assessment round of the six communes on the commune set (CCHC-XA v1),
  carried through to the end: invented self-assessed points (the same on every run), appraised
  by the appraiser's account, a few items lowered, the ward's explanation of one of them decided
  in appraisal 2, the appraisal closed and the round's index published.
- A 2026 PAR Index assessment round of the same communes and set, open for self-assessment,
  with an account for the ward's staff and an appraiser's account. The five other communes
  have scored every item (invented points, not submitted), so that its provisional index
  compares them with the 2025 round; the ward's items are left for the demo's user.

The ward's two campaigns and the 2026 SIPAS survey come with invented answers (the same on
every run), so that their results pages have figures to show; the district's campaign and the
2026 PAR survey start empty.

The campaigns keep their years, but their open period is set around today so that the QR
links can be tried at once.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import insert, select

from surveyapp.extensions import db
from surveyapp.models import (
    ANY_GROUP,
    AssessmentRound,
    Campaign,
    CampaignPurpose,
    CriteriaSetVersion,
    QuotaPolicy,
    Reappraisal,
    Response,
    ResponseMode,
    SelfAssessment,
    Unit,
    User,
    UserRole,
)
from surveyapp.questionnaires.definition import Option, Question, QuestionType
from surveyapp.services.assessment_rounds import (
    RoundDraft,
    close_appraisal,
    create_round,
    open_appraisal,
    open_appraisal_2,
    open_explanation,
    open_self_assessment,
)
from surveyapp.services.campaigns import CampaignDraft, create_campaign, open_campaign
from surveyapp.services.catalog import get_latest_questionnaires, sync_questionnaires
from surveyapp.services.criteria_sets import sync_criteria_sets
from surveyapp.services.explanations import (
    ExplanationDraft,
    ReappraisalDraft,
    reappraise_item,
    save_explanation,
    submit_explanation,
)
from surveyapp.services.official_units import REFORM_DAY, load_official_units
from surveyapp.services.publications import Decision, publish_round_index
from surveyapp.services.quotas import QuotaRule, count_imported, plan_quotas, save_quotas
from surveyapp.services.responses import local_today, response_row
from surveyapp.services.self_assessments import ScoreDraft, get_round_assessments, save_score, submit_self_assessment
from surveyapp.services.unit_appraisals import AppraisalDraft, appraise_item, assign_appraiser, finish_appraisal
from surveyapp.services.units import import_units_csv
from surveyapp.services.users import create_user, random_password, set_password

UNITS_CSV = Path(__file__).resolve().parent / "units-seeds.csv"
# Today's province's units that no official list has: departments, centres, agencies.
TODAYS_UNITS_CSV = Path(__file__).resolve().parent / "units-2025.csv"
# The demo accounts' passwords that earlier versions set and published in the README: an
# account still holding one gets a random password at the next ``load-demo``.
PUBLISHED_DEMO_PASSWORDS = {
    "canbo": "canbo-demo-2022",
    "dtv.truongquangtrong": "dtv-demo-2022",
    "dtv.botrach": "dtv-demo-2020",
}
WARD, DISTRICT, PROVINCE = "21172", "455", "51"
RESIDENTIAL_GROUP = "tổ dân phố"
# The kinds of today's units that citizens rate at the service centres (README "Units").
PROVINCE_CENTRE = "trung tâm phục vụ hành chính công cấp tỉnh"
COMMUNE_CENTRE = "trung tâm phục vụ hành chính công cấp xã"
VERTICAL_AGENCY = "cơ quan ngành dọc"
TODAYS_COMMUNE_KINDS = ("xã", "phường", "đặc khu")
# Today's communes of the province that have a service centre in the demo.
DEMO_COMMUNES = ("21025", "21040", "21172", "21220", "21548", "23293")
OPEN_DAYS_BEFORE, OPEN_DAYS_AFTER = 7, 60


class DemoError(ValueError):
    """The demo cannot be loaded (for example, a questionnaire file it needs is missing)."""


@dataclass(frozen=True)
class DemoQuota:
    """``per_unit`` forms of ``questionnaire_code`` from ``respondent_group`` in each unit.

    ``unit_kind`` limits the quota to units of one kind (seed 000 counts CX4 forms per
    residential group, not for the ward itself).
    """

    questionnaire_code: str
    respondent_group: str
    per_unit: int
    unit_kind: str | None = None


@dataclass(frozen=True)
class DemoCampaign:
    """A campaign of the demo: questionnaire codes, which units it assesses, its quotas.

    The assessed units are the current units of ``kinds`` among the units of codes ``roots``
    and every unit below them.
    """

    name: str
    year: int
    purpose: CampaignPurpose
    questionnaire_codes: tuple[str, ...]
    roots: tuple[str, ...]
    kinds: tuple[str, ...]
    quotas: tuple[DemoQuota, ...] = ()
    # Invented answers per assessed unit and questionnaire, so that the results page has figures;
    # ``answers_at`` gives some units (by code) another number.
    answers_per_unit: int = 0
    answers_at: dict[str, int] = field(default_factory=dict)


# The campaigns of before the reform, run on the seed units.
PAST_CAMPAIGNS = (
    DemoCampaign(
        "Điều tra xã hội học xác định Chỉ số CCHC năm 2022 – phường Trương Quang Trọng",
        2022,
        CampaignPurpose.PAR,
        ("CX1", "CX4"),
        (WARD,),
        ("phường", RESIDENTIAL_GROUP),
        quotas=(
            DemoQuota("CX1", "council_delegate", 3),
            DemoQuota("CX4", "citizen", 30, unit_kind=RESIDENTIAL_GROUP),
        ),
        answers_per_unit=24,
    ),
    DemoCampaign(
        "Khảo sát sự hài lòng tại Bộ phận một cửa phường Trương Quang Trọng",
        2022,
        CampaignPurpose.SIPAS,
        ("SIPAS-2017",),
        (WARD,),
        ("phường",),
        answers_per_unit=160,
    ),
    DemoCampaign(
        "Xác định Chỉ số CCHC các phòng chuyên môn và UBND cấp xã huyện Bố Trạch năm 2020",
        2020,
        CampaignPurpose.PAR,
        ("CH1", "CH2", "CH3", "CH4", "CX1", "CX2", "CX3", "CX4"),
        (DISTRICT,),
        ("phòng chuyên môn", "xã", "thị trấn"),
        quotas=(
            DemoQuota("CH1", "district_leader", 3),
            DemoQuota("CH2", "department_staff", 15),
            DemoQuota("CH3", "commune_official", 56),
            DemoQuota("CH4", "business_citizen", 10),
            DemoQuota("CX1", "council_delegate", 15),
            DemoQuota("CX1", "commune_leader", 2),
            DemoQuota("CX2", "commune_official", 12),
            DemoQuota("CX3", "district_civil_servant", 13),
            # Businesses and citizens together: citizens make up for missing businesses.
            DemoQuota("CX4", ANY_GROUP, 30),
        ),
    ),
)
# The campaigns of today's province, run on today's units.
TODAYS_CAMPAIGNS = (
    DemoCampaign(
        "Khảo sát sự hài lòng của người dân, tổ chức tại các Trung tâm Phục vụ hành chính công "
        "tỉnh Quảng Ngãi năm 2026",
        2026,
        CampaignPurpose.SIPAS,
        ("SIPAS-2023",),
        (PROVINCE,),
        (PROVINCE_CENTRE, COMMUNE_CENTRE, VERTICAL_AGENCY),
        answers_per_unit=45,
        # Lý Sơn's centre opened late in the survey: fewer forms than the minimum to be ranked.
        answers_at={"21548-TTPVHCC": 12},
    ),
    DemoCampaign(
        "Điều tra xã hội học xác định Chỉ số CCHC năm 2026 – UBND các xã, phường, đặc khu tỉnh Quảng Ngãi",
        2026,
        CampaignPurpose.PAR,
        ("XA1", "XA2", "XA3", "XA4"),
        DEMO_COMMUNES,
        TODAYS_COMMUNE_KINDS,
        quotas=(
            DemoQuota("XA1", "council_delegate", 10),
            DemoQuota("XA2", "commune_leader", 2),
            DemoQuota("XA2", "agency_leader", 4),
            DemoQuota("XA2", "commune_official", 10),
            DemoQuota("XA3", "citizen", 30),
            # Businesses and other organisations together.
            DemoQuota("XA4", ANY_GROUP, 10),
        ),
    ),
)
DEMO_CAMPAIGNS = PAST_CAMPAIGNS + TODAYS_CAMPAIGNS

DEMO_ACCOUNTS = (
    ("canbo", "Cán bộ Phòng Nội vụ (demo)", UserRole.OFFICER, ()),
    ("dtv.truongquangtrong", "Điều tra viên phường Trương Quang Trọng (demo)", UserRole.SURVEYOR, (WARD,)),
    ("dtv.botrach", "Điều tra viên huyện Bố Trạch (demo)", UserRole.SURVEYOR, (DISTRICT,)),
)

# Today's PAR Index round: the six communes assess themselves on the commune set; the ward's
# staff and an appraiser of the province have accounts (made once today's province is there).
DEMO_ROUND_NAME = "Chỉ số CCHC cấp xã tỉnh Quảng Ngãi năm 2026"
DEMO_ROUND_SET = ("CCHC-XA", 1)
DEMO_ROUND_DUE_DAYS = 30
DEMO_APPRAISER = "tdv.sonoivu"
DEMO_ROUND_ACCOUNTS = (
    ("donvi.truongquangtrong", "Văn phòng UBND phường Trương Quang Trọng (demo)", UserRole.UNIT, WARD),
    (DEMO_APPRAISER, "Thẩm định viên Sở Nội vụ (demo)", UserRole.APPRAISER, None),
)
# Last year's round of the same communes, run through to its published index, so that the
# public page and the index's change from the previous year have figures.
DEMO_PAST_ROUND_NAME = "Chỉ số CCHC cấp xã tỉnh Quảng Ngãi năm 2025"
DEMO_PAST_ROUND_DECISION = "Quyết định số 125/QĐ-UBND của Ủy ban nhân dân tỉnh Quảng Ngãi (demo)"
# How many items the appraiser lowers in each commune, and the texts the demo's people type:
# why an item has no evidence file, why the appraiser lowered one, the ward's explanation.
LOWERED_PER_UNIT = 2
NO_EVIDENCE_REASON = "Hồ sơ lưu bản giấy tại Văn phòng UBND"
LOWERED_REASON = "Tài liệu kiểm chứng chưa thể hiện đủ kết quả thực hiện"
EXPLANATION = "Đơn vị bổ sung báo cáo kết quả thực hiện, đã ký, kèm hồ sơ lưu"


@dataclass(frozen=True)
class DemoCampaignAdded:
    """A campaign ``load_demo`` created: its name, number of units and total quota."""

    name: str
    units: int
    questionnaires: tuple[str, ...]
    quota_total: int


@dataclass(frozen=True)
class DemoResult:
    """What ``load_demo`` did; ``changed`` is false when the demo was already there.

    ``passwords`` holds the random passwords set in this run, by username: those of the
    accounts created and of those that still held a published password. They are nowhere
    else in clear: the caller shows them once.
    """

    units_added: int
    questionnaires_added: list[str]
    criteria_sets_added: list[str]
    campaigns_added: list[DemoCampaignAdded]
    users_added: list[str]
    passwords: dict[str, str]
    rounds_added: list[str] = field(default_factory=list)
    published_rounds_added: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.units_added
            or self.questionnaires_added
            or self.criteria_sets_added
            or self.campaigns_added
            or self.users_added
            or self.passwords
            or self.rounds_added
            or self.published_rounds_added
        )


def load_demo(
    forms_dir: str | Path | None = None, today: dt.date | None = None, *, before_reform: bool = False
) -> DemoResult:
    """Load the demo units, questionnaires, campaigns (open, with quotas), accounts and PAR
    Index rounds.

    First the world before the reform: the seed units, their campaigns and the accounts; then
    today's province (see the module's docstring), its campaigns and its rounds (2025's closed
    and published, 2026's in self-assessment). ``before_reform`` stops
    after the first part, as the demo was before it had today's province: a later load adds
    that province over it, as it does over a database holding that older demo.

    Idempotent: what exists already (the seed units, once loaded, even if a later list such
    as the 2025 one changed them; today's province's units; questionnaire versions; campaigns
    and rounds by name; accounts by username) is left as it is, so a second run adds nothing; but a demo
    account that still holds its formerly published password gets a random one. ``forms_dir``
    defaults to the app's ``FORMS_DIR``; ``today`` (the middle of the open period) to today
    in the survey's time zone. The session is flushed, not committed.
    """
    forms_dir = Path(forms_dir or current_app.config["FORMS_DIR"])
    today = today or local_today()
    units_added = 0 if _units_known(UNITS_CSV) else import_units_csv(UNITS_CSV).added
    questionnaires_added = [f"{q.code} v{q.version}" for q in sync_questionnaires(forms_dir)]
    criteria_sets_added = [
        f"{s.code} v{s.version}" for s in sync_criteria_sets(current_app.config["CRITERIA_DIR"], forms_dir)
    ]
    questionnaires = {q.code: q for q in get_latest_questionnaires()}
    needed = {code for demo in DEMO_CAMPAIGNS for code in demo.questionnaire_codes}
    missing = sorted(needed - set(questionnaires))
    if missing:
        raise DemoError(f"{forms_dir}: no questionnaire file for {', '.join(missing)}; the demo needs them")
    existing_names = set(db.session.scalars(select(Campaign.name)))

    def add_campaigns(demos: tuple[DemoCampaign, ...]) -> list[DemoCampaignAdded]:
        units = _current_units()
        return [_add_campaign(demo, units, questionnaires, today) for demo in demos if demo.name not in existing_names]

    campaigns_added = add_campaigns(PAST_CAMPAIGNS)
    users_added, passwords = _add_demo_users()
    rounds_added: list[str] = []
    published_rounds_added: list[str] = []
    if not before_reform:
        units_added += _add_todays_province()
        campaigns_added += add_campaigns(TODAYS_CAMPAIGNS)
        users_added += _add_round_users(passwords)
        published_rounds_added = _add_past_round(today)
        rounds_added = _add_demo_round(today)
    db.session.flush()
    return DemoResult(
        units_added=units_added,
        questionnaires_added=questionnaires_added,
        criteria_sets_added=criteria_sets_added,
        campaigns_added=campaigns_added,
        users_added=users_added,
        passwords=passwords,
        rounds_added=rounds_added,
        published_rounds_added=published_rounds_added,
    )


def _add_demo_round(today: dt.date) -> list[str]:
    """Today's PAR Index round of the six communes, open for self-assessment until
    ``DEMO_ROUND_DUE_DAYS`` after ``today``; its name in a list, or none when it is there."""
    if db.session.scalar(select(AssessmentRound.id).filter_by(name=DEMO_ROUND_NAME)) is not None:
        return []
    code, version = DEMO_ROUND_SET
    criteria_set = db.session.scalar(select(CriteriaSetVersion).filter_by(code=code, version=version))
    province = _current_units()[PROVINCE]
    due = today + dt.timedelta(days=DEMO_ROUND_DUE_DAYS)
    assessment_round = create_round(
        RoundDraft(
            DEMO_ROUND_NAME, 2026, criteria_set.id, province.id, today - dt.timedelta(days=OPEN_DAYS_BEFORE), due
        )
    )
    open_self_assessment(assessment_round, only=set(DEMO_COMMUNES))
    for assessment in get_round_assessments(assessment_round):
        if assessment.unit.code != WARD:
            _score_invented(assessment)
    return [DEMO_ROUND_NAME]


def _score_invented(assessment: SelfAssessment) -> None:
    """Score every item of ``assessment`` with invented points from half its maximum to all of
    it, in the set's steps (the same on every run, seeded by the round and the unit)."""
    definition = assessment.assessment_round.criteria_set.definition
    rng = random.Random(f"{assessment.assessment_round.name} {assessment.unit.code}")
    for item in definition.self_assessed:
        steps = round(item.max_points / definition.point_step)
        points = rng.randint((steps + 1) // 2, steps) * definition.point_step
        save_score(assessment, item.code, ScoreDraft(f"{points:g}", "", (), NO_EVIDENCE_REASON))


def _add_past_round(today: dt.date) -> list[str]:
    """Last year's round of the six communes, closed and its index published, all on ``today``
    (the round's dates too, so that every stage's rule about dates holds as it did); its name
    in a list, or none when it is there.

    Each commune scores every item with invented points (the same on every run); the demo
    appraiser accepts all but ``LOWERED_PER_UNIT`` items, lowered by half a point with a
    reason; the ward explains its first lowered item, and appraisal 2 accepts its own points
    back; the other communes send no explanation.
    """
    if db.session.scalar(select(AssessmentRound.id).filter_by(name=DEMO_PAST_ROUND_NAME)) is not None:
        return []
    code, version = DEMO_ROUND_SET
    criteria_set = db.session.scalar(select(CriteriaSetVersion).filter_by(code=code, version=version))
    definition = criteria_set.definition
    appraiser = db.session.scalar(select(User).filter_by(username=DEMO_APPRAISER))
    assessment_round = create_round(
        RoundDraft(
            DEMO_PAST_ROUND_NAME,
            2025,
            criteria_set.id,
            _current_units()[PROVINCE].id,
            today - dt.timedelta(days=DEMO_ROUND_DUE_DAYS),
            today,
        )
    )
    open_self_assessment(assessment_round, only=set(DEMO_COMMUNES))
    assessments = get_round_assessments(assessment_round)
    lowered: dict[str, list[str]] = {}
    for assessment in assessments:
        _score_invented(assessment)
        submit_self_assessment(assessment)
        assign_appraiser(assessment_round, appraiser, assessment.unit, None)
        rng = random.Random(f"{DEMO_PAST_ROUND_NAME} {assessment.unit.code} appraisal")
        lowered[assessment.unit.code] = sorted(
            rng.sample([item.code for item in definition.self_assessed], LOWERED_PER_UNIT)
        )
    open_appraisal(assessment_round)
    for assessment in assessments:
        for score in assessment.scores:
            if score.code in lowered[assessment.unit.code]:
                draft = AppraisalDraft(
                    is_accepted=False, points=f"{max(score.points - 0.5, 0):g}", reason=LOWERED_REASON
                )
            else:
                draft = AppraisalDraft(is_accepted=True, points="", reason="")
            appraise_item(assessment, score.code, appraiser, draft)
        finish_appraisal(assessment, appraiser)
    open_explanation(assessment_round, today)
    ward = next(assessment for assessment in assessments if assessment.unit.code == WARD)
    explained = lowered[WARD][0]
    own = next(score.points for score in ward.scores if score.code == explained)
    save_explanation(ward, explained, ExplanationDraft(f"{own:g}", EXPLANATION, ()))
    for assessment in assessments:
        submit_explanation(assessment)
    open_appraisal_2(assessment_round)
    reappraise_item(ward, explained, appraiser, ReappraisalDraft(Reappraisal.ACCEPTED, "", ""))
    close_appraisal(assessment_round)
    publish_round_index(assessment_round, Decision(DEMO_PAST_ROUND_DECISION, today))
    return [DEMO_PAST_ROUND_NAME]


def _add_round_users(passwords: dict[str, str]) -> list[str]:
    """Create the round's missing demo accounts (the ward's staff on today's ward, an
    appraiser), adding their random passwords to ``passwords``; the usernames created."""
    units = _current_units()
    existing = set(db.session.scalars(select(User.username)))
    added = []
    for username, full_name, role, unit_code in DEMO_ROUND_ACCOUNTS:
        if username in existing:
            continue
        passwords[username] = random_password()
        create_user(
            username=username,
            full_name=full_name,
            password=passwords[username],
            role=role,
            assessed_unit=units[unit_code] if unit_code else None,
        )
        added.append(username)
    return added


def _add_todays_province() -> int:
    """Load today's province from the official 2025 list (its old city and communes retired),
    then the demo's units under it; the number of units added (0 when they are there)."""
    if _units_known(TODAYS_UNITS_CSV):
        return 0
    official = load_official_units(province=PROVINCE, retire_missing=True)
    return official.added + import_units_csv(TODAYS_UNITS_CSV, effective=REFORM_DAY).added


def _add_campaign(
    demo: DemoCampaign, units: dict[str, Unit], questionnaires: dict, today: dt.date
) -> DemoCampaignAdded:
    assessed = sorted(
        {unit for root in demo.roots for unit in units[root].subtree() if unit.is_current and unit.kind in demo.kinds},
        key=lambda unit: unit.code,
    )
    campaign = create_campaign(
        CampaignDraft(
            name=demo.name,
            year=demo.year,
            purpose=demo.purpose,
            opens_on=today - dt.timedelta(days=OPEN_DAYS_BEFORE),
            closes_on=today + dt.timedelta(days=OPEN_DAYS_AFTER),
            questionnaire_ids=[questionnaires[code].id for code in demo.questionnaire_codes],
            unit_ids=[unit.id for unit in assessed],
        )
    )
    open_campaign(campaign)
    quota_total = 0
    if demo.quotas:
        plan = plan_quotas(
            campaign,
            [QuotaRule(questionnaires[q.questionnaire_code], q.respondent_group, q.per_unit) for q in demo.quotas],
        )
        kinds = {(q.questionnaire_code, q.respondent_group): q.unit_kind for q in demo.quotas}
        cells = tuple(
            cell
            for cell in plan.cells
            if kinds[cell.questionnaire.code, cell.respondent_group] in (None, cell.unit.kind)
        )
        plan = dataclasses.replace(plan, cells=cells)
        save_quotas(campaign, plan, QuotaPolicy.FLAG_EXCESS)
        quota_total = plan.total
    if demo.answers_per_unit:
        _add_invented_responses(campaign, demo, today)
    return DemoCampaignAdded(
        name=demo.name,
        units=len(assessed),
        questionnaires=demo.questionnaire_codes,
        quota_total=quota_total,
    )


# How often a demo respondent picks the best, second best... option; "không biết" is rare.
ANSWER_WEIGHTS = (0.42, 0.33, 0.13, 0.06, 0.03)
NO_ANSWER_WEIGHT = 0.03


def _invented_answer(question: Question, rng: random.Random) -> object | None:
    if question.type not in (QuestionType.SCALE, QuestionType.CHOICE):
        return None

    def goodness(option: Option) -> float:
        if option.coefficient is not None:
            return option.coefficient
        return float(option.value) if isinstance(option.value, int) else 0.0

    ranked = sorted(question.options, key=goodness, reverse=True)
    options = ranked + ([question.no_answer] if question.no_answer else [])
    weights = [ANSWER_WEIGHTS[min(n, len(ANSWER_WEIGHTS) - 1)] for n in range(len(ranked))]
    weights += [NO_ANSWER_WEIGHT] if question.no_answer else []
    return rng.choices(options, weights)[0].value


def _add_invented_responses(campaign: Campaign, demo: DemoCampaign, today: dt.date) -> None:
    """Invented anonymous answers, the same on every run (seeded by the campaign's name)."""
    rng = random.Random(campaign.name)
    mode = ResponseMode.DESK_QR if campaign.purpose is CampaignPurpose.SIPAS else ResponseMode.PAPER
    days = max((today - campaign.opens_on).days, 0)
    rows = []
    for questionnaire in campaign.questionnaires:
        definition = questionnaire.definition
        for unit in campaign.units_for(questionnaire):
            for _ in range(demo.answers_at.get(unit.code, demo.answers_per_unit)):
                answers = {q.code: _invented_answer(q, rng) for q in definition.questions}
                rows.append(
                    response_row(
                        campaign=campaign,
                        unit=unit,
                        questionnaire=questionnaire,
                        respondent_group=rng.choice(definition.respondent_groups).code,
                        mode=mode,
                        procedure_field=rng.choice(definition.procedure_fields)
                        if definition.procedure_fields
                        else None,
                        submitted_on=campaign.opens_on + dt.timedelta(days=rng.randint(0, days)),
                        answers={code: value for code, value in answers.items() if value is not None},
                    )
                )
    db.session.execute(insert(Response), rows)
    count_imported(campaign, Counter((r["questionnaire_id"], r["unit_id"], r["respondent_group"]) for r in rows))


def _current_units() -> dict[str, Unit]:
    """The current units, by code."""
    return {unit.code: unit for unit in db.session.scalars(select(Unit).where(Unit.valid_until.is_(None)))}


def _units_known(units_csv: Path) -> bool:
    """Whether every code of a unit list names a unit already (current or retired)."""
    with units_csv.open(encoding="utf-8") as units:
        codes = {row["code"] for row in csv.DictReader(units)}
    return codes <= set(db.session.scalars(select(Unit.code).where(Unit.code.in_(codes))))


def _add_demo_users() -> tuple[list[str], dict[str, str]]:
    """Create the missing demo accounts and renew published passwords: (created, new passwords).

    Run before today's province is loaded: the surveyors work in the seed units.
    """
    units = _current_units()
    existing = {user.username: user for user in db.session.scalars(select(User))}
    added, passwords = [], {}
    for username, full_name, role, unit_codes in DEMO_ACCOUNTS:
        user = existing.get(username)
        if user is None:
            passwords[username] = random_password()
            create_user(
                username=username,
                full_name=full_name,
                password=passwords[username],
                role=role,
                units=[units[code] for code in unit_codes],
            )
            added.append(username)
        elif user.check_password(PUBLISHED_DEMO_PASSWORDS[username]):
            passwords[username] = random_password()
            set_password(user, passwords[username])
    return added, passwords
