#!/usr/bin/env python
"""Django's command-line utility, which says configuration errors in one line."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harris_tracker.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")
    except Exception as exc:
        from django.db import OperationalError

        if isinstance(exc, OperationalError):
            from django.conf import settings

            from harris_tracker.env import redact_url

            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            sys.exit(f"Cannot use the database at {redact_url(settings.DATABASE_URL)}: {reason}")
        raise


if __name__ == "__main__":
    main()
