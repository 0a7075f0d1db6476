"""How the figures were computed, in words a ward officer reads: the workbook's *Cách tính* sheet.

A result keeps the settings it was computed with as plain data (``scoring.settings``,
``to_record``): programme keys, codes, weights, and the formulas in English, so that a figure
can be recomputed. Here each of them gets a Vietnamese label and its value Vietnamese text:
options and respondent groups by their labels, yes and no as *Có* and *Không*, numbers and
percentages as the results page writes them (``90,00%``), weights that are all equal as
*bằng nhau*. Every key of both records is shown (``SIPAS_KEYS``, ``PAR_KEYS``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scoring.settings import SipasCombination
from surveyapp.i18n import two_decimals
from surveyapp.models import CampaignPurpose
from surveyapp.questionnaires.definition import QuestionnaireDefinition
from surveyapp.services.campaigns import PURPOSE_LABELS
from surveyapp.services.quotas import POLICY_LABELS
from surveyapp.services.results.indices import CampaignResults, ParReport, SipasReport

Row = tuple[str, str]  # (what, its value in words)

SIPAS_COMBINATIONS = {
    SipasCombination.MEAN_OF_PARTS: _l("trung bình cộng chỉ số các thành phần"),
    SipasCombination.WEIGHTED_PARTS: _l("trung bình có trọng số của chỉ số các thành phần"),
    SipasCombination.POOLED_ITEMS: _l("trung bình chỉ số của tất cả các tiêu chí, gộp mọi thành phần"),
}

# The keys of ``SipasSettings.to_record`` and ``ParSettings.to_record`` the rows show ("index"
# as the campaign's purpose).
SIPAS_KEYS = frozenset(
    {
        "index",
        "questionnaire",
        "version",
        "min_valid_answers",
        "satisfied_values",
        "parts",
        "elements",
        "items",
        "assessment_positive_values",
        "expectation_top_values",
        "item_index",
        "element_index",
        "part_index",
        "sipas",
        "sipas_combination",
        "confidence_interval",
    }
)
PAR_KEYS = frozenset(
    {
        "index",
        "questionnaires",
        "min_valid_answers",
        "max_points",
        "group_weights",
        "coefficients",
        "group_score",
        "subcriterion_score",
    }
)


def settings_rows(results: CampaignResults) -> list[Row]:
    """The rows of the settings sheet: the campaign's settings, then each questionnaire's."""
    rows = _campaign_rows(results)
    for sipas in results.sipas:
        rows += _sipas_rows(sipas)
    for par in results.par:
        rows += _par_rows(par)
    return rows


def _campaign_rows(results: CampaignResults) -> list[Row]:
    campaign = results.campaign
    rows = [
        (_("Đợt điều tra"), f"{campaign.name} (#{campaign.id})"),
        (_("Mục đích"), str(PURPOSE_LABELS[campaign.purpose])),
        (_("Phạm vi"), f"{results.within.name} ({results.within.code})" if results.within else _("Tất cả đơn vị")),
        (_("Thời điểm tính (UTC)"), f"{results.computed_at:%d/%m/%Y %H:%M:%S}"),
        (_("Số phiếu"), _number(results.responses)),
    ]
    if campaign.purpose is CampaignPurpose.SIPAS:
        rows += [
            (_("Chỉ tiêu SIPAS (toàn đợt, mỗi đơn vị, mỗi đơn vị cấp trên)"), _percent(campaign.sipas_target)),
            (_("Chỉ tiêu của mỗi yếu tố, tiêu chí"), _percent(campaign.criterion_target)),
            (_("Chỉ tiêu hài lòng với các lĩnh vực có chỉ tiêu riêng"), _percent(campaign.field_target)),
            (_("Lĩnh vực có chỉ tiêu riêng"), ", ".join(campaign.target_fields) or _("Không có")),
            (_("Xếp hạng đơn vị"), _("theo chỉ số SIPAS, riêng trong từng loại đơn vị; bằng chỉ số thì cùng hạng")),
            (_("Số phiếu tối thiểu để đơn vị được xếp hạng"), _number(campaign.rank_min_forms)),
        ]
    else:
        rows.append((_("Tổng điểm tối đa của Chỉ số CCHC"), _number(campaign.par_max_points)))
    rows.append((_("Khi một nhóm đã đủ chỉ tiêu"), str(POLICY_LABELS[campaign.quota_policy])))
    return rows


def _sipas_rows(report: SipasReport) -> list[Row]:
    record = report.unsliced.settings
    definition = report.questionnaire.definition
    parts = {part.code: str(part.label) for part in definition.methodology.index_parts}
    elements = {e.code: str(e.label) for part in definition.methodology.index_parts for e in part.elements}
    satisfaction = next(iter(record["items"]), None)  # an item of the satisfaction scale, for its labels
    rows = [
        (_("Mẫu phiếu"), _version(record["questionnaire"], record["version"])),
        (_("Ngưỡng câu trả lời hợp lệ"), _threshold(record["min_valid_answers"])),
        (
            _("Câu trả lời được tính là hài lòng"),
            ", ".join(_option(definition, satisfaction, value) for value in record["satisfied_values"]),
        ),
        (_("Trọng số các thành phần"), _weights({parts.get(c, c): w for c, w in record["parts"].items()})),
        (
            _("Trọng số các yếu tố trong thành phần"),
            _weights({elements.get(code, code): weight for code, (_part, weight) in record["elements"].items()}),
        ),
        (
            _("Trọng số các tiêu chí trong yếu tố"),
            _weights({code: weight for code, (_element, weight) in record["items"].items()}),
        ),
    ]
    if record["assessment_positive_values"]:
        rows.append(
            (
                _("Câu trả lời được tính là tích cực (chỉ số nhận định)"),
                _answers(definition, record["assessment_positive_values"]),
            )
        )
    if record["expectation_top_values"]:
        rows.append(
            (
                _("Câu trả lời được tính là mong đợi (chỉ số mong đợi)"),
                _answers(definition, record["expectation_top_values"]),
            )
        )
    rows += [
        (
            _("Phương pháp tính chỉ số tiêu chí"),
            _(
                "100 × số câu trả lời hài lòng / số câu trả lời hợp lệ (chọn một mức của thang đo; "
                "«không biết», «không trả lời» không tính)"
            ),
        ),
        (_("Phương pháp tính chỉ số yếu tố"), _("trung bình có trọng số của chỉ số các tiêu chí")),
        (_("Phương pháp tính chỉ số thành phần"), _("trung bình có trọng số của chỉ số các yếu tố")),
        (_("Phương pháp tính SIPAS"), str(SIPAS_COMBINATIONS[SipasCombination(record["sipas_combination"])])),
        (
            _("Khoảng tin cậy 95%"),
            _(
                "khoảng Wilson cho chỉ số của một tiêu chí; với chỉ số gộp nhiều tiêu chí, xấp xỉ phân phối "
                "chuẩn, cộng phương sai của các tiêu chí như thể chúng độc lập (METHODOLOGY.md, mục 5)"
            ),
        ),
    ]
    return rows


def _par_rows(report: ParReport) -> list[Row]:
    record = report.result.settings
    rows = [
        (_("Mẫu phiếu"), "; ".join(_version(q.code, q.version) for q in report.questionnaires)),
        (_("Ngưỡng câu trả lời hợp lệ"), _threshold(record["min_valid_answers"])),
        (
            _("Điểm tối đa của các tiêu chí thành phần"),
            "; ".join(f"{code}: {_number(points)}" for code, points in record["max_points"].items()),
        ),
    ]
    questions: dict[str, list[str]] = {}
    for question, (subcriterion, _coefficients) in record["coefficients"].items():
        questions.setdefault(subcriterion, []).append(question)
    rows.append(
        (
            _("Câu hỏi của các tiêu chí thành phần"),
            "; ".join(f"{subcriterion}: {', '.join(codes)}" for subcriterion, codes in questions.items()),
        )
    )
    # Questions scored alike share a row: usually one or two rows for the whole family.
    by_coefficients: dict[str, list[str]] = {}
    for question, (_subcriterion, coefficients) in record["coefficients"].items():
        text = "; ".join(f"{value}: {_number(coefficient)}" for value, coefficient in coefficients.items())
        by_coefficients.setdefault(text, []).append(question)
    rows += [
        (_("Hệ số của các phương án, câu %(questions)s", questions=", ".join(codes)), text)
        for text, codes in by_coefficients.items()
    ]
    # "equal" when none is set; a group left out of the weights weighs 1 (``ParSettings.group_weight``).
    weights = record["group_weights"] if isinstance(record["group_weights"], Mapping) else {}
    groups = {g.code: str(g.label) for q in report.questionnaires for g in q.definition.respondent_groups}
    rows += [
        (
            _("Trọng số các nhóm đối tượng"),
            _weights({groups.get(code, code): weights.get(code, 1.0) for code in {**groups, **weights}}),
        ),
        (
            _("Phương pháp tính điểm của một nhóm đối tượng"),
            _("điểm tối đa × hệ số trung bình trên các câu trả lời hợp lệ của nhóm («không biết» không tính)"),
        ),
        (
            _("Phương pháp tính điểm tiêu chí thành phần"),
            _("trung bình có trọng số của điểm các nhóm đối tượng đã trả lời"),
        ),
    ]
    return rows


# Values in words ------------------------------------------------------------------------------


def _number(value: float) -> str:
    """A number as the page writes it: 1.234 and 0,6 in Vietnamese."""
    return format_decimal(value)


def _percent(value: float) -> str:
    return f"{two_decimals(value)}%"


def _version(code: str, version: int) -> str:
    return _("%(code)s, phiên bản %(version)s", code=code, version=version)


def _threshold(count: int) -> str:
    return _("%(count)s (chỉ số có ít câu trả lời hợp lệ hơn được đánh dấu)", count=_number(count))


def _value(value: Any) -> str:
    """An option value: yes and no in words (YAML reads an unquoted yes as true), numbers as numbers."""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, int | float):
        return _number(value)
    return str(value)


def _option(definition: QuestionnaireDefinition, question: str | None, value: Any) -> str:
    """An option's value with its label, ``4 (Hài lòng)``; the value alone if the question has no such option."""
    try:
        options = definition.question(question).options if question is not None else ()
    except KeyError:
        options = ()
    label = next((option.label for option in options if option.value == value), None)
    return _value(value) if label is None else f"{_value(value)} ({label})"


def _answers(definition: QuestionnaireDefinition, values: Mapping[str, Sequence[Any]]) -> str:
    """Each question's counted answers, questions counted alike together: ``M1, M2: 3 (Nhiều)``."""
    texts = {code: ", ".join(_option(definition, code, value) for value in chosen) for code, chosen in values.items()}
    return _grouped(texts)


def _grouped(values: Mapping[str, str]) -> str:
    """``{key: text}`` with the keys of one text together, in the order they come: ``a, b: x; c: y``.

    >>> _grouped({"CX1_01": "1.1", "CX1_02": "1.6", "CX4_01": "1.1"})
    'CX1_01, CX4_01: 1.1; CX1_02: 1.6'
    """
    keys: dict[str, list[str]] = {}
    for key, text in values.items():
        keys.setdefault(text, []).append(key)
    return "; ".join(f"{', '.join(together)}: {text}" for text, together in keys.items())


def _weights(weights: Mapping[str, float]) -> str:
    """Weights in words: *bằng nhau* when they are all equal, else each one."""
    if len(set(weights.values())) <= 1:
        return _("bằng nhau")
    return "; ".join(f"{name}: {_number(weight)}" for name, weight in weights.items())
