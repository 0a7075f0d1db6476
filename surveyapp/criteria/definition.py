"""PAR criteria sets (*Bộ chỉ số CCHC*): parsed from the YAML files in ``criteria/`` and checked at load.

Pure Python (no Flask, no database), like the questionnaire definitions. The file format is
documented in ``criteria/README.md``. A set is a tree: areas (*lĩnh vực*) → criteria (*tiêu
chí*) → sub-criteria (*tiêu chí thành phần*); every leaf says how its points are scored, and the
maximums of the children of a node add up to the node's. Bonus and penalty points (*điểm
thưởng, điểm trừ*) stand apart, outside the total.

Errors name the file, the line of the YAML mapping at fault (when the set is read from a file)
and the problem, in English like the questionnaire loader's: they are read by whoever edits
the file, in their editor.

>>> criteria_set = parse_criteria_set({
...     "code": "DEMO", "version": 1, "title": "Bộ chỉ số thử", "year": 2025, "total": 100,
...     "areas": [{"code": "1", "title": "Lĩnh vực", "max_points": 100, "criteria": [
...         {"code": "1.1", "title": "Tiêu chí", "max_points": 100, "scoring": "self_assessed"}]}],
... }, origin="demo")
>>> [(node.code, node.max_points) for node in criteria_set.nodes]
[('1', 100.0), ('1.1', 100.0)]
"""

from __future__ import annotations

import enum
import math
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from scoring.sipas import sipas_points
from surveyapp.questionnaires.definition import CODE_PATTERN, FILE_NAME_PATTERN, SafeLoader, Text

FILE_KEYS = frozenset(
    [
        "code",
        "version",
        "title",
        "year",
        "notice",
        "is_template",
        "assessed_unit_kinds",
        "total",
        "point_step",
        "survey_questionnaires",
        "areas",
        "adjustments",
    ]
)
NODE_KEYS = frozenset(
    [
        "code",
        "title",
        "max_points",
        "guidance",
        "target",
        "monitoring",
        "leading",
        "cooperating",
        "scoring",
        "survey",
        "sipas",
        "source",
    ]
)
AREA_KEYS = NODE_KEYS | {"criteria"}
CRITERION_KEYS = NODE_KEYS | {"subcriteria"}
TARGET_KEYS = frozenset({"text", "value"})
SIPAS_KEYS = frozenset({"rule", "bands"})
BAND_KEYS = frozenset({"at_least", "points"})
ADJUSTMENT_KEYS = frozenset({"code", "title", "kind", "max_points", "guidance", "scoring"})
# Points are decimals of at most a few places: sums are compared to this tolerance.
TOLERANCE = 1e-9


def is_multiple(points: float, step: float | None) -> bool:
    """Whether ``points`` is a whole number of ``step`` (always, with no step).

    >>> is_multiple(1.75, 0.25), is_multiple(1.3, 0.25), is_multiple(1.3, None)
    (True, False, True)
    """
    return step is None or abs(points / step - round(points / step)) <= TOLERANCE


class CriteriaError(ValueError):
    """A criteria set file is malformed; the message names the file, the line and the problem."""


class ScoringMethod(enum.Enum):
    """How a leaf of the set earns its points."""

    SELF_ASSESSED = "self_assessed"  # scored by the unit with evidence, then appraised
    SURVEY = "survey"  # from the PAR sociological survey's sub-criteria
    SIPAS = "sipas"  # from the unit's SIPAS index by a rule
    OTHER = "other"  # another source typed or imported by the officer (e.g. Decision 766's index)


class SipasRule(enum.Enum):
    """How a SIPAS index (0-100) becomes points: in proportion, or by bands."""

    PROPORTIONAL = "proportional"
    BANDS = "bands"


class AdjustmentKind(enum.Enum):
    """Bonus points (*điểm thưởng*) add to the index; penalty points (*điểm trừ*) take away."""

    BONUS = "bonus"
    PENALTY = "penalty"


@dataclass(frozen=True)
class SipasBand:
    """A SIPAS index of at least ``at_least`` (percent) earns ``points``."""

    at_least: float
    points: float


