"""Queue a recompute when approved data changes, without ever making the approval depend on the broker."""

import logging

from django.db import transaction

from .models import PendingRecompute

log = logging.getLogger(__name__)


def queue_recompute(sender, report, **kwargs) -> None:
    """The pending row commits with the approval; the job is only a nudge, and the next sweep catches up."""
    PendingRecompute.objects.create(report=report)
    transaction.on_commit(_nudge_worker)


def queue_figures_recompute(sender, plan, indicator_ids, period, **kwargs) -> None:
    """After the commit: a recompute of those indicators from that quarter on (in this process without a broker)."""
    args = (plan.pk, sorted(indicator_ids), period.pk)
    transaction.on_commit(lambda: _send_figures_job(args))


def _send_figures_job(args) -> None:
    from .jobs import recompute_figures

    try:
        if recompute_figures.app.conf.task_always_eager:
            recompute_figures.apply_async(args)
        else:
            with recompute_figures.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=0)
                recompute_figures.apply_async(args, retry=False, connection=connection)
    except Exception:  # recorded all the same: the nightly run sees the new figures (results.fingerprints)
        log.warning("Recompute after official figures not run; the nightly run catches up.", exc_info=True)


def _nudge_worker() -> None:
    from .jobs import process_pending_recomputes

    app = process_pending_recomputes.app
    if app.conf.task_always_eager:  # no broker configured: run in this process
        try:
            process_pending_recomputes.apply_async()
        except Exception:  # the approval is committed; a failed recompute stays pending for the sweep
            log.exception("In-process recompute failed; it stays pending until the next sweep.")
        return
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0)  # fail at once rather than hold up the approval
            process_pending_recomputes.apply_async(retry=False, connection=connection)
    except Exception:  # the broker is down: the pending row waits for the periodic sweep
        log.warning("Broker unavailable; the recompute stays pending until the next sweep.", exc_info=True)
