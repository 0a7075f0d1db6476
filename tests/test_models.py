"""The data model: the unit tree, campaigns keeping their questionnaire versions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign, CampaignStatus, Questionnaire, ResponseMode, Unit
from surveyapp.services.catalog import sync_questionnaires
from tests.conftest import FORMS_DIR


def test_units_form_a_tree_of_any_depth(app) -> None:
    province = Unit(code="51", name="Tỉnh Quảng Ngãi", kind="tỉnh")
    city = Unit(code="522", name="Thành phố Quảng Ngãi", kind="thành phố", parent=province)
    ward = Unit(code="21172", name="Phường Trương Quang Trọng", kind="phường", parent=city)
    group = Unit(code="21172-T01", name="Tổ dân phố 1", kind="tổ dân phố", parent=ward)
    db.session.add(province)
    db.session.commit()
    assert group.parent.parent.parent is province
    assert [u.code for u in province.children[0].children] == ["21172"]
    assert [u.code for u in group.lineage()] == ["21172-T01", "21172", "522", "51"]
    assert [u.code for u in city.subtree()] == ["522", "21172", "21172-T01"]


def test_a_campaign_collects_only_while_open_and_within_its_period(make_campaign, ward) -> None:
    today = dt.date.today()
    campaign = make_campaign(["SIPAS-2017"], [ward], opens_on=today, closes_on=today + dt.timedelta(days=1))
    assert campaign.is_collecting_on(today)
    assert not campaign.is_collecting_on(today - dt.timedelta(days=1))
    assert not campaign.is_collecting_on(today + dt.timedelta(days=2))
    campaign.status = CampaignStatus.CLOSED
    assert not campaign.is_collecting_on(today)


def test_respondents_answer_within_the_period_and_surveyors_type_in_until_the_close(make_campaign, ward) -> None:
    today = dt.date.today()
    campaign = make_campaign(["SIPAS-2017"], [ward], opens_on=today, closes_on=today + dt.timedelta(days=1))
    before, during, after = today - dt.timedelta(days=1), today, today + dt.timedelta(days=2)
    modes = [ResponseMode.DESK_QR, ResponseMode.ONLINE_LINK, ResponseMode.INTERVIEW, ResponseMode.PAPER]
    assert [[campaign.accepts(mode, day) for day in (before, during, after)] for mode in modes] == [
        [False, True, False],  # the respondents' own forms: within the period
        [False, True, False],
        [True, True, True],  # typed in by a surveyor: while open, before and after the period too
        [True, True, True],
    ]
    campaign.status = CampaignStatus.CLOSED
    assert not any(campaign.accepts(mode, during) for mode in modes)


def test_a_questionnaire_applies_only_to_the_unit_kinds_it_assesses(make_campaign, ward) -> None:
    campaign = make_campaign(["CH2", "CX4"], [ward, *ward.children])
    ch2, cx4 = campaign.questionnaires
    assert campaign.units_for(ch2) == []
    assert len(campaign.units_for(cx4)) == 4


def test_a_campaign_keeps_the_exact_version_it_ran_with(app, questionnaires, make_campaign, ward, tmp_path) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    newer_file = tmp_path / "SIPAS-2017.v2.yaml"
    newer_file.write_text(
        (FORMS_DIR / "SIPAS-2017.v1.yaml").read_text(encoding="utf-8").replace("version: 1", "version: 2")
    )
    sync_questionnaires(tmp_path)
    db.session.commit()
    versions = db.session.scalars(select(Questionnaire.version).filter_by(code="SIPAS-2017")).all()
    assert sorted(versions) == [1, 2]
    assert db.session.get(Campaign, campaign.id).questionnaires[0].version == 1
