"""Shared helpers of the benchmarks: databases, campaigns, gunicorn servers and a load generator.

Every benchmark builds a throwaway database (a temporary SQLite file in WAL mode, or the
PostgreSQL database of ``DATABASE_URL``, which is wiped), sets up a campaign through the
application's own services, serves it with gunicorn on a free loopback port and drives it
with the load generator below. The load generator only ever connects to 127.0.0.1 and stops
after a fixed duration.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gzip
import json
import multiprocessing
import os
import random
import re
import secrets
import statistics
import sys
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the scripts run as ``python bench/<name>.py`` from anywhere
    sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

from surveyapp import create_app  # noqa: E402
from surveyapp.extensions import db  # noqa: E402
from surveyapp.form_keys import issue_form_key, minimum_seconds  # noqa: E402
from surveyapp.models import ANY_GROUP, Campaign, CampaignPurpose, Questionnaire, QuotaPolicy, Unit  # noqa: E402
from surveyapp.questionnaires.answers import PROCEDURE_FIELD_FIELD, RESPONDENT_GROUP_FIELD, field_name  # noqa: E402
from surveyapp.questionnaires.definition import QuestionnaireDefinition, QuestionType  # noqa: E402
from surveyapp.services.campaigns import CampaignDraft, create_campaign, open_campaign  # noqa: E402
from surveyapp.services.catalog import sync_questionnaires  # noqa: E402
from surveyapp.services.collection import get_collection_point  # noqa: E402
from surveyapp.services.quotas import QuotaRule, plan_quotas, save_quotas  # noqa: E402
from tests.served import LOOPBACK, Server  # noqa: E402

FORMS_DIR = ROOT / "forms"
# New at every run (shared by the bench's app and its gunicorn servers): no key in the repository.
SECRET_KEY = secrets.token_hex(32)
CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
KEY_PATTERN = re.compile(r'name="form_key"[^>]*?value="([^"]+)"')


# --------------------------------------------------------------------------- databases


@dataclass(frozen=True)
class Database:
    """A throwaway database: its SQLAlchemy URL and a short name for the printed figures."""

    url: str
    label: str


def databases(work_dir: Path, name: str) -> list[Database]:
    """A fresh SQLite WAL file in ``work_dir``, plus ``DATABASE_URL`` (wiped!) when it is set."""
    chosen = [Database(f"sqlite:///{work_dir / f'{name}.sqlite'}", "SQLite WAL")]
    if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        chosen.append(Database(os.environ["DATABASE_URL"], "PostgreSQL"))
    return chosen


def wipe_postgresql(url: str) -> None:
    """Drop every table of a PostgreSQL database (the benchmarks need an empty, throwaway one)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_app(database_url: str) -> Flask:
    """The real application on ``database_url``, for set-up and in-process timing (request logs off)."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": SECRET_KEY,
            "PUBLIC_BASE_URL": "https://bench.local",
            "LOG_LEVEL": "WARNING",
        }
    )


def init_database(app: Flask) -> None:
    """An empty database with the schema of the migrations (``flask init-db``) and the questionnaires."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        wipe_postgresql(url)
    result = app.test_cli_runner().invoke(args=["init-db"])
    if result.exit_code != 0:
        raise RuntimeError(f"init-db failed: {result.output}")
    with app.app_context():
        sync_questionnaires(FORMS_DIR)
        db.session.commit()


def open_campaign_over(
    app: Flask,
    questionnaire_codes: Sequence[str],
    units: Sequence[Unit],
    *,
    purpose: CampaignPurpose,
    quotas: Sequence[tuple[str, str, int]] = (),
    policy: QuotaPolicy = QuotaPolicy.CLOSE_WHEN_FULL,
) -> int:
    """Store ``units``, then create and open a campaign over them; returns the campaign id.

    ``quotas`` holds ``(questionnaire code, respondent group, forms per unit)`` rules saved
    through the same services as the officer's quota page. Each code runs its newest version,
    as the officer's campaign form offers. Must run in an app context.
    """
    db.session.add_all(units)
    db.session.flush()
    stored = {
        q.code: q
        for q in db.session.scalars(
            select(Questionnaire).where(Questionnaire.code.in_(questionnaire_codes)).order_by(Questionnaire.version)
        )
    }
    today = dt.date.today()
    campaign = create_campaign(
        CampaignDraft(
            name="Khảo sát đo hiệu năng",
            year=today.year,
            purpose=purpose,
            opens_on=today - dt.timedelta(days=7),
            closes_on=today + dt.timedelta(days=60),
            questionnaire_ids=[stored[code].id for code in questionnaire_codes],
            unit_ids=[unit.id for unit in units],
        )
    )
    open_campaign(campaign)
    if quotas:
        rules = [QuotaRule(stored[code], group, per_unit) for code, group, per_unit in quotas]
        save_quotas(campaign, plan_quotas(campaign, rules), policy)
    db.session.commit()
    return campaign.id


