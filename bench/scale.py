"""Measure what grows with the data: each request at 1x and at 80x the data, side by side.

    make bench-scale
    DATABASE_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python bench/scale.py --quick

Two PostgreSQL databases on the server DATABASE_URL names (its database name, if any, is
ignored): `<prefix>_1x` with the real data (`load_initial_data`) and `<prefix>_80x` with
synthetic data at 80 times its size (`generate_synthetic_data`: 10,000 recommendations,
100,000 updates, 1,000 meetings). Each is built only when it does not already hold the
right counts (the 80x one takes minutes), then migrated and settled (`VACUUM ANALYZE`:
without the planner's statistics a fresh 80x database picked plans that took minutes).

Each is served by gunicorn as `make bench` serves the site (`bench/site.py`: production
settings, `X-Forwarded-Proto: https`, 2 workers, one thread each), with fresh renders
(`PUBLIC_PAGE_CACHE_SECONDS=0`), and a superuser's session for the staff pages. Every
request of `REQUESTS` must answer 200 at both sizes; then each is sent `--requests` times,
to the 1x and the 80x server in turn, one request at a time, and the table shows the
medians: the time to the first byte of the body and to the last, in ms.

It exits non-zero, saying which, when a goal of issue 24 is missed at 80x: an HTML page
more than 3 times its 1x time (the search 5 times), a download whose first byte comes
after 0.2 s, or a gunicorn worker whose peak resident memory (VmHWM) passes 500 MB.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.site import BASE_DIR, HEADERS, PYTHON, SETTLE, Server

SIZES = {
    "1x": None,
    "80x": {"recommendations": 10_000, "updates": 100_000, "meetings": 1_000},
}
#: The counts a database must hold to be reused: (recommendations, updates or None).
EXPECTED = {"1x": (127, None), "80x": (10_000, 100_000)}
POSITION_EXPORT = "/admin/recommendations/recommendation/export/"
#: The issue's table: (label, path, kind). Kinds: "page" (an HTML page, goal 3x), "search"
#: (5x), "download" (its first byte within 0.2 s at 80x), "other" (shown, no goal);
#: "staff" ones are requested with the superuser's session.
REQUESTS = [
    ("`/`", "/", "page"),
    ("`/recommendations/`", "/recommendations/", "page"),
    ("`/recommendations/?q=training`", "/recommendations/?q=training", "search"),
    ("`/recommendations/32/`", "/recommendations/32/", "page"),
    ("`/report/2017/`", "/report/2017/", "page"),
    ("`/updates/feed/`", "/updates/feed/", "other"),
    ("`/healthz`", "/healthz", "other"),
    ("`/recommendations.csv`", "/recommendations.csv", "download"),
    ("`/recommendations.json`", "/recommendations.json", "download"),
    ("position export, CSV (admin)", POSITION_EXPORT, "staff download"),
    ("Overdue page", "/admin/recommendations/recommendation/overdue/", "staff page"),
    ("chase CSV", "/admin/recommendations/recommendation/overdue/?download=csv", "staff download"),
    ("progress updates changelist", "/admin/recommendations/progressupdate/", "staff page"),
]
GROWTH_GOALS = {"page": 3.0, "search": 5.0}
FIRST_BYTE_GOAL_MS = 200.0
WORKER_MEMORY_GOAL_MB = 500.0


@dataclass
class Row:
    """One request's medians (ms) at each size: {"1x": {"first": …, "total": …}, …}."""

    label: str
    kind: str
    medians: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def goal(self) -> str:
        return self.kind.removeprefix("staff ")

    def growth(self) -> float:
        return self.medians["80x"]["total"] / max(self.medians["1x"]["total"], 0.001)

    def cell(self, size: str) -> str:
        median = self.medians[size]
        if self.goal == "download":
            return f"{median['first']:,.0f} / {median['total']:,.0f} ms"
        return f"{median['total']:,.0f} ms"


def table(
    rows: list[Row], memory: dict[str, float], task_memory: dict[str, float] | None = None
) -> str:
    """The Markdown table: a download shows first byte / total; growth is of the totals."""
    lines = ["| request | 1× | 80× | growth |", "| --- | ---: | ---: | ---: |"]
    for row in rows:
        lines.append(
            f"| {row.label} | {row.cell('1x')} | {row.cell('80x')} | {row.growth():.1f}× |"
        )
    lines.append(
        "| peak resident memory of a gunicorn worker (VmHWM) | "
        f"{memory['1x']:,.0f} MB | {memory['80x']:,.0f} MB | |"
    )
    if task_memory:
        lines.append(
            "| peak resident memory of the task worker, report PDFs built (VmHWM) | "
            f"{task_memory['1x']:,.0f} MB | {task_memory['80x']:,.0f} MB | |"
        )
    return "\n".join(lines)


