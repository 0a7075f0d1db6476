"""Private files of the instance folder: the secret key and the demo accounts' passwords.

``python -m surveyapp.instance_files`` creates ``instance/secret_key`` once (``make run`` does
it before serving the demo); an existing key is kept, so sessions survive a restart.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from surveyapp.config import INSTANCE_DIR

SECRET_KEY_FILE = INSTANCE_DIR / "secret_key"
MIN_SECRET_KEY_LENGTH = 32
# Values that were published (this project's former default) or that people copy from examples.
PLACEHOLDER_KEYS = frozenset({"dev-only-change-me", "change-me", "changeme", "secret", "secret-key", "your-secret-key"})


class InsecureSecretKeyError(RuntimeError):
    """The application would sign sessions with a missing, short or published key."""


def is_strong_secret_key(key: str) -> bool:
    """Whether ``key`` may sign sessions: at least 32 characters and not a known placeholder."""
    return len(key) >= MIN_SECRET_KEY_LENGTH and key.strip().lower() not in PLACEHOLDER_KEYS


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable and writable by its owner only (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file that existed keeps its mode through os.open
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


DEMO_ACCOUNTS_HEADER = "# The demo accounts of surveyapp (demo only): username password. Log in at /login.\n"


def read_demo_accounts(path: Path) -> dict[str, str]:
    """The passwords ``write_demo_accounts`` wrote to ``path``, by username (none if it is missing)."""
    if not path.is_file():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split(" ", 1) for line in lines if line and not line.startswith("#"))


def write_demo_accounts(path: Path, passwords: dict[str, str]) -> None:
    """Record the demo accounts' new ``passwords`` in ``path`` (mode 0600), keeping the others listed."""
    accounts = read_demo_accounts(path) | passwords
    write_private(path, DEMO_ACCOUNTS_HEADER + "".join(f"{name} {password}\n" for name, password in accounts.items()))


def ensure_secret_key(path: Path = SECRET_KEY_FILE) -> bool:
    """Create ``path`` with a random 64-hex-digit key unless it exists; whether it was created."""
    if path.exists():
        return False
    write_private(path, secrets.token_hex(32) + "\n")
    return True


def configure_secret_key(app: Flask) -> None:
    """Set ``SECRET_KEY`` from the environment or ``SECRET_KEY_FILE``; refuse a weak one.

    Tests and the debug server without a key get a random one for the life of the process,
    never a value printed anywhere. Anything else (gunicorn, the CLI) refuses to start
    without a strong key, because whoever knows the key can forge an officer's session.
    """
    key = app.config.get("SECRET_KEY") or ""
    key_file = Path(app.config["SECRET_KEY_FILE"])
    if not key and key_file.is_file():
        key = key_file.read_text(encoding="utf-8").strip()
    if is_strong_secret_key(key):
        app.config["SECRET_KEY"] = key
    elif app.testing or app.debug:
        app.config["SECRET_KEY"] = key or secrets.token_hex(32)
    else:
        raise InsecureSecretKeyError(
            f"SECRET_KEY is {'too weak (a placeholder, or shorter than 32 characters)' if key else 'not set'}: "
            "the service refuses to sign sessions with it. Set the SECRET_KEY environment variable to a "
            "long random value (e.g. the output of `python3 -c 'import secrets; print(secrets.token_hex(32))'`), "
            f"or write one to {key_file} (the SECRET_KEY_FILE setting): "
            "`python -m surveyapp.instance_files` creates that file with a random key."
        )


if __name__ == "__main__":
    if ensure_secret_key():
        print(f"Created a random secret key in {SECRET_KEY_FILE} (owner-only permissions)")