@dataclass(frozen=True)
class DeskSurvey:
    """A SIPAS desk survey over one ward, ready to be served: where to post and what."""

    database: Database
    path: str
    answers: dict[str, str]
    allowed: dict[str, list[str]]

    def form_keys(self, count: int) -> tuple[str, ...]:
        """``count`` form keys the server signs for this survey's form, dated back so none is too soon.

        Signed here with the bench's ``SECRET_KEY``, as the server would sign them on ``count``
        GETs: the POST-only measurement then sends each one once, without timing the GETs.
        """
        app = make_app(self.database.url)
        campaign_id, code, unit = self.path.split("/")[2:5]
        with app.app_context():
            point = get_collection_point(int(campaign_id), code, unit)
            keys = tuple(issue_form_key(point, credit_seconds=minimum_seconds(point)) for _ in range(count))
            db.engine.dispose()
        return keys


def setup_desk_survey(database: Database, *, places: int = 10_000_000) -> DeskSurvey:
    """A fresh database with an open SIPAS-2017 campaign over one ward, its quota closing when full.

    ``places`` is the ward's quota, so that every submission goes through the quota reservation.
    """
    app = make_app(database.url)
    init_database(app)
    with app.app_context():
        ward = Unit(code="21172", name="Phường Trương Quang Trọng", kind="phường")
        campaign_id = open_campaign_over(
            app, ["SIPAS-2017"], [ward], purpose=CampaignPurpose.SIPAS, quotas=[("SIPAS-2017", ANY_GROUP, places)]
        )
        definition = db.session.get(Campaign, campaign_id).questionnaires[0].definition
        answers, allowed = filled_answers(definition), allowed_values(definition)
        db.engine.dispose()
    return DeskSurvey(database, f"/r/{campaign_id}/SIPAS-2017/21172", answers, allowed)


def filled_answers(definition: QuestionnaireDefinition, *, option: int = -1) -> dict[str, str]:
    """A complete, valid set of answer fields of a single-unit questionnaire (text questions left out)."""
    answers: dict[str, str] = {}
    if definition.asks_respondent_group:
        answers[RESPONDENT_GROUP_FIELD] = definition.respondent_groups[0].code
    if definition.asks_procedure_field:
        answers[PROCEDURE_FIELD_FIELD] = definition.procedure_fields[0]
    for question in definition.questions:
        if question.type is not QuestionType.TEXT:
            answers[field_name(question)] = question.options[option].key
    return answers


def allowed_values(definition: QuestionnaireDefinition) -> dict[str, list[str]]:
    """Every choice field the questionnaire posts, with its allowed values (for the ceiling app)."""
    allowed: dict[str, list[str]] = {}
    if definition.asks_respondent_group:
        allowed[RESPONDENT_GROUP_FIELD] = [group.code for group in definition.respondent_groups]
    if definition.asks_procedure_field:
        allowed[PROCEDURE_FIELD_FIELD] = list(definition.procedure_fields)
    for question in definition.questions:
        if question.type is not QuestionType.TEXT:
            allowed[field_name(question)] = [option.key for option in question.choices]
    return allowed


def text_question_field(definition: QuestionnaireDefinition) -> str:
    """The form field of the questionnaire's first free-text question."""
    return next(field_name(q) for q in definition.questions if q.type is QuestionType.TEXT)


# --------------------------------------------------------------------------- servers


@contextmanager
def serving(
    app_spec: str, env: dict[str, str], *, ready_path: str = "/", workers: int = 2, options: tuple[str, ...] = ()
) -> Iterator[Server]:
    """A started ``Server`` (``options``: more gunicorn options), stopped on exit."""
    with Server(env, app_spec=app_spec, workers=workers, options=options) as server:
        server.start(ready_path)
        yield server


