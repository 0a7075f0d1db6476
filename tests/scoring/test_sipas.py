"""SIPAS figures: METHODOLOGY.md section 5's worked example and hand-checked cases."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from scoring import SchemaError, compute_sipas, sipas_points, sipas_settings
from scoring.settings import ShareItem, SipasCombination, SipasElement, SipasPart, SipasSettings
from scoring.sipas import SipasCounts, compute_sipas_from_counts, count_sipas_answers

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


def satisfied_of_ten(satisfied: int) -> list[int]:
    """Ten valid answers, ``satisfied`` of them at level 5 and the rest at level 2."""
    return [5] * satisfied + [2] * (10 - satisfied)


def three_level_settings() -> SipasSettings:
    """Element A (Q1, Q2) weighs 2 and element B (Q3) 1 in the service part; element C (Q4) is policy."""
    return SipasSettings(
        questionnaire="TEST",
        version=1,
        satisfaction_items=(
            ShareItem("Q1", LEVELS, (4, 5), (0,), element="A"),
            ShareItem("Q2", LEVELS, (4, 5), (0,), element="A"),
            ShareItem("Q3", LEVELS, (4, 5), (0,), element="B"),
            ShareItem("Q4", LEVELS, (4, 5), (0,), element="C"),
        ),
        elements=(
            SipasElement("A", "A", "service", weight=2.0),
            SipasElement("B", "B", "service", weight=1.0),
            SipasElement("C", "C", "policy"),
        ),
        parts=(SipasPart("service", "Dịch vụ"), SipasPart("policy", "Chính sách")),
    )


def rounded_intervals(table: pd.DataFrame, key: str) -> dict[str, tuple[float, float, float]]:
    return {
        row[key]: (round(row["index"], 2), round(row["ci_low"], 2), round(row["ci_high"], 2))
        for row in table.to_dict("records")
    }


def test_the_intervals_of_elements_parts_and_sipas_match_hand_computed_values() -> None:
    # Wilson half-widths h (in points) of 8, 5, 7 and 6 satisfied of 10: 22.66, 26.34, 24.77, 25.96.
    # Element A = (80 + 50) / 2 = 65, half-width √(22.66² + 26.34²) / 2 = 17.37 → 47.63–82.37.
    # Element B = 70 ± 24.77; element C = 60 ± 25.96.
    # Service = (2·65 + 1·70) / 3 = 66.67, half-width √((2·17.37)² + 24.77²) / 3 = 14.22 → 52.44–80.89.
    # Policy = element C. SIPAS = (66.67 + 60) / 2 = 63.33, half-width √(14.22² + 25.96²) / 2 = 14.80.
    frame = pd.DataFrame(
        {"Q1": satisfied_of_ten(8), "Q2": satisfied_of_ten(5), "Q3": satisfied_of_ten(7), "Q4": satisfied_of_ten(6)}
    )
    result = compute_sipas(frame, three_level_settings())
    assert rounded_intervals(result.items, "item") == {
        "Q1": (80.0, 49.02, 94.33),
        "Q2": (50.0, 23.66, 76.34),
        "Q3": (70.0, 39.68, 89.22),
        "Q4": (60.0, 31.27, 83.18),
    }
    assert rounded_intervals(result.elements, "element") == {
        "A": (65.0, 47.63, 82.37),
        "B": (70.0, 45.23, 94.77),
        "C": (60.0, 34.04, 85.96),
    }
    assert rounded_intervals(result.parts, "part") == {"service": (66.67, 52.44, 80.89), "policy": (60.0, 34.04, 85.96)}
    overall = result.overall.iloc[0]
    assert (round(overall["index"], 2), round(overall["ci_low"], 2), round(overall["ci_high"], 2)) == (
        63.33,
        48.53,
        78.13,
    )
    assert (overall["members"], overall["valid"], bool(overall["flagged"])) == (2, 40, False)


def combined(combination: SipasCombination, policy_weight: float = 3.0) -> pd.Series:
    """SIPAS of the four items of ``three_level_settings`` (80, 50, 70; 60) by ``combination``,
    the policy part weighing ``policy_weight`` against the service part's 1."""
    settings = three_level_settings()
    parts = (SipasPart("service", "Dịch vụ"), SipasPart("policy", "Chính sách", weight=policy_weight))
    settings = replace(settings, parts=parts, combination=combination)
    frame = pd.DataFrame(
        {"Q1": satisfied_of_ten(8), "Q2": satisfied_of_ten(5), "Q3": satisfied_of_ten(7), "Q4": satisfied_of_ten(6)}
    )
    result = compute_sipas(frame, settings)
    assert rounded_intervals(result.parts, "part") == {"service": (66.67, 52.44, 80.89), "policy": (60.0, 34.04, 85.96)}
    assert result.settings["sipas_combination"] == combination.value
    return result.overall.iloc[0]


