"""Signals other apps listen to, so tasks/ need not know who computes from approved data."""

from django.dispatch import Signal

# Sent inside the transaction that approves a report or reopens an approved one: approved data changed.
approved_data_changed = Signal()  # kwargs: report
