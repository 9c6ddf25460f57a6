"""Benchmark: the public list, filter and tally queries with the status stored or computed.

    .venv/bin/python manage.py generate_synthetic_data --recommendations 10000 --updates 100000
    .venv/bin/python bench/status_rule.py     # on the database DATABASE_URL names

It times, on data already in the database, what the list page (a status filter, the
report's order, a count and the first page), the filter page (status and section, and status
and owner) and the home page's tallies (by status, section and owner) ask, twice: reading
the stored `status`, and computing the rule's answer on read (the latest published update,
as a correlated subquery). Each query runs `--repeat` times; the median is printed, in ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)


def timed(run, repeat: int) -> float:
    run()  # warm the caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def queries(recommendations, owner_slug: str) -> dict:
    """What the public pages ask, of `recommendations` annotated with `status_as_at`."""

    def page(queryset):
        return lambda: (queryset.count(), list(queryset.in_report_order()[:25]))

    return {
        "list: resolved, first page": page(recommendations.filter(status_as_at="resolved")),
        "filter: ongoing, Mayor's section": page(
            recommendations.filter(status_as_at="ongoing", section="mayor")
        ),
        "filter: resolved, one owner": page(
            recommendations.filter(status_as_at="resolved", owners__slug=owner_slug)
        ),
        "home: tally": recommendations.tally,
        "home: tally by section": lambda: recommendations.tally_by("section"),
        "home: tally by owner": lambda: recommendations.tally_by("owners__name", "owners__slug"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harris_tracker.settings")
    import django

    django.setup()
    from django.conf import settings

    from recommendations.models import Organisation, Recommendation, rule_status

    settings.DEBUG = False
    computed = Recommendation.objects.annotate(status_as_at=rule_status())
    owner = Organisation.objects.filter(ownerships__isnull=False).first().slug
    stored = queries(Recommendation.objects.current(), owner)
    on_read = queries(computed, owner)
    print(f"{Recommendation.objects.count()} recommendations; median of {repeat}, in ms")
    print(f"{'query':40} {'stored':>8} {'computed':>9}")
    for name in stored:
        print(f"{name:40} {timed(stored[name], repeat):8.1f} {timed(on_read[name], repeat):9.1f}")


if __name__ == "__main__":
    main()
