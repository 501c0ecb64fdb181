"""Changing an annual evaluation: the office's texts, rules and adjustments (each kept in the history),
making it final (freezing its data), and generating its PDF."""

from __future__ import annotations

import datetime as dt
import logging
import time
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from departments.roles import is_office
from ninghe_carbon import background

from . import document
from .models import SCHEME_FIELDS, AnnualEvaluation, EvaluationChange, ReportFile, ScoreAdjustment
from .snapshot import build_snapshot

log = logging.getLogger(__name__)
workflow_log = logging.getLogger("ninghe.workflow")  # one JSON line per office action, like the reports' steps
TEXT_FIELDS = ("introduction", "conclusions")
# A queued job may wait behind others; a running one writes a heartbeat at every step (a step takes seconds).
STALE_AFTER = dt.timedelta(minutes=30)
SILENT_AFTER = dt.timedelta(minutes=3)
# A job whose worker died is delivered again (acks late, the broker's visibility timeout); a file that kills
# its worker every time must not loop for ever.
MAX_ATTEMPTS = 3
INTERRUPTED = gettext_noop("Stopped: the worker was stopped or restarted while making this file. Generate it again.")
ORPHANED = gettext_noop("Stopped: the website was restarted while making this file. Generate it again.")
TOO_MANY_ATTEMPTS = gettext_noop("Stopped: the job was interrupted %(n)s times. Ask the administrator.")


class StaleEvaluation(Exception):
    """Another member of the office saved the evaluation after this form was opened."""


def evaluation_for(plan, year: int) -> AnnualEvaluation:
    evaluation, _created = AnnualEvaluation.objects.get_or_create(plan=plan, year=year)
    return evaluation


