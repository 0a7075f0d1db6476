"""Nobody who follows the README ends up with a server that accepts the published demo passwords.

``load-demo`` runs as ``make run`` runs it (the CLI), then the served app (gunicorn) is tried
over real HTTP with the passwords earlier versions printed in the README.
"""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import select

from surveyapp.demo import DEMO_ROUND_ACCOUNTS, PUBLISHED_DEMO_PASSWORDS
from surveyapp.extensions import db
from surveyapp.instance_files import read_demo_accounts
from surveyapp.models import User, UserRole
from surveyapp.services.users import create_user
from tests.web.test_sessions import Browser

# Made by the same load: the accounts of today's assessment round, which never had a published password.
ROUND_ACCOUNTS = {account[0] for account in DEMO_ROUND_ACCOUNTS}


def logs_in(base_url: str, username: str, password: str) -> bool:
    browser = Browser(base_url)
    status, headers, _ = browser.post_form("/login", {"username": username, "password": password})
    return status == 302 and not headers.get("location", "").startswith("/login")


def test_after_load_demo_only_the_passwords_of_the_private_file_log_in(app, runner, live_server) -> None:
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    accounts_file = Path(app.config["DEMO_ACCOUNTS_FILE"])
    assert stat.S_IMODE(accounts_file.stat().st_mode) == 0o600
    passwords = read_demo_accounts(accounts_file)
    assert set(passwords) == set(PUBLISHED_DEMO_PASSWORDS) | ROUND_ACCOUNTS
    for username, published in PUBLISHED_DEMO_PASSWORDS.items():
        assert published not in result.output and published not in accounts_file.read_text(encoding="utf-8")
        assert not logs_in(live_server, username, published), f"{username} logs in with the published password"
        assert logs_in(live_server, username, passwords[username])
    for username in ROUND_ACCOUNTS:
        assert logs_in(live_server, username, passwords[username])


def test_a_demo_loaded_by_an_older_version_loses_its_published_passwords(app, runner, live_server) -> None:
    # An older version created the accounts with the published passwords; one was changed since.
    for username, password in PUBLISHED_DEMO_PASSWORDS.items():
        create_user(username=username, full_name=username, password=password, role=UserRole.OFFICER)
    own = db.session.scalar(select(User).filter_by(username="dtv.botrach"))
    own.set_password("mat-khau-rieng-cua-toi")
    db.session.commit()

    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    passwords = read_demo_accounts(Path(app.config["DEMO_ACCOUNTS_FILE"]))
    assert set(passwords) == {"canbo", "dtv.truongquangtrong"} | ROUND_ACCOUNTS
    for username in passwords.keys() - ROUND_ACCOUNTS:
        assert not logs_in(live_server, username, PUBLISHED_DEMO_PASSWORDS[username])
        assert logs_in(live_server, username, passwords[username])
    assert logs_in(live_server, "dtv.botrach", "mat-khau-rieng-cua-toi")  # a password of its own is kept

    again = runner.invoke(args=["load-demo"])
    assert "nothing changed" in again.output
    assert read_demo_accounts(Path(app.config["DEMO_ACCOUNTS_FILE"])) == passwords
