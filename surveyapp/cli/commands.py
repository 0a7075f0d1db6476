"""CLI commands: ``flask --app surveyapp <command>``. Each commits its own work."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import select

from surveyapp.cli import bp
from surveyapp.config import INSTANCE_DIR
from surveyapp.extensions import db
from surveyapp.models import Unit, UserRole
from surveyapp.questionnaires.definition import QuestionnaireError
from surveyapp.services.catalog import sync_questionnaires
from surveyapp.services.demo import DEMO_PASSWORDS, load_demo
from surveyapp.services.responses import local_today
from surveyapp.services.units import UnitImportError, import_units_csv
from surveyapp.services.users import UserError, create_user


@bp.cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (applies the migrations)."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    upgrade()
    click.echo(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")


@bp.cli.command("create-user")
@click.argument("username")
@click.option(
    "--role", type=click.Choice([role.value for role in UserRole]), required=True, help="What the user may do."
)
@click.option("--full-name", default="", help="Name shown on the pages.")
@click.option("--unit", "unit_codes", multiple=True, help="Code of a unit a surveyor works in (repeatable).")
@click.password_option(help="Asked for, hidden, when not given.")
def create_user_command(username: str, role: str, full_name: str, unit_codes: tuple[str, ...], password: str) -> None:
    """Create an officer or surveyor account."""
    units = list(db.session.scalars(select(Unit).where(Unit.code.in_(unit_codes))))
    unknown = sorted(set(unit_codes) - {unit.code for unit in units})
    if unknown:
        raise click.ClickException(f"--unit: no unit has the code {', '.join(unknown)}")
    try:
        user = create_user(username=username, full_name=full_name, password=password, role=UserRole(role), units=units)
    except UserError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.username}" + (f" for {', '.join(unit_codes)}" if unit_codes else ""))


@bp.cli.command("load-units")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_units(csv_file: Path) -> None:
    """Add or update units from a CSV file with columns code,name,kind,parent_code."""
    try:
        result = import_units_csv(csv_file)
    except UnitImportError as error:
        raise click.ClickException(f"{csv_file.name}: nothing was stored; fix these rows:\n{error}") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{csv_file.name}: the file is not UTF-8 text") from None
    db.session.commit()
    click.echo(f"Units: {result.added} added, {result.updated} updated")


def _forms_dir(forms_dir: Path | None) -> Path:
    return forms_dir or Path(current_app.config["FORMS_DIR"])


@bp.cli.command("load-questionnaires")
@click.option("--forms-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Default: forms/.")
def load_questionnaires(forms_dir: Path | None) -> None:
    """Store the questionnaire versions of the forms folder that are not stored yet."""
    try:
        added = sync_questionnaires(_forms_dir(forms_dir))
    except QuestionnaireError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Questionnaires added: {', '.join(f'{q.code} v{q.version}' for q in added) or 'none'}")


@bp.cli.command("load-demo")
def load_demo_command() -> None:
    """Load the demo of the seed plans (units, questionnaires, campaigns, accounts)."""
    try:
        result = load_demo(_forms_dir(None), local_today())
    except (QuestionnaireError, UnitImportError) as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    if not (result.units_added or result.campaigns_added or result.users_added):
        click.echo("The demo is already loaded; nothing changed.")
        return
    click.echo(f"Units added: {result.units_added}")
    for name in result.campaigns_added:
        click.echo(f"Campaign added: {name}")
    for username in result.users_added:
        click.echo(f"Demo account: {username} / {DEMO_PASSWORDS[username]} (demo only)")
