"""What a deployment pays per completed form: CPU of every server and database process.

A respondent, as a phone behaves: opens one connection, GETs the SIPAS-2017 questionnaire
(``Accept-Encoding: gzip``), POSTs a complete answer and GETs the thank-you page it is sent to,
on that connection while the server keeps it open (a new one when it closes it), then goes
away; the next respondent connects afresh. 32 such respondents at a time, from 2 processes,
for ``--duration`` seconds. A completed form is a thank-you page received.

Measured from ``/proc`` over the run (user + system time, clock ticks): every process of the
server (gunicorn's master and workers), the database's backends serving this database, and
on PostgreSQL the cluster's own processes (WAL writer, checkpointer...: shared with anything
else on the cluster, so shown apart); the load client's CPU is reported apart and not counted.
The same flow against the ceiling app (``bench/ceiling_app.py``: a page of the same size, one
INSERT, a thank-you page) gives the same-run ratio.

Servers: ``sync`` is how the README and ``make run`` serve the app today; the others are
candidates. Target (issue 16): at most 4.8 ms of CPU per completed form, all in, and a p99 of
the GET+POST pair under 150 ms at 32 clients. Runs on a temporary SQLite WAL file, and also on
PostgreSQL when ``DATABASE_URL`` is set (that database is wiped).
Usage: ``python bench/cpu_per_form.py [--duration 10] [--servers sync,...]``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from _support import (
    KEY_PATTERN,
    Connection,
    ceiling_database_url,
    ceiling_env,
    cookies_of,
    databases,
    header_value,
    median,
    our_app_env,
    page_size,
    phone_address,
    print_machine,
    serving,
    setup_desk_survey,
    verdict,
)

from tests.served import Server

TARGET_CPU_MS, TARGET_P99_MS = 4.8, 150.0
LIMESURVEY_CPU_MS = 485.0  # issue 16: LimeSurvey 6.4 (php-fpm, nginx, PostgreSQL), same machine
TICK = os.sysconf("SC_CLK_TCK")
# gunicorn options of each way of serving tried; "sync" is the README's deployment, "gthread"
# keeps a phone's connection open between its requests (sync workers close each one).
SERVERS: dict[str, tuple[str, ...]] = {
    "sync": (),
    "gthread": ("--worker-class", "gthread", "--threads", "4"),
}


# --------------------------------------------------------------------------- CPU from /proc


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far, 0 if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15)


def _processes() -> list[tuple[int, int, int, str]]:
    """(pid, parent pid, process group, command line) of every process now."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        found.append((int(entry.name), int(fields[1]), int(fields[2]), command))
    return found


@dataclass(frozen=True)
class ProcessSets:
    """The processes whose CPU a run is charged: the server's, the database's, the cluster's."""

    server: tuple[int, ...]
    backends: tuple[int, ...]
    cluster: tuple[int, ...]

    @classmethod
    def find(cls, server: Server, database_name: str | None) -> ProcessSets:
        processes = _processes()
        assert server.process is not None
        group = server.process.pid  # gunicorn runs in a process group of its own
        backends = tuple(
            pid
            for pid, _parent, _group, command in processes
            if database_name and command.startswith("postgres: ") and f" {database_name} " in command
        )
        postmasters = {parent for pid, parent, _group, _command in processes if pid in backends}
        cluster = tuple(
            pid for pid, parent, _group, _command in processes if parent in postmasters and pid not in backends
        )
        server_processes = tuple(pid for pid, _parent, pgid, _command in processes if pgid == group)
        return cls(server_processes, backends, cluster + tuple(postmasters))

    def cpu(self) -> dict[int, float]:
        """CPU seconds so far of each process of the three sets still alive."""
        return {pid: _cpu_seconds(pid) for pid in self.server + self.backends + self.cluster}

    def spent(self, before: dict[int, float], after: dict[int, float]) -> tuple[float, float, float]:
        """CPU seconds the server, the backends and the cluster spent between two readings.

        A process gone by the second reading (an autovacuum worker) is left out: its CPU cannot
        be read any more, and counting its first reading as spent would make it negative.
        """
        return tuple(
            sum(after[pid] - before[pid] for pid in pids if after.get(pid))
            for pids in (self.server, self.backends, self.cluster)
        )


