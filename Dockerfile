# The Harris Review Tracker: a slim, non-root image with the locked dependencies.
# Build: docker build -t harris-tracker .
# Run:   docker run -e SECRET_KEY=… -e DATABASE_URL=… -e ALLOWED_HOSTS=… -p 8000:8000 harris-tracker
# and, beside it, the task worker (emails, report PDFs): the same image with the command
#        python manage.py db_worker
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production \
    PORT=8000

WORKDIR /app

# Pango (with HarfBuzz's subsetter) and a font for WeasyPrint, which prints /report/<year>.pdf
# (in the task worker, from this same image).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock

COPY . .

# collectstatic imports the settings, which need a key: this one never serves anything.
RUN SECRET_KEY=build-time-only-key-for-collectstatic-never-used-to-sign-anything-0123456789 \
    python manage.py collectstatic --no-input \
    && useradd --system --uid 10001 --no-create-home --home-dir /app tracker \
    && mkdir -p /app/media && chown tracker /app/media

USER tracker
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4).status != 200)"]

ENTRYPOINT ["./docker-entrypoint.sh"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "harris_tracker.wsgi"]
