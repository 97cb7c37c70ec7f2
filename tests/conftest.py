"""Shared fixtures: one user per role, logged-in clients (pages and API), exact snapshots of
rows, a real Celery worker, service checks that fail under CI, and the session clock
(`TEST_NOW`)."""

import datetime
import importlib
import os
import signal
import socket
import subprocess
import time
import uuid
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from time_machine import escape_hatch

from informatics.celery import app as celery_app
from informatics.choices import JobStatus, Role
from informatics.models import User
from intake.models import Rubric
from tests.factories import PASSWORD, UserFactory
from tests.ops.conftest import REPO, TEST_REDIS_DB, VENV_BIN, base_env
from tests.sso import OidcProvider, configure_portal, start_provider

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# `TEST_NOW=2028-02-29T23:30 make test` runs the whole suite with the clock moved to that instant
# (ticking on from there), to prove that no test leans on the day it happens to run. An instant
# without an offset is read in the demo organisation's zone, America/Chicago, so the awkward local
# instants (month ends, New Year's Eve, the daylight-saving change) fall where they say; a local
# time that does not exist there (02:30 on the spring-forward day) is read with the offset in
# force before the change, as PEP 495 folds it. Only this process moves: PostgreSQL's now(),
# Chromium and subprocesses keep the real clock.
TEST_NOW_ZONE = zoneinfo.ZoneInfo("America/Chicago")


def clock_from_env(raw: str | None) -> datetime.datetime | None:
    """The instant `TEST_NOW` names, timezone-aware; None when unset or empty."""
    if not raw or not raw.strip():
        return None
    try:
        instant = datetime.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise pytest.UsageError(
            f"TEST_NOW={raw!r} is not an ISO 8601 instant, e.g. 2028-02-29T23:30 or "
            "2027-12-31T23:30-06:00"
        ) from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=TEST_NOW_ZONE)
    return instant


_TRAVELLER = pytest.StashKey[time_machine.travel]()


def pytest_configure(config: pytest.Config) -> None:
    """Move this process's clock when `TEST_NOW` is set (every xdist worker does the same)."""
    instant = clock_from_env(os.environ.get("TEST_NOW"))
    if instant is None:
        return
    traveller = time_machine.travel(instant, tick=True)
    traveller.start()
    config.stash[_TRAVELLER] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_TRAVELLER, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str:
    instant = clock_from_env(os.environ.get("TEST_NOW"))
    if instant is None:
        return "clock: real (set TEST_NOW to move it)"
    utc = instant.astimezone(datetime.UTC)
    return f"clock: moved to TEST_NOW={instant.isoformat()} ({utc:%Y-%m-%d %H:%M} UTC), ticking"


def require_service(available: bool, what: str) -> None:
    """Skip a test whose service is missing on a developer machine; under CI=true, fail."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} is not available")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked for one database runs only on that database: skipped on the other
    outside CI, failed under CI (where each pass deselects the other database's tests)."""
    from django.conf import settings

    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    if item.get_closest_marker("postgres"):
        require_service(on_postgres, "PostgreSQL (DATABASE_URL=postgres://…)")
    if item.get_closest_marker("sqlite") and on_postgres:
        require_service(False, "the SQLite database (unset DATABASE_URL)")


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def restore_migration_rows() -> None:
    """Put back the rows data migrations make (the default rubric) if they are gone. A
    transactional test (browser, worker) flushes every table when it ends, and with the suite
    spread over worker processes, any test may run after such a flush on the same database."""
    # The rubric is intake's model now; the migration that made it (from before intake had an
    # app of its own) keeps the values.
    migration = importlib.import_module("initiatives.migrations.0002_default_rubric")
    if not Rubric.objects.exists():
        Rubric.objects.create(
            version=1,
            criteria=migration.CRITERIA,
            gates=migration.GATES,
            effort_points=migration.EFFORT_POINTS,
            is_current=True,
            note="Default rubric (DOMAIN.md §5)",
        )


