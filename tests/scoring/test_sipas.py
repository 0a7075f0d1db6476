"""SIPAS figures: METHODOLOGY.md section 5's worked example and hand-checked cases."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring import SchemaError, compute_sipas, sipas_points, sipas_settings
from scoring.settings import ShareItem, SipasElement, SipasPart, SipasSettings

LEVELS = (1, 2, 3, 4, 5)


def one_element_settings(item_codes: list[str], min_valid_answers: int = 10) -> SipasSettings:
    return SipasSettings(
        questionnaire="TEST",
        version=1,
        satisfaction_items=tuple(ShareItem(code, LEVELS, (4, 5), (0,), element="3") for code in item_codes),
        elements=(SipasElement("3", "Công chức", "service"),),
        parts=(SipasPart("service", "Cung ứng dịch vụ"),),
        min_valid_answers=min_valid_answers,
    )


def answers_column(counts: dict[object, int]) -> list[object]:
    return [value for value, n in counts.items() for _ in range(n)]


def worked_example_frame() -> pd.DataFrame:
    """Item 3.1 of the worked example, and four items whose indices are the other four figures."""
    columns = {
        "I31": answers_column({1: 2, 2: 4, 3: 14, 4: 60, 5: 36, None: 4}),
        "I32": answers_column({5: 90, 2: 10}),
        "I33": answers_column({4: 171, 3: 29}),
        "I34": answers_column({5: 88, 1: 12}),
        "I35": answers_column({4: 793, 2: 207}),
    }
    length = max(len(values) for values in columns.values())
    frame = pd.DataFrame({code: values + [None] * (length - len(values)) for code, values in columns.items()})
    return frame.assign(unit="P1")


def test_the_worked_example_item_element_and_points() -> None:
    result = compute_sipas(worked_example_frame(), one_element_settings(["I31", "I32", "I33", "I34", "I35"]), ["unit"])
    item = result.items.set_index("item").loc["I31"]
    assert (item["valid"], item["hits"], item["blank"]) == (116, 96, 884)
    assert f"{item['index']:.2f}" == "82.76"
    assert [f"{v:.2f}" for v in result.items["index"]] == ["82.76", "90.00", "85.50", "88.00", "79.30"]
    element = result.elements.iloc[0]
    assert f"{element['index']:.2f}" == "85.11"
    assert f"{sipas_points(2.0, element['index']):.2f}" == "1.70"
    assert f"{result.overall.iloc[0]['index']:.2f}" == "85.11"  # one part: SIPAS is the service index


def test_mean_score_counts_only_valid_levels() -> None:
    frame = pd.DataFrame({"unit": "P1", "Q": [5, 4, 3, 0, None, "2"]})  # 0 = "không biết"; "2" from a file
    item = compute_sipas(frame, one_element_settings(["Q"]), ["unit"]).items.iloc[0]
    assert (item["valid"], item["hits"], item["no_answer"], item["blank"]) == (4, 2, 1, 1)
    assert item["mean_score"] == pytest.approx((5 + 4 + 3 + 2) / 4)
    assert item["index"] == pytest.approx(50.0)


def test_few_valid_answers_are_flagged_not_hidden() -> None:
    frame = pd.DataFrame({"unit": ["A"] * 9 + ["B"] * 10, "Q": [5] * 19})
    result = compute_sipas(frame, one_element_settings(["Q"]), ["unit"])
    flags = dict(zip(result.overall["unit"], result.overall["flagged"], strict=True))
    assert flags == {"A": True, "B": False}
    assert list(result.overall["index"]) == [100.0, 100.0]


def test_the_interval_surrounds_the_index_and_narrows_with_more_answers() -> None:
    small = pd.DataFrame({"unit": "A", "Q": [5] * 8 + [1] * 2})
    large = pd.DataFrame({"unit": "A", "Q": [5] * 800 + [1] * 200})
    settings = one_element_settings(["Q"])
    small_item = compute_sipas(small, settings).items.iloc[0]
    large_item = compute_sipas(large, settings).items.iloc[0]
    for item in (small_item, large_item):
        assert item["index"] == pytest.approx(80.0)
        assert item["ci_low"] < item["index"] < item["ci_high"]
    assert large_item["ci_high"] - large_item["ci_low"] < small_item["ci_high"] - small_item["ci_low"]
    # Wilson interval for 8 of 10, checked by hand: 49.02% to 94.33%.
    assert (round(small_item["ci_low"], 2), round(small_item["ci_high"], 2)) == (49.02, 94.33)


def test_sipas_2023_is_the_mean_of_the_policy_and_service_indices(sipas_2023) -> None:
    settings = sipas_settings(sipas_2023)
    policy_items = [i.code for i in settings.satisfaction_items if i.element in {"A", "B", "C", "D"}]
    service_items = [i.code for i in settings.satisfaction_items if i.element not in {"A", "B", "C", "D"}]
    # Every policy item satisfied; every service item 50%.
    rows = [dict.fromkeys(policy_items, 5) | dict.fromkeys(service_items, 5) for _ in range(10)]
    rows += [dict.fromkeys(policy_items, 4) | dict.fromkeys(service_items, 2) for _ in range(10)]
    frame = pd.DataFrame(rows).reindex(columns=[i.code for i in settings.satisfaction_items])
    frame = frame.assign(**{i.code: None for i in (*settings.assessment_items, *settings.expectation_items)}, unit="P1")
    result = compute_sipas(frame, settings, ["unit"])
    parts = dict(zip(result.parts["part"], result.parts["index"], strict=True))
    assert parts == {"policy": 100.0, "service": 50.0}
    assert result.overall.iloc[0]["index"] == 75.0
    assert result.settings["questionnaire"] == "SIPAS-2023" and result.settings["version"] == 1


def test_assessment_and_expectation_indices(sipas_2023) -> None:
    settings = sipas_settings(sipas_2023)
    assessment = settings.assessment_items[0]
    expectation = settings.expectation_items[0]
    positive, other = (
        assessment.hit_values[0],
        next(v for v in assessment.valid_values if v not in assessment.hit_values),
    )
    frame = pd.DataFrame(
        {
            assessment.code: [positive] * 3 + [other],
            expectation.code: [3, 3, 2, 0],  # 3 = rất nhiều, the top level; 0 = không biết
        }
    )
    frame = frame.assign(
        **{
            i.code: None
            for i in (*settings.satisfaction_items, *settings.assessment_items[1:], *settings.expectation_items[1:])
        }
    )
    result = compute_sipas(frame, settings)
    assert result.assessment.set_index("item").loc[assessment.code, "index"] == 75.0
    expected = result.expectation.set_index("item").loc[expectation.code]
    assert (expected["valid"], expected["index"]) == (3, pytest.approx(200 / 3))


def test_slices_by_field_and_group_split_the_same_answers(sipas_2017) -> None:
    settings = sipas_settings(sipas_2017)
    codes = [i.code for i in settings.satisfaction_items]
    frame = pd.DataFrame(
        [dict.fromkeys(codes, 5) | {"procedure_field": "Đất đai"}] * 12
        + [dict.fromkeys(codes, 2) | {"procedure_field": "Hộ tịch"}] * 12
    ).assign(unit="P1")
    by_field = compute_sipas(frame, settings, ["procedure_field"]).overall.set_index("procedure_field")["index"]
    assert by_field.to_dict() == {"Hộ tịch": 0.0, "Đất đai": 100.0}
    assert compute_sipas(frame, settings, ["unit"]).overall.iloc[0]["index"] == 50.0


def test_a_missing_column_is_named() -> None:
    with pytest.raises(SchemaError, match="Q"):
        compute_sipas(pd.DataFrame({"unit": ["A"]}), one_element_settings(["Q"]), ["unit"])
    with pytest.raises(SchemaError, match="colour"):
        compute_sipas(pd.DataFrame({"Q": [5]}), one_element_settings(["Q"]), ["colour"])
