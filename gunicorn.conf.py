"""gunicorn settings, read from the environment. Used by the Dockerfile and the benchmarks:
gunicorn -c gunicorn.conf.py harris_tracker.wsgi"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
# One thread a worker: processes use the cores, and a worker's connections wait their turn
# in its poller (gthread keeps them open). A page is mostly Python, which holds the GIL:
# with two threads a worker handed the GIL back and forth at every query (SQLite and the
# network let it go) and each thread waited up to 5 ms to get it back. On the 2-CPU
# machine a fresh render cost 20-30% more CPU with 2 threads than with 1 (in one process),
# and under wrk -c16 `/recommendations/32/` swung between 80 and 175 req/s with 2 threads,
# where 1 gave 200 every time. Slow requests (a first PDF) are what more workers are for.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# The connections a worker holds at once, kept-alive ones included (gunicorn's default 1000).
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then so that no slow leak can grow for ever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Which proxies may set X-Forwarded-For/-Proto: the load balancer's addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Django logs every request as JSON; gunicorn's own access log would say it twice.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def post_worker_init(worker):
    """Leave what the worker has loaded (Django, the URL configuration, the templates' code)
    out of the garbage collector's full passes: with it in, every few hundred fresh renders
    a full pass over some 125,000 objects stopped the worker for 50-60 ms, and each of the
    connections waiting on that worker for as long; frozen, a full pass takes 5-10 ms."""
    import gc

    gc.freeze()
