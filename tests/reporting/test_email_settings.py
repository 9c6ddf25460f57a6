"""Email goes by SMTP when EMAIL_HOST is set, to the console otherwise."""

import pytest

from tests.harris_tracker.test_settings import manage

SHOW = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_PORT, s.SITE_URL)"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "django.core.mail.backends.console.EmailBackend 587 http://127.0.0.1:8000"),
        (
            {
                "EMAIL_HOST": "smtp.example",
                "EMAIL_USE_TLS": "no",
                "SITE_URL": "https://t.example/",
            },
            "django.core.mail.backends.smtp.EmailBackend 25 https://t.example",
        ),
    ],
)
def test_the_email_backend_follows_the_environment(env, expected):
    result = manage("shell", "-c", SHOW, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
