"""Settings read from the questionnaire files: what a result records it was computed with."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from scoring import compute_par, compute_sipas, par_settings, sipas_settings
from scoring.settings import ParQuestion, ShareItem, SipasElement, SipasPart

PAR_COEFFICIENTS = {"A": 1.0, "B": 0.6, "C": 0.2, "D": 0.0}


def test_sipas_settings_keep_the_forms_labels_and_dont_know_option(sipas_2017) -> None:
    settings = sipas_settings(sipas_2017)
    assert settings.parts == (SipasPart("service", "Cung ứng dịch vụ hành chính công", 1.0),)
    assert settings.elements[0] == SipasElement("1", "Tiếp cận dịch vụ hành chính công", "service", 1.0)
    assert settings.satisfaction_items[0] == ShareItem("C1_1", (1, 2, 3, 4, 5), (4, 5), (0,), element="1")
    frame = pd.DataFrame({item.code: [5, 0, None] for item in settings.satisfaction_items})
    item = compute_sipas(frame, settings).items.iloc[0]
    assert (item["valid"], item["no_answer"], item["blank"]) == (1, 1, 1)  # 0 = "không biết", counted apart


def test_sipas_settings_take_the_forms_minimum_and_a_campaign_may_change_it(sipas_2017) -> None:
    lenient = replace(sipas_2017, methodology=replace(sipas_2017.methodology, min_valid_answers=5))
    assert sipas_settings(sipas_2017).min_valid_answers == 10
    settings = sipas_settings(lenient)
    assert settings.min_valid_answers == 5 and settings.to_record()["min_valid_answers"] == 5
    stricter = settings.with_min_valid_answers(20)
    assert (stricter.min_valid_answers, settings.min_valid_answers) == (20, 5)
    assert stricter.satisfaction_items == settings.satisfaction_items and stricter.elements == settings.elements


def test_par_settings_keep_labels_coefficients_and_the_smallest_minimum(commune_forms) -> None:
    first = commune_forms[0]
    lenient = replace(first, methodology=replace(first.methodology, min_valid_answers=5))
    settings = par_settings([lenient, *commune_forms[1:]])
    assert (settings.min_valid_answers, par_settings(commune_forms).min_valid_answers) == (5, 10)
    assert settings.labels["1.1"] == "Thực hiện kế hoạch CCHC"
    assert settings.questions[0] == ParQuestion("CX1_01", "1.1", PAR_COEFFICIENTS, ("X",))
    record = settings.to_record()
    assert (record["index"], record["questionnaires"], record["min_valid_answers"]) == (
        "PAR survey",
        ["CX1 v1", "CX2 v1", "CX4 v1"],
        5,
    )
    assert record["max_points"] == dict(settings.max_points) and record["max_points"]["1.1"] == 1.0
    assert (record["group_weights"], record["coefficients"]["CX1_01"]) == ("equal", ["1.1", PAR_COEFFICIENTS])
    frame = pd.DataFrame(
        {"unit": "U1", "respondent_group": "citizen", **{q.code: ["A"] * 5 for q in settings.questions}}
    )
    subcriteria = compute_par(frame, settings).subcriteria.set_index("subcriterion")
    assert subcriteria.loc["1.1", "label"] == "Thực hiện kế hoạch CCHC"
    assert not subcriteria["flagged"].any()  # 5 answers meet the lenient form's minimum


def test_par_group_weights_are_recorded(commune_forms) -> None:
    settings = replace(par_settings(commune_forms), group_weights={"citizen": 2.0})
    assert settings.to_record()["group_weights"] == {"citizen": 2.0}
    assert (settings.group_weight("citizen"), settings.group_weight("business")) == (2.0, 1.0)


def test_assessment_and_expectation_items_count_dont_know_apart(sipas_2023) -> None:
    settings = sipas_settings(sipas_2023)
    assert (settings.assessment_items[0].no_answer_values, settings.expectation_items[0].no_answer_values) == (
        (0,),
        (0,),
    )


def test_par_settings_take_the_forms_group_weights(commune_forms) -> None:
    first = commune_forms[0]
    weighted = replace(first, methodology=replace(first.methodology, group_weights={"council_delegate": 2.0}))
    assert par_settings([weighted, *commune_forms[1:]]).group_weights == {"council_delegate": 2.0}