@dataclass(frozen=True)
class SipasScoring:
    """The rule turning a unit's SIPAS index into the points of a leaf.

    >>> SipasScoring(SipasRule.BANDS, (SipasBand(90, 2.0), SipasBand(80, 1.0))).points(85.0, 2.0)
    1.0
    """

    rule: SipasRule
    bands: tuple[SipasBand, ...] = ()  # highest threshold first

    def points(self, sipas_index: float, max_points: float) -> float:
        """The points a SIPAS index (0-100) earns out of ``max_points``."""
        if self.rule is SipasRule.PROPORTIONAL:
            return sipas_points(max_points, sipas_index)
        return next((band.points for band in self.bands if sipas_index >= band.at_least), 0.0)


@dataclass(frozen=True)
class Target:
    """What a criterion must reach (*chỉ tiêu*): a text and, where it is a number, its value."""

    text: Text
    value: float | None = None


class DepartmentRole(enum.Enum):
    """What a department does for an item (seeds 002, 004): monitors it (*theo dõi*), leads it
    (*chủ trì*) or cooperates (*phối hợp*)."""

    MONITORING = "monitoring"
    LEADING = "leading"
    COOPERATING = "cooperating"


@dataclass(frozen=True)
class Responsibility:
    """The target an item must reach and the departments answering for it."""

    target: Target | None = None
    monitoring: str | None = None
    leading: str | None = None
    cooperating: tuple[str, ...] = ()

    def roles_of(self, department: str) -> tuple[DepartmentRole, ...]:
        """What ``department`` does for the item (nothing: not its item).

        >>> Responsibility(monitoring="Văn phòng", leading="Văn phòng").roles_of("Văn phòng")
        (<DepartmentRole.MONITORING: 'monitoring'>, <DepartmentRole.LEADING: 'leading'>)
        """
        return tuple(
            role
            for role, holds in (
                (DepartmentRole.MONITORING, self.monitoring == department),
                (DepartmentRole.LEADING, self.leading == department),
                (DepartmentRole.COOPERATING, department in self.cooperating),
            )
            if holds
        )


