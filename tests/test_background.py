"""Without a broker, a queued job runs on a thread of the web process, not inside the request that queued it."""

import threading

from celery import shared_task

from ninghe_carbon import background

started = threading.Event()
release = threading.Event()
ran_on = []


@shared_task
def held_job(value):
    ran_on.append((threading.current_thread().name, value))
    started.set()
    assert release.wait(timeout=30)


def test_a_job_runs_on_a_background_thread_and_the_caller_goes_on(settings):
    settings.JOBS_IN_THREADS = True
    started.clear(), release.clear(), ran_on.clear()
    future = background.enqueue(held_job, 7)
    assert started.wait(timeout=30)
    assert not future.done()  # the caller came back while the job still runs
    assert background.is_live(held_job, 7) and not background.is_live(held_job, 6)
    release.set()
    future.result(timeout=30)
    assert not background.is_live(held_job, 7)  # a row this job left behind is no longer this process's
    assert ran_on[0][0].startswith("background-job") and ran_on[0][0] != threading.current_thread().name
    assert ran_on[0][1] == 7


def test_with_the_pool_off_the_job_runs_before_the_caller_goes_on(settings):
    settings.JOBS_IN_THREADS = False
    ran_on.clear()
    release.set()
    assert background.enqueue(held_job, 8) is None
    assert ran_on == [(threading.current_thread().name, 8)]