def shortfalls(
    rows: list[Row], memory: dict[str, float], task_memory: dict[str, float] | None = None
) -> list[str]:
    """Each goal of issue 24 that the 80x figures miss, in words."""
    missed = [
        f"the task worker at {size} reached {peak:,.0f} MB "
        f"(goal: at most {WORKER_MEMORY_GOAL_MB:,.0f} MB)"
        for size, peak in (task_memory or {}).items()
        if peak > WORKER_MEMORY_GOAL_MB
    ]
    for row in rows:
        limit = GROWTH_GOALS.get(row.goal)
        if limit is not None and row.growth() > limit:
            missed.append(
                f"{row.label}: {row.growth():.1f}× its 1× time at 80× (goal: within {limit:g}×)"
            )
        first = row.medians["80x"]["first"]
        if row.goal == "download" and first > FIRST_BYTE_GOAL_MS:
            missed.append(
                f"{row.label}: first byte after {first:,.0f} ms at 80× "
                f"(goal: within {FIRST_BYTE_GOAL_MS:.0f} ms)"
            )
    for size, peak in memory.items():
        if peak > WORKER_MEMORY_GOAL_MB:
            missed.append(
                f"a gunicorn worker at {size} reached {peak:,.0f} MB "
                f"(goal: at most {WORKER_MEMORY_GOAL_MB:.0f} MB)"
            )
    return missed


# The databases.


def server_url(database_url: str) -> str:
    """The PostgreSQL server's URL, without a database name."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"DATABASE_URL must name a PostgreSQL server, not {database_url!r}")
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def counts(server: str, name: str) -> tuple[int, int] | None:
    """(recommendations, updates) in the database `name`, None if it has no tracker data."""
    import psycopg

    try:
        with psycopg.connect(f"{server}/{name}", connect_timeout=5) as connection:
            tables = connection.execute(
                "SELECT to_regclass('recommendations_recommendation'), "
                "to_regclass('recommendations_progressupdate')"
            ).fetchone()
            if None in tables:
                return None
            return connection.execute(
                "SELECT (SELECT count(*) FROM recommendations_recommendation), "
                "(SELECT count(*) FROM recommendations_progressupdate)"
            ).fetchone()
    except psycopg.OperationalError as error:
        if "does not exist" in str(error):
            return None
        raise


def recreate(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        text=True,
    )
    return done.stdout or ""


def ensure_database(size: str, server: str, name: str, env: dict[str, str]) -> None:
    """Build the database unless it holds the right counts; migrate and settle it either way."""
    have = counts(server, name)
    wanted = EXPECTED[size]
    right = have is not None and have[0] == wanted[0] and wanted[1] in (None, have[1])
    if right:
        print(f"{size}: reusing {name} ({have[0]:,} recommendations, {have[1]:,} updates)")
        manage(env, "migrate", "--no-input", "-v0")
    else:
        started = time.monotonic()
        recreate(server, name)
        manage(env, "migrate", "--no-input", "-v0")
        if SIZES[size] is None:
            manage(env, "load_initial_data")
        else:
            manage(env, "generate_synthetic_data", *option_args(SIZES[size]))
        print(f"{size}: built {name} in {time.monotonic() - started:.0f} s")
    manage(env, "shell", "--no-imports", "-c", SETTLE)


def option_args(options: dict[str, int]) -> list[str]:
    return [arg for name, value in options.items() for arg in (f"--{name}", str(value))]


#: Prints the session cookie of a superuser made for the benchmark, as Django's test client's
#: force_login() makes one: the admin's sign-in form (axes, two factors) is not measured.
LOGIN = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
user, _ = get_user_model().objects.update_or_create(
    username="bench-scale", defaults={"is_staff": True, "is_superuser": True}
)
user.set_unusable_password()
user.save()
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.save()
print(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
"""


def session_cookie(env: dict[str, str]) -> str:
    out = manage(env, "shell", "--no-imports", "-c", LOGIN, capture=True)
    return out.strip().splitlines()[-1]


# The requests.


class Client:
    """Requests to one server, one at a time, with the cookies it has set."""

    def __init__(self, port: int, session_cookie: str) -> None:
        self.port = port
        self.cookies = SimpleCookie(session_cookie)

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str):
        """(status, ms to the body's first byte, ms to its last, body)."""
        cookie = "; ".join(f"{k}={v.value}" for k, v in self.cookies.items())
        headers = {**HEADERS, "Cookie": cookie, **headers}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            first_byte = response.read(1)
            first = time.perf_counter()
            content = first_byte + response.read()
            last = time.perf_counter()
            for value in response.headers.get_all("Set-Cookie") or []:
                self.cookies.load(value)
            return response.status, (first - started) * 1000, (last - started) * 1000, content
        finally:
            connection.close()

    def position_export(self) -> tuple[int, float, float, bytes]:
        """POST the export form as a report author does: the year's position, as CSV."""
        status, _, _, form = self.request("GET", POSITION_EXPORT)
        if status != 200:
            return status, 0.0, 0.0, form
        html = form.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        fields = sorted(set(re.findall(r'name="(positionresource_\w+)"', html)))
        data = {"csrfmiddlewaretoken": token, "format": "0", "resource": "0"}
        data.update(dict.fromkeys(fields, "on"))
        return self.request(
            "POST",
            POSITION_EXPORT,
            urlencode(data).encode(),
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": "https://127.0.0.1",
                "Referer": f"https://127.0.0.1{POSITION_EXPORT}",
            },
        )

    def get(self, path: str) -> tuple[int, float, float, bytes]:
        if path == POSITION_EXPORT:
            return self.position_export()
        return self.request("GET", path)