@dataclass(frozen=True)
class Node:
    """An area, criterion or sub-criterion (``level`` 1, 2, 3) with its maximum points.

    A node with children is scored by them; a leaf names its ``scoring`` method and what the
    method needs: ``survey_subcriteria`` (codes of the questionnaires' sub-criteria), ``sipas``
    (the rule), ``source`` (the other source, described).
    """

    code: str
    title: Text
    level: int
    max_points: float
    children: tuple[Node, ...] = ()
    scoring: ScoringMethod | None = None
    guidance: Text | None = None
    target: Target | None = None
    monitoring: str | None = None
    leading: str | None = None
    cooperating: tuple[str, ...] = ()
    survey_subcriteria: tuple[str, ...] = ()
    sipas: SipasScoring | None = None
    source: Text | None = None

    @property
    def is_leaf(self) -> bool:
        """Whether the node is scored itself (it has no children)."""
        return not self.children

    def walk(self) -> Iterator[Node]:
        """This node, then every node below it, in the file's order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Adjustment:
    """A bonus or penalty item, with its own maximum outside the set's total. ``scoring`` is
    OTHER when the officer enters its points (the default), SELF_ASSESSED when the unit scores
    it in its self-assessment, with evidence, and the appraisal appraises it like an item."""

    code: str
    title: Text
    kind: AdjustmentKind
    max_points: float
    guidance: Text | None = None
    scoring: ScoringMethod = ScoringMethod.OTHER


@dataclass(frozen=True)
class CriteriaSet:
    """One version of a province's PAR criteria set."""

    code: str
    version: int
    title: Text
    year: int
    total: float
    areas: tuple[Node, ...]
    assessed_unit_kinds: tuple[str, ...] = ()
    point_step: float | None = None
    survey_questionnaires: tuple[str, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    is_template: bool = False
    notice: Text | None = None

    @cached_property
    def nodes(self) -> tuple[Node, ...]:
        """Every area, criterion and sub-criterion, in the file's order."""
        return tuple(node for area in self.areas for node in area.walk())

    @property
    def leaves(self) -> tuple[Node, ...]:
        """The nodes that are scored themselves."""
        return tuple(node for node in self.nodes if node.is_leaf)

    @property
    def self_assessed(self) -> tuple[Node, ...]:
        """The leaves the units score themselves, with evidence."""
        return tuple(leaf for leaf in self.leaves if leaf.scoring is ScoringMethod.SELF_ASSESSED)

    @property
    def self_assessed_adjustments(self) -> tuple[Adjustment, ...]:
        """The bonus and penalty items the units score themselves, with evidence."""
        return tuple(item for item in self.adjustments if item.scoring is ScoringMethod.SELF_ASSESSED)

    @property
    def scored_by_units(self) -> tuple[Node | Adjustment, ...]:
        """What a unit scores itself: the self-assessed leaves, then the bonus and penalty it may claim."""
        return (*self.self_assessed, *self.self_assessed_adjustments)

    @cached_property
    def responsibilities(self) -> dict[str, Responsibility]:
        """Every node's target and departments by code: its own, and each one it does not name
        taken from the nearest node above it that does (an area's or criterion's target and
        departments hold for the items below it)."""
        found: dict[str, Responsibility] = {}

        def inherit(node: Node, above: Responsibility) -> None:
            found[node.code] = own = Responsibility(
                target=node.target or above.target,
                monitoring=node.monitoring or above.monitoring,
                leading=node.leading or above.leading,
                cooperating=node.cooperating or above.cooperating,
            )
            for child in node.children:
                inherit(child, own)

        for area in self.areas:
            inherit(area, Responsibility())
        return found

    @cached_property
    def departments(self) -> tuple[str, ...]:
        """Every department the set names (monitoring, leading or cooperating), in alphabetical order."""
        names = {
            name
            for node in self.nodes
            for name in (node.monitoring, node.leading, *node.cooperating)
            if name is not None
        }
        return tuple(sorted(names, key=_alphabetical))

    def is_in_steps(self, points: float) -> bool:
        """Whether ``points`` is a multiple of the set's ``point_step`` (any points when it has none)."""
        return is_multiple(points, self.point_step)

    @property
    def criterion_count(self) -> int:
        """How many criteria and sub-criteria the set has (the areas not counted)."""
        return sum(1 for node in self.nodes if node.level > 1)

    def points_by_method(self) -> dict[ScoringMethod, float]:
        """The maximum points each scoring method decides, in the order of ``ScoringMethod``."""
        totals = {method: 0.0 for method in ScoringMethod}
        for leaf in self.leaves:
            totals[leaf.scoring] += leaf.max_points
        return totals

    def adjustment_maximum(self, kind: AdjustmentKind) -> float:
        """The most bonus (or penalty) points a unit can get."""
        return sum(item.max_points for item in self.adjustments if item.kind is kind)


def _alphabetical(name: str) -> tuple[str, str]:
    """A key sorting Vietnamese names by their letters first, then by their marks.

    >>> sorted(["Văn phòng", "Địa chính", "Tư pháp", "Dân tộc"], key=_alphabetical)
    ['Dân tộc', 'Địa chính', 'Tư pháp', 'Văn phòng']
    """
    letters = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in letters if not unicodedata.combining(char)).casefold(), name


class _LineLoader(SafeLoader):
    """A YAML loader whose mappings remember the line they start on (``_Located.line``)."""


class _Located(dict):
    """A mapping read from a file, with the (1-based) line it starts on."""

    line: int | None = None


def _construct_located(loader: _LineLoader, node: yaml.MappingNode) -> _Located:
    located = _Located(loader.construct_mapping(node, deep=True))
    located.line = node.start_mark.line + 1
    return located


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_located)


