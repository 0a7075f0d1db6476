"""The aggregator is pure pandas: importing it loads no Flask, no SQLAlchemy, no application."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import scoring
forbidden = {"flask", "flask_sqlalchemy", "sqlalchemy", "surveyapp", "werkzeug"}
loaded = sorted({name.split(".")[0] for name in sys.modules} & forbidden)
print(",".join(loaded))
"""


def test_importing_the_aggregator_loads_no_web_or_database_code() -> None:
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "", f"scoring loads {run.stdout.strip()}"