def rounded_figure(row: pd.Series) -> tuple[float, float, float]:
    return (round(row["index"], 2), round(row["ci_low"], 2), round(row["ci_high"], 2))


def test_mean_of_parts_ignores_the_parts_weights() -> None:
    # (66.67 + 60) / 2 = 63.33, half-width √(14.22² + 25.96²) / 2 = 14.80: the weight 3 plays no part.
    overall = combined(SipasCombination.MEAN_OF_PARTS)
    assert rounded_figure(overall) == (63.33, 48.53, 78.13)
    assert (overall["members"], overall["valid"]) == (2, 40)


def test_weighted_parts_weighs_each_part_by_its_weight() -> None:
    # (1·66.67 + 3·60) / 4 = 61.67, half-width √((1·14.22)² + (3·25.96)²) / 4 = 19.79 → 41.88–81.46.
    overall = combined(SipasCombination.WEIGHTED_PARTS)
    assert rounded_figure(overall) == (61.67, 41.88, 81.46)
    assert (overall["members"], overall["valid"]) == (2, 40)


def test_pooled_items_counts_every_item_once_whatever_its_element_or_part() -> None:
    # (80 + 50 + 70 + 60) / 4 = 65, half-width √(22.66² + 26.34² + 24.77² + 25.96²) / 4 = 12.49:
    # element weights (A weighs 2) and part weights (policy 3) play no part.
    overall = combined(SipasCombination.POOLED_ITEMS)
    assert rounded_figure(overall) == (65.0, 52.51, 77.49)
    assert (overall["members"], overall["valid"], bool(overall["flagged"])) == (4, 40, False)


def test_the_default_is_the_parts_weighted_by_the_files_weights_as_before() -> None:
    assert three_level_settings().combination is SipasCombination.WEIGHTED_PARTS
    weighted = rounded_figure(combined(SipasCombination.WEIGHTED_PARTS))
    settings = replace(
        three_level_settings(), parts=(SipasPart("service", "Dịch vụ"), SipasPart("policy", "Chính sách", weight=3.0))
    )
    frame = pd.DataFrame(
        {"Q1": satisfied_of_ten(8), "Q2": satisfied_of_ten(5), "Q3": satisfied_of_ten(7), "Q4": satisfied_of_ten(6)}
    )
    assert rounded_figure(compute_sipas(frame, settings).overall.iloc[0]) == weighted


def test_pooled_items_leave_out_an_item_without_valid_answers_and_flag_sipas() -> None:
    # Q2 has no valid answer: (80 + 70 + 60) / 3 = 70, half-width √(22.66² + 24.77² + 25.96²) / 3 = 14.15.
    settings = replace(three_level_settings(), combination=SipasCombination.POOLED_ITEMS, min_valid_answers=0)
    frame = pd.DataFrame(
        {"Q1": satisfied_of_ten(8), "Q2": [0] * 10, "Q3": satisfied_of_ten(7), "Q4": satisfied_of_ten(6)}
    )
    overall = compute_sipas(frame, settings).overall.iloc[0]
    assert rounded_figure(overall) == (70.0, 55.85, 84.15)
    assert (overall["members"], overall["valid"], bool(overall["flagged"])) == (4, 30, True)


def national_counts(
    policy: float = 83.84, service: float = 84.09, policy_items: int = 1, service_items: int = 1
) -> SipasCounts:
    """Items of 100,000 valid answers each: the policy ones at ``policy``%, the service ones at ``service``%."""
    items = [(f"P{n}", round(policy * 1000)) for n in range(policy_items)]
    items += [(f"S{n}", round(service * 1000)) for n in range(service_items)]
    satisfaction = pd.DataFrame(
        [
            {"item": code, "valid": 100_000, "hits": hits, "no_answer": 0, "blank": 0, "score_sum": 0.0}
            for code, hits in items
        ]
    )
    empty = satisfaction.iloc[:0]
    return SipasCounts(by=(), satisfaction=satisfaction, assessment=empty, expectation=empty)


