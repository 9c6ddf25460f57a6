"""Settings for the Harris Review Tracker, all read from the environment.

Without any environment this is a local development site on an SQLite file with DEBUG on.
Setting DJANGO_ENV=production (or DEBUG=no) asks for production: DEBUG off, a real
SECRET_KEY required, secure cookies and HSTS. See the settings table in README.md.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from harris_tracker.env import (
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env_str("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", default=not PRODUCTION)

DEVELOPMENT_SECRET_KEY = "development-only-not-secret"
SECRET_KEY = env_str("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of 50+ characters when DEBUG is off "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )

# The previous key(s) while rotating: signatures made with them stay valid meanwhile.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "harris_tracker.apps.TrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "recommendations",
    "reporting",
    "boards",
    "public",
    "harris_tracker.apps.TrackerConfig",
]

MIDDLEWARE = [
    "harris_tracker.logging.RequestLogMiddleware",
    "harris_tracker.permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Repeat views of public pages (ETag and the `pages` cache): below the HTTPS redirect,
    # above the middlewares whose headers (CSP, X-Frame-Options) the kept page carries.
    "public.middleware.PublicPageCacheMiddleware",
    "harris_tracker.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a clear page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "harris_tracker.urls"
WSGI_APPLICATION = "harris_tracker.wsgi.application"

# One engine, Django's. With DEBUG off Django caches compiled templates (the cached loader)
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "public.context_processors.site",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": database_from_url(DATABASE_URL)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Opening the file and setting its pragmas on every request cost more than a page
    # served from the cache.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
else:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)
    if env_bool("DATABASE_POOL", default=False):
        # psycopg's pool keeps connections open itself; Django then requires CONN_MAX_AGE 0.
        # Size it so that workers x max_size stays under PostgreSQL's max_connections.
        # With health checks on, Django's pool checks each connection as it leaves the pool,
        # so that after a database restart a worker gets a fresh one instead of an error.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        _options["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 2),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 4),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers and crawlers ask for at the site's root: /favicon.ico, /robots.txt.
WHITENOISE_ROOT = BASE_DIR / "site_root"
# Owners' evidence files. Never served from a public URL: staff download them through a
# view that checks permission. In production point "default" at a django-storages backend.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Owners' evidence (bytes): all the files of one submission together, those already attached
# to a draft included, may not exceed this (each file may be at most 10 MB).
EVIDENCE_MAX_TOTAL_BYTES = env_int("EVIDENCE_MAX_TOTAL_BYTES", 50 * 1024 * 1024)
# A DOCX, XLSX or ODT is a zip archive: refused if it would unzip to more than this (bytes),
# or if one of its parts over a megabyte expands more than this many times (a zip bomb).
EVIDENCE_MAX_UNZIPPED_BYTES = env_int("EVIDENCE_MAX_UNZIPPED_BYTES", 100 * 1024 * 1024)
EVIDENCE_MAX_ZIP_RATIO = env_int("EVIDENCE_MAX_ZIP_RATIO", 200)

# Uploads (the admin's CSV/XLSX import) larger than this are refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# The admin's spreadsheet imports refuse larger files (bytes) with a message.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
# … and files with more rows below the header than this, before reading them into memory.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)
# An owner with an unresolved recommendation and no published update for longer than this
# (days; about six months) is listed on the admin's Overdue page.
REPORTING_INTERVAL_DAYS = env_int("REPORTING_INTERVAL_DAYS", 183)
# The review (its slug) that the contract's URLs (/recommendations/, the downloads, /report/…)
# answer for, and that a recommendation made without naming its review belongs to.
DEFAULT_REVIEW = env_str("DEFAULT_REVIEW", "harris-2016")

# django-import-export: whole imports in one transaction; no spreadsheet formulas in exports.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
# History is an audit trail: it is read, never used to put an old version back.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Behind a TLS-terminating proxy or load balancer that sets X-Forwarded-Proto.
if env_bool("SECURE_PROXY_SSL_HEADER", default=PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only staff sign in: their sessions end after a working day, and with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Content Security Policy: our pages load nothing inline and nothing from elsewhere.
# The admin gets the one exception it needs (see harris_tracker/csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Browser features no page of ours uses, switched off for every page and any frame in it.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
)

# Where a sign-in lands when its `next` is missing or unsafe (another site's address): the
# admin's home, not Django's /accounts/profile/, which this site does not have. The owner
# portal's sign-in sends contacts to /owners/ itself (public/views/owners.py).
LOGIN_REDIRECT_URL = "admin:index"

# Admin sign-in: lock a username + address out after repeated failures (django-axes).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client's address comes from django-ipware. AXES_PROXY_COUNT is the number of proxies
# in front of the app (the load balancer: 1). The nearest is REMOTE_ADDR; each of the others
# appended its peer to X-Forwarded-For, so the client is the entry AXES_PROXY_COUNT from the
# right and whatever a client wrote further left is ignored. Without proxies the header is
# not read at all: anybody could write it.
# (axes reads a setting named AXES_PROXY_COUNT as a deprecated alias: hence another name.)
TRUSTED_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 1 if PRODUCTION else 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"AXES_PROXY_COUNT={TRUSTED_PROXY_COUNT}: use 0 or more")
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1 if TRUSTED_PROXY_COUNT else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]
)
# A chain longer than the proxies account for (a client's own X-Forwarded-For) still gives
# the address our nearest proxy saw, rather than falling back to the balancer's address.
IPWARE_STRICT = False

# Two-factor sign-in for staff (django-otp, TOTP apps): off unless asked for.
STAFF_TWO_FACTOR = env_bool("STAFF_TWO_FACTOR", default=False)
OTP_TOTP_ISSUER = "Harris Review Tracker"
# django-otp's own throttle is per device, from any address: anyone who knows a password
# could keep its owner out with wrong codes (the delay doubles without end). Its docs say 0
# turns it off; a wrong code then counts as a failed sign-in for django-axes instead, per
# username and address (harris_tracker/admin.py), so only the guesser's address is locked
# out. 1 (django-otp's default) brings the per-device throttle back. See docs/security.md.
OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_TOTP_THROTTLE_FACTOR", 0)

# Logs go to stdout: one JSON object per line in production (LOG_FORMAT=json), plain text
# on a developer's terminal. Every request is one line with its status and duration.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "harris_tracker.logging.JSONFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Our request log says it once; Django's and runserver's would repeat it.
        "django.request": {"level": "ERROR"},
        # WeasyPrint logs every page it lays out at INFO: thousands of lines a report.
        "weasyprint": {"level": "WARNING"},
        "django.server": {"level": "ERROR" if LOG_FORMAT == "json" else "INFO"},
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# How long a rendered public page is kept for repeat views (0: never). Entries are keyed by
# the data's change stamp, so a change shows at once whatever this is (public/middleware.py).
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 600)
#: How many entries each worker keeps in its own memory (without Redis, or while it is down).
LOCAL_CACHE_ENTRIES = env_int("LOCAL_CACHE_ENTRIES", 500)
# With REDIS_URL every worker of every instance shares the caches in Redis; without it each
# worker keeps its own, bounded. A Redis that stops answering costs one call its timeout;
# that worker then uses its own memory for REDIS_PAUSE_SECONDS (harris_tracker/cache.py).
REDIS_URL = env_str("REDIS_URL")


def _cache(prefix: str) -> dict:
    if not REDIS_URL:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": prefix,
            "OPTIONS": {"MAX_ENTRIES": LOCAL_CACHE_ENTRIES},
        }
    return {
        "BACKEND": "harris_tracker.cache.FailSafeRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"{env_str('CACHE_KEY_PREFIX', 'harris')}:{prefix}",
        "OPTIONS": {
            "socket_connect_timeout": env_float("REDIS_TIMEOUT_SECONDS", 0.25),
            "socket_timeout": env_float("REDIS_TIMEOUT_SECONDS", 0.25),
            "PAUSE_SECONDS": env_int("REDIS_PAUSE_SECONDS", 30),
            "FALLBACK_ENTRIES": LOCAL_CACHE_ENTRIES,
        },
    }


CACHES = {"default": _cache("default"), "pages": _cache("pages")}

# The annual report's PDF is built only for a report of at most this many recommendations:
# WeasyPrint holds the whole document in memory: 0.5–1 MB a page, and 500 recommendations
# are some 330 pages, so a worker stays well under 500 MB. A larger report is read and
# printed from its pages.
REPORT_PDF_MAX_RECOMMENDATIONS = env_int("REPORT_PDF_MAX_RECOMMENDATIONS", 500)

# Where the public site's "report a problem" and accessibility statement send people.
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "harris-review-tracker@mopac.example")

# Email: SMTP when EMAIL_HOST is set, otherwise printed on the console (so `make run` shows
# what would be sent). Tests use the in-memory backend.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587 if env_bool("EMAIL_USE_TLS", True) else 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "harris-review-tracker@mopac.example")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
# Links in emails are absolute: the address people reach the site at. Feed entries' ids are
# `tag:` URIs on its domain, so that they stay the same whatever host a request named.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Owner contacts are reminded this many days before a round's due date.
REMINDER_DAYS_BEFORE_DUE = env_int("REMINDER_DAYS_BEFORE_DUE", 7)

# Background tasks (Django 6.0's tasks API, from the django-tasks backport): the queue is a
# table in the same database, and `python manage.py db_worker` runs what is queued (`make run`
# starts one beside the dev server; see docs/background-tasks.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A failed email is tried again after 1, 5, 30 minutes, 2 and 6 hours, then marked failed
# (staff see it, and may send it again, under Reporting > Outgoing emails).
try:
    EMAIL_RETRY_SECONDS = [
        int(seconds) for seconds in env_list("EMAIL_RETRY_SECONDS", "60,300,1800,7200,21600")
    ]
except ValueError:
    raise ImproperlyConfigured(
        "EMAIL_RETRY_SECONDS: give the waits in seconds, separated by commas, e.g. 60,300"
    ) from None
# "Forgot password" emails: at most this many an hour to one address, and from one client
# address (as django-ipware finds it, like the login lockout), whatever the address asked.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env_int("PASSWORD_RESET_LIMIT_PER_CLIENT", 10)
