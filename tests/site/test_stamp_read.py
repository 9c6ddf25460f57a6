"""How the freshness stamp is read: the driver's own connection outside a transaction,
Django's cursor inside one, the same answer either way, and the day it is made on."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from public import freshness
from tests.site.test_dropped_connection import drop_connection

LONDON = ZoneInfo("Europe/London")


@pytest.mark.django_db(transaction=True)
def test_the_stamp_read_outside_a_transaction_moves_with_each_change():
    freshness.bump()
    first = freshness.stamp()
    assert freshness.stamp() == first
    freshness.bump()
    assert freshness.stamp() != first


@pytest.mark.django_db(transaction=True)
def test_the_drivers_read_and_djangos_read_give_the_same_counter():
    freshness.bump()
    freshness.bump()
    raw = freshness._version()
    with CaptureQueriesContext(connection) as recorded:
        counted = freshness._version()
    assert raw == counted == 2
    # While queries are recorded, the read goes through Django and is counted.
    assert [query["sql"] for query in recorded] == [freshness._VERSION_SQL]


@pytest.mark.django_db(transaction=True)
def test_the_counter_read_before_any_change_is_none():
    assert freshness._version() is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="libpq's read is PostgreSQL's")
def test_libpq_is_not_used_on_a_connection_inside_a_transaction():
    connection.ensure_connection()
    raw = connection.connection
    raw.autocommit = False
    try:
        raw.execute("SELECT 1")  # opens a transaction on the driver's connection
        assert freshness._read_version_libpq(raw) is freshness._NOT_READ
    finally:
        raw.rollback()
        raw.autocommit = True


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="libpq's read is PostgreSQL's")
def test_a_failed_libpq_read_is_the_drivers_error_and_the_next_read_reconnects():
    freshness.bump()
    drop_connection()
    with pytest.raises(freshness.DriverError):
        freshness._read_version_libpq(connection.connection)
    # Where the stamp is read, the error closes the connection and the read is made again.
    drop_connection()
    assert freshness._version() == 1


@pytest.fixture
def clock(monkeypatch):
    """Set the time the stamp's day is worked out from (an aware datetime)."""
    monkeypatch.setattr(freshness, "_day", (0.0, 0.0, None))

    def set_to(moment: datetime.datetime) -> None:
        monkeypatch.setattr(freshness.time, "time", lambda: moment.timestamp())

    return set_to


def test_the_stamps_day_is_todays_date_in_london(clock):
    clock(datetime.datetime.now(tz=datetime.UTC))
    assert freshness._today() == timezone.localdate()


@pytest.mark.parametrize(
    ("last_second", "first_second"),
    [
        # Winter: London is on UTC.
        (
            datetime.datetime(2026, 1, 14, 23, 59, 59, tzinfo=LONDON),
            datetime.datetime(2026, 1, 15, 0, 0, 0, tzinfo=LONDON),
        ),
        # Summer: midnight in London is 23:00 UTC the day before.
        (
            datetime.datetime(2026, 7, 14, 23, 59, 59, tzinfo=LONDON),
            datetime.datetime(2026, 7, 15, 0, 0, 0, tzinfo=LONDON),
        ),
        # The night the clocks go forward.
        (
            datetime.datetime(2026, 3, 28, 23, 59, 59, tzinfo=LONDON),
            datetime.datetime(2026, 3, 29, 0, 0, 0, tzinfo=LONDON),
        ),
    ],
)
def test_the_stamps_day_changes_at_london_midnight(clock, last_second, first_second):
    clock(last_second)
    assert freshness._today() == last_second.date()
    clock(first_second)
    assert freshness._today() == first_second.date()
    # And the stamp with it, the counter the same: overdue actions change at midnight.
    before, after = last_second.date(), first_second.date()
    assert freshness._stamp_of(3, before) != freshness._stamp_of(3, after)


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return [name for (name,) in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL statement")
def test_the_stamps_read_is_prepared_once_a_connection():
    freshness.bump()
    assert freshness._version() == 1
    freshness.bump()
    assert freshness._version() == 2
    assert prepared_statements().count(freshness._STATEMENT.decode()) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL statement")
def test_a_statement_the_server_lost_is_read_unprepared_from_then_on(monkeypatch):
    """What a pooler that hands statements to any server connection does."""
    monkeypatch.setattr(freshness, "_preparing", True)
    freshness.bump()
    assert freshness._version() == 1
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {freshness._STATEMENT.decode()}")
    freshness.bump()
    assert freshness._version() == 2
    assert freshness._preparing is False
    assert freshness._version() == 2
