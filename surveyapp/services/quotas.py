"""Quotas of a campaign: planned from rules, saved, and enforced exactly at submission.

Each cell's ``filled`` count moves in the submission's transaction with one conditional
``UPDATE ... SET filled = filled + 1 WHERE filled < target``: the database serialises
concurrent updates of a row (SQLite by its write lock, PostgreSQL by the row lock and a
re-check of the condition), so many phones racing for the last places of a closed cell never
over-fill it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, func, or_, select, update

from sampling import (
    Allocation,
    AllocationMethod,
    Stratum,
    allocate_fixed,
    allocate_minimum_then_proportional,
    allocate_proportional,
)
from surveyapp.driver_statements import DriverStatement
from surveyapp.extensions import db
from surveyapp.i18n import localized
from surveyapp.models import (
    ANY_GROUP,
    AuditAction,
    Campaign,
    Questionnaire,
    QuotaCell,
    QuotaPolicy,
    Response,
    Unit,
)
from surveyapp.services.audit import record_action

POLICY_LABELS = {
    QuotaPolicy.FLAG_EXCESS: _l("Vẫn nhận phiếu và đánh dấu phần vượt"),
    QuotaPolicy.CLOSE_WHEN_FULL: _l("Ngừng nhận phiếu của nhóm đó"),
}


class QuotaFull(Exception):
    """Every cell this submission was meant for is full, and the campaign closes full cells.

    ``cells`` are their ids: the caller counts the refused attempt in them (``record_refusals``)
    once it has undone whatever else the submission wrote.
    """

    def __init__(self, cells: Sequence[int]) -> None:
        super().__init__(*cells)
        self.cells = tuple(cells)


class QuotaError(ValueError):
    """Quotas cannot be set as asked; the message says why."""


# How a rule's total may be shared over its units' frames.
_SHARE = {
    AllocationMethod.PROPORTIONAL: allocate_proportional,
    AllocationMethod.MINIMUM_THEN_PROPORTIONAL: allocate_minimum_then_proportional,
}


@dataclass(frozen=True)
class QuotaRule:
    """Forms of ``questionnaire`` from ``respondent_group`` in every unit it applies to.

    Either ``per_unit`` forms in each unit (seed 001: "15 per commune"), or a ``total`` shared
    in proportion to each unit's sampling frame, with ``minimum`` per unit (capped by its frame)
    that ``sharing`` applies: as a floor under the proportional share (``PROPORTIONAL``), or
    given first with the rest shared in proportion (``MINIMUM_THEN_PROPORTIONAL``).
    """

    questionnaire: Questionnaire
    respondent_group: str
    per_unit: int = 0
    total: int | None = None
    minimum: int = 0
    sharing: AllocationMethod = AllocationMethod.PROPORTIONAL

    def __post_init__(self) -> None:
        if self.sharing not in _SHARE:
            raise ValueError(f"sharing must be one of {', '.join(method.name for method in _SHARE)}")

    @property
    def is_proportional(self) -> bool:
        return self.total is not None


@dataclass(frozen=True)
class PlannedCell:
    """One cell of a quota plan, before it is saved."""

    unit: Unit
    questionnaire: Questionnaire
    respondent_group: str
    target: int


@dataclass(frozen=True)
class QuotaPlan:
    """The cells a set of rules gives, with their totals per rule, for the officer to check."""

    cells: tuple[PlannedCell, ...]
    rule_totals: tuple[tuple[QuotaRule, int, int], ...]  # rule, units, forms

    @property
    def total(self) -> int:
        return sum(cell.target for cell in self.cells)


def plan_quotas(
    campaign: Campaign, rules: Sequence[QuotaRule], frame_sizes: Mapping[int, int] | None = None
) -> QuotaPlan:
    """The cells of ``rules`` over the campaign's units (nothing is stored).

    ``frame_sizes`` (records per unit id) is what proportional rules share their total by.
    """
    cells, totals, seen = [], [], set()
    for rule in rules:
        if min(rule.per_unit, rule.minimum, rule.total or 0) < 0:
            raise QuotaError(_("Số phiếu mỗi đơn vị không được âm."))
        groups = {group.code for group in rule.questionnaire.definition.respondent_groups}
        if rule.respondent_group != ANY_GROUP and rule.respondent_group not in groups:
            raise QuotaError(
                _(
                    "Mẫu phiếu %(code)s không có nhóm %(group)s.",
                    code=rule.questionnaire.code,
                    group=rule.respondent_group,
                )
            )
        key = (rule.questionnaire.id, rule.respondent_group)
        if key in seen:
            raise QuotaError(_("Mỗi mẫu phiếu và nhóm chỉ đặt một chỉ tiêu."))
        seen.add(key)
        units = {unit.code: unit for unit in campaign.units_for(rule.questionnaire)}
        allocation = _allocate(rule, units, frame_sizes or {})
        cells += [
            PlannedCell(units[code], rule.questionnaire, rule.respondent_group, quota)
            for code, quota in allocation.quotas.items()
        ]
        totals.append((rule, len(units), allocation.total))
    return QuotaPlan(cells=tuple(cells), rule_totals=tuple(totals))


def _allocate(rule: QuotaRule, units: Mapping[str, Unit], frame_sizes: Mapping[int, int]) -> Allocation:
    if not rule.is_proportional:
        return allocate_fixed([Stratum(code) for code in units], per_stratum=rule.per_unit)
    if not any(frame_sizes.get(unit.id) for unit in units.values()):
        raise QuotaError(_("Phân bổ theo tỷ lệ cần khung chọn mẫu: hãy nhập danh sách hồ sơ trước."))
    strata = [Stratum(code, frame_sizes.get(unit.id, 0), rule.minimum) for code, unit in units.items()]
    try:
        return _SHARE[rule.sharing](rule.total, strata)
    except ValueError:
        raise QuotaError(
            _(
                "Không phân bổ được %(total)s phiếu của mẫu %(code)s: %(reason)s",
                total=rule.total,
                code=rule.questionnaire.code,
                reason=_allocation_reason(strata, rule),
            )
        ) from None


def _allocation_reason(strata: Sequence[Stratum], rule: QuotaRule) -> str:
    available = sum(stratum.population or 0 for stratum in strata)
    if rule.total is not None and rule.total > available:
        return _("khung chọn mẫu chỉ có %(available)s người.", available=available)
    needed = sum(min(stratum.minimum, stratum.population or 0) for stratum in strata)
    return _("số tối thiểu của các đơn vị cần %(needed)s phiếu.", needed=needed)


def save_quotas(campaign: Campaign, plan: QuotaPlan, policy: QuotaPolicy) -> None:
    """Make ``plan`` the campaign's quotas; counts of cells kept or added come from the responses."""
    campaign.quota_policy = policy
    existing = {
        (cell.unit_id, cell.questionnaire_id, cell.respondent_group): cell
        for cell in db.session.scalars(select(QuotaCell).filter_by(campaign_id=campaign.id))
    }
    wanted = {(c.unit.id, c.questionnaire.id, c.respondent_group): c.target for c in plan.cells}
    for key, cell in existing.items():
        if key not in wanted:
            db.session.delete(cell)
    counted = _count_by_group(campaign)
    cell_groups = _cell_groups(wanted)
    for (unit_id, questionnaire_id, group), target in wanted.items():
        cell = existing.get((unit_id, questionnaire_id, group))
        if cell is None:
            cell = QuotaCell(
                campaign_id=campaign.id, unit_id=unit_id, questionnaire_id=questionnaire_id, respondent_group=group
            )
            db.session.add(cell)
        cell.target = target
        key = (unit_id, questionnaire_id)
        cell.filled = _filled_from(counted.get(key, {}), group, cell_groups[key])
    record_action(AuditAction.QUOTAS_SAVED, campaign, total=plan.total, policy=policy.value)
    db.session.flush()


