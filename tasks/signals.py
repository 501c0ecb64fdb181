"""Signals other apps listen to, so tasks/ need not know who computes from approved data."""

from django.dispatch import Signal

# Sent inside the transaction that approves a report or reopens an approved one: approved data changed.
approved_data_changed = Signal()  # kwargs: report

# Sent inside the transaction that records official figures: the quarters from `period` on of these indicators.
official_figures_recorded = Signal()  # kwargs: plan, indicator_ids, period
