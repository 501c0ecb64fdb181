"""Changing an annual evaluation: the office's texts, rules and adjustments (each kept in the history),
making it final (freezing its data), and generating its PDF."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from departments.roles import is_office

from . import document, files
from .changes import record_draft, record_final
from .files import INTERRUPTED as INTERRUPTED
from .files import SILENT_AFTER
from .models import SCHEME_FIELDS, AnnualEvaluation, EvaluationChange, ReportFile, ScoreAdjustment
from .snapshot import build_snapshot

workflow_log = logging.getLogger("ninghe.workflow")  # one JSON line per office action, like the reports' steps
TEXT_FIELDS = ("introduction", "conclusions")
STALE_AFTER = files.QUEUED_AFTER  # a queued job may wait behind others (a running one writes a heartbeat)
MAX_ATTEMPTS = files.MAX_ATTEMPTS


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
    snapshot = build_snapshot(evaluation, today=today, at=now)
    record_final(evaluation, snapshot, changes=EvaluationChange, by=by, at=now)
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
    record_draft(evaluation, changes=EvaluationChange, by=by, reason=reason)
    _log("reopen", evaluation, by)
    return evaluation


def request_pdf(evaluation: AnnualEvaluation, *, by) -> ReportFile:
    """Queue a PDF; the page polls the row's progress. The job runs after this transaction commits."""
    from .jobs import generate_report_pdf

    _require_office(by)
    file = files.request(ReportFile, generate_report_pdf, evaluation, by=by)
    _log("generate", evaluation, by, file=file.pk)
    return file


def generate_pdf(file_id: int, *, today=None) -> ReportFile:
    """Render the PDF of one requested file, reporting progress on the row; a failure is recorded, not raised."""
    file = ReportFile.objects.select_related("evaluation__plan__jurisdiction").get(pk=file_id)
    evaluation = file.evaluation
    return files.generate(
        file,
        reading=gettext_noop("Reading the year's data"),
        reopened=_("The evaluation was reopened as a draft before this file was made; generate again."),
        build=lambda: build_snapshot(evaluation, today=today or timezone.localdate()),
        render=document.render_pdf,
        name=lambda f: f"{evaluation.plan.code}-{evaluation.year}-{f.kind}-{f.pk}.pdf",
    )


def expire_stale_files(*, now=None, older_than=STALE_AFTER, silent_after=SILENT_AFTER) -> int:
    """With a worker (beat, every minute): a running row whose heartbeat has been silent for minutes, or a queued row
    never started within `older_than`, is marked failed with the reason (see evaluation.files.expire_stale)."""
    return files.expire_stale(ReportFile, now=now, silent_after=silent_after, queued_after=older_than)


def fail_orphaned_files(*, now=None, silent_after=SILENT_AFTER) -> int:
    """Without a broker: fail the rows a restart of the web process left behind (see evaluation.files)."""
    from .jobs import generate_report_pdf

    return files.fail_orphaned(ReportFile, generate_report_pdf, now=now, silent_after=silent_after)


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