def _count_by_group(
    campaign: Campaign, unit_ids: Collection[int] | None = None
) -> dict[tuple[int, int], dict[str, int]]:
    """Stored responses per (unit id, questionnaire id), then per respondent group."""
    statement = (
        select(Response.unit_id, Response.questionnaire_id, Response.respondent_group, func.count())
        .where(Response.campaign_id == campaign.id)
        .group_by(Response.unit_id, Response.questionnaire_id, Response.respondent_group)
    )
    if unit_ids is not None:
        statement = statement.where(Response.unit_id.in_(list(unit_ids)))
    counted: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for unit_id, questionnaire_id, group, n in db.session.execute(statement):
        counted[(unit_id, questionnaire_id)][group] = n
    return counted


def _cell_groups(cells: Iterable[tuple[int, int, str]]) -> dict[tuple[int, int], set[str]]:
    """The groups with a cell, per (unit id, questionnaire id)."""
    groups: dict[tuple[int, int], set[str]] = defaultdict(set)
    for unit_id, questionnaire_id, group in cells:
        groups[(unit_id, questionnaire_id)].add(group)
    return groups


def _filled_from(by_group: Mapping[str, int], group: str, cell_groups: Collection[str]) -> int:
    """Responses that count toward a cell: its group's, or for ``*`` those of groups without a cell."""
    if group != ANY_GROUP:
        return by_group.get(group, 0)
    return sum(n for g, n in by_group.items() if g not in cell_groups)