def our_app_env(database_url: str, *, limits: bool = True) -> dict[str, str]:
    """The environment gunicorn serves the real application with (``wsgi:app``).

    All the load comes from 127.0.0.1, so the app is told 127.0.0.1 is its reverse proxy and
    every submission comes with an ``X-Forwarded-For`` address of its own, as phones on a
    mobile network would: the per-address limit of public submissions stays on, and is not hit.
    ``limits=False`` turns it and the per-campaign allowance off, to measure what they cost.
    """
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "PUBLIC_BASE_URL": "https://bench.local",
        "TRUSTED_PROXIES": "127.0.0.1",
        # The load generator sends a form as soon as it is served; the check still runs.
        "FORM_SECONDS_PER_ANSWER": "0",
        **({} if limits else {"RESPOND_LIMIT": "0", "RESPOND_ALLOWANCE": "0"}),
    }


def ceiling_env(database_url: str, page_bytes: int, fields: dict[str, list[str]]) -> dict[str, str]:
    """The environment gunicorn serves ``bench.ceiling_app:app`` with; creates its table first."""
    from bench.ceiling_app import create_schema

    create_schema(database_url)
    return {
        "CEILING_DATABASE_URL": database_url,
        "CEILING_PAGE_BYTES": str(page_bytes),
        "CEILING_FIELDS": json.dumps(fields),
    }


def ceiling_database_url(database: Database, work_dir: Path) -> str:
    """The ceiling's database: a SQLite file of its own, or the same PostgreSQL database (own table)."""
    return database.url if database.url.startswith("postgresql") else f"sqlite:///{work_dir / 'ceiling.sqlite'}"


# --------------------------------------------------------------------------- HTTP client


