"""Benchmark the public site: requests/s and p50/p99 latency of its main pages.

    make bench            # or: .venv/bin/python bench/site.py --duration 5 --clients 8

Serves the site with gunicorn (production settings, DEBUG off) on 127.0.0.1 against a fresh
SQLite copy of the real data (`load_initial_data`), then drives each page in turn with
concurrent clients (threads with keep-alive http.client connections), bounded in time and
in requests. /healthz, which
does one database query and nothing else, is the ceiling each page is compared with.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
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
PAGES = [
    ("ceiling: /healthz", "/healthz"),
    ("/", "/"),
    ("/recommendations/", "/recommendations/"),
    ("detail", "/recommendations/32/"),
    ("/recommendations.csv", "/recommendations.csv"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env: dict[str, str]) -> str:
    """Migrate a new database, load the data, collect the static files; say which data."""

    def manage(*args: str) -> None:
        subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)

    manage("migrate", "--no-input", "-v0")
    manage("collectstatic", "--no-input", "-v0")
    manage("load_initial_data")
    return "the real data (fixtures/)"


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before serving")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def hammer(
    port: int, path: str, clients: int, duration: float, max_requests: int, timeout: float = 10
) -> dict:
    """Run `clients` threads against `path` for `duration` s (or `max_requests` in all)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        mine: list[float] = []
        while time.monotonic() < stop_at and len(latencies) + len(mine) < max_requests:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                errors.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                continue
            if response.status != 200:
                errors.append(f"HTTP {response.status}")
            mine.append(time.perf_counter() - started)
            if len(mine) >= 50:
                with lock:
                    latencies.extend(mine)
                mine = []
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
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per page")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--max-requests", type=int, default=50_000, help="per page, at most")
    parser.add_argument(
        "--no-page-cache", action="store_true", help="render every request (no response cache)"
    )
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="harris-bench-") as tmp:
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "no",
            "SECURE_PROXY_SSL_HEADER": "no",
            "LOG_LEVEL": "WARNING",
            "PUBLIC_PAGE_CACHE_SECONDS": "0" if options.no_page_cache else "600",
        }
        data = prepare(env)
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "harris_tracker.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={options.workers}",
                "--worker-class=gthread",
                f"--threads={options.threads}",
                "--keep-alive=10",
                "--log-level=warning",
            ],
            cwd=BASE_DIR,
            env=env,
        )
        try:
            wait_until_up(port, server)
            print(f"Data: {data}")
            print(
                f"gunicorn {options.workers} workers × {options.threads} threads on 127.0.0.1, "
                f"{options.clients} clients, {options.duration:g} s per page"
                + (", response cache off" if options.no_page_cache else "")
            )
            results = []
            for label, path in PAGES:
                hammer(port, path, options.clients, min(1.0, options.duration), 500)  # warm up
                results.append(
                    (
                        label,
                        hammer(
                            port, path, options.clients, options.duration, options.max_requests
                        ),
                    )
                )
        finally:
            server.terminate()
            server.wait(timeout=30)

    ceiling = results[0][1]["rps"] or 1
    print(f"\n{'page':<24}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'× ceiling':>11}{'errors':>8}")
    for label, result in results:
        print(
            f"{label:<24}{result['rps']:>9.0f}{result['p50']:>9.1f}{result['p99']:>9.1f}"
            f"{result['rps'] / ceiling:>11.2f}{result['errors']:>8}"
        )
    if any(result["errors"] for _, result in results):
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()