# The cell a response of a group counts in: the group's own cell when the unit has one, else
# the cell shared by all groups (``*``). Every submission runs these statements, so they are
# built once and on the table rather than the model: building them and updating loaded
# ``QuotaCell`` objects would cost more than the database takes to run them (no caller reads
# a loaded cell's counts before its commit).
_CELLS = QuotaCell.__table__
_CANDIDATE = _CELLS.alias("candidate")
_CELL_ID = (
    select(_CANDIDATE.c.id)
    .where(
        _CANDIDATE.c.campaign_id == bindparam("campaign"),
        _CANDIDATE.c.questionnaire_id == bindparam("questionnaire"),
        _CANDIDATE.c.unit_id == bindparam("unit"),
        or_(_CANDIDATE.c.respondent_group == bindparam("group"), _CANDIDATE.c.respondent_group == ANY_GROUP),
    )
    .order_by(_CANDIDATE.c.respondent_group == ANY_GROUP)
    .limit(1)
)
# Count ``added`` responses in that cell, if there is one.
_ADD_TO_CELL = (
    update(_CELLS)
    .where(_CELLS.c.id == _CELL_ID.scalar_subquery())
    .values(filled=_CELLS.c.filled + bindparam("added", type_=Integer))
)
# The same for one response, only while the cell has places left (campaigns closing full cells).
_TAKE_PLACE = _ADD_TO_CELL.where(_CELLS.c.filled < _CELLS.c.target)
# Both as every submission runs them: straight on the driver, in the session's transaction.
_SUBMISSION_ADD_TO_CELL = DriverStatement(_ADD_TO_CELL)
_SUBMISSION_TAKE_PLACE = DriverStatement(_TAKE_PLACE)


def reserve_places(campaign: Campaign, questionnaire: Questionnaire, units: Sequence[Unit], group: str) -> list[Unit]:
    """Count one response toward each unit's cell; returns the units that may store one.

    A unit without a quota cell always may. The cell of the respondent's group is used when
    there is one, else the cell shared by all groups (``*``). A full cell of a campaign that
    closes full cells turns the response away and counts the attempt; otherwise the excess is
    counted and shown. Raises ``QuotaFull`` when every unit was turned away; nothing is
    counted then, and the caller counts the attempts (``record_refusals``).
    """
    is_closing = campaign.quota_policy is QuotaPolicy.CLOSE_WHEN_FULL
    reserve = _SUBMISSION_TAKE_PLACE if is_closing else _SUBMISSION_ADD_TO_CELL
    connection = db.session.connection()
    accepted, refused = [], []
    for unit in units:
        cell = {"campaign": campaign.id, "questionnaire": questionnaire.id, "unit": unit.id, "group": group}
        if reserve.execute(connection, {**cell, "added": 1}).rowcount == 1:
            accepted.append(unit)
            continue
        # Nothing counted: the unit has no cell, or (when full cells close) its cell is full.
        full_cell_id = connection.scalar(_CELL_ID, cell) if is_closing else None
        if full_cell_id is None:
            accepted.append(unit)
        else:
            refused.append(full_cell_id)
    if not accepted:
        raise QuotaFull(refused)
    record_refusals(refused)
    return accepted


