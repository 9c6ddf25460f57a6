"""Sign-in lockout behind the load balancer: per username *and* client address.

The settings that pick the client's address are read from a production settings module
(DJANGO_ENV=production, loaded in a subprocess), then the requests go through the whole
middleware stack with django-axes on, as the balancer would forward them.
"""

import json

import pytest

from tests.factories import UserFactory
from tests.harris_tracker.test_settings import manage

pytestmark = pytest.mark.django_db

BALANCER = "10.0.0.2"
ADDRESS_SETTINGS = (
    "AXES_IPWARE_PROXY_ORDER",
    "AXES_IPWARE_PROXY_COUNT",
    "AXES_IPWARE_META_PRECEDENCE_ORDER",
    "IPWARE_STRICT",
    "AXES_LOCKOUT_PARAMETERS",
    "AXES_FAILURE_LIMIT",
)


@pytest.fixture(scope="module")
def production_address_settings() -> dict:
    result = manage(
        "shell",
        "-c",
        "import json; from django.conf import settings; "
        f"print(json.dumps({{k: getattr(settings, k) for k in {ADDRESS_SETTINGS!r}}}))",
        DJANGO_ENV="production",
        SECRET_KEY="s" * 60,
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def behind_the_balancer(settings, production_address_settings):
    for name, value in production_address_settings.items():
        setattr(settings, name, value)
    settings.AXES_ENABLED = True
    UserFactory(username="victim", password="right password here")


def sign_in(client, password: str, forwarded_for: str):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "victim", "password": password},
        REMOTE_ADDR=BALANCER,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_production_trusts_one_proxy_and_reads_x_forwarded_for(production_address_settings):
    assert production_address_settings["AXES_IPWARE_META_PRECEDENCE_ORDER"][0] == (
        "HTTP_X_FORWARDED_FOR"
    )
    assert production_address_settings["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]


def test_failures_from_one_address_do_not_lock_the_user_out_elsewhere(client, behind_the_balancer):
    responses = [sign_in(client, "wrong", "203.0.113.5") for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429

    assert sign_in(client, "right password here", "203.0.113.5").status_code == 429
    assert "_auth_user_id" not in client.session

    response = sign_in(client, "right password here", "198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_an_address_written_by_the_client_does_not_escape_the_lockout(client, behind_the_balancer):
    for _ in range(5):
        sign_in(client, "wrong", "203.0.113.5")
    # The client sent "X-Forwarded-For: 198.51.100.7"; the balancer appended what it saw.
    forged = sign_in(client, "right password here", "198.51.100.7, 203.0.113.5")
    assert forged.status_code == 429
    assert "_auth_user_id" not in client.session


def test_without_a_proxy_the_header_is_ignored(client, settings):
    settings.AXES_ENABLED = True
    UserFactory(username="victim", password="right password here")
    for _ in range(5):
        client.post(
            "/admin/login/",
            {"username": "victim", "password": "wrong"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR="192.0.2.1",
        )
    response = client.post(
        "/admin/login/",
        {"username": "victim", "password": "right password here"},
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 429