# --------------------------------------------------------------------------- a phone's HTTP


@dataclass
class Tally:
    """Completed forms, the GET+POST pair's latencies, failures."""

    completed: int = 0
    pairs: list[float] = field(default_factory=list)
    connections: int = 0
    failures: dict[str, int] = field(default_factory=dict)

    def fail(self, what: str) -> None:
        self.failures[what] = self.failures.get(what, 0) + 1


async def respondent(port: int, path: str, answers: dict[str, str], tally: Tally) -> None:
    """One phone: open the form, send it, read the thank-you page; connections as the server allows."""
    connection = Connection(port)
    try:
        started = time.perf_counter()
        status, headers, body = await connection.request("GET", path)
        key = KEY_PATTERN.search(body.decode("utf-8", "replace"))
        if status != 200 or key is None:
            return tally.fail(f"GET {status}")
        cookie = cookies_of(headers)
        sent = {"X-Forwarded-For": phone_address(), **({"Cookie": cookie} if cookie else {})}
        form = urllib.parse.urlencode({"form_key": key.group(1), **answers}).encode()
        tally.connections += not connection.is_open
        status, headers, _body = await connection.request("POST", path, headers=sent, body=form)
        pair = time.perf_counter() - started
        if status != 302:
            return tally.fail(f"POST {status}")
        tally.connections += not connection.is_open
        thanks = urllib.parse.urlsplit(header_value(headers, "location")).path
        status, _headers, _body = await connection.request("GET", thanks, headers=sent)
        if status != 200:
            return tally.fail(f"thanks {status}")
        tally.completed += 1
        tally.pairs.append(pair)
    finally:
        tally.connections += 1
        connection.close()


async def _phones(port: int, path: str, answers: dict[str, str], clients: int, duration: float) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + duration

    async def phone() -> None:
        while time.monotonic() < deadline:
            try:
                await respondent(port, path, answers, tally)
            except (OSError, ConnectionError) as error:
                tally.fail(type(error).__name__)

    await asyncio.gather(*(phone() for _ in range(clients)))
    return tally


def _phones_process(port: int, path: str, answers: dict[str, str], clients: int, duration: float) -> Tally:
    return asyncio.run(_phones(port, path, answers, clients, duration))