def national_sipas(
    combination: SipasCombination, counts: SipasCounts, policy_weight: float = 0.6
) -> tuple[float, float, float]:
    """Policy part, service part and SIPAS of ``counts`` by ``combination``."""
    settings = SipasSettings(
        questionnaire="NATIONAL",
        version=1,
        satisfaction_items=tuple(
            ShareItem(code, LEVELS, (4, 5), (0,), element="policy" if code.startswith("P") else "service")
            for code in counts.satisfaction["item"]
        ),
        elements=(SipasElement("policy", "Chính sách", "policy"), SipasElement("service", "Dịch vụ", "service")),
        parts=(
            SipasPart("policy", "Chính sách", weight=policy_weight),
            SipasPart("service", "Dịch vụ", weight=1 - policy_weight),
        ),
        combination=combination,
    )
    result = compute_sipas_from_counts(counts, settings)
    parts = dict(zip(result.parts["part"], result.parts["index"], strict=True))
    return parts["policy"], parts["service"], result.overall.iloc[0]["index"]


def test_the_national_2024_figures_are_weighted_parts_at_0_6_not_the_mean_of_the_parts() -> None:
    # Published: policy 83.84%, service 84.09%, SIPAS 83.94% (METHODOLOGY.md section 5).
    policy, service, weighted = national_sipas(SipasCombination.WEIGHTED_PARTS, national_counts())
    assert (policy, service) == (pytest.approx(83.84), pytest.approx(84.09))
    assert weighted == pytest.approx(83.94, abs=1e-9)
    assert national_sipas(SipasCombination.MEAN_OF_PARTS, national_counts())[2] == pytest.approx(83.965, abs=1e-9)
    # Pooling the 2023 form's 14 policy and 19 service items weighs policy 14/33, too little.
    pooled = national_sipas(SipasCombination.POOLED_ITEMS, national_counts(policy_items=14, service_items=19))[2]
    assert pooled == pytest.approx((14 * 83.84 + 19 * 84.09) / 33, abs=1e-9)
    assert round(pooled, 2) == 83.98


def test_the_policy_weights_that_fit_the_rounded_national_figures_run_from_0_56_to_0_64() -> None:
    # forms/README.md: the published figures, each ± 0.005, bound the policy weight w.
    low = national_sipas(SipasCombination.WEIGHTED_PARTS, national_counts(83.835, 84.085), policy_weight=0.56)[2]
    high = national_sipas(SipasCombination.WEIGHTED_PARTS, national_counts(83.845, 84.095), policy_weight=0.64)[2]
    assert (low, high) == (pytest.approx(83.945, abs=1e-9), pytest.approx(83.935, abs=1e-9))


def test_a_clipped_element_interval_does_not_shrink_its_parts_interval() -> None:
    # Part = (90 + 50) / 2 = 70, half-width √(19.31² + 26.34²) / 2 = 16.33 (items' variances added).
    settings = SipasSettings(
        questionnaire="TEST",
        version=1,
        satisfaction_items=(
            ShareItem("Q1", LEVELS, (4, 5), (0,), element="A"),
            ShareItem("Q2", LEVELS, (4, 5), (0,), element="B"),
        ),
        elements=(SipasElement("A", "A", "service"), SipasElement("B", "B", "service")),
        parts=(SipasPart("service", "Dịch vụ"),),
    )
    result = compute_sipas(pd.DataFrame({"Q1": satisfied_of_ten(9), "Q2": satisfied_of_ten(5)}), settings)
    assert rounded_intervals(result.elements, "element")["A"] == (90.0, 70.69, 100.0)
    assert rounded_intervals(result.parts, "part") == {"service": (70.0, 53.67, 86.33)}


def test_an_item_with_one_valid_answer_has_an_index_a_wide_interval_and_a_flag() -> None:
    # Wilson for 1 of 1: low = 1 / (1 + 1.96²) = 20.65%, high = 100%.
    frame = pd.DataFrame({"unit": "P1", "Q": [4, 0, None]})
    item = compute_sipas(frame, one_element_settings(["Q"]), ["unit"]).items.iloc[0]
    assert (item["valid"], item["hits"], item["no_answer"], item["blank"]) == (1, 1, 1, 1)
    assert (item["index"], round(item["ci_low"], 2), item["ci_high"], item["mean_score"]) == (100.0, 20.65, 100.0, 4.0)
    assert bool(item["flagged"])


