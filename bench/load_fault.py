"""Load and fault test on PostgreSQL with 10,000 synthetic recommendations.

    make load-test        # or: .venv/bin/python bench/load_fault.py --duration 10 --clients 16

1. Prepares a PostgreSQL database of its own (default `tracker_load` on 127.0.0.1, dropped and
   made again unless it already holds the synthetic data) with `generate_synthetic_data`
   (10,000 recommendations, 100,000 updates, 1,000 meetings) — never the real data.
2. Serves it with the image's command, `gunicorn -c gunicorn.conf.py harris_tracker.wsgi`
   (production settings, psycopg pool), on 127.0.0.1.
3. Load: drives /healthz (the ceiling), the public pages and the CSV download in turn with
   concurrent keep-alive clients, bounded in time and count: requests/s, p50/p99, errors.
4. Freshness: records an officer's update while the site serves; the next request for the
   page shows it.
5. Faults, under load and while a writer records an update every 0.2 s: one gunicorn worker
   is killed, then PostgreSQL is restarted. The service must recover by itself (time to the
   first good answer is reported) and every write acknowledged before the fault is there
   afterwards. Restarting PostgreSQL needs root and Debian's pg_ctlcluster
   (`--no-db-restart` skips that step).

Exits non-zero if any check fails. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.site import BASE_DIR, PYTHON, free_port, hammer, wait_until_up

PAGES = [
    ("ceiling: /healthz", "/healthz", True),
    ("/", "/", True),
    ("/recommendations/", "/recommendations/", True),
    (
        "/recommendations/?status=ongoing",
        "/recommendations/?status=ongoing&sort=-last_updated",
        True,
    ),
    ("detail", "/recommendations/5000/", True),
    ("/organisations/sa7/", "/organisations/sa7/", True),
    ("/recommendations.csv", "/recommendations.csv", False),
]
WRITER = """
import os, time, datetime
from pathlib import Path
from django.db import close_old_connections
from recommendations.models import Recommendation
from recommendations.services import record_update
stop = Path(os.environ["LOAD_TEST_STOP_FILE"])
recommendation = Recommendation.objects.get(number=4321)
n = 0
while not stop.exists():
    n += 1
    try:
        record_update(recommendation=recommendation, date=datetime.date.today(),
                      text=f"load-test write {n}", status="ongoing", source="load test")
        print(f"ACK {n}", flush=True)
    except Exception as error:
        print(f"ERR {n} {type(error).__name__}", flush=True)
        close_old_connections()
    time.sleep(0.2)
"""


def run(*args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=BASE_DIR, env=env, check=True, **kwargs)


def manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return run(PYTHON, "manage.py", *args, env=env, **kwargs)


def prepare(env: dict, database: str, admin_url: str) -> None:
    """Migrate and fill the load-test database, unless it already holds the synthetic set."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if not exists.fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')
    manage(env, "migrate", "--no-input", "-v0")
    count = manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from recommendations.models import Recommendation as R; print(R.objects.count())",
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    if count == "10000":
        print("Data: the synthetic set already in the database (10,000 recommendations)")
        return
    if count != "0":
        raise SystemExit(f"{database} holds {count} recommendations: use an empty database")
    started = time.monotonic()
    manage(
        env,
        "generate_synthetic_data",
        "--recommendations=10000",
        "--updates=100000",
        "--meetings=1000",
    )
    print(f"Data: generated in {time.monotonic() - started:.0f} s")


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def workers_of(master: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(stat.parent.name))
    return children


def restart_postgresql() -> None:
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir())
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"],
        check=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/tracker_load"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per page")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-db-restart", action="store_true")
    options = parser.parse_args()

    base, database = options.database_url.rsplit("/", 1)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": options.database_url,
        "DATABASE_POOL": "yes",
        "DATABASE_POOL_MAX_SIZE": str(options.threads),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "no",
        "SECURE_PROXY_SSL_HEADER": "no",
        "LOG_LEVEL": "WARNING",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(options.workers),
        "GUNICORN_THREADS": str(options.threads),
    }
    prepare(env, database, base + "/postgres")
    manage(env, "collectstatic", "--no-input", "-v0")
    failures: list[str] = []
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "harris_tracker.wsgi"],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        wait_until_up(port, server, timeout=60)
        print(
            f"gunicorn -c gunicorn.conf.py: {options.workers} workers × {options.threads} "
            f"threads, psycopg pool; {options.clients} clients, {options.duration:g} s a page\n"
        )
        print(f"{'page':<36}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'× ceiling':>11}{'errors':>8}")
        ceiling = None
        for label, path, is_page in PAGES:
            hammer(port, path, options.clients, 1.0, 200)  # warm up
            # The CSV of 10,000 recommendations is ~10 MB: a few clients fetch it at a time,
            # as downloads do, and wait for it.
            clients = options.clients if is_page else min(4, options.clients)
            result = hammer(port, path, clients, options.duration, 100_000, timeout=60)
            ceiling = ceiling or result["rps"] or 1
            ratio = result["rps"] / ceiling
            print(
                f"{label:<36}{result['rps']:>8.1f}{result['p50']:>9.1f}{result['p99']:>9.1f}"
                f"{ratio:>11.2f}{result['errors']:>8}"
                + ("" if is_page else f"   ({clients} clients)")
            )
            if result["errors"]:
                failures.append(f"{label}: {result['errors']} errors under load")
            if is_page and ratio < 0.5:
                failures.append(f"{label}: {ratio:.2f} of the ceiling (aim: 0.5)")

        # Freshness: an officer's update shows on the very next request.
        before = get(port, "/recommendations/77/")[1]
        marker = f"Officer update {secrets.token_hex(4)}"
        manage(
            env,
            "shell",
            "-v0",
            "-c",
            "import datetime; from recommendations.models import Recommendation as R; "
            "from recommendations.services import record_update as u; "
            f"u(recommendation=R.objects.get(number=77), date=datetime.date.today(), "
            f"text='{marker}', status='resolved')",
        )
        status, after = get(port, "/recommendations/77/")
        fresh = marker not in before and marker in after and status == 200
        print(f"\nFreshness: an update recorded while serving is on the next request: {fresh}")
        if not fresh:
            failures.append("an officer's update did not show on the next request")

        failures += fault_phase(port, server, env, options)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    if failures:
        print("\nFAILED:\n- " + "\n- ".join(failures))
        return 1
    print("\nAll checks passed.")
    return 0