def _read_source(path: Path) -> Any:
    """The raw content of a criteria set file (mappings remember their lines); ``CriteriaError``
    if it cannot be read as YAML."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CriteriaError(f"{path.name}: cannot be read as YAML: {error}") from error


def load_criteria_file(
    path: str | Path, survey_subcriteria: Mapping[str, Mapping[str, float]] | None = None
) -> CriteriaSet:
    """Read and check one criteria set file named ``<CODE>.v<VERSION>.yaml``.

    ``survey_subcriteria`` maps each questionnaire code to its sub-criteria and their maximums;
    given, the survey links of the set are checked against it.
    """
    return read_criteria_file(path, survey_subcriteria)[0]


def read_criteria_file(
    path: str | Path, survey_subcriteria: Mapping[str, Mapping[str, float]] | None = None
) -> tuple[CriteriaSet, Any]:
    """One criteria set file read once: its checked set (as ``load_criteria_file``) and its raw
    content (what the stored version keeps)."""
    path = Path(path)
    source = _read_source(path)
    criteria_set = parse_criteria_set(source, origin=path.name, survey_subcriteria=survey_subcriteria)
    expected = f"{criteria_set.code}.v{criteria_set.version}.yaml"
    if not FILE_NAME_PATTERN.match(path.name) or path.name != expected:
        raise CriteriaError(f"{path.name}: the file must be named {expected} after its code and version")
    return criteria_set, source


def parse_criteria_set(
    data: Any, *, origin: str, survey_subcriteria: Mapping[str, Mapping[str, float]] | None = None
) -> CriteriaSet:
    """Check the mapping read from a criteria set file and build the set.

    ``origin`` (usually the file name) starts every error message; ``survey_subcriteria`` as in
    ``load_criteria_file`` (without it, the survey links are checked for form only: a stored set
    was checked against its questionnaires when it was loaded).
    """
    return _Parser(origin, survey_subcriteria).criteria_set(data)


def _line_of(value: Any) -> int | None:
    return getattr(value, "line", None)


class _Parser:
    """Walks the raw mapping; errors name the line of the mapping being read."""

    def __init__(self, origin: str, survey_subcriteria: Mapping[str, Mapping[str, float]] | None) -> None:
        self.origin = origin
        self.survey_subcriteria = survey_subcriteria
        self.step: float | None = None
        self.survey_maximums: dict[str, float] | None = None

    def fail(self, at: Any, where: str, problem: str) -> CriteriaError:
        line = _line_of(at)
        place = f"line {line}: " if line is not None else ""
        return CriteriaError(f"{self.origin}: {place}{where}: {problem}")

    def mapping(self, value: Any, at: Any, where: str, allowed: frozenset[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(at, where, "must be a mapping of keys to values")
        unknown = sorted(set(map(str, value)) - allowed)
        if unknown:
            raise self.fail(value, where, f"unknown key(s) {', '.join(unknown)}; see criteria/README.md")
        return value

    def listing(self, value: Any, at: Any, where: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise self.fail(at, where, "must be a non-empty list")
        return value

    def code(self, value: Any, at: Any, where: str) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not CODE_PATTERN.match(value):
            raise self.fail(at, where, f"code {value!r} must be 1-40 letters, digits, '.', '_' or '-'")
        return value

    def text(self, value: Any, at: Any, where: str) -> Text:
        if isinstance(value, str) and value.strip():
            return Text(vi=value.strip())
        if isinstance(value, Mapping) and isinstance(value.get("vi"), str) and value["vi"].strip():
            english = value.get("en")
            if english is not None and not isinstance(english, str):
                raise self.fail(at, where, "the English text must be a string")
            return Text(vi=value["vi"].strip(), en=english.strip() if english else None)
        raise self.fail(at, where, "must be a text, or a mapping with a Vietnamese 'vi' text")

    def optional_text(self, raw: Mapping[str, Any], key: str, where: str) -> Text | None:
        return self.text(raw[key], raw, f"{where} {key}") if raw.get(key) is not None else None

    def name(self, raw: Mapping[str, Any], key: str, where: str) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(raw, where, f"'{key}' must be the name of a department")
        return value.strip()

    def number(self, value: Any, at: Any, where: str, *, positive: bool = True) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(at, where, f"{value!r} must be a number")
        if value < 0 or (positive and value == 0):
            raise self.fail(at, where, f"{value!r} must be {'above' if positive else 'at least'} 0")
        return float(value)

    def points(self, value: Any, at: Any, where: str, *, positive: bool = True) -> float:
        points = self.number(value, at, where, positive=positive)
        if not is_multiple(points, self.step):
            raise self.fail(at, where, f"{points:g} points is not a multiple of the point_step {self.step:g}")
        return points

    def choice_of(self, enum_class: type[enum.Enum], value: Any, at: Any, where: str) -> Any:
        try:
            return enum_class(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum_class)
            raise self.fail(at, where, f"{value!r} is not one of: {allowed}") from None

    def target(self, raw: Mapping[str, Any], where: str) -> Target | None:
        value = raw.get("target")
        if value is None:
            return None
        if isinstance(value, str):
            return Target(self.text(value, raw, f"{where} target"))
        value = self.mapping(value, raw, f"{where} target", TARGET_KEYS)
        number = value.get("value")
        return Target(
            text=self.text(value.get("text"), value, f"{where} target text"),
            value=None if number is None else self.number(number, value, f"{where} target value", positive=False),
        )

    def sipas(self, raw: Any, at: Any, where: str, max_points: float) -> SipasScoring:
        raw = self.mapping(raw, at, f"{where} sipas", SIPAS_KEYS)
        rule = self.choice_of(SipasRule, raw.get("rule"), raw, f"{where} sipas rule")
        if rule is SipasRule.PROPORTIONAL:
            if raw.get("bands"):
                raise self.fail(raw, f"{where} sipas", "bands belong to the rule 'bands', not 'proportional'")
            return SipasScoring(rule)
        bands = []
        for number, item in enumerate(self.listing(raw.get("bands"), raw, f"{where} sipas bands"), start=1):
            item = self.mapping(item, raw, f"{where} sipas band {number}", BAND_KEYS)
            at_least = self.number(item.get("at_least"), item, f"{where} sipas band {number} at_least", positive=False)
            if at_least > 100:
                raise self.fail(item, f"{where} sipas band {number}", "at_least is a SIPAS index, from 0 to 100")
            points = self.points(item.get("points"), item, f"{where} sipas band {number} points", positive=False)
            if points > max_points + TOLERANCE:
                raise self.fail(item, f"{where} sipas band {number}", f"{points:g} points exceed max_points")
            bands.append(SipasBand(at_least, points))
        thresholds = [band.at_least for band in bands]
        if thresholds != sorted(set(thresholds), reverse=True):
            raise self.fail(raw, f"{where} sipas bands", "list the bands from the highest at_least down, once each")
        return SipasScoring(rule, tuple(bands))

    def survey_codes(self, raw: Mapping[str, Any], where: str, max_points: float) -> tuple[str, ...]:
        codes = raw.get("survey")
        if not isinstance(codes, list) or not codes:
            raise self.fail(raw, where, "a survey-scored item lists its questionnaires' sub-criteria in 'survey'")
        codes = [self.code(code, raw, f"{where} survey") for code in codes]
        if len(set(codes)) != len(codes):
            raise self.fail(raw, f"{where} survey", "a sub-criterion is listed twice")
        if self.survey_maximums is None:
            return tuple(codes)
        unknown = [code for code in codes if code not in self.survey_maximums]
        if unknown:
            raise self.fail(
                raw,
                f"{where} survey",
                f"sub-criterion(s) {', '.join(unknown)} are in none of the survey_questionnaires' subcriteria",
            )
        survey_total = sum(self.survey_maximums[code] for code in codes)
        if abs(survey_total - max_points) > TOLERANCE:
            raise self.fail(
                raw,
                where,
                f"max_points {max_points:g} must equal the survey's maximum for {', '.join(codes)}: {survey_total:g}",
            )
        return tuple(codes)

    def node(self, raw: Any, at: Any, level: int, parent: str | None, used: dict[str, int | None]) -> Node:
        kind, allowed, children_key = {
            1: ("area", AREA_KEYS, "criteria"),
            2: ("criterion", CRITERION_KEYS, "subcriteria"),
            3: ("sub-criterion", NODE_KEYS, None),
        }[level]
        raw = self.mapping(raw, at, kind, allowed)
        code = self.code(raw.get("code"), raw, kind)
        where = f"{kind} {code}"
        if code in used:
            first = used[code]
            raise self.fail(raw, where, "the code is used twice" + (f" (first on line {first})" if first else ""))
        used[code] = _line_of(raw)
        if parent is not None and not code.startswith(f"{parent}."):
            raise self.fail(raw, where, f"the code must start with its parent's code, {parent}.")
        if parent is not None and "." in code[len(parent) + 1 :]:
            raise self.fail(raw, where, f"the code must be one level below {parent} (like {parent}.1)")
        if parent is None and "." in code:
            raise self.fail(raw, where, "an area's code has no '.' (like 1)")
        max_points = self.points(raw.get("max_points"), raw, f"{where} max_points")
        children = ()
        if children_key and raw.get(children_key) is not None:
            children = tuple(
                self.node(item, raw, level + 1, code, used)
                for item in self.listing(raw.get(children_key), raw, f"{where} {children_key}")
            )
            children_total = sum(child.max_points for child in children)
            if abs(children_total - max_points) > TOLERANCE:
                raise self.fail(
                    raw,
                    where,
                    f"the maximums of its {children_key} add up to {children_total:g}, "
                    f"not its max_points {max_points:g}",
                )
        scoring = survey = sipas = source = None
        if children:
            leaf_only = sorted(key for key in ("scoring", "survey", "sipas", "source") if key in raw)
            if leaf_only:
                raise self.fail(raw, where, f"{', '.join(leaf_only)} belong to its {children_key}, which are scored")
        else:
            if level == 1:
                raise self.fail(raw, where, "an area needs its criteria")
            scoring = self.choice_of(ScoringMethod, raw.get("scoring"), raw, f"{where} scoring")
            method_keys = {ScoringMethod.SURVEY: "survey", ScoringMethod.SIPAS: "sipas", ScoringMethod.OTHER: "source"}
            misplaced = sorted(key for method, key in method_keys.items() if key in raw and method is not scoring)
            if misplaced:
                raise self.fail(raw, where, f"{', '.join(misplaced)} do not go with scoring: {scoring.value}")
            if scoring is ScoringMethod.SURVEY:
                survey = self.survey_codes(raw, where, max_points)
            elif scoring is ScoringMethod.SIPAS:
                sipas = self.sipas(raw.get("sipas"), raw, where, max_points)
            elif scoring is ScoringMethod.OTHER:
                source = self.text(raw.get("source"), raw, f"{where} source")
        cooperating = raw.get("cooperating") or []
        if isinstance(cooperating, str):
            cooperating = [cooperating]
        if not isinstance(cooperating, list) or not all(isinstance(name, str) and name.strip() for name in cooperating):
            raise self.fail(raw, where, "'cooperating' must be a list of department names")
        return Node(
            code=code,
            title=self.text(raw.get("title"), raw, f"{where} title"),
            level=level,
            max_points=max_points,
            children=children,
            scoring=scoring,
            guidance=self.optional_text(raw, "guidance", where),
            target=self.target(raw, where),
            monitoring=self.name(raw, "monitoring", where),
            leading=self.name(raw, "leading", where),
            cooperating=tuple(name.strip() for name in cooperating),
            survey_subcriteria=survey or (),
            sipas=sipas,
            source=source,
        )

    def adjustment(self, raw: Any, at: Any, number: int, used: dict[str, int | None]) -> Adjustment:
        raw = self.mapping(raw, at, f"adjustment {number}", ADJUSTMENT_KEYS)
        code = self.code(raw.get("code"), raw, f"adjustment {number}")
        where = f"adjustment {code}"
        if code in used:
            raise self.fail(raw, where, "the code is used twice")
        used[code] = _line_of(raw)
        scoring = self.choice_of(ScoringMethod, raw.get("scoring", ScoringMethod.OTHER.value), raw, f"{where} scoring")
        if scoring not in (ScoringMethod.OTHER, ScoringMethod.SELF_ASSESSED):
            raise self.fail(raw, f"{where} scoring", "a bonus or penalty is scored 'other' or 'self_assessed'")
        return Adjustment(
            code=code,
            title=self.text(raw.get("title"), raw, f"{where} title"),
            kind=self.choice_of(AdjustmentKind, raw.get("kind"), raw, f"{where} kind"),
            max_points=self.points(raw.get("max_points"), raw, f"{where} max_points"),
            guidance=self.optional_text(raw, "guidance", where),
            scoring=scoring,
        )

    def survey_links(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        """The questionnaires the set's survey items come from; their sub-criteria's maximums
        are kept in ``survey_maximums`` when the questionnaires are known."""
        codes = data.get("survey_questionnaires") or []
        if not isinstance(codes, list):
            raise self.fail(data, "survey_questionnaires", "must be a list of questionnaire codes")
        codes = [self.code(code, data, "survey_questionnaires") for code in codes]
        if self.survey_subcriteria is not None:
            unknown = [code for code in codes if code not in self.survey_subcriteria]
            if unknown:
                raise self.fail(data, "survey_questionnaires", f"no questionnaire {', '.join(unknown)} in forms/")
            self.survey_maximums = {}
            for questionnaire in codes:
                for subcriterion, maximum in self.survey_subcriteria[questionnaire].items():
                    known = self.survey_maximums.setdefault(subcriterion, maximum)
                    if abs(known - maximum) > TOLERANCE:
                        raise self.fail(
                            data,
                            "survey_questionnaires",
                            f"the questionnaires give sub-criterion {subcriterion} different maximums",
                        )
        return tuple(codes)

    def criteria_set(self, data: Any) -> CriteriaSet:
        data = self.mapping(data, None, "file", FILE_KEYS)
        code = self.code(data.get("code"), data, "code")
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail(data, "version", f"{version!r} must be a whole number from 1")
        year = data.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            raise self.fail(data, "year", f"{year!r} must be the year the set assesses, like 2025")
        if data.get("point_step") is not None:
            self.step = self.number(data["point_step"], data, "point_step")
        total = self.points(data.get("total"), data, "total")
        kinds = data.get("assessed_unit_kinds") or []
        if not isinstance(kinds, list) or not all(isinstance(kind, str) and kind.strip() for kind in kinds):
            raise self.fail(data, "assessed_unit_kinds", "must be a list of unit kinds (xã, phường, sở…)")
        survey_questionnaires = self.survey_links(data)
        used: dict[str, int | None] = {}
        areas = tuple(self.node(item, data, 1, None, used) for item in self.listing(data.get("areas"), data, "areas"))
        areas_total = sum(area.max_points for area in areas)
        if abs(areas_total - total) > TOLERANCE:
            raise self.fail(data, "areas", f"the areas' maximums add up to {areas_total:g}, not the total {total:g}")
        if survey_questionnaires and not any(
            node.scoring is ScoringMethod.SURVEY for area in areas for node in area.walk()
        ):
            raise self.fail(data, "survey_questionnaires", "no item of the set is scored by the survey")
        adjustments = tuple(
            self.adjustment(item, data, number, used)
            for number, item in enumerate(data.get("adjustments") or [], start=1)
        )
        is_template = data.get("is_template", False)
        if not isinstance(is_template, bool):
            raise self.fail(data, "is_template", "must be true or false")
        return CriteriaSet(
            code=code,
            version=version,
            title=self.text(data.get("title"), data, "title"),
            year=year,
            total=total,
            areas=areas,
            assessed_unit_kinds=tuple(kind.strip() for kind in kinds),
            point_step=self.step,
            survey_questionnaires=survey_questionnaires,
            adjustments=adjustments,
            is_template=is_template,
            notice=self.optional_text(data, "notice", "file"),
        )