@pytest.fixture(autouse=True)
def _migration_rows(request: pytest.FixtureRequest) -> None:
    """Every test that uses the database starts with the rows data migrations made."""
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if uses_db:
        # pytest-django's own fixture, which reads the marker and the fixtures the test asks for
        # and opens the database the way the test wants it (in a transaction, or flushed after).
        request.getfixturevalue("_django_db_helper")
        restore_migration_rows()


@contextmanager
def data_for_module(django_db_blocker: Any) -> Iterator[None]:
    """Rows made once for a whole test module (say, the demo health system) and rolled back
    after its last test, like Django's setUpTestData: every test still runs in a savepoint of
    its own inside, so what one test changes the next does not see. Use it in a module-scoped
    fixture that takes `django_db_setup` and `django_db_blocker`; not with transactional tests,
    which would flush the tables under it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS),
        transaction.atomic(),
    ):
        restore_migration_rows()
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 costs ~0.3 s a password by design; tests that are not about hashing use a fast
    hasher (tests/informatics/test_security_settings.py checks Argon2 is the configured one)."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(*roles: str, **fields: object) -> User:
        user: User = UserFactory.create(roles=list(roles), **fields)
        return user

    return make


@pytest.fixture
def users(make_user: Callable[..., User]) -> dict[str, User]:
    """One active user per role: users["cmo"], users["champion"], …"""
    return {
        role: make_user(role, email=f"{role}@riverside.example", full_name=f"Demo {role.upper()}")
        for role in Role.values
    }


@pytest.fixture
def client_for(users: dict[str, User]) -> Callable[[str], Client]:
    """A client logged in as the given role's user."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture
def client_as(make_user: Callable[..., User]) -> Callable[..., Client]:
    """A client logged in as a new user holding the given roles (none: a user without a role)."""

    def make(*roles: str) -> Client:
        client = Client()
        client.force_login(make_user(*roles), backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


ApiAs = Callable[[User], APIClient]


@pytest.fixture
def api_as() -> ApiAs:
    """`api_as(user)`: an API client authenticating with the user's token (made on first use)."""

    def make(user: User) -> APIClient:
        token, _ = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD


# --- Snapshots of rows ------------------------------------------------------------------------


def snapshot(*tables: type[Model] | QuerySet[Any, Any]) -> list[list[Any]]:
    """The rows of each table, exactly, in primary-key order: for a model, every row with every
    field (a dict per row, as `values()` gives it); for a queryset, its rows (a `values()` or
    `values_list()` queryset keeps its own columns; one of model instances gives every field).
    Take one before an action and one after: equal means the action changed none of it."""
    taken: list[list[Any]] = []
    for table in tables:
        rows = table._default_manager.all() if isinstance(table, type) else table.all()
        taken.append([_exact(row) for row in rows.order_by("pk")])
    return taken


def _exact(row: Any) -> Any:
    if isinstance(row, Model):
        return {field.attname: field.value_from_object(row) for field in row._meta.concrete_fields}
    return row


# --- A real Celery worker ---------------------------------------------------------------------

# Redis database kept for tests (tests/ops/conftest.py), so that nothing they send lands in db 0.
BROKER_URL = f"redis://127.0.0.1:6379/{TEST_REDIS_DB}"


class through_broker:
    """Make this process publish through Redis instead of running tasks eagerly. The Celery app
    read Django's settings at import, so its own configuration is switched too."""

    def __init__(self, url: str = BROKER_URL) -> None:
        self.url = url
        self.saved: dict[str, Any] = {}
        self.settings = override_settings(CELERY_BROKER_URL=url)

    def __enter__(self) -> None:
        self.saved = {
            "task_always_eager": celery_app.conf.task_always_eager,
            "broker_url": celery_app.conf.broker_url,
        }
        celery_app.conf.update(task_always_eager=False, broker_url=self.url)
        self.settings.enable()
        _drop_producer_pool()

    def __exit__(self, *exc: object) -> None:
        self.settings.disable()
        celery_app.conf.update(**self.saved)
        _drop_producer_pool()


def _drop_producer_pool() -> None:
    """The app's producer pool keeps the broker it was made for: make the next send build one
    from the current configuration. (Celery offers no public way; the stubs lack these.)"""
    celery_app._pool = None  # type: ignore[attr-defined]
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]


