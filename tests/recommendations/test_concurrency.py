"""Concurrent writers on one recommendation: the stored status still follows the rule.

Only PostgreSQL has the race (row locks, READ COMMITTED); SQLite lets one writer at a time.
"""

import datetime
import threading

import pytest
import tablib
from django.db import connection, connections, transaction

from recommendations import services
from recommendations.imports import import_updates
from recommendations.models import ProgressUpdate, Status
from recommendations.resources import ProgressUpdateResource
from recommendations.services import record_update
from tests.factories import RecommendationFactory, UserFactory

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


@pytest.mark.parametrize("pause_while", ["checking", "inserting"])
def test_an_officers_update_does_not_wait_for_a_running_import(pause_while, monkeypatch):
    recommendation = RecommendationFactory(number=1)
    author = UserFactory()
    paused, resume = threading.Event(), threading.Event()

    def pausing(original):
        def wrapper(*args, **kwargs):
            result = original(*args, **kwargs)
            paused.set()
            resume.wait(timeout=30)
            return result

        return wrapper

    if pause_while == "checking":
        monkeypatch.setattr(
            ProgressUpdateResource, "skip_row", pausing(ProgressUpdateResource.skip_row)
        )
    else:
        monkeypatch.setattr(services, "_copy_to_history", pausing(services._copy_to_history))
    dataset = tablib.Dataset(
        ["1", "2018-01-01", "Resolved", "Done."],
        headers=["recommendation", "date", "status", "update"],
    )
    reports = []

    def run_import():
        try:
            reports.append(import_updates(dataset_or_file=dataset, user=author, publish=True))
        finally:
            connections.close_all()

    importer = threading.Thread(target=run_import)
    importer.start()
    try:
        assert paused.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Waiting on the import's locks would fail here instead of hanging.
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            record_update(
                recommendation=recommendation,
                date=datetime.date(2018, 6, 1),
                text="Later, and still going.",
                status=Status.ONGOING,
                published=True,
            )
    finally:
        resume.set()
        importer.join()
    assert reports[0].ok and reports[0].new == 1
    recommendation.refresh_from_db()
    assert ProgressUpdate.objects.count() == 2
    assert (recommendation.status, recommendation.last_updated) == (
        Status.ONGOING,
        datetime.date(2018, 6, 1),
    )


def test_a_copy_loaded_before_a_concurrent_update_does_not_put_the_old_status_back():
    """One request saves a recommendation it loaded before another's update was committed:
    the save waits for the update's lock and keeps the status the update stored."""
    recommendation = RecommendationFactory(number=1)
    stale = type(recommendation).objects.get(pk=recommendation.pk)
    recorded, failures = threading.Event(), []

    def officer() -> None:
        try:
            with transaction.atomic():
                record_update(recommendation=recommendation, date=datetime.date(2018, 6, 1),
                              text="Done.", status=Status.RESOLVED)  # fmt: skip
                recorded.set()
                # Still holding the row lock while the other request saves its copy.
                threading.Event().wait(0.5)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
            recorded.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=officer)
    thread.start()
    recorded.wait(timeout=30)
    stale.text = "Reworded."
    stale.save()
    thread.join()
    assert not failures, failures
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.text) == (Status.RESOLVED, "Reworded.")
    assert recommendation.last_updated == datetime.date(2018, 6, 1)
