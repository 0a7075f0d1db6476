"""Demo data from the seed plans: what ``make run`` serves.

- Seed 000: ward Trương Quang Trọng (Quảng Ngãi), 2022: its People's Council standing committee
  (form CX1) and citizens with transactions, 30 per residential group (form CX4).
- A SIPAS desk survey at the same ward's one-stop desk (form SIPAS-2017).
- Seed 001: district Bố Trạch (Quảng Bình), 2020: its 13 departments (CH1–CH4) and its
  communes (CX1–CX4).

The campaigns keep their years, but their open period is set around today so that the QR
links can be tried at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign, CampaignPurpose, CampaignStatus, Unit, User, UserRole
from surveyapp.services.catalog import get_latest_questionnaires, sync_questionnaires
from surveyapp.services.units import import_units_csv
from surveyapp.services.users import create_user

UNITS_CSV = Path(__file__).resolve().parent.parent / "demo" / "units-seeds.csv"
DEMO_PASSWORDS = {"canbo": "canbo-demo-2022", "dtv.truongquangtrong": "dtv-demo-2022", "dtv.botrach": "dtv-demo-2020"}
WARD, DISTRICT = "W21172", "D455"


@dataclass(frozen=True)
class DemoCampaign:
    """A campaign of the demo: questionnaire codes, and how to pick its units."""

    name: str
    year: int
    purpose: CampaignPurpose
    questionnaire_codes: tuple[str, ...]
    root_code: str
    assesses_root: bool
    assesses_children: bool


DEMO_CAMPAIGNS = (
    DemoCampaign(
        "Điều tra xã hội học xác định Chỉ số CCHC năm 2022 – phường Trương Quang Trọng",
        2022,
        CampaignPurpose.PAR,
        ("CX1", "CX4"),
        WARD,
        assesses_root=True,
        assesses_children=True,
    ),
    DemoCampaign(
        "Khảo sát sự hài lòng tại Bộ phận một cửa phường Trương Quang Trọng",
        2022,
        CampaignPurpose.SIPAS,
        ("SIPAS-2017",),
        WARD,
        assesses_root=True,
        assesses_children=False,
    ),
    DemoCampaign(
        "Xác định Chỉ số CCHC các phòng chuyên môn và UBND cấp xã huyện Bố Trạch năm 2020",
        2020,
        CampaignPurpose.PAR,
        ("CH1", "CH2", "CH3", "CH4", "CX1", "CX2", "CX3", "CX4"),
        DISTRICT,
        assesses_root=False,
        assesses_children=True,
    ),
)


@dataclass(frozen=True)
class DemoResult:
    """What ``load_demo`` did; an empty result means the demo was already there."""

    units_added: int
    campaigns_added: list[str]
    users_added: list[str]


def load_demo(forms_dir: str | Path, today: dt.date) -> DemoResult:
    """Load the demo units, questionnaires, campaigns and accounts; a second run adds nothing."""
    units_added = import_units_csv(UNITS_CSV).added
    sync_questionnaires(forms_dir)
    questionnaires = {q.code: q for q in get_latest_questionnaires()}
    units = {unit.code: unit for unit in db.session.scalars(select(Unit))}
    existing_names = set(db.session.scalars(select(Campaign.name)))
    campaigns_added = []
    for demo in DEMO_CAMPAIGNS:
        if demo.name in existing_names:
            continue
        root = units[demo.root_code]
        db.session.add(
            Campaign(
                name=demo.name,
                year=demo.year,
                purpose=demo.purpose,
                status=CampaignStatus.OPEN,
                opens_on=today - dt.timedelta(days=7),
                closes_on=today + dt.timedelta(days=60),
                questionnaires=[questionnaires[code] for code in demo.questionnaire_codes],
                units=[root] * demo.assesses_root + list(root.children) * demo.assesses_children,
            )
        )
        campaigns_added.append(demo.name)
    users_added = _add_demo_users(units)
    db.session.flush()
    return DemoResult(units_added=units_added, campaigns_added=campaigns_added, users_added=users_added)


def _add_demo_users(units: dict[str, Unit]) -> list[str]:
    accounts = (
        ("canbo", "Cán bộ Phòng Nội vụ (demo)", UserRole.OFFICER, []),
        ("dtv.truongquangtrong", "Điều tra viên phường Trương Quang Trọng (demo)", UserRole.SURVEYOR, [units[WARD]]),
        ("dtv.botrach", "Điều tra viên huyện Bố Trạch (demo)", UserRole.SURVEYOR, [units[DISTRICT]]),
    )
    existing = set(db.session.scalars(select(User.username)))
    added = []
    for username, full_name, role, assigned in accounts:
        if username not in existing:
            create_user(
                username=username, full_name=full_name, password=DEMO_PASSWORDS[username], role=role, units=assigned
            )
            added.append(username)
    return added
