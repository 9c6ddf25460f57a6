import mailbox
import os
import socket
import subprocess
import sys
import time

import pytest
from django.urls import NoReverseMatch, reverse


@pytest.fixture(autouse=True)
def _portal_urls(settings):
    """Emails name the owner portal's pages: stand in for them where the portal is absent."""
    try:
        reverse("owners:home")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.reporting.portal_urls"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Evidence files land in the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def smtp_server(settings, tmp_path):
    """A real SMTP server (aiosmtpd) on localhost that files what it receives in a Maildir.

    It runs in its own process from outside the project: aiosmtpd depends on a module
    called `public`, which the project's own `public` app would shadow.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    maildir = tmp_path / "maildir"
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"the SMTP server did not start: {server.stderr.read().decode()}")
            time.sleep(0.1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield mailbox.Maildir(maildir, factory=None, create=True)
    server.terminate()
    server.wait(timeout=10)
