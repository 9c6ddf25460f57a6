#!/bin/sh
# Runs migrations only when asked (MIGRATE_ON_START=yes), then the given command.
# With several app containers, migrate from one of them (or a one-off job) only.
set -eu
case "${MIGRATE_ON_START:-no}" in
  yes|true|1|on)
    python manage.py migrate --no-input
    python manage.py load_initial_data
    ;;
esac
exec "$@"
