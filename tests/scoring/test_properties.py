"""Properties every SIPAS and PAR figure keeps, on random answers."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import compute_par, compute_sipas
from scoring.settings import ParQuestion, ParSettings, ShareItem, SipasElement, SipasPart, SipasSettings
from scoring.sipas import compute_sipas_from_counts, count_sipas_answers

SIPAS = SipasSettings(
    questionnaire="P",
    version=1,
    satisfaction_items=(
        ShareItem("Q1", (1, 2, 3, 4, 5), (4, 5), (0,), element="1"),
        ShareItem("Q2", (1, 2, 3, 4, 5), (4, 5), (0,), element="1"),
        ShareItem("Q3", (1, 2, 3, 4, 5), (4, 5), (0,), element="2"),
    ),
    elements=(SipasElement("1", "E1", "service"), SipasElement("2", "E2", "policy")),
    parts=(SipasPart("service", "S"), SipasPart("policy", "P")),
)
PAR = ParSettings(
    questionnaires=(("P", 1),),
    questions=(ParQuestion("Q1", "1.1", {"A": 1.0, "B": 0.6, "C": 0.2, "D": 0.0}, ("X",)),),
    max_points={"1.1": 1.5},
)

answer = st.sampled_from([1, 2, 3, 4, 5, 0, None])
row = st.fixed_dictionaries({"unit": st.sampled_from(["U1", "U2"]), "Q1": answer, "Q2": answer, "Q3": answer})
rows = st.lists(row, min_size=1, max_size=60)
par_row = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(["U1", "U2"]),
        "respondent_group": st.sampled_from(["g1", "g2"]),
        "Q1": st.sampled_from(["A", "B", "C", "D", "X", None]),
    }
)


def sipas_tables(frame: pd.DataFrame) -> list[pd.DataFrame]:
    result = compute_sipas(frame, SIPAS, ["unit"])
    return [result.items, result.elements, result.parts, result.overall]


@settings(max_examples=30, deadline=None)
@given(rows)
def test_every_index_and_interval_stays_within_0_and_100(data: list[dict]) -> None:
    for table in sipas_tables(pd.DataFrame(data)):
        for column in ("index", "ci_low", "ci_high"):
            values = table[column].dropna()
            assert ((values >= 0) & (values <= 100)).all()
        assert (table["ci_low"].dropna() <= table["index"].dropna() + 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(rows, st.sampled_from(["Q1", "Q2", "Q3"]), st.sampled_from([4, 5]))
def test_one_more_satisfied_answer_never_lowers_an_item_index(data: list[dict], item: str, level: int) -> None:
    before = compute_sipas(pd.DataFrame(data), SIPAS, ["unit"]).items.set_index(["unit", "item"])["index"]
    extra = {"unit": data[0]["unit"], "Q1": None, "Q2": None, "Q3": None, item: level}
    after = compute_sipas(pd.DataFrame([*data, extra]), SIPAS, ["unit"]).items.set_index(["unit", "item"])["index"]
    key = (data[0]["unit"], item)
    assert after[key] >= before.get(key, 0) or before[key] != before[key]


@settings(max_examples=25, deadline=None)
@given(rows, st.randoms(use_true_random=False))
def test_the_order_of_rows_never_changes_a_sipas_result(data: list[dict], random) -> None:
    shuffled = list(data)
    random.shuffle(shuffled)
    for first, second in zip(sipas_tables(pd.DataFrame(data)), sipas_tables(pd.DataFrame(shuffled)), strict=True):
        pd.testing.assert_frame_equal(first, second)


@settings(max_examples=25, deadline=None)
@given(st.lists(par_row, min_size=1, max_size=60), st.randoms(use_true_random=False))
def test_par_points_stay_within_the_maximum_and_ignore_row_order(data: list[dict], random) -> None:
    result = compute_par(pd.DataFrame(data), PAR)
    points = result.subcriteria["points"].dropna()
    assert ((points >= 0) & (points <= 1.5 + 1e-9)).all()
    shuffled = list(data)
    random.shuffle(shuffled)
    pd.testing.assert_frame_equal(result.totals, compute_par(pd.DataFrame(shuffled), PAR).totals)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        row.flatmap(lambda r: st.sampled_from(["g1", "g2"]).map(lambda g: {**r, "respondent_group": g})),
        min_size=1,
        max_size=60,
    )
)
def test_counts_of_finer_slices_give_the_same_figures(data: list[dict]) -> None:
    frame = pd.DataFrame(data)
    fine = count_sipas_answers(frame, SIPAS, ["unit", "respondent_group"])
    for by in ([], ["unit"], ["respondent_group"]):
        direct, regrouped = compute_sipas(frame, SIPAS, by), compute_sipas_from_counts(fine, SIPAS, by)
        for table in ("items", "elements", "parts", "overall"):
            pd.testing.assert_frame_equal(getattr(direct, table), getattr(regrouped, table), check_dtype=False)
