"""``flask --app surveyapp backup DEST``: a consistent copy of the SQLite database, online.

SQLite's backup API copies the database page by page inside one read transaction, so the copy
is the database as it was at one instant, even while gunicorn workers keep storing answers
(in WAL mode, writers are not blocked). The copy is written beside its destination under a
temporary name, checked, switched to a single self-contained file (no ``-wal`` beside it)
and only then renamed into place: a backup file that exists is complete.

PostgreSQL has its own tools (``pg_dump``/``pg_restore``); the command refuses it and says so.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import click

from surveyapp.cli import bp
from surveyapp.extensions import db


def backup_sqlite(source: Path, destination: Path) -> Path:
    """Copy the SQLite database ``source`` to ``destination`` (a file, or a folder to put it in).

    Returns the path of the written backup. Raises ``click.ClickException`` when the copy
    cannot be made, or would overwrite the database or an earlier backup.
    """
    if destination.is_dir():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        destination = destination / f"{source.stem}-{stamp}.sqlite"
    if not source.is_file():
        raise click.ClickException(f"there is no database file at {source}")
    if destination.exists():
        if destination.resolve() == source.resolve():
            raise click.ClickException("the destination is the database itself: choose another file")
        raise click.ClickException(f"{destination} exists already: choose a new file name")
    if not destination.parent.is_dir():
        raise click.ClickException(f"the folder {destination.parent} does not exist")
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        # mode=rw: never create an empty database where the real one is missing.
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True)) as reader:
            reader.execute("PRAGMA busy_timeout=10000")
            with closing(sqlite3.connect(partial)) as writer:
                # pages=-1: everything in one step, that is within one read transaction.
                reader.backup(writer, pages=-1)
                # One file that can be copied on its own: no write-ahead log beside it.
                writer.execute("PRAGMA journal_mode=DELETE")
                (verdict,) = writer.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise click.ClickException(f"the copy failed its integrity check: {verdict}")
        os.replace(partial, destination)
    except sqlite3.Error as error:
        raise click.ClickException(f"the backup failed: {error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return destination


@bp.cli.command("backup")
@click.argument("destination", type=click.Path(path_type=Path))
def backup(destination: Path) -> None:
    """Copy the SQLite database to DESTINATION (a new file, or a folder) while it stays online.

    For PostgreSQL use pg_dump (see README.md, "Backups").
    """
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            f"backup copies SQLite databases only; this one is {url.get_backend_name()}. "
            "Back PostgreSQL up with its own tool: pg_dump --format=custom --file=surveyapp.dump DBNAME "
            "(restore with pg_restore); see README.md, section Backups."
        )
    if not url.database or url.database == ":memory:":
        raise click.ClickException("the database lives in memory: there is no file to back up")
    written = backup_sqlite(Path(url.database), destination)
    click.echo(f"Backed up {url.database} to {written} ({written.stat().st_size:,} bytes).")
