"""Official figures (统计初步, 统计核实): recorded one at a time or from the bureau's table, never over each other.

Each figure recorded is a new version of its indicator's quarter and kind, known from now; the one it replaces is
superseded (kept, with when and by which). Recording what is already current (same value, same document) writes
nothing, so uploading the same table twice is harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.roles import department_of, is_office
from indicators.models import Indicator
from progress.authority import OFFICIAL, FigureKind

from .limits import text_problems
from .models import IndicatorValue, ReportingPeriod
from .signals import official_figures_recorded
from .validation import check_indicator_value

log = logging.getLogger("ninghe.workflow")


@dataclass(frozen=True)
class OfficialEntry:
    indicator: Indicator
    period: ReportingPeriod
    kind: FigureKind
    value: Decimal | None
    source_issuer: str
    source_title: str
    source_date: dt.date | None = None
    reached: bool | None = None
    note: str = ""

    @property
    def data(self) -> dict:
        return {
            "value": self.value,
            "reached": self.reached,
            "note": self.note,
            "source_issuer": self.source_issuer,
            "source_title": self.source_title,
        }


def can_record_official(user, indicator: Indicator) -> bool:
    """The office, or a member of the unit that provides the indicator's official figures (区统计局, say)."""
    if is_office(user):
        return True
    department = department_of(user)
    return department is not None and department.pk == indicator.official_source_id


def indicators_for(user, plan) -> QuerySet[Indicator]:
    """The indicators whose official figures this person may record: all for the office, else its unit's."""
    indicators = Indicator.objects.filter(plan=plan).prefetch_related("targets").order_by("order")
    if is_office(user):
        return indicators
    department = department_of(user)
    return indicators.filter(official_source=department) if department is not None else indicators.none()


def check_official(entry: OfficialEntry) -> dict[str, str]:
    """{field: message}: a figure of the right shape within the plausible range, and the document it is from."""
    errors = text_problems(entry.data)
    if entry.kind not in OFFICIAL:
        errors["kind"] = _("An official figure is provisional (初步) or final (核实).")
    if entry.indicator.is_milestone:
        if entry.reached is None and "reached" not in errors:
            errors["reached"] = _("Say whether the milestone is reached.")
    elif entry.value is None:
        errors.setdefault("value", _("Enter the figure."))
    for field, message in check_indicator_value(entry.indicator, entry.data, previous=None, complete=False).items():
        errors.setdefault(field, message)
    if not entry.source_issuer.strip():
        errors.setdefault("source_issuer", _("Name who published the figure, such as 区统计局."))
    if not entry.source_title.strip():
        errors.setdefault("source_title", _("Give the document's title or number (文号)."))
    return errors


@transaction.atomic
def record_official_figures(*, entries: list[OfficialEntry], by, reason: str = "") -> list[IndicatorValue]:
    """Record every entry or none (ValidationError lists the problems by entry). Returns the versions written."""
    for entry in entries:
        if not can_record_official(by, entry.indicator):
            raise PermissionDenied(_("Only the office or the unit that provides its official figures may record them."))
    problems = {i: errors for i, entry in enumerate(entries) if (errors := check_official(entry))}
    if problems:
        raise ValidationError({str(i): list(errors.values()) for i, errors in problems.items()})
    now, written = timezone.now(), []
    for entry in entries:
        # one recorder of an indicator's figures at a time: two confirmations of the same table would otherwise both
        # see no current version and both write version 1
        list(Indicator.objects.select_for_update(of=("self",)).filter(pk=entry.indicator.pk).values_list("pk"))
        figure = IndicatorValue.objects.official().filter(
            indicator=entry.indicator, period=entry.period, kind=entry.kind
        )
        previous = figure.current().order_by("-pk").select_for_update(of=("self",)).first()
        if previous is not None and _same(previous, entry):
            continue
        row = IndicatorValue.objects.create(
            indicator=entry.indicator,
            period=entry.period,
            kind=entry.kind,
            version=previous.version + 1 if previous else 1,
            value=entry.value,
            reached=entry.reached,
            note=entry.note.strip(),
            data_source=entry.source_issuer.strip(),
            source_issuer=entry.source_issuer.strip(),
            source_title=entry.source_title.strip(),
            source_date=entry.source_date,
            valid_from=now,
            recorded_at=now,
            recorded_by=by,
            reason=reason.strip(),
        )
        if previous is not None:
            IndicatorValue.objects.filter(pk=previous.pk).update(superseded_at=now, superseded_by=row)
        written.append(row)
        log.info(
            "figure.official",
            extra={
                "indicator": entry.indicator.pk,
                "period": entry.period.pk,
                "kind": str(entry.kind),
                "version": row.version,
                "user": by.get_username(),
            },
        )
    for plan, rows in _by_plan(written).items():
        earliest = min((r.period for r in rows), key=lambda p: p.key)
        official_figures_recorded.send(
            sender=IndicatorValue, plan=plan, indicator_ids={r.indicator_id for r in rows}, period=earliest
        )
    return written


def _same(row: IndicatorValue, entry: OfficialEntry) -> bool:
    return (row.value, row.reached, row.source_issuer, row.source_title, row.source_date) == (
        entry.value,
        entry.reached,
        entry.source_issuer.strip(),
        entry.source_title.strip(),
        entry.source_date,
    )


def _by_plan(rows: list[IndicatorValue]) -> dict:
    plans: dict = {}
    for row in rows:
        plans.setdefault(row.indicator.plan, []).append(row)
    return plans
