"""make bench pools the latencies of a page's short runs as those of one run."""

from bench.site import pooled


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
