"""What the annual evaluation's and the report to the city's editing views share: the rules of a versioned save."""

from __future__ import annotations


def keep_text_after_stale_save(form, *, current_version: int, message) -> None:
    """A save that lost the race to a colleague's keeps what the user typed: the error says why, and the form now
    carries the version there is to beat, so saving again after comparing with the history works."""
    form.add_error(None, message)
    form.data = form.data.copy()
    form.data["version"] = current_version


def posted_version(request) -> int:
    """The version a finalize form carried; -1 (never the current one) when it is missing or not a number."""
    version = request.POST.get("version", "")
    return int(version) if version.isdigit() else -1