def forget_queue(queue: str) -> None:
    """Delete what Redis holds for the queue (and for any queue whose name contains it)."""
    client = redis.Redis.from_url(BROKER_URL)
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)
    client.close()


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@contextmanager
def celery_worker(
    queue: str, log: Path, *, name: str | None = None, env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker --pool solo` consuming `queue`, on the pytest database, logging to
    `log`; its own default queue (where it sends tasks of its own, such as the roll-up after an
    import) is `<queue>-later`, consumed by nobody. `env` adds to its environment (a media
    folder, short job leases…). Started and ready on entry; stopped, if still alive, on the way
    out (SIGTERM, then SIGKILL)."""
    environment = base_env() | {
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_QUEUE": f"{queue}-later",
        **(env or {}),
    }
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                str(VENV_BIN / "celery"), "-A", "informatics", "worker", "--pool", "solo",
                "-Q", queue, "--concurrency", "1", "--hostname", f"{name or queue}@%h",
                "--without-gossip", "--without-mingle", "--loglevel", "INFO",
            ],
            cwd=REPO, env=environment, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def worker(tmp_path: Path, settings: Any) -> Iterator[str]:
    """A real worker (`celery_worker`) on a queue of its own and this test's media folder
    (`settings.MEDIA_ROOT`, tmp_path / "media", for this process too). Yields the queue's
    name; Redis forgets it afterwards. Use with `through_broker()`, in a transactional test
    (the worker sees only committed rows) on PostgreSQL."""
    require_service(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    queue = f"worker-test-{uuid.uuid4().hex[:8]}"
    settings.MEDIA_ROOT = tmp_path / "media"
    media = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    try:
        with celery_worker(queue, tmp_path / "worker.log", env=media):
            yield queue
    finally:
        forget_queue(queue)


@contextmanager
def job_queue(prefix: str) -> Iterator[str]:
    """A queue of its own for a test's workers, published to through Redis; forgotten after."""
    require_service(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    with through_broker():
        yield name
    forget_queue(name)


# Job settings for workers in tests that kill them or wait out retries: seconds, not minutes.
SHORT_LEASE_SECONDS = 2
SHORT_VISIBILITY_SECONDS = 4
SHORT_JOBS = {
    "JOB_LEASE_SECONDS": str(SHORT_LEASE_SECONDS),
    "JOB_VISIBILITY_TIMEOUT_SECONDS": str(SHORT_VISIBILITY_SECONDS),
    "JOB_RETRY_BACKOFF_SECONDS": "1",
}


def finished(job: Any) -> bool:
    """Whether a JobRun has ended, done or failed."""
    return job.status in (JobStatus.DONE, JobStatus.FAILED)


def wait_for(job: Any, until: Callable[[Any], bool], timeout: float = 45) -> Any:
    """Poll the job's row until `until(job)` holds (or fail after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if until(job):
            return job
        assert time.monotonic() < deadline, f"gave up waiting: {job} {job.progress_done}"
        time.sleep(0.05)


# --- Single sign-on: a real OpenID Connect provider (tests/sso.py) ---------------------------


@pytest.fixture(scope="session")
def oidc_provider_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    yield from start_provider(tmp_path_factory.mktemp("oidc"))


@pytest.fixture
def oidc(
    oidc_provider_process: OidcProvider, settings: Any, time_machine: Any, db: None
) -> OidcProvider:
    """The provider with no account yet, and the portal configured for it. This process's
    clock is put back on the real instant (ticking), the provider's, even under TEST_NOW:
    tokens carry the provider's times; a test moves the clock on with `time_machine.shift`."""
    oidc_provider_process.reset()
    configure_portal(settings, oidc_provider_process)
    real = escape_hatch.time.time() if escape_hatch.is_travelling() else time.time()
    real_now = datetime.datetime.fromtimestamp(real, tz=datetime.UTC)
    time_machine.move_to(real_now, tick=True)
    return oidc_provider_process
