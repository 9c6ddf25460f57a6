"""A public page is served even when the database has dropped the worker's connection.

The freshness stamp's read is the first query of every public request and stands in for
Django's connection health check (a `SELECT 1` round trip of its own): a dropped connection
(a database restart, a failover) must fail that read, be replaced, and the page be served.
"""

import pytest
from django.db import connection, connections

from tests.factories import RecommendationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a server that can drop a connection"
    ),
]


def drop_connection() -> None:
    """What a database restart does to the worker: its server process ends."""
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/", "Progress report"),
        ("/recommendations/", "Recommendation 7"),
        ("/recommendations/7/", "Recommendation 7"),
    ],
)
def test_a_public_page_is_served_after_the_database_drops_the_connection(client, path, text):
    RecommendationFactory(number=7)
    assert client.get(path).status_code == 200
    drop_connection()
    response = client.get(path)
    assert response.status_code == 200
    assert text in response.content.decode()
