"""gunicorn settings, read from the environment. Used by the Dockerfile and the benchmarks:
gunicorn -c gunicorn.conf.py harris_tracker.wsgi"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
# Threads let a worker overlap database waits; processes use the cores. Two, not more: a
# page is mostly Python, which holds the GIL, and a third or fourth thread of a worker only
# waits its turn for it (in 5 ms slices), which shows as the slowest 1% of requests. On the
# 2-CPU machine (`make bench`, SQLite) 2 threads gave repeat views 0.65-1.18 of the bare
# view and 4 gave 0.47-0.95, with lower p99 on fresh renders.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
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
