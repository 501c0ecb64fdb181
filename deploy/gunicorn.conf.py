"""gunicorn settings for the web service (systemd and docker-compose both start it with -c this file)."""

import os

# Only the proxy (nginx on this host) talks to gunicorn: listen on loopback unless told otherwise. Compose sets
# 0.0.0.0 inside its private network, where the port is not published and only nginx's address is trusted.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 60  # the slowest pages (workbook import) finish well within this
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then; jitter keeps them from restarting together
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# the proxy in front may set X-Forwarded-*; only addresses listed here are believed (as TRUSTED_PROXY_ADDRESSES)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Request lines up to gunicorn's maximum reach Django, which answers over-long addresses itself (414 with a
# message; ninghe_carbon.middleware.LongUrlMiddleware) instead of gunicorn's bare page.
limit_request_line = 8190
