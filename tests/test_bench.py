"""make bench pools the latencies of a page's short runs as those of one run."""

import argparse
import os
import runpy
from unittest import mock

from bench.site import BASE_DIR, Server, pooled


def run(requests: int, latencies: list[float]) -> dict:
    """A run as wrk's script reports it: the latency in the middle of each thousandth."""
    per_latency = 1000 // len(latencies)
    return {"requests": requests, "quantiles": [x for x in latencies for _ in range(per_latency)]}


def test_pooled_latencies_weigh_each_run_by_its_requests():
    fast = run(900, [1.0] * 9 + [2.0])  # 900 requests: 810 at 1 ms, 90 at 2 ms
    slow = run(100, [50.0])  # 100 requests at 50 ms
    assert pooled([fast, slow], 0.50) == 1.0
    assert pooled([fast, slow], 0.85) == 2.0
    # The slowest tenth of all requests are the slow run's.
    assert pooled([fast, slow], 0.99) == 50.0
    assert pooled([fast], 0.99) == 2.0


def test_each_worker_takes_its_share_of_the_connections_and_one_more():
    """gunicorn.conf.py gives the bench's cap to gthread, which stops accepting past it."""
    env = Server({}, argparse.Namespace(workers=2, clients=16, threads=0)).env
    assert env["GUNICORN_WORKER_CONNECTIONS"] == "9"
    odd = Server({}, argparse.Namespace(workers=3, clients=16, threads=2)).env
    assert odd["GUNICORN_WORKER_CONNECTIONS"] == "8"  # 6 each at most, and 2 threads
    cap = {"GUNICORN_WORKER_CONNECTIONS": env["GUNICORN_WORKER_CONNECTIONS"]}
    with mock.patch.dict(os.environ, cap):
        config = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert config["worker_connections"] == 9


def test_the_ceiling_sends_as_many_bytes_as_a_page_for_the_size_floor():
    """`--size-floor` compares the bare view with itself sending a page's bytes."""
    with mock.patch.dict(os.environ, {"SECRET_KEY": "read-when-the-module-is-imported"}):
        from bench.bare_settings import sized

    assert len(sized(None, 153_861).content) == 153_861
    assert len(sized(None, 153_861).content) == 153_861  # made once, sent again
