"""CLI commands: ``flask --app surveyapp <command>``. Each commits its own work.

Services flush and raise domain errors; a command commits, or turns the error into a clear
message and exit status 1 (``click.ClickException``), never a traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from surveyapp.cli import bp
from surveyapp.config import INSTANCE_DIR
from surveyapp.criteria.definition import CriteriaError
from surveyapp.demo import DemoError, load_demo
from surveyapp.extensions import db
from surveyapp.instance_files import write_demo_accounts
from surveyapp.models import Unit, User, UserRole
from surveyapp.questionnaires.definition import QuestionnaireError
from surveyapp.services.campaigns import CampaignError
from surveyapp.services.catalog import sync_questionnaires
from surveyapp.services.criteria_sets import check_criteria_file, sync_criteria_sets
from surveyapp.services.official_units import REFORM_DAY, OfficialList, UnknownProvince, load_official_units
from surveyapp.services.quotas import QuotaError
from surveyapp.services.units import UnitImportError, UnitImportResult, import_units_csv
from surveyapp.services.users import (
    UserError,
    activate_user,
    create_user,
    deactivate_user,
    get_user,
    random_password,
    set_password,
)


@contextmanager
def committing() -> Iterator[None]:
    """Commit what the block did, or roll back and explain a database that is not ready."""
    try:
        yield
        db.session.commit()
    except (OperationalError, ProgrammingError) as error:
        db.session.rollback()
        raise click.ClickException(
            f"the database refused the work: {error.orig}\n"
            "Is it reachable, and has `flask --app surveyapp init-db` created its tables?"
        ) from None
    except BaseException:
        db.session.rollback()
        raise


def _database_url() -> str:
    return db.engine.url.render_as_string(hide_password=True)


@bp.cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema by applying the migrations."""
    if db.engine.url.get_backend_name() == "sqlite":
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    try:
        upgrade()
    except OperationalError as error:
        raise click.ClickException(f"cannot reach the database {_database_url()}: {error.orig}") from None
    click.echo(f"Database ready (schema up to date): {_database_url()}")


@bp.cli.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([role.value for role in UserRole]),
    required=True,
    help="officer, surveyor, unit (the account of an assessed unit), or appraiser (assigned units per round).",
)
@click.option("--full-name", default="", help="Name shown on the pages (default: the username).")
@click.option(
    "--unit",
    "unit_codes",
    multiple=True,
    metavar="CODE",
    help="Code of a unit: for a surveyor, one they work in with the units below it (repeatable); "
    "for a unit account, the one unit it speaks for.",
)
@click.password_option(help="The password (at least 8 characters); asked for, hidden and twice, when not given.")
def create_user_command(username: str, role: str, full_name: str, unit_codes: tuple[str, ...], password: str) -> None:
    """Create a staff account: an officer, a surveyor of some units, an assessed unit's account or an appraiser."""
    user_role = UserRole(role)
    if user_role is UserRole.SURVEYOR and not unit_codes:
        raise click.ClickException("--unit: a surveyor needs at least one unit (give --unit CODE)")
    if user_role is UserRole.UNIT and len(unit_codes) != 1:
        raise click.ClickException("--unit: a unit account speaks for exactly one unit (give --unit CODE once)")
    if user_role is UserRole.OFFICER and unit_codes:
        raise click.ClickException("--unit: officers have no unit; they see every unit")
    if user_role is UserRole.APPRAISER and unit_codes:
        raise click.ClickException("--unit: appraisers are assigned units per round, on the round's page")
    with committing():
        units = list(db.session.scalars(select(Unit).where(Unit.code.in_(unit_codes), Unit.valid_until.is_(None))))
        unknown = sorted(set(unit_codes) - {unit.code for unit in units})
        if unknown:
            raise click.ClickException(f"--unit: no unit has the code {', '.join(unknown)} (load the units first)")
        scope = {"assessed_unit": units[0]} if user_role is UserRole.UNIT else {"units": units}
        try:
            user = create_user(username=username, full_name=full_name, password=password, role=user_role, **scope)
        except UserError as error:
            raise _bilingual(error) from None
    where = f" for {', '.join(sorted(unit_codes))}" if unit_codes else ""
    click.echo(f"Created {user.role.value} {user.username} ({user.full_name}){where}")


def _bilingual(error: UserError) -> click.ClickException:
    """A command's error from an account verb, in Vietnamese and then in English."""
    with force_locale("en"):
        english = str(error)
    return click.ClickException(f"{error}\n{english}")


def _account(username: str) -> User:
    """The account named ``username``, or a clear error in both languages."""
    user = get_user(username)
    if user is None:
        raise click.ClickException(
            f"Không có tài khoản nào tên «{username}».\nNo account is named {username!r} (`create-user` creates one)."
        )
    return user