def count_imported(campaign: Campaign, counts: Mapping[tuple[int, int, str], int]) -> None:
    """Count imported responses, ``{(questionnaire id, unit id, group): n}``, in their cells.

    They were collected already, so a full cell takes them as excess instead of turning
    them away.
    """
    for (questionnaire_id, unit_id, group), count in counts.items():
        db.session.execute(
            _ADD_TO_CELL,
            {
                "campaign": campaign.id,
                "questionnaire": questionnaire_id,
                "unit": unit_id,
                "group": group,
                "added": count,
            },
        )


def record_refusals(cell_ids: Iterable[int]) -> None:
    """Count one refused attempt in each of these (full) cells."""
    for cell_id in cell_ids:
        db.session.execute(update(QuotaCell).where(QuotaCell.id == cell_id).values(refused=QuotaCell.refused + 1))


def get_uniform_targets(campaign: Campaign) -> dict[tuple[int, str], int]:
    """The target of each (questionnaire id, group) whose cells all have the same one."""
    rows = db.session.execute(
        select(
            QuotaCell.questionnaire_id,
            QuotaCell.respondent_group,
            func.min(QuotaCell.target),
            func.max(QuotaCell.target),
        )
        .where(QuotaCell.campaign_id == campaign.id)
        .group_by(QuotaCell.questionnaire_id, QuotaCell.respondent_group)
    )
    return {(q_id, group): low for q_id, group, low, high in rows if low == high}


@dataclass
class Progress:
    """Summed targets and counts of a unit and everything below it (``collection_progress``)."""

    target: int = 0
    collected: int = 0  # forms that count toward the quota (every form where there is none)
    counted: int = 0  # collected, but never more than the target of each cell
    outside: int = 0  # forms of groups the quota does not cover: stored, not counted toward it
    groups: frozenset[str] = frozenset()  # the groups with a quota cell (``*`` for all groups)

    @property
    def remaining(self) -> int:
        return self.target - self.counted

    @property
    def excess(self) -> int:
        return self.collected - self.counted

    @property
    def forms(self) -> int:
        """Every form stored, whether it counts toward the quota or not."""
        return self.collected + self.outside

    def __add__(self, other: Progress) -> Progress:
        return Progress(
            self.target + other.target,
            self.collected + other.collected,
            self.counted + other.counted,
            self.outside + other.outside,
            self.groups | other.groups,
        )

    @property
    def percent(self) -> int:
        return round(100 * self.counted / self.target) if self.target else 100


def quota_group_labels(progress: Progress, questionnaire: Questionnaire) -> list[str]:
    """The names of the groups a quota covers when it covers only some of them, else ``[]``.

    Pages put them beside the target ("Chỉ tiêu nhóm Người dân: 30"), so that nobody reads a
    group's target as the whole unit's.
    """
    groups = questionnaire.definition.respondent_groups
    if not progress.groups or ANY_GROUP in progress.groups or {g.code for g in groups} <= progress.groups:
        return []
    return [localized(group.label) for group in groups if group.code in progress.groups]


def partial_quotas(
    campaign: Campaign, progress: Mapping[tuple[int, int], Progress]
) -> list[tuple[Questionnaire, list[str]]]:
    """The campaign's questionnaires whose quotas cover only some groups, with those groups' names.

    ``progress`` is ``collection_progress(campaign)``.
    """
    groups: dict[int, frozenset[str]] = defaultdict(frozenset)
    for (_unit_id, questionnaire_id), own in progress.items():
        groups[questionnaire_id] |= own.groups
    named = [(q, quota_group_labels(Progress(groups=groups[q.id]), q)) for q in campaign.questionnaires]
    return [(questionnaire, labels) for questionnaire, labels in named if labels]


