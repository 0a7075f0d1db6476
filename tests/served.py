"""The application served by gunicorn on a loopback port, as production runs it.

Used by the tests that must see what the world sees (streaming downloads, several workers,
attacks over real HTTP, the browser tests) and by the benchmarks in ``bench/``. The server
runs in a process group of its own, so that ``kill`` reaches the master and every worker at
once (SIGKILL gives the master no chance to stop its workers).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.request import HTTPCookieProcessor, build_opener

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving ``app_spec`` (``wsgi:app`` by default) on a loopback port.

    ``env`` is added to this process's environment, without its ``DATABASE_URL``: give the
    server its database explicitly; ``options`` are more gunicorn options (a worker class, for
    instance). The server's output goes to ``log_path``.
    """

    def __init__(
        self,
        env: dict[str, str],
        *,
        app_spec: str = "wsgi:app",
        workers: int = 2,
        port: int | None = None,
        options: tuple[str, ...] = (),
    ) -> None:
        self.app_spec = app_spec
        self.options = options
        inherited = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
        self.env = {**inherited, **env, "PYTHONPATH": str(ROOT)}
        self.workers = workers
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="surveyapp-gunicorn-", suffix=".log")[1])

    @property
    def url(self) -> str:
        """The server's base address, without a trailing slash."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, ready_path: str = "/healthz") -> Server:
        """Start gunicorn and wait until ``ready_path`` answers (any HTTP status)."""
        command = [
            str(GUNICORN),
            "--no-control-socket",
            "--workers",
            str(self.workers),
            "--bind",
            f"{LOOPBACK}:{self.port}",
            "--chdir",
            str(ROOT),
            *self.options,
            self.app_spec,
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_ready(ready_path)
        return self

    def _wait_ready(self, path: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log()}")
            connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=5)
            try:
                connection.request("GET", path)
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.05)
            finally:
                connection.close()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        """What the server has written so far (its JSON log lines and gunicorn's own)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL the master and all workers together, as a crash or the OOM killer would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """A graceful stop (SIGTERM to the master), then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
        self.log_path.unlink(missing_ok=True)


class Visitor:
    """One browser's cookies against a served app: pages and posted forms over real HTTP."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def fetch(self, path: str, data: dict | None = None) -> str:
        """GET ``path``, or POST ``data`` as a form; the page after any redirect, as text."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        with self.opener.open(self.server.url + path, body, timeout=10) as response:
            return response.read().decode()
