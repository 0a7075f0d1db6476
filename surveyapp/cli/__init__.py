"""Command-line commands (``flask --app surveyapp ...``): a route-less blueprint."""

from flask import Blueprint

bp = Blueprint("cli", __name__, cli_group=None)

from surveyapp.cli import backup, commands, evidence, results  # noqa: E402,F401  (commands register on the blueprint)
