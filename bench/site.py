"""Benchmark the public site against a bare Django view: requests/s, p50 and p99 of its pages.

    make bench                  # SQLite; with DATABASE_URL=postgres://… also PostgreSQL
    .venv/bin/python bench/site.py --duration 5 --clients 16 --workers 2

Serves the site with gunicorn (`gunicorn.conf.py`, production settings, SSL redirect on,
requests carrying `X-Forwarded-Proto: https` as a TLS proxy sends them) against the real
data (`load_initial_data`). The ceiling is a bare Django view (`bench/bare_settings.py`:
no middleware, no database, no template) under the same gunicorn in the same run. Every
measured URL must answer 200 first: a redirect is not a page. Each page is measured twice:
repeat views (page cache on) and fresh renders (`PUBLIC_PAGE_CACHE_SECONDS=0`), each in
short runs between runs of the bare view (see `compare`).

The load comes from `wrk` when it is installed (`apt-get install wrk`), otherwise from
threads of keep-alive connections in this process (slower: it shares the cores).

With DATABASE_URL naming a PostgreSQL database, that database (which must exist) is
emptied of tracker data and loaded with the real data, then measured after SQLite.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CEILING = ("bare Django view", "/bare/")
#: Each page, and the least share of the ceiling it should reach: (repeat, fresh). A
#: download streams and is never kept, so its two runs are both fresh (no goal).
PAGES = [
    ("/", 0.25, 0.03),
    ("/recommendations/", 0.25, 0.03),
    ("/recommendations/32/", 0.25, 0.03),
    ("/report/2017/", 0.25, 0.015),
    ("/updates/feed/", 0.25, 0.015),
    ("/recommendations.csv", None, None),
]
HEADERS = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: Run once the data is loaded, so that the database's own upkeep after a load (PostgreSQL's
#: autovacuum and autoanalyze, its checkpoint of the new pages) does not run on the same
#: cores in the middle of the measured runs.
SETTLE = """
from django.db import DatabaseError, connection
with connection.cursor() as cursor:
    if connection.vendor == "postgresql":
        cursor.execute("VACUUM (ANALYZE)")
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError:
            pass  # a role that may not ask for one: the next checkpoint comes on its own
    else:
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
"""


def prepare(env: dict[str, str]) -> None:
    """Migrate the database, put the real data in it, collect the static files, and let
    the database settle (`SETTLE`)."""

    def manage(*args: str) -> None:
        subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    manage("migrate", "--no-input", "-v0")
    manage("flush", "--no-input", "-v0")
    manage("collectstatic", "--no-input", "-v0")
    manage("load_initial_data")
    manage("shell", "--no-imports", "-c", SETTLE)


class Server:
    """gunicorn with the project's config on a free port, until the `with` block ends."""

    def __init__(self, env: dict[str, str], options: argparse.Namespace) -> None:
        self.port = free_port()
        self.env = {
            **env,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(options.workers),
            # A worker recycled in the middle of a run would show up as a p99 spike.
            "GUNICORN_MAX_REQUESTS": "0",
            # Each worker takes its share of wrk's connections, and one more. Each run opens
            # them anew and the workers race to accept them: in about one run in ten one
            # worker took all 16 while the other idled, and that run (the bare view's as well
            # as a page's) measured half the machine: 2,300 req/s instead of 3,400-4,400.
            "GUNICORN_WORKER_CONNECTIONS": str(
                -(-options.clients // options.workers) + (options.threads or 1)
            ),
            "GUNICORN_LOG_LEVEL": "warning",
        }
        # Without --threads, gunicorn.conf.py's own default: what the image runs is measured.
        if options.threads:
            self.env["GUNICORN_THREADS"] = str(options.threads)

    def __enter__(self) -> Server:
        self.log = open(self.env["BENCH_LOG"], "ab")  # closed in __exit__
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", self.env["BENCH_WSGI"]],
            cwd=BASE_DIR,
            env=self.env,
            # Request logs (one JSON line a request) are written, as in production, but kept
            # only in a file, for a look when something fails.
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn exited before serving")
            try:
                status(self.port, "/favicon-probe-404")
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer in time")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def status(port: int, path: str) -> int:
    return fetch(port, path)[0]


def fetch(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=HEADERS)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def check_pages(port: int, paths: list[str]) -> None:
    wrong = {path: code for path in paths if (code := status(port, path)) != 200}
    if wrong:
        raise SystemExit(f"not 200, so not measured: {wrong}")


def run_wrk(port: int, path: str, clients: int, duration: float) -> dict:
    command = ["wrk", "-t2", f"-c{clients}", f"-d{duration:g}s", "--latency", "--timeout", "10s"]
    command += ["-s", str(BASE_DIR / "bench" / "latency.lua")]
    for name, value in HEADERS.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    latency = dict(re.findall(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+[a-z]+)\s*$", out, re.MULTILINE))
    if set(latency) != {"50", "99"}:
        raise SystemExit(f"cannot read wrk's latencies for {path}:\n{out}")
    socket_errors = re.search(r"Socket errors: (.*)", out)
    errors = (
        sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1))) if socket_errors else 0
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    pooled = [int(n) / 1000 for n in re.findall(r"^POOL (\d+)$", out, re.MULTILINE)]
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": milliseconds(latency["50"]),
        "p99": milliseconds(latency["99"]),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
        "requests": int(re.search(r"^POOL requests (\d+)$", out, re.MULTILINE).group(1)),
        "quantiles": pooled,
    }


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_threads(port: int, path: str, clients: int, duration: float) -> dict:
    """The same measure as wrk's with keep-alive connections on threads of this process."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=HEADERS)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                errors.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            if response.status != 200:
                errors.append(f"HTTP {response.status}")
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "errors": len(errors),
        "requests": len(latencies),
        # As wrk's script gives them: the latency in the middle of every thousandth, in ms.
        "quantiles": [
            ordered[min(len(ordered) - 1, int(len(ordered) * (i + 0.5) / 1000))] * 1000
            for i in range(1000)
        ],
    }


def compare(
    bare_port: int, port: int, path: str, options: argparse.Namespace
) -> tuple[float, dict, dict]:
    """The page's req/s as a share of the bare view's, with both runs' figures.

    On a shared machine the capacity left by others changes from one second to the next
    (the bare view alone gave 1,400 and 4,300 req/s minutes apart): the page is measured in
    `--slices` runs of `--duration / --slices` seconds, each between two runs of the bare
    view, and the share is the median of each run's share of the mean of its two neighbours.
    The page's p50 and p99 are those of all its runs' requests together (`pooled`).
    """
    drive = run_wrk if shutil.which("wrk") else run_threads
    seconds = options.duration / options.slices
    drive(port, path, options.clients, 1)  # warm up: caches, connections, templates
    bare = [drive(bare_port, CEILING[1], options.clients, seconds)]
    pages = []
    for _ in range(options.slices):
        pages.append(drive(port, path, options.clients, seconds))
        bare.append(drive(bare_port, CEILING[1], options.clients, seconds))
    shares = [
        page["rps"] / ((before["rps"] + after["rps"]) / 2)
        for page, before, after in zip(pages, bare, bare[1:], strict=False)
    ]
    page = {
        "rps": statistics.median(run["rps"] for run in pages),
        "p50": pooled(pages, 0.50),
        "p99": pooled(pages, 0.99),
        "errors": sum(run["errors"] for run in pages),
    }
    # The bare view's own latencies, for a page's p99 to be read against: what the machine
    # does to a request that costs next to nothing.
    ceiling = {
        "rps": statistics.median(run["rps"] for run in bare),
        "p50": pooled(bare, 0.50),
        "p99": pooled(bare, 0.99),
    }
    return statistics.median(shares), ceiling, page


def pooled(runs: list[dict], share: float) -> float:
    """The latency under which `share` of all the runs' requests were answered: each run's
    latency in the middle of every thousandth of its requests stands for that thousandth."""
    points = sorted(
        (latency, run["requests"] / 1000) for run in runs for latency in run["quantiles"]
    )
    wanted, seen = share * sum(run["requests"] for run in runs), 0.0
    for latency, weight in points:
        seen += weight
        if seen >= wanted:
            return latency
    return points[-1][0]


def bench_database(
    label: str, env: dict[str, str], options: argparse.Namespace, size_floor: bool = False
) -> list[str]:
    """Measure every page against the ceiling on one database; return what falls short.

    With `size_floor`, also the bare view sending as many bytes as each page: the share of
    the ceiling that a page costing nothing but its bytes would reach.
    """
    prepare(env)
    bare_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench.bare_settings",
        "BENCH_WSGI": "bench.bare_wsgi",
    }
    rows: dict[str, dict[str, tuple[float, dict, dict]]] = {path: {} for path, _, _ in PAGES}
    with Server(bare_env, options) as bare:
        check_pages(bare.port, [CEILING[1]])
        for mode, seconds in (("repeat", "600"), ("fresh", "0")):
            site_env = {
                **env,
                "PUBLIC_PAGE_CACHE_SECONDS": seconds,
                "BENCH_WSGI": "harris_tracker.wsgi",
            }
            with Server(site_env, options) as site:
                check_pages(site.port, [path for path, _, _ in PAGES])
                sizes = {path: len(fetch(site.port, path)[1]) for path, _, _ in PAGES}
                for path, _, _ in PAGES:
                    rows[path][mode] = compare(bare.port, site.port, path, options)
        floors = {
            path: compare(bare.port, bare.port, f"/bytes/{sizes[path]}/", options)[0]
            for path, _, _ in PAGES
            if size_floor
        }

    print(
        f"\n{label}: share of the bare view's req/s (median over the page's runs, each against "
        "the bare view's runs either side), p50 and p99 in ms"
    )
    print(
        f"{'page':<24}{'bare/s':>8}{'repeat':>8}{'p50':>7}{'p99':>7}"
        f"{'bare/s':>8}{'fresh':>8}{'p50':>7}{'p99':>7}{'errors':>8}"
    )
    short = []
    for path, repeat_goal, fresh_goal in PAGES:
        (repeat_ratio, repeat_ceiling, repeat), (fresh_ratio, fresh_ceiling, fresh) = (
            rows[path]["repeat"],
            rows[path]["fresh"],
        )
        print(
            f"{path:<24}{repeat_ceiling['rps']:>8.0f}{repeat_ratio:>8.2f}{repeat['p50']:>7.1f}"
            f"{repeat['p99']:>7.1f}{fresh_ceiling['rps']:>8.0f}{fresh_ratio:>8.3f}"
            f"{fresh['p50']:>7.1f}{fresh['p99']:>7.1f}{repeat['errors'] + fresh['errors']:>8}"
        )
        if (repeat_goal and repeat_ratio < repeat_goal) or (
            fresh_goal and fresh_ratio < fresh_goal
        ):
            short.append(f"{label} {path}: below the goal")
        for mode, result in (("repeat", repeat), ("fresh", fresh)):
            if result["p99"] > 4 * result["p50"]:
                short.append(f"{label} {path} {mode}: p99 above 4 × p50")
            if result["errors"]:
                short.append(f"{label} {path} {mode}: {result['errors']} errors")
    if floors:
        print(
            "the bare view sending as many bytes as the page (what its size alone leaves of "
            "the ceiling): "
            + ", ".join(
                f"{path} ({sizes[path] / 1000:.0f} kB) {floors[path]:.2f}" for path in floors
            )
        )
    spread = [
        rows[path][mode][1]["p99"] / rows[path][mode][1]["p50"]
        for path, _, _ in PAGES
        for mode in ("repeat", "fresh")
    ]
    print(
        f"the bare view's own p99 over its p50, in the runs alongside each page: "
        f"{min(spread):.1f}–{max(spread):.1f}"
    )
    return short


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per page")
    parser.add_argument(
        "--slices", type=int, default=5, help="runs a page's seconds are cut into (see compare)"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--threads", type=int, default=0, help="threads per worker (default: gunicorn.conf.py's)"
    )
    parser.add_argument(
        "--size-floor",
        action="store_true",
        help="also measure the bare view sending as many bytes as each page (on SQLite)",
    )
    options = parser.parse_args()

    base = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    threads = options.threads or "gunicorn.conf.py's"
    print(
        f"gunicorn {options.workers} workers × {threads} threads, {options.clients} "
        f"connections ({'wrk' if shutil.which('wrk') else 'Python threads'}), "
        f"{options.duration:g} s a page in {options.slices} runs; ratios are req/s over the "
        "bare view's" + (f"; cache: Redis {base['REDIS_URL']}" if base.get("REDIS_URL") else "")
    )
    short = []
    with tempfile.TemporaryDirectory(prefix="harris-bench-") as tmp:
        base["BENCH_LOG"] = os.path.join(tmp, "gunicorn.log")
        sqlite = {**base, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        short += bench_database("SQLite", sqlite, options, size_floor=options.size_floor)
        if os.environ.get("DATABASE_URL", "").startswith("postgres"):
            short += bench_database("PostgreSQL", base, options)
    if short:
        print("\n" + "\n".join(short))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
