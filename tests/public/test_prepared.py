"""Queries compiled once (public/prepared.py) answer as their querysets would."""

import datetime

import pytest
from django.db import DatabaseError, connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from public.prepared import Prepared, fetch_all
from public.reports import report_years
from recommendations.models import Ownership, ProgressUpdate, Recommendation
from tests.factories import OwnershipFactory, ProgressUpdateFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def test_a_prepared_query_answers_for_each_value_it_is_given():
    for number in (3, 5, 9):
        RecommendationFactory(number=number)
    above = Prepared(
        lambda n: Recommendation.objects.filter(number__gt=n).values_list("number").order_by()
    )
    assert sorted(above(4)) == [(5,), (9,)]
    assert sorted(above(8)) == [(9,)]
    pair = Prepared(
        lambda a, b: Recommendation.objects.filter(number__in=[a, b]).values_list("number"),
        size=2,
    )
    assert sorted(pair(3, 9)) == [(3,), (9,)]


def test_a_queryset_that_loses_its_marker_is_refused_rather_than_answering_wrongly():
    everything = Prepared(lambda n: Recommendation.objects.values_list("number"))
    with pytest.raises(ValueError, match="marker"):
        everything(1)


def test_rows_come_back_converted_as_the_querysets_own_would():
    """A boolean is True or False and a date a date, on SQLite as on PostgreSQL."""
    update = ProgressUpdateFactory(published=True)
    ownership = OwnershipFactory(recommendation=update.recommendation, is_lead=True)
    leads = Prepared(
        lambda pk: Ownership.objects.filter(recommendation_id=pk).values_list("is_lead")
    )
    assert leads(ownership.recommendation_id) == [(True,)]
    assert leads(ownership.recommendation_id)[0][0] is True
    dates = Prepared(
        lambda pk: ProgressUpdate.objects.filter(pk=pk).values_list("date", "published")
    )
    assert dates(update.pk) == [(update.date, True)]


def test_a_distinct_query_ordered_by_a_column_it_does_not_give_gives_only_its_own_columns():
    """Django selects the ordering's columns too for DISTINCT, and leaves them out of rows."""
    for number in (2, 1):
        OwnershipFactory(recommendation=RecommendationFactory(number=number))
    numbers = Prepared(
        lambda: (
            Recommendation.objects.filter(ownerships__isnull=False)
            .distinct()
            .order_by("-number")
            .values_list("text")
        ),
        0,
    )
    expected = list(numbers.build())
    assert numbers() == expected
    assert [len(row) for row in expected] == [1, 1]


def test_the_years_with_a_report_are_those_of_published_updates_oldest_first():
    """Extracted by SQLite's strftime() or PostgreSQL's EXTRACT, counted once each."""
    for day in ("2019-03-01", "2017-12-31", "2019-11-30", "2018-06-15"):
        ProgressUpdateFactory(published=True, date=datetime.date.fromisoformat(day))
    ProgressUpdateFactory(published=False, date=datetime.date(2021, 1, 1))
    assert report_years() == [2017, 2018, 2019]
    assert ProgressUpdate.objects.published_years() == [2017, 2018, 2019]


def test_model_instances_come_with_their_related_rows_and_annotations():
    ownership = OwnershipFactory(
        recommendation=RecommendationFactory(number=4), organisation__name="Fire Brigade"
    )
    owned = Prepared(
        lambda pk: (
            Ownership.objects.filter(recommendation=pk)
            .select_related("organisation", "recommendation")
            .annotate(twice=F("recommendation__number") * 2)
        )
    )
    [found] = owned.objects(ownership.recommendation_id)
    assert found == ownership
    assert not found._state.adding
    assert found.twice == 8
    with CaptureQueriesContext(connection) as queries:
        assert found.organisation.name == "Fire Brigade"
        assert found.recommendation.number == 4
    assert len(queries) == 0


