"""The container's command, gunicorn with gunicorn.conf.py, serves the app."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.helpers import free_port

GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.mark.django_db(transaction=True)
def test_the_image_command_serves_healthz_with_production_settings(tmp_path):
    port = free_port()
    database = tmp_path / "gunicorn.sqlite3"
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "a-test-only-secret-key-that-is-long-enough-for-production-checks",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECURE_SSL_REDIRECT": "no",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=settings.BASE_DIR, env=env, check=True
    )
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "harris_tracker.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 30  # a busy machine may take a while to start it
        while body is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = (r.status, r.read())
            except OSError:
                time.sleep(0.1)
        assert body == (200, b'{"status": "ok", "database": "ok"}')
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert '"path": "/healthz"' in output, "one JSON log line per request on stdout"
    assert '"status": 200' in output
    # gunicorn's own lines from a worker (its pid in them) are written, not lost.
    assert "Worker exiting" in output
    assert "Logging error" not in output


def test_a_worker_leaves_what_it_loaded_out_of_full_collections():
    """gunicorn.conf.py's hook freezes the loaded objects, so full garbage collections stay
    short (a long one held up every request waiting on the worker)."""
    import gc
    import runpy

    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