@transaction.atomic
def update_evaluation(evaluation: AnnualEvaluation, *, by, version: int, **values) -> AnnualEvaluation:
    """Save the office's texts and assessment rules; each changed field goes into the history."""
    evaluation = _editable(evaluation, by=by)
    if evaluation.version != version:
        raise StaleEvaluation()
    unknown = set(values) - set(TEXT_FIELDS) - set(SCHEME_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changed = []
    for name, value in values.items():
        before = getattr(evaluation, name)
        if _differs(before, value):
            changed.append(
                EvaluationChange(
                    evaluation=evaluation, field=name, before=_text(before), after=_text(value), changed_by=by
                )
            )
            setattr(evaluation, name, value)
    _check_scheme(evaluation)
    if changed:
        evaluation.version += 1
        evaluation.save()
        EvaluationChange.objects.bulk_create(changed)
        _log("update", evaluation, by, fields=[c.field for c in changed])
    return evaluation


@transaction.atomic
def set_adjustment(evaluation: AnnualEvaluation, *, by, department, points: Decimal, reason: str) -> ScoreAdjustment:
    """Adjust one unit's score; a reason is required, and zero points with a reason keeps the record visible."""
    evaluation = _editable(evaluation, by=by)
    if not (reason or "").strip():
        raise ValidationError(_("Write the reason for the adjustment."))
    if not Decimal(-20) <= points <= Decimal(20):
        raise ValidationError(_("An adjustment must lie between −20 and +20 points."))
    current = ScoreAdjustment.objects.filter(evaluation=evaluation, department=department).first()
    before = f"{current.points:+.1f} {current.reason}" if current else ""
    adjustment, _created = ScoreAdjustment.objects.update_or_create(
        evaluation=evaluation, department=department, defaults={"points": points, "reason": reason.strip()}
    )
    EvaluationChange.objects.create(
        evaluation=evaluation,
        field="adjustment",
        department=department,
        before=before,
        after=f"{adjustment.points:+.1f} {adjustment.reason}",
        changed_by=by,
    )
    _log("adjust", evaluation, by, department=department.pk, points=float(adjustment.points))
    return adjustment


@transaction.atomic
def finalize(evaluation: AnnualEvaluation, *, by, today, version: int | None = None) -> AnnualEvaluation:
    """Freeze the year's data: every later PDF of this evaluation is built from this snapshot.

    With `version` (the page sends it) a colleague's later edit stops it: nobody makes final texts they have not seen.
    """
    evaluation = _editable(evaluation, by=by)
    if version is not None and evaluation.version != version:
        raise StaleEvaluation()
    # Frozen as the figures are known at this moment: a report rebuilt "as known at" `finalized_at` gives the same
    # targets, and a later restatement is measured against exactly what was published (evaluation.restatements).
    now = timezone.now()
    evaluation.snapshot = build_snapshot(evaluation, today=today, at=now)
    evaluation.is_final = True
    evaluation.finalized_at = now
    evaluation.version += 1
    evaluation.save()
    EvaluationChange.objects.create(
        evaluation=evaluation, field="is_final", before="draft", after="final", changed_by=by
    )
    _log("finalize", evaluation, by)
    return evaluation


@transaction.atomic
def reopen(evaluation: AnnualEvaluation, *, by, reason: str) -> AnnualEvaluation:
    """Back to draft (the frozen data is dropped); the reason is kept in the history."""
    _require_office(by)
    if not (reason or "").strip():
        raise ValidationError(_("Write why the final report is being reopened."))
    evaluation = AnnualEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not evaluation.is_final:
        raise ValidationError(_("This evaluation is already a draft."))
    evaluation.is_final, evaluation.snapshot, evaluation.finalized_at = False, None, None
    evaluation.version += 1
    evaluation.save()
    EvaluationChange.objects.create(
        evaluation=evaluation, field="is_final", before="final", after=f"draft: {reason.strip()}", changed_by=by
    )
    _log("reopen", evaluation, by)
    return evaluation


def request_pdf(evaluation: AnnualEvaluation, *, by) -> ReportFile:
    """Queue a PDF; the page polls the row's progress. The job runs after this transaction commits."""
    _require_office(by)
    file = ReportFile.objects.create(evaluation=evaluation, requested_by=by, from_final=evaluation.is_final)
    _log("generate", evaluation, by, file=file.pk)
    transaction.on_commit(lambda: _queue(file.pk))
    return file


def _queue(file_id: int) -> None:
    from .jobs import generate_report_pdf

    try:
        background.enqueue(generate_report_pdf, file_id)
    except Exception:  # a broker outage must not break the page; the row says what happened
        log.exception("Could not queue the PDF job for file %s", file_id)
        ReportFile.objects.filter(pk=file_id, state=ReportFile.State.QUEUED).update(
            state=ReportFile.State.FAILED,
            error=_("The job queue is unavailable; try again later."),
            finished_at=timezone.now(),
        )


def generate_pdf(file_id: int, *, today=None) -> ReportFile:
    """Render the PDF of one requested file, reporting progress on the row; a failure is recorded, not raised."""
    file = ReportFile.objects.select_related("evaluation__plan__jurisdiction").get(pk=file_id)
    if file.state == ReportFile.State.DONE:
        return file  # a retried job does not render twice
    file.attempts += 1
    ReportFile.objects.filter(pk=file.pk).update(attempts=file.attempts)
    if file.attempts > MAX_ATTEMPTS:
        _fail(file, _(TOO_MANY_ATTEMPTS) % {"n": MAX_ATTEMPTS}, step=TOO_MANY_ATTEMPTS)
        return file
    started = time.monotonic()
    _progress(file, 5, gettext_noop("Reading the year's data"), state=ReportFile.State.RUNNING)
    evaluation = file.evaluation
    try:
        if file.from_final and evaluation.snapshot is None:
            # Reopened between the request and the job: a draft must never carry the 定稿 stamp.
            raise ValidationError(
                _("The evaluation was reopened as a draft before this file was made; generate again.")
            )
        if file.from_final:
            snapshot = evaluation.snapshot
        else:
            snapshot = build_snapshot(evaluation, today=today or timezone.localdate())
        pdf, pages = document.render_pdf(snapshot, final=file.from_final, progress=lambda p, s: _progress(file, p, s))
        name = f"{evaluation.plan.code}-{evaluation.year}-{'final' if file.from_final else 'draft'}-{file.pk}.pdf"
        file.file.save(name, ContentFile(pdf), save=False)
        file.pages, file.size, file.seconds = pages, len(pdf), round(time.monotonic() - started, 2)
        file.state, file.progress, file.step, file.finished_at = (
            ReportFile.State.DONE,
            100,
            gettext_noop("Ready"),
            timezone.now(),
        )
        file.heartbeat_at, file.error = file.finished_at, ""
        file.save()
    except Exception as error:  # the row must end done or failed, never stay "running"
        log.exception("PDF generation failed for file %s", file_id)
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        ReportFile.objects.filter(pk=file.pk).update(
            state=ReportFile.State.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        file.refresh_from_db()
    return file


def expire_stale_files(*, now=None, older_than=STALE_AFTER, silent_after=SILENT_AFTER) -> int:
    """A job that died (worker killed, machine restarted) leaves its row queued or running: a running row whose
    heartbeat has been silent for minutes, or a queued row never started, is marked failed with the reason.
    Should the broker deliver the job again later, it still runs and the row ends done."""
    now = now or timezone.now()
    files = ReportFile.objects.filter(state__in=[ReportFile.State.QUEUED, ReportFile.State.RUNNING])
    silent = files.filter(state=ReportFile.State.RUNNING).filter(
        Q(heartbeat_at__lt=now - silent_after) | Q(heartbeat_at__isnull=True, requested_at__lt=now - silent_after)
    )
    interrupted = silent.update(state=ReportFile.State.FAILED, error=_(INTERRUPTED), step=INTERRUPTED, finished_at=now)
    never_started = files.filter(state=ReportFile.State.QUEUED, requested_at__lt=now - older_than).update(
        state=ReportFile.State.FAILED, error=_("The job did not finish in time."), finished_at=now
    )
    return interrupted + never_started


def fail_orphaned_files(*, now=None, silent_after=SILENT_AFTER) -> int:
    """Without a broker (`scripts/run`) the PDF job runs on a thread of the web process and no Celery beat expires
    dead rows: a restart of that process leaves its rows queued or running for ever. Called where the rows are read
    (the evaluation page and its progress poll), this fails a row whose heartbeat has been silent for minutes and
    whose job this process does not hold, so the page says why and the office generates it again."""
    from .jobs import generate_report_pdf

    if not background.without_broker(generate_report_pdf):
        return 0  # a worker's rows: delivered again by the broker, or expired by beat (expire_stale_files)
    now = now or timezone.now()
    silent = ReportFile.objects.filter(state__in=[ReportFile.State.QUEUED, ReportFile.State.RUNNING]).filter(
        Q(heartbeat_at__lt=now - silent_after) | Q(heartbeat_at__isnull=True, requested_at__lt=now - silent_after)
    )
    orphaned = [pk for pk in silent.values_list("pk", flat=True) if not background.is_live(generate_report_pdf, pk)]
    if not orphaned:
        return 0
    return silent.filter(pk__in=orphaned).update(
        state=ReportFile.State.FAILED, error=_(ORPHANED), step=ORPHANED, finished_at=now
    )


def _fail(file: ReportFile, message: str, *, step: str) -> None:
    ReportFile.objects.filter(pk=file.pk).update(
        state=ReportFile.State.FAILED, error=message, step=step, finished_at=timezone.now()
    )
    file.refresh_from_db()


def _log(action: str, evaluation: AnnualEvaluation, by, **fields) -> None:
    workflow_log.info(
        "evaluation.%s",
        action,
        extra={
            "action": action,
            "evaluation": evaluation.pk,
            "year": evaluation.year,
            "user": by.get_username(),
            **fields,
        },
    )


def _progress(file: ReportFile, percent: int, step: str, *, state: str | None = None) -> None:
    """One UPDATE per step, committed at once (the job runs outside a transaction) so the page sees it."""
    fields = {"progress": percent, "step": step, "heartbeat_at": timezone.now()}
    if state:
        fields["state"] = state
    ReportFile.objects.filter(pk=file.pk).update(**fields)


def _editable(evaluation: AnnualEvaluation, *, by) -> AnnualEvaluation:
    _require_office(by)
    evaluation = AnnualEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.is_final:
        raise ValidationError(_("This evaluation is final and cannot be changed; reopen it as a draft first."))
    return evaluation


def _require_office(user) -> None:
    if not is_office(user):
        raise PermissionDenied(_("Only the leading-group office may change the annual evaluation."))


def _check_scheme(evaluation: AnnualEvaluation) -> None:
    weights = [evaluation.weight_timeliness, evaluation.weight_tasks, evaluation.weight_targets]
    if sum(Decimal(w) for w in weights) <= 0:
        raise ValidationError(_("At least one weight must be above zero."))
    if not (Decimal(evaluation.band_excellent) >= Decimal(evaluation.band_good) >= Decimal(evaluation.band_pass)):
        raise ValidationError(_("The bands must descend: excellent ≥ good ≥ pass."))


def _differs(before, after) -> bool:
    if isinstance(before, Decimal) or isinstance(after, Decimal):
        return Decimal(str(before)) != Decimal(str(after))
    return (before or "") != (after or "")


def _text(value) -> str:
    return "" if value is None else str(value)
