"""Concurrent writers on one recommendation: the stored status still follows the rule.

Only PostgreSQL has the race (row locks, READ COMMITTED); SQLite lets one writer at a time.
"""

import datetime
import threading

import pytest
from django.db import connection, connections

from recommendations.models import ProgressUpdate, Status
from recommendations.services import record_update
from tests.factories import RecommendationFactory

WRITERS = 6
TRIALS = 50
STATUSES = [Status.ONGOING, Status.RESOLVED, Status.RESOLVED_BY_OTHER_MEANS]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and the race need PostgreSQL"
    ),
]


def test_six_concurrent_published_updates_leave_the_latest_ones_status():
    recommendations = [RecommendationFactory(number=n) for n in range(1, TRIALS + 1)]
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            for trial, recommendation in enumerate(recommendations):
                # The latest date falls to a different writer in each trial.
                offset = (index + trial) % WRITERS
                start.wait(timeout=30)
                record_update(
                    recommendation=recommendation,
                    date=datetime.date(2018, 1, 1) + datetime.timedelta(days=offset),
                    text=f"Writer {index}, trial {trial}.",
                    status=STATUSES[offset % len(STATUSES)],
                    published=True,
                )
        except BaseException as error:  # reported by the main thread
            failures.append(error)
            start.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures

    wrong = []
    for recommendation in recommendations:
        recommendation.refresh_from_db()
        latest = ProgressUpdate.objects.filter(recommendation=recommendation).latest()
        stored = (recommendation.status, recommendation.last_updated, recommendation.latest_update)
        if stored != (latest.status, latest.date, latest):
            wrong.append(recommendation.number)
    assert ProgressUpdate.objects.count() == WRITERS * TRIALS
    assert wrong == [], f"{len(wrong)} of {TRIALS} trials left a stale status: {wrong}"
