"""A public page is served even when the database has dropped the worker's connection.

Django's own connection health checks (`CONN_HEALTH_CHECKS`, on in settings) do it: at the
start of every request Django marks the connection to be checked, and its first query of the
request checks it first (a `SELECT 1`), replacing a connection the database dropped (a
restart, a failover). The test client leaves out that start-of-request step, so the test
takes it, as Django's handler does under gunicorn.
"""

import pytest
from django.db import close_old_connections, connection, connections

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
    close_old_connections()  # what Django does as each request starts (request_started)
    response = client.get(path)
    assert response.status_code == 200
    assert text in response.content.decode()
