"""Long jobs outside the request when there is no broker.

With CELERY_BROKER_URL set, a Celery worker runs them. Without one (a laptop, `scripts/run`), Celery runs a task
eagerly inside the request that queued it: the browser would wait for the whole job (the annual PDF: many seconds)
and never see its progress. A task queued here runs on a thread of the web process instead; the request answers
at once and the page polls the job's progress row, as it does with a worker. Tests turn JOBS_IN_THREADS off so
that a job's result is there when the request returns.

Without a broker there is no Celery beat either, and no worker to deliver a job again: a job this process queued
dies with it when it restarts. `is_live` says which jobs this process still holds, so that a row left behind by
an earlier process can be told from one still being worked on here.
"""

import logging
import threading
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="background-job")
_live: Counter = Counter()  # (task name, args) of the jobs queued or running in this process
_lock = threading.Lock()


def without_broker(task) -> bool:
    """True when the task's jobs run in the web process (eagerly or on its threads) rather than on a worker."""
    return bool(task.app.conf.task_always_eager)


def enqueue(task, *args) -> Future | None:
    """Queue a Celery task: to the broker when there is one, else to a thread here (never inside the request)."""
    if not without_broker(task):
        task.delay(*args)
        return None
    _hold(task, args, +1)
    if settings.JOBS_IN_THREADS:
        return _pool.submit(_run, task, args)
    try:
        task.delay(*args)
    finally:
        _hold(task, args, -1)
    return None


def is_live(task, *args) -> bool:
    """Whether this process has the job queued or running (always False for jobs sent to a broker)."""
    with _lock:
        return _live[(task.name, args)] > 0


def _hold(task, args, step: int) -> None:
    with _lock:
        _live[(task.name, args)] += step
        if _live[(task.name, args)] <= 0:
            del _live[(task.name, args)]


def _run(task, args) -> None:
    try:
        task.apply(args=args)
    except Exception:  # the job records its own failure on its row; this is the log line for the operator
        log.exception("Background job %s%r failed", task.name, args)
    finally:
        _hold(task, args, -1)
        connections.close_all()  # this thread's connections only; the next job opens its own
