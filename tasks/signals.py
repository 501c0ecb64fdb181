"""Signals other apps listen to, so tasks/ need not know who computes from approved data."""

from django.dispatch import Signal

# Sent inside the transaction that approves a report or reopens an approved one: approved data changed.
approved_data_changed = Signal()  # kwargs: report

# Sent inside the transaction that brings a report to the office (a submit, or the head's sign-off): results
# computes its quality flags then. A receiver's failure must not undo the submission.
report_submitted = Signal()  # kwargs: report

# Sent inside the transaction that records official figures: the quarters from `period` on of these indicators.
official_figures_recorded = Signal()  # kwargs: plan, indicator_ids, period