class Connection:
    """One HTTP/1.1 connection to 127.0.0.1, kept open while the server keeps it, as a phone's.

    Asks for gzip, as phones do, and hands back the body decompressed.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    @property
    def is_open(self) -> bool:
        return self.streams is not None

    async def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send one request and read its answer: status, headers, body.

        Raises ``ConnectionError`` when the server closes before a whole answer (a server
        killed while sending it).
        """
        if self.streams is None:
            self.streams = await asyncio.open_connection(LOOPBACK, self.port)
        reader, writer = self.streams
        lines = [f"{method} {path} HTTP/1.1", f"Host: {LOOPBACK}:{self.port}", "Accept-Encoding: gzip"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").rstrip().split("\r\n")
            reply = [tuple(part.strip() for part in line.split(":", 1)) for line in header_lines if ":" in line]
            length = header_value(reply, "content-length")
            content = await reader.readexactly(int(length)) if length else await reader.read(-1)
        except asyncio.IncompleteReadError as error:
            self.close()
            raise ConnectionError("reply cut short") from error
        if header_value(reply, "content-encoding") == "gzip":
            content = gzip.decompress(content)
        if not length or header_value(reply, "connection").lower() == "close":
            self.close()
        return int(status_line.split()[1]), reply, content  # type: ignore[return-value]

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def request(
    port: int, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One HTTP/1.1 request to 127.0.0.1 on a connection of its own."""
    connection = Connection(port)
    try:
        return await connection.request(method, path, headers={"Connection": "close", **(headers or {})}, body=body)
    finally:
        connection.close()


def header_value(headers: list[tuple[str, str]], name: str) -> str:
    """The value of the header ``name`` (any case), ``""`` when it is absent."""
    return next((value for key, value in headers if key.lower() == name), "")


def cookies_of(headers: list[tuple[str, str]]) -> str:
    """A ``Cookie`` header value made of a response's ``Set-Cookie`` headers."""
    return "; ".join(value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie")


def phone_address() -> str:
    """A random private address: each submission looks as if it came from another phone."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


@dataclass(frozen=True)
class OpenedForm:
    """What a respondent's browser holds after opening the questionnaire."""

    cookie: str
    form_key: str


async def open_form(port: int, path: str) -> tuple[OpenedForm, float]:
    """GET the questionnaire; returns its cookie (if any), signed form key and the latency."""
    started = time.perf_counter()
    status, headers, body = await request(port, "GET", path)
    elapsed = time.perf_counter() - started
    key = KEY_PATTERN.search(body.decode("utf-8", "replace"))
    if status != 200 or key is None:
        raise ValueError(f"GET {path} gave {status} without a form")
    return OpenedForm(cookies_of(headers), key.group(1)), elapsed


async def post_form(port: int, path: str, form: OpenedForm, answers: dict[str, str]) -> tuple[int, bool, float]:
    """POST the answers with the form's key; returns (status, acknowledged, latency).

    Acknowledged means the redirect to the thank-you page (its GET is not timed).
    """
    fields = {"form_key": form.form_key, **answers}
    body = urllib.parse.urlencode(fields).encode()
    headers = {"X-Forwarded-For": phone_address()}
    if form.cookie:
        headers["Cookie"] = form.cookie
    started = time.perf_counter()
    status, reply_headers, _content = await request(port, "POST", path, headers=headers, body=body)
    elapsed = time.perf_counter() - started
    location = header_value(reply_headers, "location")
    return status, status == 302 and "/thanks" in location, elapsed


# --------------------------------------------------------------------------- load generator


@dataclass(frozen=True)
class LoadPlan:
    """What the clients do, for how long: picklable, so that it can cross into worker processes.

    ``scenario``: ``get`` (open the page), ``pair`` (a fresh GET, then POST its key), ``post``
    (POSTs only, each with one of ``keys``, signed beforehand as GETs would have: the server
    does the same work per POST as after a fresh GET), or ``durable`` (pairs whose POST is
    resent with the same key until it gets an answer, across server crashes).
    """

    port: int
    path: str
    scenario: str
    clients: int
    duration: float
    answers: dict[str, str] = field(default_factory=dict)
    text_field: str = ""
    grace: float = 0.0  # durable: how long a client keeps resending after the duration
    keys: tuple[str, ...] = ()  # post: the signed form keys, each sent once


@dataclass
class LoadResult:
    """Latencies in seconds per kind of request, acknowledged keys and failures."""

    duration: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    acknowledged: list[str] = field(default_factory=list)
    # Answered, but not as expected (or a durable POST given up): how many of each kind.
    failure_kinds: dict[str, int] = field(default_factory=dict)
    connection_errors: int = 0  # no answer at all (a server down, a reset connection)
    resends: int = 0

    @property
    def failures(self) -> int:
        return sum(self.failure_kinds.values())

    def fail(self, kind: str) -> None:
        """Count one failure of this kind (such as ``POST 400``)."""
        self.failure_kinds[kind] = self.failure_kinds.get(kind, 0) + 1

    def merge(self, other: LoadResult) -> None:
        for kind, values in other.latencies.items():
            self.latencies.setdefault(kind, []).extend(values)
        self.acknowledged += other.acknowledged
        for kind, count in other.failure_kinds.items():
            self.failure_kinds[kind] = self.failure_kinds.get(kind, 0) + count
        self.connection_errors += other.connection_errors
        self.resends += other.resends

    def rate(self, kind: str) -> float:
        return len(self.latencies.get(kind, [])) / self.duration

    def percentile_ms(self, kind: str, percent: float) -> float:
        values = sorted(self.latencies.get(kind, []))
        if not values:
            return float("nan")
        return 1000 * values[min(len(values) - 1, int(len(values) * percent / 100))]


async def _client(plan: LoadPlan, deadline: float, result: LoadResult, keys: Iterator[str]) -> None:
    def record(kind: str, seconds: float) -> None:
        result.latencies.setdefault(kind, []).append(seconds)

    while time.monotonic() < deadline:
        try:
            if plan.scenario == "get":
                started = time.perf_counter()
                status, _headers, _body = await request(plan.port, "GET", plan.path)
                if status != 200:
                    result.fail(f"GET {status}")
                    continue
                record("GET", time.perf_counter() - started)
            elif plan.scenario == "pair":
                form, get_seconds = await open_form(plan.port, plan.path)
                status, is_acknowledged, post_seconds = await post_form(plan.port, plan.path, form, plan.answers)
                if not is_acknowledged:
                    result.fail(f"POST {status}")
                    continue
                record("GET", get_seconds)
                record("POST", post_seconds)
                record("GET+POST", get_seconds + post_seconds)
            elif plan.scenario == "post":
                key = next(keys, None)
                if key is None:
                    result.fail("keys exhausted")
                    return
                form = OpenedForm("", key)
                status, is_acknowledged, post_seconds = await post_form(plan.port, plan.path, form, plan.answers)
                if not is_acknowledged:
                    result.fail(f"POST {status}")
                    continue
                record("POST", post_seconds)
            elif plan.scenario == "durable":
                await _durable_submission(plan, deadline, result)
        except (OSError, ConnectionError):
            result.connection_errors += 1
            await asyncio.sleep(0.05)
        except ValueError as error:  # a page without the form
            result.fail(str(error))


async def _durable_submission(plan: LoadPlan, deadline: float, result: LoadResult) -> None:
    """Open a form and send it, resending the same form after a crash until it is answered.

    The free-text answer carries the one-time key, so the database can be searched for it.
    """
    form, _seconds = await open_form(plan.port, plan.path)
    answers = {**plan.answers, plan.text_field: form.form_key}
    give_up = deadline + plan.grace
    while True:
        try:
            status, is_acknowledged, seconds = await post_form(plan.port, plan.path, form, answers)
        except (OSError, ConnectionError):
            if time.monotonic() > give_up:
                result.fail("POST given up")
                return
            result.resends += 1
            await asyncio.sleep(0.1)
            continue
        if is_acknowledged:
            result.acknowledged.append(form.form_key)
            result.latencies.setdefault("POST", []).append(seconds)
        else:
            result.fail(f"POST {status}")
        return


async def _run_clients(plan: LoadPlan, clients: int) -> LoadResult:
    started = time.monotonic()
    result = LoadResult(duration=plan.duration)
    deadline = started + plan.duration
    keys = iter(plan.keys)
    await asyncio.gather(*(_client(plan, deadline, result, keys) for _ in range(clients)))
    return result


def _load_process(plan: LoadPlan, clients: int) -> LoadResult:
    return asyncio.run(_run_clients(plan, clients))


def run_load(plan: LoadPlan, processes: int = 2) -> LoadResult:
    """Run ``plan.clients`` concurrent clients spread over ``processes`` processes for ``plan.duration``."""
    shares = [plan.clients // processes + (n < plan.clients % processes) for n in range(processes)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        # Each process sends keys of its own.
        slices = [dataclasses.replace(plan, keys=plan.keys[n::processes]) for n in range(processes)]
        jobs = [(part, share) for part, share in zip(slices, shares, strict=True) if share]
        parts = pool.starmap(_load_process, jobs)
    total = LoadResult(duration=plan.duration)
    for part in parts:
        total.merge(part)
    return total


def page_size(port: int, path: str) -> int:
    """The byte size of the page at ``path`` (its body)."""
    _status, _headers, body = asyncio.run(request(port, "GET", path))
    return len(body)


@dataclass
class Comparison:
    """Interleaved runs of our app (A) and the ceiling (B): A, B, A, B..., for one kind of request."""

    kind: str
    ours: list[LoadResult] = field(default_factory=list)
    ceiling: list[LoadResult] = field(default_factory=list)

    def ratio(self) -> float:
        """Our median rate over the ceiling's median rate."""
        ceiling = median([run.rate(self.kind) for run in self.ceiling])
        return median([run.rate(self.kind) for run in self.ours]) / ceiling if ceiling else float("nan")

    def p99_ms(self, side: str) -> float:
        """The median over runs of the p99 latency of one side (``ours`` or ``ceiling``)."""
        return median([run.percentile_ms(self.kind, 99) for run in getattr(self, side)])


def interleave(ours: LoadPlan, ceiling: LoadPlan, kind: str, rounds: int, processes: int = 2) -> Comparison:
    """Run ours then the ceiling, ``rounds`` times, printing each run; returns all of them.

    A plan's form keys are dealt out between the rounds, since each is sent once.
    """
    comparison = Comparison(kind)
    for number in range(1, rounds + 1):
        for side, plan in (("ours", ours), ("ceiling", ceiling)):
            plan = dataclasses.replace(plan, keys=plan.keys[number - 1 :: rounds])
            result = run_load(plan, processes)
            getattr(comparison, side).append(result)
            errors = result.failures + result.connection_errors
            extra = f"  ({errors} failed)" if errors else ""
            print(f"    round {number} {side:8s} {kind:9s} {describe(result, kind)}{extra}", flush=True)
    return comparison


# --------------------------------------------------------------------------- reporting


def print_machine() -> None:
    """One line about the machine, with a warning when something else is using the CPU."""
    load_1min = os.getloadavg()[0]
    warning = "  WARNING: the machine is busy; figures will be low and noisy" if load_1min > 0.5 else ""
    print(
        f"[{os.cpu_count()} CPUs, load average {load_1min:.2f}, Python {sys.version.split()[0]}]{warning}", flush=True
    )


def describe(result: LoadResult, kind: str) -> str:
    """``N/s, p50 x ms, p99 y ms`` for one kind of request."""
    return (
        f"{result.rate(kind):8.1f}/s  p50 {result.percentile_ms(kind, 50):6.1f} ms  "
        f"p99 {result.percentile_ms(kind, 99):6.1f} ms"
    )


def median(values: Sequence[float]) -> float:
    """The median, ``nan`` for no values."""
    return statistics.median(values) if values else float("nan")


def verdict(is_met: bool) -> str:
    """How a target reads in the printed figures."""
    return "target met" if is_met else "TARGET NOT MET"
