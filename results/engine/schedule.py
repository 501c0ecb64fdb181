"""Which plans a full run recomputes, and from which quarter.

A plan whose inputs are those its last finished full recompute read is passed over, and one of which only reports
changed is recomputed from the earliest changed report's quarter on (see results.fingerprints). A plan whose fill
state a crashed run left STARTED is recomputed in full, whatever its fingerprints say; so is every plan with `force`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from targets.models import Plan
from tasks.models import ReportingPeriod

from .. import fingerprints
from ..models import FillState
from .inputs import Scope, opened, rules_from_settings


@dataclass
class Planned:
    """One plan's part of a full run: the scope to recompute (None: passed over) and the inputs it read."""

    plan: Plan
    scope: Scope | None
    inputs: fingerprints.Inputs
    from_later_quarter: bool = False  # only reports changed: recomputed from the earliest changed quarter on
    resumed: bool = False  # a crashed run had left it STARTED: recomputed in full


def full_run(plans: list[Plan], quarters: list[ReportingPeriod], today: dt.date, *, force: bool) -> list[Planned]:
    current = fingerprints.input_fingerprints(plans, quarters, today, rules_from_settings())
    previous = {} if force else fingerprints.last_full_runs(plans)
    crashed = started_plans(plans)
    every = opened(quarters, today)
    planned = []
    for plan in plans:
        inputs, last = current[plan.pk], previous.get(plan.pk)
        entry = Planned(plan=plan, scope=None, inputs=inputs, resumed=plan.pk in crashed)
        if entry.resumed or last is None:
            entry.scope = Scope(plan=plan, quarters=quarters, periods=every)
        elif last.inputs != inputs.digest:
            start = fingerprints.changed_from(last, inputs, quarters)
            periods = every if start is None else [q for q in every if q.key >= start]
            entry.scope = Scope(plan=plan, quarters=quarters, periods=periods)
            entry.from_later_quarter = len(periods) < len(every)
        planned.append(entry)
    return planned


def started_plans(plans: list[Plan]) -> set[int]:
    """The plans whose last full recompute never reached DONE: crashed, killed, or still running (each plan's
    recompute holds its lock, so a run still going is waited for rather than overtaken)."""
    started = FillState.objects.filter(plan__in=plans, state=FillState.State.STARTED)
    return set(started.values_list("plan_id", flat=True))