#: Queues a build of every report's PDF, as a change to the public data does.
ENQUEUE_BUILDS = "from public.publications import build_reports; build_reports.enqueue()"
#: Prints how many tasks are waiting or running.
PENDING_TASKS = (
    "from django_tasks_db.models import DBTaskResult; "
    "print(DBTaskResult.objects.filter(status__in=['READY', 'RUNNING']).count())"
)


class TaskWorker:
    """`manage.py db_worker` beside a server, as production runs it: it builds the report
    PDFs once at the start (a change to the public data queues that), then stays up."""

    def __init__(self, env: dict[str, str], media: str) -> None:
        self.env = {**env, "MEDIA_ROOT": media}

    def __enter__(self) -> TaskWorker:
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "db_worker"],
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        manage(self.env, "shell", "--no-imports", "-c", ENQUEUE_BUILDS)
        return self

    def wait(self, seconds: float = 600) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            out = manage(self.env, "shell", "--no-imports", "-c", PENDING_TASKS, capture=True)
            if out.strip().splitlines()[-1] == "0":
                return
            time.sleep(2)
        raise SystemExit("the task worker did not finish the report builds in time")

    def peak_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1)) / 1024

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def worker_peak_mb(master_pid: int) -> float:
    """The largest peak resident memory (VmHWM) of the gunicorn master's worker processes."""
    peaks = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdecimal():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue  # ended since the listing
        if re.search(rf"^PPid:\s+{master_pid}$", status, re.MULTILINE):
            peaks.append(int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1)))
    return max(peaks, default=0) / 1024


def measure(clients: dict[str, Client], requests: int) -> list[Row]:
    """Each request `requests` times at each size, the sizes in turn; the medians."""
    rows = []
    for label, path, kind in REQUESTS:
        for size, client in clients.items():
            status = client.get(path)[0]  # and warm: templates, connections, the URL's code
            if status != 200:
                raise SystemExit(f"{label} answers {status} at {size}: not measured")
        times: dict[str, list[tuple[float, float]]] = {size: [] for size in clients}
        for _ in range(requests):
            for size, client in clients.items():
                times[size].append(client.get(path)[1:3])
        row = Row(label, kind)
        for size, pairs in times.items():
            row.medians[size] = {
                "first": statistics.median(first for first, _ in pairs),
                "total": statistics.median(total for _, total in pairs),
            }
        print(f"  {label}: {row.cell('1x')} at 1×, {row.cell('80x')} at 80×", flush=True)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=15, help="requests per URL and size")
    parser.add_argument("--quick", action="store_true", help="3 requests per URL and size")
    parser.add_argument(
        "--database-prefix", default="tracker_scale", help="databases <prefix>_1x, <prefix>_80x"
    )
    options = parser.parse_args()
    requests = 3 if options.quick else options.requests
    server = server_url(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432")
    base = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PUBLIC_PAGE_CACHE_SECONDS": "0",
        "BENCH_WSGI": "harris_tracker.wsgi",
    }
    envs = {
        size: {**base, "DATABASE_URL": f"{server}/{options.database_prefix}_{size}"}
        for size in SIZES
    }
    for size, env in envs.items():
        ensure_database(size, server, f"{options.database_prefix}_{size}", env)
    manage(envs["1x"], "collectstatic", "--no-input", "-v0")
    gunicorn = argparse.Namespace(workers=2, clients=2, threads=0)
    with tempfile.TemporaryDirectory(prefix="harris-bench-scale-") as tmp:
        for env in envs.values():
            env["BENCH_LOG"] = os.path.join(tmp, "gunicorn.log")
        with (
            Server(envs["1x"], gunicorn) as small,
            Server(envs["80x"], gunicorn) as big,
            TaskWorker(envs["1x"], os.path.join(tmp, "media-1x")) as small_tasks,
            TaskWorker(envs["80x"], os.path.join(tmp, "media-80x")) as big_tasks,
        ):
            servers = {"1x": small, "80x": big}
            tasks = {"1x": small_tasks, "80x": big_tasks}
            for worker in tasks.values():
                worker.wait()
            clients = {
                size: Client(served.port, session_cookie(envs[size]))
                for size, served in servers.items()
            }
            print(
                f"gunicorn 2 workers each, fresh renders; {requests} requests per URL and size, "
                "1× and 80× in turn; medians (a download: first byte / total)"
            )
            rows = measure(clients, requests)
            memory = {size: worker_peak_mb(served.process.pid) for size, served in servers.items()}
            task_memory = {size: worker.peak_mb() for size, worker in tasks.items()}
    print()
    print(table(rows, memory, task_memory))
    missed = shortfalls(rows, memory, task_memory)
    if missed:
        print("\nGoals missed:\n" + "\n".join(f"- {line}" for line in missed))
        raise SystemExit(1)
    print("\nEvery goal met.")


if __name__ == "__main__":
    main()