def test_an_item_below_the_minimum_keeps_its_place_in_the_element_and_flags_what_it_feeds() -> None:
    # Q1: 8 of 10 satisfied; Q2: 9 valid answers, all satisfied → element = (80 + 100) / 2 = 90.
    frame = pd.DataFrame({"unit": "P1", "Q1": satisfied_of_ten(8), "Q2": [5] * 9 + [0]})
    result = compute_sipas(frame, one_element_settings(["Q1", "Q2"]), ["unit"])
    assert dict(zip(result.items["item"], result.items["flagged"], strict=True)) == {"Q1": False, "Q2": True}
    element = result.elements.iloc[0]
    assert (element["index"], element["valid"], element["members"], bool(element["flagged"])) == (90.0, 19, 2, True)
    assert bool(result.parts.iloc[0]["flagged"]) and bool(result.overall.iloc[0]["flagged"])
    assert result.overall.iloc[0]["index"] == 90.0


def test_an_item_without_valid_answers_is_left_out_of_the_element_and_flags_it() -> None:
    frame = pd.DataFrame({"unit": "P1", "Q1": satisfied_of_ten(8), "Q2": [0] * 10})
    result = compute_sipas(frame, one_element_settings(["Q1", "Q2"], min_valid_answers=0), ["unit"])
    assert dict(zip(result.items["item"], result.items["flagged"], strict=True)) == {"Q1": False, "Q2": False}
    element = result.elements.iloc[0]
    assert (element["index"], element["valid"], bool(element["flagged"])) == (80.0, 10, True)
    assert (round(element["ci_low"], 2), round(element["ci_high"], 2)) == (57.34, 100.0)  # 80 ± 22.66, clipped


def test_an_empty_slice_value_is_a_slice_of_its_own_labelled_empty_after_the_others() -> None:
    frame = pd.DataFrame({"procedure_field": ["Đất đai"] * 3 + [None] * 2 + ["Hộ tịch"], "Q": [5, 5, 2, 4, 1, 2]})
    items = compute_sipas(frame, one_element_settings(["Q"]), ["procedure_field"]).items
    assert items[["procedure_field", "valid", "hits"]].to_dict("records") == [
        {"procedure_field": "Hộ tịch", "valid": 1, "hits": 0},
        {"procedure_field": "Đất đai", "valid": 3, "hits": 2},
        {"procedure_field": "", "valid": 2, "hits": 1},
    ]


def test_missing_and_empty_text_slice_values_are_the_same_empty_slice() -> None:
    frame = pd.DataFrame({"procedure_field": ["Đất đai", None, ""], "Q": [5, 4, 2]})
    items = compute_sipas(frame, one_element_settings(["Q"]), ["procedure_field"]).items
    assert sorted(items["procedure_field"]) == ["", "Đất đai"]


def test_results_keep_the_questionnaires_order_whatever_the_codes() -> None:
    # Item codes Q10, Q9, Q1 and element codes 9, 10 sort otherwise as text; parts too (policy < service).
    settings = SipasSettings(
        questionnaire="TEST",
        version=1,
        satisfaction_items=(
            ShareItem("Q10", LEVELS, (4, 5), (0,), element="9"),
            ShareItem("Q9", LEVELS, (4, 5), (0,), element="10"),
            ShareItem("Q1", LEVELS, (4, 5), (0,), element="9"),
        ),
        elements=(SipasElement("9", "Nine", "service"), SipasElement("10", "Ten", "policy")),
        parts=(SipasPart("service", "Dịch vụ"), SipasPart("policy", "Chính sách")),
    )
    frame = pd.DataFrame(
        {
            "unit": ["P2"] * 4 + ["P1"] * 4,
            "respondent_group": ["citizen", "business"] * 4,
            "Q10": [5, 5, 5, 5, 2, 2, 2, 2],
            "Q9": [4, 4, 2, 2, 4, 4, 4, 4],
            "Q1": [1] * 8,
        }
    )
    direct = compute_sipas(frame, settings, ["unit"])
    regrouped = compute_sipas_from_counts(
        count_sipas_answers(frame, settings, ["unit", "respondent_group"]), settings, ["unit"]
    )
    for result in (direct, regrouped):
        assert list(zip(result.items["unit"], result.items["item"], result.items["index"], strict=True)) == [
            ("P1", "Q10", 0.0),
            ("P1", "Q9", 100.0),
            ("P1", "Q1", 0.0),
            ("P2", "Q10", 100.0),
            ("P2", "Q9", 50.0),
            ("P2", "Q1", 0.0),
        ]
        assert list(
            zip(result.elements["unit"], result.elements["element"], result.elements["index"], strict=True)
        ) == [
            ("P1", "9", 0.0),
            ("P1", "10", 100.0),
            ("P2", "9", 50.0),
            ("P2", "10", 50.0),
        ]
        assert list(zip(result.parts["unit"], result.parts["part"], strict=True)) == [
            ("P1", "service"),
            ("P1", "policy"),
            ("P2", "service"),
            ("P2", "policy"),
        ]