@pytest.mark.parametrize("number", [7, 2_147_483_648, 10**30])
def test_a_recommendation_page_for_a_number_there_is_not_is_a_404(client, number):
    RecommendationFactory(number=1)
    assert client.get(f"/recommendations/{number}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_drivers_cursor_answers_as_djangos_would():
    for number in (1, 12, 21):
        RecommendationFactory(number=number, text=f"Text {number}% done")
    table = Recommendation._meta.db_table
    # A literal % is written %% in Django's SQL, as a placeholder is %s.
    sql = f"SELECT number FROM {table} WHERE number > %s AND text LIKE '%%1%% done' ORDER BY 1"
    params = [5]
    assert not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        expected = cursor.fetchall()
    assert [tuple(row) for row in fetch_all(connection, sql, params)] == [(12,), (21,)]
    assert [tuple(row) for row in expected] == [(12,), (21,)]


@pytest.mark.django_db(transaction=True)
def test_an_error_on_the_drivers_cursor_is_djangos_own():
    with pytest.raises(DatabaseError):
        fetch_all(connection, "SELECT nothing FROM no_such_table")


def statements_prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {statement for (statement,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_on_postgresql_a_query_is_planned_once_a_connection_then_only_run():
    RecommendationFactory(number=3)
    query = Prepared(lambda n: Recommendation.objects.filter(number=n).values_list("number"))
    assert query(3) == [(3,)]
    assert query(4) == []
    sql = query.sql("default")[0]
    assert [s for s in statements_prepared() if "recommendations_recommendation" in s] == [
        sql.replace("%s", "$1")
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_with_prepared_statements_turned_off_nothing_is_prepared(monkeypatch):
    """DATABASE_PREPARED_STATEMENTS=false: psycopg's threshold is None, as Django leaves it."""
    RecommendationFactory(number=3)
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    query = Prepared(lambda n: Recommendation.objects.filter(number=n).values_list("number"))
    assert query(3) == [(3,)]
    assert not [s for s in statements_prepared() if "recommendations_recommendation" in s]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_statements_the_server_lost_are_run_unprepared_from_then_on(monkeypatch):
    """What a pooler that hands each statement to any server connection does."""
    from public import prepared

    monkeypatch.setattr(prepared, "_preparing", True)
    RecommendationFactory(number=3)
    query = Prepared(lambda n: Recommendation.objects.filter(number=n).values_list("number"))
    assert query(3) == [(3,)]
    connection.connection.pgconn.exec_(b"DEALLOCATE ALL")  # unseen by psycopg
    assert query(3) == [(3,)]
    assert prepared._preparing is False
    assert query(3) == [(3,)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_past_the_limit_the_oldest_statement_is_given_up(monkeypatch):
    from public import prepared

    monkeypatch.setattr(prepared, "_preparing", True)
    monkeypatch.setattr(prepared, "STATEMENTS_KEPT", 2)
    RecommendationFactory(number=3, text="Exercise the plans")
    by_number = Prepared(lambda n: Recommendation.objects.filter(number=n).values_list("number"))
    above = Prepared(lambda n: Recommendation.objects.filter(number__gt=n).values_list("number"))
    below = Prepared(lambda n: Recommendation.objects.filter(number__lt=n).values_list("number"))
    assert by_number(3) == [(3,)]
    assert above(2) == [(3,)]
    assert below(4) == [(3,)]
    ours = {s for s in statements_prepared() if "recommendations_recommendation" in s}
    assert ours == {
        above.sql("default")[0].replace("%s", "$1"),
        below.sql("default")[0].replace("%s", "$1"),
    }
    assert by_number(3) == [(3,)]  # prepared again


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_values_of_each_type_get_a_statement_of_their_own():
    """psycopg writes a small int as a smaller type than a large one, as its own cursor
    does; each gets its statement, and both find their rows."""
    RecommendationFactory(number=3)
    RecommendationFactory(number=2_000_000_000)
    query = Prepared(lambda n: Recommendation.objects.filter(number=n).values_list("number"))
    assert query(3) == [(3,)]
    assert query(2_000_000_000) == [(2_000_000_000,)]
    assert query(3) == [(3,)]
    text = Prepared(
        lambda marker: Recommendation.objects.filter(text=str(marker)).values_list("number")
    )
    assert text("no such text") == []
