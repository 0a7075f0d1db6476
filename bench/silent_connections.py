"""What connections that send nothing do to the served app: how long the next phone waits.

Browsers open connections ahead of need and leave them silent (Chrome's "preconnect"), and
anyone can open some on purpose. A gunicorn sync worker reads the request of the connection it
accepted and reads nothing else meanwhile: a silent one holds it until gunicorn's ``--timeout``
(30 s) kills and replaces the worker. A threaded (gthread) worker waits for a connection's
first bytes in a selector, beside the others.

For each way of serving (``cpu_per_form.SERVERS``, 2 workers, as the README and ``make run``
serve it) and each number of silent connections, the script opens them, then opens the
SIPAS-2017 questionnaire as a phone would and prints how long it waited (at most
``--patience`` seconds). SQLite only: the database plays no part. About 40 s with the defaults.
Usage: ``python bench/silent_connections.py [--silent 1,2,16] [--servers sync,gthread]``.
"""

from __future__ import annotations

import argparse
import http.client
import socket
import tempfile
import time
from pathlib import Path

from _support import databases, our_app_env, print_machine, serving, setup_desk_survey
from cpu_per_form import SERVERS


def waited_seconds(port: int, path: str, silent: int, patience: float) -> float | None:
    """Seconds a GET of ``path`` took with ``silent`` connections open and silent; ``None`` if
    it was not answered within ``patience`` seconds."""
    held = [socket.create_connection(("127.0.0.1", port)) for _ in range(silent)]
    try:
        time.sleep(0.5)  # every silent connection accepted by a worker before the phone comes
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=patience)
        try:
            connection.request("GET", path)
            connection.getresponse().read()
        except TimeoutError:
            return None
        finally:
            connection.close()
        return time.monotonic() - started
    finally:
        for held_connection in held:
            held_connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--silent", default="1,2,16", help="comma-separated numbers of silent connections")
    parser.add_argument("--servers", default="sync,gthread", help=f"comma-separated, of: {', '.join(SERVERS)}")
    parser.add_argument("--patience", type=float, default=45.0, help="seconds the phone waits at most")
    arguments = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory() as work:
        database = databases(Path(work), "silent")[0]
        survey = setup_desk_survey(database)
        for server_name in arguments.servers.split(","):
            options = SERVERS[server_name]
            with serving("wsgi:app", our_app_env(database.url), ready_path=survey.path, options=options) as server:
                for silent in (int(count) for count in arguments.silent.split(",")):
                    waited = waited_seconds(server.port, survey.path, silent, arguments.patience)
                    shown = f"{waited:6.2f} s" if waited is not None else f"> {arguments.patience:.0f} s (gave up)"
                    print(f"    {server_name:8} {silent:3} silent connections: the phone waited {shown}")


if __name__ == "__main__":
    main()
