"""Production hardening: request logs, the Content Security Policy, login lockout, 2FA."""

import json
import logging

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from harris_tracker.logging import JSONFormatter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_request_is_one_json_log_line_with_status_and_duration(client, caplog):
    with caplog.at_level(logging.INFO, logger="harris_tracker.requests"):
        client.get("/healthz?secret=words")
        client.get("/no-such-page/")
    records = [r for r in caplog.records if r.name == "harris_tracker.requests"]
    assert [(r.path, r.status) for r in records] == [("/healthz", 200), ("/no-such-page/", 404)]
    line = JSONFormatter().format(records[0])
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["status"] == 200
    assert entry["method"] == "GET"
    assert isinstance(entry["duration_ms"], float)
    assert "secret" not in line, "query strings may carry search words: never logged"


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_public_pages_get_a_strict_content_security_policy(client):
    policy = directives(client.get("/healthz")["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"


def test_the_admin_gets_only_the_inline_exception_it_needs(client):
    policy = directives(client.get("/admin/login/")["Content-Security-Policy"])
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"


def test_repeated_failed_sign_ins_lock_the_account_out(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="officer", password="right password here")
    for _ in range(3):
        response = client.post(
            "/admin/login/", {"username": "officer", "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
        )
    assert response.status_code == 429
    response = client.post(
        "/admin/login/",
        {"username": "officer", "password": "right password here"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 429, "the right password does not open a locked account"
    assert "_auth_user_id" not in client.session


def test_a_correct_sign_in_works_without_two_factor(client):
    UserFactory(username="officer", password="right password here")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "officer", "password": "right password here"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_with_two_factor_on_a_password_alone_does_not_open_the_admin(client, settings):
    settings.STAFF_TWO_FACTOR = True
    user = UserFactory(username="officer", password="right password here", is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "officer",
            "password": "right password here",
            "otp_device": device.persistent_id,
        },
    )
    assert response.status_code == 200  # the form asks for the code
    assert client.get("/admin/").status_code == 302

    client.force_login(user)  # signed in, but not verified by a device
    assert client.get(reverse("admin:index")).status_code == 302


def test_with_two_factor_on_password_and_code_open_the_admin(client, settings):
    from django_otp.oath import totp

    settings.STAFF_TWO_FACTOR = True
    user = UserFactory(username="officer", password="right password here", is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    code = str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(6)
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "officer",
            "password": "right password here",
            "otp_device": device.persistent_id,
            "otp_token": code,
        },
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


# Two-factor throttling (issue 22, item 13) ---------------------------------------------------
#
# django-otp throttles per device: after each wrong code, the next code, right or wrong and
# from any address, waits 1, 2, 4… seconds without end. Whoever knew an officer's password
# could keep them out by sending wrong codes. django-otp's docs allow turning it off
# (OTP_TOTP_THROTTLE_FACTOR = 0); a wrong code then counts as a failed sign-in for axes, per
# username and address, so the guesser's address is locked out and the officer's is not.


def _code(device: TOTPDevice) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _sign_in_with_code(client, device: TOTPDevice, code: str, address: str):
    return client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "officer",
            "password": "right password here",
            "otp_device": device.persistent_id,
            "otp_token": code,
        },
        REMOTE_ADDR=address,
    )


@pytest.fixture
def officer_with_device(settings):
    settings.STAFF_TWO_FACTOR = True
    settings.AXES_ENABLED = True
    user = UserFactory(username="officer", password="right password here", is_superuser=True)
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_wrong_codes_from_elsewhere_do_not_delay_the_officers_right_code(officer_with_device):
    from django.test import Client

    device = officer_with_device
    wrong = f"{(int(_code(device)) + 500_000) % 1_000_000:06d}"
    guesser = Client()
    for _ in range(2):
        assert _sign_in_with_code(guesser, device, wrong, "203.0.113.9").status_code == 200
    officer = Client()
    response = _sign_in_with_code(officer, device, _code(device), "10.0.0.5")
    assert response.status_code == 302, "the right code from the officer's address gets in"
    assert officer.get("/admin/").status_code == 200


def test_wrong_codes_lock_out_the_address_that_sent_them(officer_with_device, settings):
    from django.test import Client

    settings.AXES_FAILURE_LIMIT = 3
    device = officer_with_device
    wrong = f"{(int(_code(device)) + 500_000) % 1_000_000:06d}"
    guesser = Client()
    for _ in range(3):
        _sign_in_with_code(guesser, device, wrong, "203.0.113.9")
    locked = _sign_in_with_code(guesser, device, _code(device), "203.0.113.9")
    assert locked.status_code == 429, "even the right code from that address is refused"
    officer = Client()
    assert _sign_in_with_code(officer, device, _code(device), "10.0.0.5").status_code == 302


def test_django_otps_per_device_throttle_is_off_by_default():
    from django.conf import settings

    assert settings.OTP_TOTP_THROTTLE_FACTOR == 0


# A sign-in whose `next` is unsafe lands on the admin's home, not /accounts/profile/ (a 404).


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/admin/", "javascript:alert(1)"]
)
def test_an_unsafe_next_lands_staff_on_the_admin_home(client, unsafe):
    UserFactory(username="officer", password="right password here")
    response = client.post(
        f"/admin/login/?next={unsafe}",
        {"username": "officer", "password": "right password here", "next": unsafe},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
