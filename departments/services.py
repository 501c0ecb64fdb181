"""Finding and registering units, so every spelling in a plan lands on one department."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from .models import Department, DepartmentAlias, DepartmentKind, Jurisdiction

COLLECTIVE_PREFIXES = ("各", "相关", "有")


def guess_kind(name: str) -> DepartmentKind:
    """A first guess from the name's shape; the office corrects it in the admin when it is wrong."""
    if name.startswith(COLLECTIVE_PREFIXES):
        return DepartmentKind.COLLECTIVE
    if name.endswith("管委会"):
        return DepartmentKind.MANAGEMENT_COMMITTEE
    if name.endswith(("公司", "分公司", "集团")):
        return DepartmentKind.COMPANY
    if name.endswith(("镇", "街道", "街镇", "乡")):
        return DepartmentKind.TOWN_STREET
    if name.startswith("区委"):
        return DepartmentKind.PARTY_ORGAN
    if name.startswith("市") and name.endswith("分局"):
        return DepartmentKind.MUNICIPAL_BRANCH
    return DepartmentKind.DISTRICT_AGENCY


def _spelling_variants(name: str) -> list[str]:
    """Plans drop or add the 区 prefix freely (政务服务办 / 区政务服务办)."""
    return [name, name[1:]] if name.startswith("区") else [name, f"区{name}"]


def find_department(jurisdiction: Jurisdiction, name: str) -> Department | None:
    variants = _spelling_variants(name)
    found = Department.objects.filter(jurisdiction=jurisdiction, name__in=variants).first()
    if found:
        return found
    alias = (
        DepartmentAlias.objects.filter(jurisdiction=jurisdiction, name__in=variants)
        .select_related("department")
        .first()
    )
    return alias.department if alias else None


@transaction.atomic
def resolve_department(*, jurisdiction: Jurisdiction, name: str) -> tuple[Department, bool]:
    """Return the unit a spelling names, creating it (and recording the spelling) when new.

    The boolean says whether a department was created, so an importer can report new units.
    """
    department = find_department(jurisdiction, name)
    if department is None:
        return Department.objects.create(jurisdiction=jurisdiction, name=name, kind=guess_kind(name)), True
    if department.name != name:
        DepartmentAlias.objects.get_or_create(department=department, jurisdiction=jurisdiction, name=name)
    return department, False


@transaction.atomic
def register_departments(*, jurisdiction: Jurisdiction, entries: Iterable[dict]) -> int:
    """Create or update units from a curated registry: name, kind, optional aliases and description."""
    count = 0
    for entry in entries:
        kind = DepartmentKind(entry.get("kind") or guess_kind(entry["name"]))
        department, _ = Department.objects.update_or_create(
            jurisdiction=jurisdiction,
            name=entry["name"],
            defaults={"kind": kind, "description": entry.get("description", "")},
        )
        for alias in entry.get("aliases", []):
            DepartmentAlias.objects.update_or_create(
                jurisdiction=jurisdiction, name=alias, defaults={"department": department}
            )
        count += 1
    return count
