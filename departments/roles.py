"""Who a signed-in person is in this system: office staff, a read-only viewer, or a unit's member.

Office and viewer are Django groups (created by a data migration); administrators are superusers.
"""

from django.contrib.auth.models import AnonymousUser, User

from .models import Department, Membership

OFFICE_GROUP = "区碳达峰办"
VIEWER_GROUP = "只读查看"


def _groups(user) -> set[str]:
    if not hasattr(user, "_role_groups"):
        user._role_groups = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
    return user._role_groups


def is_office(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or OFFICE_GROUP in _groups(user))


def is_viewer(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and VIEWER_GROUP in _groups(user)


def membership_of(user: User | AnonymousUser) -> Membership | None:
    if not user.is_authenticated:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def department_of(user: User | AnonymousUser) -> Department | None:
    membership = membership_of(user)
    return membership.department if membership else None


def is_head_of(user: User | AnonymousUser, department: Department) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.department_id == department.pk and membership.role == "head"
