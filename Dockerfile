# The Harris Review Tracker: a slim, non-root image with the locked dependencies.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production

WORKDIR /app

COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock

COPY . .

# collectstatic needs a key to import the settings; it is not the one the site runs with.
RUN SECRET_KEY=collectstatic-only-build-time-key-that-is-never-used-to-serve-anything \
    python manage.py collectstatic --no-input \
    && useradd --system --uid 10001 --home-dir /app tracker

USER tracker
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"

CMD ["gunicorn", "harris_tracker.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