def test_slicing_by_a_column_that_is_no_slice_is_refused_even_when_present() -> None:
    frame = pd.DataFrame({"unit": "P1", "district": "D1", "Q": [5] * 10})
    message = "cannot slice by district; slices are unit, parent_unit, respondent_group, mode, procedure_field, period"
    with pytest.raises(SchemaError, match=f"^{message}$"):
        compute_sipas(frame, one_element_settings(["Q"]), ["district"])


def test_counts_cannot_be_sliced_by_a_column_they_were_not_counted_by() -> None:
    frame = pd.DataFrame({"unit": "P1", "mode": "paper", "Q": [5] * 10})
    settings = one_element_settings(["Q"])
    with pytest.raises(SchemaError, match=r"^counts per unit cannot be sliced by unit, mode$"):
        compute_sipas_from_counts(count_sipas_answers(frame, settings, ["unit"]), settings, ["unit", "mode"])
    with pytest.raises(SchemaError, match=r"^counts per nothing cannot be sliced by mode$"):
        compute_sipas_from_counts(count_sipas_answers(frame, settings), settings, ["mode"])


def test_sipas_2023_v2_is_the_mean_of_the_policy_and_service_parts_over_their_elements(sipas_2023_v2) -> None:
    """Ten residents answer the national form; every figure below is worked out by hand."""
    settings = sipas_settings(sipas_2023_v2)
    element_of = {item.code: item.element for item in settings.satisfaction_items}
    # Every satisfaction item "5" unless set below; 10 answers each.
    columns = dict.fromkeys(element_of, [5] * 10)
    columns |= {
        "P_A1": [4] * 5 + [2] * 5,  # 50; element A = (100 + 50) / 2 = 75
        "P_D2": [3] * 10,  # 0; element D = (100 + 0) / 2 = 50
        **{code: [2] * 10 for code, element in element_of.items() if element == "2"},  # element 2 = 0
        "S3_7": [5] * 8 + [1] * 2,  # 80; element 3 = (4 × 100 + 80) / 5 = 96
        "Q4": [1] * 6 + [2] * 3 + [None],  # assessment: 6 of 9 say no civil servant harasses
        "Q3": [5, 4, 3, 3, 1, 2, 2, 5, None, None],  # assessment: 5 of 8 would take part
        "M9": [3] * 7 + [2] * 3,  # expectation: 7 of 10 "rất nhiều"
    }
    others = (*settings.assessment_items, *settings.expectation_items)
    frame = pd.DataFrame(columns).assign(**{i.code: None for i in others if i.code not in columns}, unit="P1")

    result = compute_sipas(frame, settings, ["unit"])

    elements = dict(zip(result.elements["element"], result.elements["index"].round(2), strict=True))
    policy_elements = {"A": 75.0, "B": 100.0, "C": 100.0, "D": 50.0}
    assert elements == policy_elements | {"1": 100.0, "2": 0.0, "3": 96.0, "4": 100.0, "5": 100.0}
    parts = dict(zip(result.parts["part"], result.parts["index"].round(2), strict=True))
    assert parts == {"policy": 81.25, "service": 79.2}  # (75 + 100 + 100 + 50) / 4; (100 + 0 + 96 + 100 + 100) / 5
    # The mean of the parts, not of the 33 items pooled (2,780 / 33 = 84.24).
    assert result.overall.iloc[0]["index"] == pytest.approx((81.25 + 79.2) / 2)
    assessment = result.assessment.set_index("item")["index"]
    assert (round(assessment["Q4"], 2), assessment["Q3"]) == (66.67, 62.5)
    assert result.expectation.set_index("item").loc["M9", "index"] == 70.0
    assert (result.settings["questionnaire"], result.settings["version"]) == ("SIPAS-2023", 2)
    assert result.settings["parts"] == {"policy": 1.0, "service": 1.0}
