"""Long jobs outside the request when there is no broker.

With CELERY_BROKER_URL set, a Celery worker runs them. Without one (a laptop, `scripts/run`), Celery runs a task
eagerly inside the request that queued it: the browser would wait for the whole job (the annual PDF: many seconds)
and never see its progress. A task queued here runs on a thread of the web process instead; the request answers
at once and the page polls the job's progress row, as it does with a worker. Tests turn JOBS_IN_THREADS off so
that a job's result is there when the request returns.
"""

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="background-job")


def enqueue(task, *args) -> Future | None:
    """Queue a Celery task: to the broker when there is one, else to a thread here (never inside the request)."""
    if task.app.conf.task_always_eager and settings.JOBS_IN_THREADS:
        return _pool.submit(_run, task, args)
    task.delay(*args)
    return None


def _run(task, args) -> None:
    try:
        task.apply(args=args)
    except Exception:  # the job records its own failure on its row; this is the log line for the operator
        log.exception("Background job %s%r failed", task.name, args)
    finally:
        connections.close_all()  # this thread's connections only; the next job opens its own
