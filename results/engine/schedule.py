"""Which plans a full run recomputes, and from which quarter.

A plan whose inputs are those its last finished full recompute read is passed over, and one of which only reports
changed is recomputed from the earliest changed report's quarter on (see results.fingerprints). `force` recomputes
every plan in full.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from targets.models import Plan
from tasks.models import ReportingPeriod

from .. import fingerprints
from .inputs import Scope, opened, rules_from_settings


@dataclass
class Planned:
    """One plan's part of a full run: the scope to recompute (None: passed over) and the inputs it read."""

    plan: Plan
    scope: Scope | None
    inputs: fingerprints.Inputs
    from_later_quarter: bool = False  # only reports changed: recomputed from the earliest changed quarter on


def full_run(plans: list[Plan], quarters: list[ReportingPeriod], today: dt.date, *, force: bool) -> list[Planned]:
    current = fingerprints.input_fingerprints(plans, quarters, today, rules_from_settings())
    previous = {} if force else fingerprints.last_full_runs(plans)
    every = opened(quarters, today)
    planned = []
    for plan in plans:
        inputs, last = current[plan.pk], previous.get(plan.pk)
        entry = Planned(plan=plan, scope=None, inputs=inputs)
        if last is None:
            entry.scope = Scope(plan=plan, quarters=quarters, periods=every)
        elif last.inputs != inputs.digest:
            start = fingerprints.changed_from(last, inputs, quarters)
            periods = every if start is None else [q for q in every if q.key >= start]
            entry.scope = Scope(plan=plan, quarters=quarters, periods=periods)
            entry.from_later_quarter = len(periods) < len(every)
        planned.append(entry)
    return planned