@bp.cli.command("set-password")
@click.argument("username")
@click.option("--random", "is_random", is_flag=True, help="Set a random password and print it (shown only once).")
def set_password_command(username: str, is_random: bool) -> None:
    """Give the account USERNAME a new password (asked for, hidden, twice); its sessions end."""
    with committing():
        user = _account(username)
        password = (
            random_password() if is_random else click.prompt("New password", hide_input=True, confirmation_prompt=True)
        )
        try:
            set_password(user, password)
        except UserError as error:
            raise _bilingual(error) from None
    click.echo(f"New password set for {user.username}; every session of the account has ended.")
    if is_random:
        click.echo(f"Password (shown only now): {password}")


@bp.cli.command("deactivate-user")
@click.argument("username")
def deactivate_user_command(username: str) -> None:
    """Refuse every log-in of the account USERNAME and end its sessions at once."""
    with committing():
        user = _account(username)
        try:
            changed = deactivate_user(user)
        except UserError as error:
            raise _bilingual(error) from None
    if changed:
        click.echo(f"Deactivated {user.username}: it can no longer log in; its sessions have ended.")
    else:
        click.echo(f"{user.username} is deactivated already; nothing changed.")


@bp.cli.command("activate-user")
@click.argument("username")
def activate_user_command(username: str) -> None:
    """Let the deactivated account USERNAME log in again, with its password as it was."""
    with committing():
        user = _account(username)
        changed = activate_user(user)
    click.echo(f"Activated {user.username}: it can log in again." if changed else f"{user.username} is active already.")


@bp.cli.command("load-units")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--effective",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the list takes effect (YYYY-MM-DD), e.g. 2025-07-01 for the two-level units; default today.",
)
@click.option(
    "--retire-missing",
    "retire_kinds",
    multiple=True,
    metavar="KIND",
    help="Retire the current units of this kind that the file leaves out (repeatable), e.g. --retire-missing xã.",
)
def load_units(csv_file: Path, effective: dt.datetime | None, retire_kinds: tuple[str, ...]) -> None:
    """Add or change units from CSV_FILE (UTF-8, columns code,name,kind,parent_code).

    Nothing a campaign used changes: a used unit the file gives differently is kept as it
    was for its campaigns, and a new unit takes the code. A file with any bad row stores
    nothing; every bad row is listed with its line, column, value and reason.
    """
    with committing():
        try:
            result = import_units_csv(
                csv_file, effective=effective.date() if effective else None, retire_kinds=retire_kinds
            )
        except UnitImportError as error:
            raise click.ClickException(
                f"{csv_file.name}: nothing was stored; fix these {error.count} problem(s):\n{error}"
            ) from None
    _echo_unit_load(csv_file.name, result)


@bp.cli.command("load-official-units")
@click.option(
    "--list",
    "which",
    type=click.Choice([which.value for which in OfficialList]),
    default=OfficialList.TWO_LEVEL.value,
    show_default=True,
    help="Today's two levels (34 provinces, 3,321 communes), or the three levels before July 2025 (history).",
)
@click.option("--province", metavar="CODE", help="Only this province (official code, e.g. 51) and its units.")
@click.option(
    "--effective",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help=f"The day the list takes effect; default {REFORM_DAY} for today's list.",
)
@click.option(
    "--retire-missing",
    is_flag=True,
    help="Retire the current provinces, districts and communes (of the province given) that the list no longer has.",
)
def load_official_units_command(
    which: str, province: str | None, effective: dt.datetime | None, retire_missing: bool
) -> None:
    """Load the official list of units shipped with the service, with their official codes.

    Nothing a campaign used changes (as with load-units): past campaigns keep their units.
    """
    with committing():
        try:
            result = load_official_units(
                OfficialList(which),
                province,
                effective=effective.date() if effective else None,
                retire_missing=retire_missing,
            )
        except UnknownProvince:
            raise click.ClickException(f"--province: the {which} list has no province {province!r}") from None
    _echo_unit_load(f"official list {which}" + (f", province {province}" if province else ""), result)


def _echo_unit_load(source: str, result: UnitImportResult) -> None:
    """What a unit load did, and which codes now carry another name."""
    click.echo(
        f"{source}: {result.added} units added, {result.updated} changed, {result.unchanged} unchanged, "
        f"{len(result.kept)} kept as they were for their campaigns (a new unit has the code), "
        f"{len(result.retired)} retired"
    )
    for change in result.renamed:
        kept = " (the old one kept for its campaigns)" if change.code in result.kept else ""
        click.echo(f"  {change.code}: {change.before} → {change.after}{kept}")
    if result.retired:
        click.echo(f"  retired: {', '.join(result.retired)}")