def roll_up(progress: Mapping[int, Progress], parents: Mapping[int, int | None]) -> dict[int, Progress]:
    """Progress per unit id, each unit's own counted in it and in every ancestor.

    ``parents`` maps every unit id to its parent's id (``None`` at the top).
    """
    totals: dict[int, Progress] = defaultdict(Progress)
    for unit_id, own in progress.items():
        current: int | None = unit_id
        while current is not None:
            totals[current] = totals[current] + own
            current = parents.get(current)
    return totals


def is_behind_schedule(campaign: Campaign, progress: Progress, today: dt.date) -> bool:
    """Whether collection lags the pace that would fill the target by the campaign's end date."""
    if progress.remaining <= 0:
        return False
    if today >= campaign.closes_on:
        return True
    days = (campaign.closes_on - campaign.opens_on).days + 1
    elapsed = min(max((today - campaign.opens_on).days + 1, 0), days)
    return progress.counted < progress.target * elapsed / days


def collection_progress(campaign: Campaign, unit_ids: Collection[int] | None = None) -> dict[tuple[int, int], Progress]:
    """What each unit × questionnaire has collected: the one count every page and export shows.

    A stored form is *collected* when it counts toward the unit's quota for the questionnaire:
    its group has a cell, or the unit has a cell for all groups (``*``, taking the groups
    without a cell of their own, as ``reserve_places`` does). Forms of other groups are kept
    apart (``outside``). Where the unit × questionnaire has no quota, every form is collected.
    Keys are (unit id, questionnaire id) with a form or a cell; ``unit_ids`` keeps some units only.
    """
    statement = select(QuotaCell.unit_id, QuotaCell.questionnaire_id, QuotaCell.respondent_group, QuotaCell.target)
    statement = statement.where(QuotaCell.campaign_id == campaign.id)
    if unit_ids is not None:
        statement = statement.where(QuotaCell.unit_id.in_(list(unit_ids)))
    targets = {(unit_id, q_id, group): target for unit_id, q_id, group, target in db.session.execute(statement)}
    counted, cell_groups = _count_by_group(campaign, unit_ids), _cell_groups(targets)
    progress: dict[tuple[int, int], Progress] = defaultdict(Progress)
    for (unit_id, q_id, group), target in targets.items():
        key = (unit_id, q_id)
        collected = _filled_from(counted.get(key, {}), group, cell_groups[key])
        progress[key] += Progress(target, collected, min(collected, target), groups=frozenset({group}))
    for key, by_group in counted.items():
        groups = cell_groups.get(key)
        if groups is None:
            progress[key] += Progress(collected=sum(by_group.values()))
        elif ANY_GROUP not in groups:
            progress[key] += Progress(outside=sum(n for g, n in by_group.items() if g not in groups))
    return dict(progress)


def progress_by_unit(progress: Mapping[tuple[int, int], Progress]) -> dict[int, Progress]:
    """Progress against the quotas per unit id, every questionnaire and group together (not
    rolled up). The forms of a questionnaire the unit has no quota for are stored and collected,
    but count toward no quota: here they are ``outside`` it, with the other groups' forms, so
    that every stored form is in one column.

    ``progress`` is ``collection_progress`` of a campaign.
    """
    totals: dict[int, Progress] = defaultdict(Progress)
    for (unit_id, _questionnaire_id), own in progress.items():
        totals[unit_id] = totals[unit_id] + (own if own.groups else Progress(outside=own.forms))
    return totals


def count_refusals(campaign: Campaign) -> int:
    """How many submissions full cells of the campaign turned away."""
    return db.session.scalar(
        select(func.coalesce(func.sum(QuotaCell.refused), 0)).where(QuotaCell.campaign_id == campaign.id)
    )
