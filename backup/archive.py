"""The whole dataset in one .tar.gz: Django's JSON serialisation of every app, the attached files, a manifest.

Kept out, as Django advises for moving data between databases: content types and permissions (each database's
migrations create its own, and references to them are written as natural keys), sessions, the admin's log and
the log-in attempts; and views (unmanaged models: the results' rows by quarter are views over their series), whose
rows are derived from archived tables and cannot be loaded. Password hashes are never written: restored accounts get an unusable password and are
given a new one by an administrator. API tokens are never written either (a token is a password): each user
issues a new one after a restore, and tokens found in an older archive are dropped before loading. Times are
written with their microseconds (backup.serializer), so a restore is exact. Rows are written with natural keys where a model has one (accounts by user
name, groups by name, so the role groups that migrate creates are matched, not duplicated) and with their ids
otherwise, so links into the restored site stay valid.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models

FORMAT = 1
DATA = "data.json"
MANIFEST = "manifest.json"
MEDIA = "media"
EXCLUDED_APPS = {"contenttypes", "sessions", "admin", "axes", "authtoken"}
SERIALIZER = "exact_json"
EXCLUDED_MODELS = {"auth.permission"}
FILLED_BY_MIGRATE = {"auth.group"}  # the role groups (tasks.roles.ensure_role_groups)
USER_MODEL = "auth.user"
# An archive written before the results became series holds their rows by quarter (now views) and no series: those
# rows are dropped, and with them the records of the runs that wrote them, so the next nightly run finds no run to
# trust and recomputes every plan (results.engine.schedule).
RECOMPUTED_WITHOUT_SERIES = {"results.computationrun", "results.fillstate"}
# Columns no longer stored, which an older archive still carries: a task's co-departments' updates, by quarter
# (results migration 0009: the view results_taskresult reads them from the task updates).
NO_LONGER_STORED = {"results.taskseries": {"co_departments"}}


class ArchiveError(Exception):
    """The archive cannot be restored (damaged, wrong format) or the database is not empty; nothing was changed."""


def backup(path: Path) -> dict:
    """Write the archive to `path` and return its manifest (counts per model, sha256 of every member)."""
    serializers.register_serializer(SERIALIZER, "backup.serializer")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        call_command(
            "dumpdata",
            *(f"--exclude={label}" for label in sorted(EXCLUDED_APPS | EXCLUDED_MODELS | _views())),
            format=SERIALIZER,
            natural_foreign=True,
            natural_primary=True,
            output=str(root / DATA),
            verbosity=0,
        )
        objects = json.loads((root / DATA).read_text(encoding="utf-8"))
        for obj in objects:
            if obj["model"] == USER_MODEL:
                obj["fields"]["password"] = make_password(None)
        (root / DATA).write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")

        members = {DATA: root / DATA}
        missing = []
        for name in _stored_files():
            source = Path(default_storage.path(name))
            if source.is_file():
                members[f"{MEDIA}/{name}"] = source
            else:
                missing.append(name)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "counts": dict(sorted(Counter(obj["model"] for obj in objects).items())),
            "passwords": "not included: restored accounts have unusable passwords",
            "api_tokens": "not included: users issue new tokens after a restore",
            "files": {member: _sha256(source) for member, source in members.items()},
            "missing_files": missing,
        }
        (root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        with tarfile.open(path, "w:gz") as tar:
            tar.add(root / MANIFEST, arcname=MANIFEST)
            for member, source in members.items():
                tar.add(source, arcname=member)
    return manifest


def restore(path: Path) -> dict:
    """Load the archive into an empty database and put its files back; refuse anything else untouched."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        manifest = _unpack(path, root)
        if occupied := _occupied_models():
            raise ArchiveError(
                "数据库不是空的，已拒绝恢复（以免覆盖现有数据）："
                + "、".join(occupied[:5])
                + "。请在新建并迁移（migrate）的空数据库上恢复。"
            )
        for member in manifest["files"]:
            if member.startswith(f"{MEDIA}/"):
                target = Path(default_storage.path(member.removeprefix(f"{MEDIA}/")))
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / member, target)
        _drop_excluded(root / DATA)
        call_command("loaddata", str(root / DATA), verbosity=0)
    return manifest


def _unpack(path: Path, root: Path) -> dict:
    try:
        with tarfile.open(path, "r:gz") as tar:
            tar.extractall(root, filter="data")
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, tarfile.TarError, ValueError) as exc:
        raise ArchiveError(f"无法读取备份文件 {path}：{exc}") from exc
    if manifest.get("format") != FORMAT:
        raise ArchiveError(f"备份文件格式（{manifest.get('format')}）不是本系统能恢复的格式（{FORMAT}）。")
    for member, expected in manifest["files"].items():
        source = root / member
        if Path(member).is_absolute() or ".." in Path(member).parts:
            raise ArchiveError(f"备份文件中的路径不安全：{member}，未作任何恢复。")
        if not source.is_file() or _sha256(source) != expected:
            raise ArchiveError(f"备份文件已损坏：{member} 缺失或校验值（sha256）不符，未作任何恢复。")
    return manifest


def _drop_excluded(data: Path) -> None:
    """Rows an archive should not have carried (API tokens in archives written before they were left out; rows of
    what are views now, with the run records that trusted them: RECOMPUTED_WITHOUT_SERIES), and columns no longer
    stored (NO_LONGER_STORED)."""
    objects = json.loads(data.read_text(encoding="utf-8"))
    views = _views()
    kept = [obj for obj in objects if not _excluded(obj["model"]) and obj["model"] not in views]
    if any(obj["model"] in views for obj in objects):
        kept = [obj for obj in kept if obj["model"] not in RECOMPUTED_WITHOUT_SERIES]
    dropped = 0
    for obj in kept:
        for name in NO_LONGER_STORED.get(obj["model"], ()):
            dropped += obj["fields"].pop(name, None) is not None
    if len(kept) != len(objects) or dropped:
        data.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")


def _views() -> set[str]:
    """Models over database views (managed = False): derived rows, never archived nor loaded."""
    return {model._meta.label_lower for model in apps.get_models() if not model._meta.managed}


def _excluded(label: str) -> bool:
    return label.split(".")[0] in EXCLUDED_APPS or label in EXCLUDED_MODELS


def _occupied_models() -> list[str]:
    """Models that already hold rows, other than those every migrated database fills by itself."""
    return [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label not in EXCLUDED_APPS
        and model._meta.label_lower not in EXCLUDED_MODELS | FILLED_BY_MIGRATE
        and model._base_manager.exists()
    ]


def _stored_files():
    """The name of every file a FileField points to (all kept in MEDIA_ROOT), once each, in a stable order."""
    seen = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                for name in (
                    model._base_manager.exclude(**{field.name: ""}).order_by("pk").values_list(field.name, flat=True)
                ):
                    if name not in seen:
                        seen.add(name)
                        yield name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