@bp.cli.command("load-questionnaires")
@click.option(
    "--forms-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of <CODE>.v<VERSION>.yaml files (default: the app's FORMS_DIR, forms/).",
)
def load_questionnaires(forms_dir: Path | None) -> None:
    """Store the questionnaire versions of the forms folder that are not stored yet.

    Every file is checked first: one malformed file stores nothing. A stored version whose
    file has changed is refused (give the changed file a new version).
    """
    forms_dir = forms_dir or Path(current_app.config["FORMS_DIR"])
    if not sorted(forms_dir.glob("*.yaml")):
        raise click.ClickException(f"{forms_dir}: no questionnaire files (*.yaml) in this folder")
    with committing():
        try:
            added = sync_questionnaires(forms_dir)
        except QuestionnaireError as error:
            raise click.ClickException(f"nothing was stored: {error}") from None
    if added:
        click.echo(f"Questionnaires added: {', '.join(f'{q.code} v{q.version}' for q in added)}")
    else:
        click.echo(f"Every questionnaire of {forms_dir} is stored already; nothing changed.")


@bp.cli.command("load-criteria")
@click.option(
    "--criteria-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of <CODE>.v<VERSION>.yaml criteria sets (default: the app's CRITERIA_DIR, criteria/).",
)
def load_criteria(criteria_dir: Path | None) -> None:
    """Store the criteria set versions of the criteria folder that are not stored yet.

    Every file is checked first (its survey links against the questionnaires of FORMS_DIR): one
    malformed file stores nothing. A stored version whose file has changed is refused.
    """
    criteria_dir = criteria_dir or Path(current_app.config["CRITERIA_DIR"])
    if not sorted(criteria_dir.glob("*.yaml")):
        raise click.ClickException(f"{criteria_dir}: no criteria set files (*.yaml) in this folder")
    with committing():
        try:
            added = sync_criteria_sets(criteria_dir, current_app.config["FORMS_DIR"])
        except (CriteriaError, QuestionnaireError) as error:
            raise click.ClickException(f"nothing was stored: {error}") from None
    if added:
        click.echo(f"Criteria sets added: {', '.join(f'{s.code} v{s.version}' for s in added)}")
    else:
        click.echo(f"Every criteria set of {criteria_dir} is stored already; nothing changed.")


@bp.cli.command("check-criteria")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_criteria(path: Path) -> None:
    """Check one criteria set file without storing it: print its problem, or what it holds."""
    try:
        criteria_set = check_criteria_file(path, current_app.config["FORMS_DIR"])
    except (CriteriaError, QuestionnaireError) as error:
        raise click.ClickException(str(error)) from None
    methods = ", ".join(
        f"{method.value} {points:g}" for method, points in criteria_set.points_by_method().items() if points
    )
    click.echo(
        f"{path.name}: {criteria_set.code} v{criteria_set.version} is valid: {len(criteria_set.areas)} areas, "
        f"{criteria_set.criterion_count} criteria and sub-criteria, {criteria_set.total:g} points ({methods})"
    )


@bp.cli.command("load-demo")
def load_demo_command() -> None:
    """Load the demo: seed plans 000 and 001, and today's Quảng Ngãi; units, questionnaires, 5 open campaigns,
    a PAR Index round of 2025 closed and published, one of 2026 in self-assessment, accounts.

    Running it again changes nothing, except that a demo account still holding the password
    earlier versions published gets a random one. The accounts' random passwords are printed
    once and written to DEMO_ACCOUNTS_FILE (instance/demo-accounts.txt, owner-only).
    """
    with committing():
        try:
            result = load_demo()
        except (DemoError, QuestionnaireError, CriteriaError, UnitImportError, CampaignError, QuotaError) as error:
            hint = ""
            if isinstance(error, QuestionnaireError | CriteriaError) and db.engine.url.get_backend_name() == "sqlite":
                # Typical after pulling changed questionnaire files into a demo database.
                hint = f"\nA demo database can start afresh: delete {db.engine.url.database} and run this again."
            raise click.ClickException(f"the demo was not loaded: {error}{hint}") from None
    if not result.changed:
        click.echo("The demo is already loaded; nothing changed.")
        return
    click.echo(f"Units added: {result.units_added}")
    if result.questionnaires_added:
        click.echo(f"Questionnaires added: {', '.join(result.questionnaires_added)}")
    if result.criteria_sets_added:
        click.echo(f"Criteria sets added: {', '.join(result.criteria_sets_added)}")
    for campaign in result.campaigns_added:
        units = f"{campaign.units} unit" + "s" * (campaign.units != 1)
        quota = f", {campaign.quota_total} forms planned" if campaign.quota_total else ""
        click.echo(f"Campaign opened: {campaign.name} ({', '.join(campaign.questionnaires)}; {units}{quota})")
    for name in result.published_rounds_added:
        click.echo(f"Assessment round closed, its index published: {name}")
    for name in result.rounds_added:
        click.echo(f"Assessment round opened for self-assessment: {name}")
    if result.passwords:
        accounts_file = Path(current_app.config["DEMO_ACCOUNTS_FILE"])
        write_demo_accounts(accounts_file, result.passwords)
        for username, password in result.passwords.items():
            created = "" if username in result.users_added else " (new password: the published one no longer works)"
            click.echo(f"Demo account (demo only): {username} / {password}{created}")
        click.echo(f"These passwords are shown only now; they are kept in {accounts_file} (owner-only).")