def drive(port: int, path: str, answers: dict[str, str], clients: int, duration: float) -> tuple[Tally, float]:
    """``clients`` phones from 2 processes for ``duration`` s; the tally and the client's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        shares = [clients // 2 + clients % 2, clients // 2]
        parts = pool.starmap(_phones_process, [(port, path, answers, share, duration) for share in shares])
        pool.close()
        pool.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = Tally()
    for part in parts:
        total.completed += part.completed
        total.pairs += part.pairs
        total.connections += part.connections
        for what, count in part.failures.items():
            total.failures[what] = total.failures.get(what, 0) + count
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return total, client_cpu


# --------------------------------------------------------------------------- one measurement


@dataclass(frozen=True)
class Cost:
    """CPU milliseconds per completed form, by where it was spent, and what the phones saw."""

    forms: int
    seconds: float
    server_ms: float
    backends_ms: float
    cluster_ms: float
    client_ms: float
    p50_ms: float
    p99_ms: float
    connections_per_form: float
    failures: dict[str, int]

    @property
    def all_in_ms(self) -> float:
        return self.server_ms + self.backends_ms + self.cluster_ms


def measure(
    server: Server, database_name: str | None, path: str, answers: dict[str, str], clients: int, duration: float
) -> Cost:
    """Phones against ``server`` for ``duration`` s after a warm-up, and what their forms cost."""
    drive(server.port, path, answers, 4, 1.0)  # warm-up: imports, pools, templates
    processes = ProcessSets.find(server, database_name)
    before, started = processes.cpu(), time.monotonic()
    tally, client_cpu = drive(server.port, path, answers, clients, duration)
    after, seconds = processes.cpu(), time.monotonic() - started
    opened = set(ProcessSets.find(server, database_name).backends) - set(processes.backends)
    if opened:  # a pool that reconnects would hide its backends' CPU from this figure
        print(f"    WARNING: {len(opened)} database connections opened during the run; their CPU is not counted")
    forms = max(tally.completed, 1)
    spent = [1000 * seconds_spent / forms for seconds_spent in processes.spent(before, after)]
    pairs = sorted(tally.pairs) or [float("nan")]
    return Cost(
        tally.completed,
        seconds,
        *spent,
        1000 * client_cpu / forms,
        1000 * median(pairs),
        1000 * pairs[min(len(pairs) - 1, int(len(pairs) * 0.99))],
        tally.connections / forms,
        tally.failures,
    )


def describe(label: str, cost: Cost) -> str:
    """One printed line of a measurement."""
    failures = f"  ({sum(cost.failures.values())} failed: {cost.failures})" if cost.failures else ""
    return (
        f"    {label:24s} {cost.forms / cost.seconds:7.1f} forms/s  CPU per form: {cost.all_in_ms:6.2f} ms all in "
        f"(server {cost.server_ms:.2f}, database {cost.backends_ms:.2f}, cluster {cost.cluster_ms:.2f}); "
        f"client {cost.client_ms:.2f} ms apart; {cost.connections_per_form:.1f} connections; "
        f"GET+POST p50 {cost.p50_ms:.0f} ms, p99 {cost.p99_ms:.0f} ms{failures}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--servers", default="sync", help=f"comma-separated, of: {', '.join(SERVERS)}")
    options = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-cpu-") as work:
        for database in databases(Path(work), "cpu"):
            survey = setup_desk_survey(database)
            is_postgresql = database.url.startswith("postgresql")
            name = urllib.parse.urlsplit(database.url).path.lstrip("/") if is_postgresql else None
            print(f"{database.label}: SIPAS-2017, {options.clients} phones, {options.duration:.0f} s a run")
            for server_name in options.servers.split(","):
                gunicorn_options = SERVERS[server_name]
                with serving(
                    "wsgi:app",
                    our_app_env(database.url),
                    ready_path=survey.path,
                    workers=options.workers,
                    options=gunicorn_options,
                ) as ours:
                    page_bytes = page_size(ours.port, survey.path)
                    cost = measure(ours, name, survey.path, survey.answers, options.clients, options.duration)
                ceiling_url = ceiling_database_url(database, Path(work))
                with serving(
                    "bench.ceiling_app:app",
                    ceiling_env(ceiling_url, page_bytes, survey.allowed),
                    workers=options.workers,
                    options=gunicorn_options,
                ) as ceiling:
                    ceiling_cost = measure(ceiling, name, "/", survey.answers, options.clients, options.duration)
                print(describe(f"ours, {server_name}", cost))
                print(describe(f"ceiling, {server_name}", ceiling_cost))
                is_met = cost.all_in_ms <= TARGET_CPU_MS and cost.p99_ms < TARGET_P99_MS
                print(
                    f"  {database.label}, {server_name}: {cost.all_in_ms:.2f} ms per form = "
                    f"{cost.all_in_ms / ceiling_cost.all_in_ms:.2f}× the ceiling's, "
                    f"{LIMESURVEY_CPU_MS / cost.all_in_ms:.0f}× less than LimeSurvey (target ≤ {TARGET_CPU_MS} ms, "
                    f"p99 < {TARGET_P99_MS:.0f} ms) → {verdict(is_met)}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