def fault_phase(port: int, server: subprocess.Popen, env: dict, options) -> list[str]:
    failures = []
    timeline: list[tuple[float, bool]] = []
    stop = threading.Event()
    started = time.monotonic()

    def prober() -> None:
        while not stop.is_set():
            try:
                ok = get(port, "/recommendations/?status=ongoing")[0] == 200
            except OSError:
                ok = False
            timeline.append((time.monotonic() - started, ok))
            time.sleep(0.05)

    background = threading.Thread(
        target=hammer, args=(port, "/recommendations/", options.clients, 24.0, 100_000)
    )
    probe = threading.Thread(target=prober)
    with tempfile.TemporaryDirectory() as tmp:
        stop_file = Path(tmp) / "stop"
        writer = subprocess.Popen(
            [PYTHON, "manage.py", "shell", "-v0", "-c", WRITER],
            cwd=BASE_DIR,
            env={**env, "LOAD_TEST_STOP_FILE": str(stop_file)},
            stdout=subprocess.PIPE,
            text=True,
        )
        background.start()
        probe.start()
        time.sleep(5)
        victim = workers_of(server.pid)[0]
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic() - started
        print(f"\nFaults: killed gunicorn worker {victim} at {killed_at:.1f} s")
        time.sleep(5)
        restarted_at = None
        if not options.no_db_restart:
            restarted_at = time.monotonic() - started
            restart_postgresql()
            print(
                f"Faults: PostgreSQL restarted at {restarted_at:.1f} s "
                f"(took {time.monotonic() - started - restarted_at:.1f} s)"
            )
        background.join()
        stop.set()
        probe.join()
        stop_file.touch()
        output, _ = writer.communicate(timeout=60)

    acknowledged = [int(line.split()[1]) for line in output.splitlines() if line.startswith("ACK")]
    refused = [line for line in output.splitlines() if line.startswith("ERR")]
    check = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-v0",
            "-c",
            "from recommendations.models import ProgressUpdate as U; "
            "print(' '.join(t.rsplit(' ', 1)[1] for t in U.objects.filter("
            "text__startswith='load-test write').values_list('text', flat=True)))",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    stored = {int(n) for n in check.stdout.split()}
    lost = sorted(set(acknowledged) - stored)
    print(
        f"Writes: {len(acknowledged)} acknowledged, {len(refused)} refused while the "
        f"database was down, {len(lost)} lost"
    )
    if lost:
        failures.append(f"acknowledged writes lost: {lost[:10]}")

    failed = [t for t, ok in timeline if not ok]
    if failed:
        last_failure = max(failed)
        print(
            f"Probe: {len(failed)} of {len(timeline)} probes failed, between "
            f"{min(failed):.1f} s and {last_failure:.1f} s"
        )
        if restarted_at is not None:
            print(
                f"Recovery: the first good answer after the restart came "
                f"{last_failure - restarted_at:.1f} s after it began"
            )
    else:
        print(f"Probe: all {len(timeline)} probes answered 200 through both faults")
    recovered = [ok for t, ok in timeline if t > timeline[-1][0] - 3]
    if not (recovered and all(recovered)):
        failures.append("the service had not recovered 3 s before the end of the fault phase")
    after = hammer(port, "/recommendations/", options.clients, 5.0, 100_000)
    print(f"After the faults: {after['rps']:.0f} req/s, {after['errors']} errors")
    if after["errors"]:
        failures.append(f"{after['errors']} errors after recovery")
    if len(workers_of(server.pid)) < options.workers:
        failures.append("gunicorn did not replace the killed worker")
    return failures


if __name__ == "__main__":
    sys.exit(main())
