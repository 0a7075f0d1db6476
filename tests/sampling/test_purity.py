"""The package is pure computation: standard library only, no web, database or data-frame library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
before = set(sys.modules)
import sampling
loaded = {name.split(".")[0] for name in set(sys.modules) - before}
print(",".join(sorted(name for name in loaded if name not in sys.stdlib_module_names and name != "sampling")))
"""


def test_the_package_imports_the_standard_library_only() -> None:
    # -S leaves site-packages off the path, so a third-party import would fail outright.
    for flags in (["-S"], []):
        run = subprocess.run(
            [sys.executable, *flags, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == "", f"sampling imports {run.stdout.strip()}"


def test_the_package_never_names_flask_sqlalchemy_or_pandas() -> None:
    sources = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "sampling").glob("*.py"))
    for name in ("flask", "sqlalchemy", "pandas"):
        assert f"import {name}" not in sources and f"from {name}" not in sources
