"""Project-wide promises: the Chinese catalogue is complete and compiled, and CI really uses PostgreSQL."""

import gettext
import os
import subprocess
from pathlib import Path

import pytest
from django.db import connection

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_chinese_catalogue_has_no_untranslated_or_fuzzy_entries():
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(LOCALE / "django.po")],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, stats


def test_committed_mo_is_compiled_from_the_committed_po(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(LOCALE / "django.po")], check=True)
    with open(fresh, "rb") as a, open(LOCALE / "django.mo", "rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog


@pytest.mark.django_db
def test_ci_runs_on_postgresql():
    """In CI the database is PostgreSQL; a missing server fails the run instead of falling back to SQLite."""
    if os.environ.get("CI") != "true":
        pytest.skip("only meaningful in CI, where .ci/run sets DATABASE_URL")
    assert connection.vendor == "postgresql"
