"""Small helpers that read settings from the environment and refuse nonsense loudly."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "yes", "true", "on"}
FALSE = {"0", "no", "false", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value (use yes or no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name}={raw!r} must not be negative")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list: "a.example, b.example" → ["a.example", "b.example"]."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def redact_url(url: str) -> str:
    """The URL with any password replaced, fit for an error message."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def database_from_url(url: str) -> dict:
    """Django's DATABASES entry for `url`, or ImproperlyConfigured naming what is wrong."""
    import dj_database_url

    try:
        config = dj_database_url.parse(url)
    except Exception as exc:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(
            f"DATABASE_URL {redact_url(url)!r} cannot be parsed ({exc}); "
            "expected e.g. postgres://user@127.0.0.1:5432/tracker or sqlite:///db.sqlite3"
        ) from None
    engine = config.get("ENGINE", "")
    if engine not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured(
            f"DATABASE_URL {redact_url(url)!r}: only PostgreSQL and SQLite are supported"
        )
    if engine.endswith("postgresql") and not config.get("NAME"):
        raise ImproperlyConfigured(
            f"DATABASE_URL {redact_url(url)!r} names no database (add /tracker at the end)"
        )
    return config
